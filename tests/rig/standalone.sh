# For scripts run from the source tree outside `make check` (the demo,
# the benchmarks): sets what automake's test environment would, then
# sources the whole rig. The tree must be built (scripts/build.sh).
GKEY_SRCDIR=${GKEY_SRCDIR:-$PWD}
GKEY_BUILDDIR=${GKEY_BUILDDIR:-$PWD}
FREERADIUS=${FREERADIUS:-$(command -v freeradius || echo /usr/sbin/freeradius)}
RADCLIENT=${RADCLIENT:-$(command -v radclient || echo /usr/bin/radclient)}
export GKEY_SRCDIR GKEY_BUILDDIR FREERADIUS RADCLIENT
. "$GKEY_SRCDIR/tests/rig/common.sh"
. "$GKEY_SRCDIR/tests/rig/pg.sh"
. "$GKEY_SRCDIR/tests/rig/radiusd.sh"
. "$GKEY_SRCDIR/tests/rig/gkey.sh"
