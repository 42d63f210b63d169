#!/bin/bash
# The gkey demo on one machine: builds gkey, starts a private PostgreSQL
# and a private FreeRADIUS with rlm_gkey on loopback, and shows the key
# server at work. Everything runs under a temporary directory that is
# removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh >/dev/null

export GKEY_SRCDIR=$PWD GKEY_BUILDDIR=$PWD FREERADIUS=${FREERADIUS:-$(command -v freeradius || echo /usr/sbin/freeradius)}
. tests/rig/common.sh
. tests/rig/radiusd.sh
rig_init
RIG_PKI=$RIG_DIR/pki
tests/mkcerts.sh "$RIG_PKI" >/dev/null

radiusd_rig_start demo
echo "FreeRADIUS with rlm_gkey is up on 127.0.0.1:$RADIUS_PORT"
grep 'rlm_gkey' "$RADIUS_LOG"
