#!/bin/bash
# Enrolls benchmark identities, applications and grants in bulk, for
# bench/radius-bench.sh (bench/README.md).
#
#   bench/gen-identities.sh -d DSN -p PREFIX [-s FIRST] -n N
#                           [-a APP_PREFIX] [-A APPS] [-g GRANTS] [-k POOL]
#
# Identity i (FIRST <= i < FIRST+N) gets the fingerprint SHA-256 of the
# text PREFIX<i> (i in decimal), the fingerprint bench/radload -g
# PREFIX:FIRST:N asks for; issuer "/CN=bench PREFIX", serial hex(i).
# Even i get a P-256 key, odd i an X25519 key, each taken from a pool
# of POOL (default 8) real keys per curve made here with openssl: the
# module seals to them, and gkey.identity.spki is not unique (doc/sql.md),
# so the pool is shared. The applications APP_PREFIX1 .. APP_PREFIX<APPS>
# (default "bench-app", 1) are created through gkey.create_application
# where missing; identity i is granted GRANTS (default 1, at most APPS)
# of them, numbers ((i-1)*GRANTS + j) mod APPS + 1 for j = 0..GRANTS-1,
# so that consecutive identities cover every application.
#
# The identities and grants go in with one INSERT ... SELECT each, as
# gkey_admin (the owner of the schema), in one transaction: the checks
# gkey.enroll makes are the table's constraints here, and the change
# notification (migration 010) says "all" once. DSN must be able to SET
# ROLE gkey_admin (the rig's superuser can). About a minute per million
# identities and three million grants on a small machine.
set -euo pipefail
dsn="" prefix="" first=1 n="" app_prefix=bench-app apps=1 grants=1 pool=8
while getopts d:p:s:n:a:A:g:k: opt; do
	case $opt in
	d) dsn=$OPTARG ;;
	p) prefix=$OPTARG ;;
	s) first=$OPTARG ;;
	n) n=$OPTARG ;;
	a) app_prefix=$OPTARG ;;
	A) apps=$OPTARG ;;
	g) grants=$OPTARG ;;
	k) pool=$OPTARG ;;
	*) echo "usage: $0 -d DSN -p PREFIX [-s FIRST] -n N [-a APP_PREFIX] [-A APPS] [-g GRANTS] [-k POOL]" >&2; exit 2 ;;
	esac
done
num() { case $2 in '' | *[!0-9]*) echo "gen-identities: $1 must be a number, not '$2'" >&2; exit 2 ;; esac; }
num -s "$first"; num -n "$n"; num -A "$apps"; num -g "$grants"; num -k "$pool"
[ -n "$dsn" ] && [ -n "$prefix" ] || { echo "gen-identities: -d and -p are required" >&2; exit 2; }
[ "$n" -ge 1 ] && [ "$apps" -ge 1 ] && [ "$pool" -ge 1 ] && [ "$grants" -le "$apps" ] ||
	{ echo "gen-identities: need N >= 1, APPS >= 1, POOL >= 1, GRANTS <= APPS" >&2; exit 2; }
# The names go into SQL literals: keep them to a safe alphabet.
case $prefix$app_prefix in *[!A-Za-z0-9._-]*) echo "gen-identities: prefixes are [A-Za-z0-9._-]" >&2; exit 2 ;; esac

spki_hex() {
	openssl genpkey "$@" 2>/dev/null | openssl pkey -pubout -outform DER | od -An -v -tx1 | tr -d ' \n'
}
p256="" x25519=""
for _ in $(seq 1 "$pool"); do
	p256="$p256${p256:+,}'\\x$(spki_hex -algorithm EC -pkeyopt ec_paramgen_curve:P-256)'::bytea"
	x25519="$x25519${x25519:+,}'\\x$(spki_hex -algorithm X25519)'::bytea"
done

start=$(date +%s)
psql "$dsn" -X -q -v ON_ERROR_STOP=1 -At <<SQL
SET client_min_messages = warning;
BEGIN;
SET LOCAL ROLE gkey_admin;
SELECT count(gkey.create_application('$app_prefix' || j))
FROM generate_series(1, $apps) j
WHERE NOT EXISTS (SELECT FROM gkey.application a WHERE a.name = '$app_prefix' || j) \\g /dev/null
CREATE TEMPORARY TABLE bench_app ON COMMIT DROP AS
	SELECT j, (SELECT a.id FROM gkey.application a WHERE a.name = '$app_prefix' || j) AS id
	FROM generate_series(1, $apps) j;
CREATE TEMPORARY TABLE bench_key ON COMMIT DROP AS
	SELECT k - 1 AS k, (ARRAY[$p256])[k] AS p256, (ARRAY[$x25519])[k] AS x25519
	FROM generate_series(1, $pool) k;
CREATE TEMPORARY TABLE bench_new ON COMMIT DROP AS
	SELECT i, sha256(convert_to('$prefix' || i, 'UTF8')) AS fp
	FROM generate_series($first::bigint, $first::bigint + $n - 1) i;
INSERT INTO gkey.identity (fingerprint, issuer, serial, subject, spki, not_before, not_after, kind)
SELECT b.fp, '/CN=bench $prefix', to_hex(b.i), '/CN=$prefix' || b.i,
	CASE WHEN b.i % 2 = 0 THEN k.p256 ELSE k.x25519 END,
	now() - interval '1 day', now() + interval '365 days', 'iot'
FROM bench_new b JOIN bench_key k ON k.k = (b.i / 2) % $pool;
INSERT INTO gkey.grant (identity_id, app_id)
SELECT d.id, a.id
FROM bench_new b
JOIN gkey.identity d ON d.fingerprint = b.fp
CROSS JOIN generate_series(0, $grants - 1) g
JOIN bench_app a ON a.j = ((b.i - 1) * $grants + g) % $apps + 1;
COMMIT;
ANALYZE gkey.identity;
ANALYZE gkey.grant;
SQL
echo "gen-identities: $n identities $prefix$first.. with $grants of $apps applications $app_prefix* in $(( $(date +%s) - start )) s"
