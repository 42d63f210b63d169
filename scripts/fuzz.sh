#!/bin/bash
# Builds every libFuzzer harness with clang (-fsanitize=fuzzer,address,
# undefined) and runs each for SECONDS (default 60) from its seed corpus.
# New inputs go to a scratch directory; the committed corpus is not changed.
# Usage: scripts/fuzz.sh [SECONDS [HARNESS...]]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
shift || true
out=$(mktemp -d "${TMPDIR:-/tmp}/gkey-fuzz.XXXXXX")
trap 'rm -rf "$out"' EXIT

LIBGKEY="libgkey/errbuf.c libgkey/aesgcm.c libgkey/clock.c libgkey/gkseal.c libgkey/hex.c libgkey/hpke.c libgkey/keyrecord.c libgkey/keys.c libgkey/recline.c libgkey/utf8.c libgkey/x509.c"
PANA="libpana/pana_msg.c libpana/pana_crypto.c"
LIBND="libnd/nd_msg.c libnd/nd_crypto.c"
ND="$LIBND libgkey/errbuf.c libgkey/x509.c"
COSE="libcose/cose.c libcose/cose_keys.c libgkey/hex.c"

sources() {
	case $1 in
	keyrecord) echo "tests/fuzz/fuzz_keyrecord.c $LIBGKEY" ;;
	hex) echo "tests/fuzz/fuzz_hex.c $LIBGKEY" ;;
	text) echo "tests/fuzz/fuzz_text.c $LIBGKEY" ;;
	x509) echo "tests/fuzz/fuzz_x509.c $LIBGKEY" ;;
	pana_msg) echo "tests/fuzz/fuzz_pana_msg.c $PANA libgkey/errbuf.c" ;;
	eap) echo "tests/fuzz/fuzz_eap.c node/eap_tls_peer.c libgkey/errbuf.c" ;;
	paa) echo "tests/fuzz/fuzz_paa.c tests/paa_harness.c pana-relay/paa.c libdaemon/plog.c libgkey/clock.c libgkey/errbuf.c $PANA" ;;
	pac) echo "tests/fuzz/fuzz_pac.c node/pac.c $PANA $LIBGKEY" ;;
	nd) echo "tests/fuzz/fuzz_nd.c $ND" ;;
	ard) echo "tests/fuzz/fuzz_ard.c ard/ard_core.c $LIBND $LIBGKEY" ;;
	noded) echo "tests/fuzz/fuzz_noded.c node/noded_core.c $LIBND $LIBGKEY" ;;
	cose) echo "tests/fuzz/fuzz_cose.c $COSE" ;;
	notify) echo "tests/fuzz/fuzz_notify.c rlm_gkey/gkey_view.c -ltalloc" ;;
	pushd) echo "tests/fuzz/fuzz_pushd.c pushd/pushd_core.c" ;;
	das) echo "tests/fuzz/fuzz_das.c libdas/das.c libgkey/utf8.c libgkey/errbuf.c" ;;
	*) echo "fuzz: unknown harness $1" >&2; exit 2 ;;
	esac
}
# What a harness needs beyond OpenSSL and libcbor: libdas is over
# libfreeradius-radius, whose missing headers build-aux/fr-headers.sh
# puts in FR_HEADERS (scripts/deps.sh prints that directory).
FR_HEADERS=${FR_HEADERS:-/var/cache/gkey/freeradius-headers}
extra() {
	case $1 in
	das) echo "-Ilibdas -I$FR_HEADERS -DIS_MODULE=1 -DNDEBUG -L/usr/lib/freeradius -Wl,-rpath,/usr/lib/freeradius -lfreeradius-radius -ltalloc" ;;
	esac
}
corpus() {
	case $1 in
	pana_msg) echo pana ;;
	*) echo "$1" ;;
	esac
}

harnesses=${*:-"keyrecord hex text x509 pana_msg eap pac paa nd ard noded cose notify pushd das"}
for h in $harnesses; do
	# shellcheck disable=SC2046
	clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-Wall -Wextra -Ilibgkey -Ilibcose -Ilibpana -Ilibnd -Iard -Inode -Ilibdaemon -Ipana-relay -Irlm_gkey -Ipushd -Itests -Itests/fuzz \
		$(sources "$h") $(extra "$h") -lssl -lcrypto -lcbor -o "$out/fuzz_$h"
	mkdir -p "$out/corpus_$h"
	echo "== fuzz_$h for $secs s"
	"$out/fuzz_$h" -max_total_time="$secs" -print_final_stats=1 -artifact_prefix="$out/" \
		"$out/corpus_$h" "tests/fuzz/corpus/$(corpus "$h")" 2>&1 |
		grep -E 'stat::number_of_executed_units|ERROR|SUMMARY|crash' || true
	# libFuzzer leaves crash-*, leak-* or timeout-* files on a finding.
	found=$(find "$out" -maxdepth 1 -name 'crash-*' -o -maxdepth 1 -name 'leak-*' -o -maxdepth 1 -name 'timeout-*')
	if [ -n "$found" ]; then
		mkdir -p fuzz-findings
		cp $found fuzz-findings/
		echo "fuzz: $h found a problem, inputs copied to fuzz-findings/" >&2
		exit 1
	fi
done
echo "fuzz: no findings"
