#!/bin/sh
# Debian 12's libfreeradius-dev 3.2.1 ships radiusd.h but not every header it
# includes (automask.h, clients.h, connection.h, ...). This script takes the
# missing ones from Debian's source package of exactly the installed version
# and puts them in DESTDIR/freeradius/, rewriting <freeradius-devel/...> to
# <freeradius/...> as upstream's install step does. Headers the -dev package
# does ship are never replaced.
#
# Usage: build-aux/fr-headers.sh DESTDIR
# Needs: deb-src entries for Debian's repositories, dpkg-dev, network access
# to Debian's mirror. Nothing is written outside DESTDIR.
set -eu

dest=${1:?usage: fr-headers.sh DESTDIR}
sys=/usr/include/freeradius

ver=$(dpkg-query -W -f='${Version}' libfreeradius-dev 2>/dev/null) ||
	{ echo "fr-headers: libfreeradius-dev is not installed (apt-get install libfreeradius-dev)" >&2; exit 1; }

stamp="$dest/freeradius/.version"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$ver" ]; then
	exit 0
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/fr-headers.XXXXXX")
trap 'rm -rf "$work"' EXIT

cd "$work"
if ! apt-get source -qq --download-only "freeradius=$ver" >/dev/null 2>apt.err; then
	cat apt.err >&2
	echo "fr-headers: cannot download Debian's freeradius $ver source; enable deb-src for Debian's repositories" >&2
	exit 1
fi
dpkg-source --no-check -x ./*.dsc src >/dev/null

cd - >/dev/null
mkdir -p "$dest/freeradius"
n=0
for h in "$work"/src/src/include/*.h; do
	b=$(basename "$h")
	[ -e "$sys/$b" ] && continue
	sed 's|<freeradius-devel/|<freeradius/|g' "$h" > "$dest/freeradius/$b"
	n=$((n + 1))
done
echo "$ver" > "$stamp"
echo "fr-headers: $n headers of freeradius $ver in $dest/freeradius"
