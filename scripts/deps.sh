#!/bin/bash
# Installs, as root, the Debian 12 packages gkey needs to build, test and
# run its demo, and the FreeRADIUS headers Debian's libfreeradius-dev lacks
# (build-aux/fr-headers.sh). Prints the headers directory on the last line.
# Does nothing that is already done.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
hdrs=${GKEY_FR_HEADERS:-/var/cache/gkey/freeradius-headers}

pkgs="gcc make autoconf automake libtool pkg-config clang libclang-rt-14-dev
freeradius freeradius-utils freeradius-postgresql libfreeradius-dev libpcre3-dev libtalloc-dev
postgresql-15 postgresql-client-15 postgresql-15-pgtap libpq-dev
libssl-dev libcbor-dev openssl check dpkg-dev iproute2 procps eapoltest tshark
debhelper lintian fakeroot radsecproxy radvd"

missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
done

need_root() {
	if [ "$(id -u)" != 0 ]; then
		echo "deps: $1; run this command as root (sudo)" >&2
		exit 1
	fi
}

if [ -n "$missing" ]; then
	need_root "missing Debian packages:$missing"
	echo "deps: installing$missing"
	apt-get update -qq
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# Installing the freeradius package must not leave a system radiusd
# running on the standard ports: the rig and the demo use their own.
if [ -d /run/systemd/system ] && systemctl is-active -q freeradius 2>/dev/null; then
	systemctl stop freeradius || true
fi

ver=$(dpkg-query -W -f='${Version}' libfreeradius-dev)
if [ ! -f "$hdrs/freeradius/.version" ] || [ "$(cat "$hdrs/freeradius/.version")" != "$ver" ]; then
	if ! apt-get source --download-only -qq -s "freeradius=$ver" >/dev/null 2>&1; then
		need_root "Debian source entries (deb-src) are needed for the FreeRADIUS headers"
		echo "deps: enabling deb-src for Debian's repositories"
		if [ -f /etc/apt/sources.list.d/debian.sources ]; then
			sed -i 's/^Types: deb$/Types: deb deb-src/' /etc/apt/sources.list.d/debian.sources
		fi
		if [ -f /etc/apt/sources.list ]; then
			grep '^deb .*debian' /etc/apt/sources.list | sed 's/^deb /deb-src /' > /etc/apt/sources.list.d/gkey-src.list || true
		fi
		apt-get update -qq
	fi
	mkdir -p "$hdrs"
	"$top/build-aux/fr-headers.sh" "$hdrs" >&2
fi
echo "$hdrs"
