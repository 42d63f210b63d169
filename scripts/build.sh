#!/bin/bash
# Installs what is missing (scripts/deps.sh) and builds gkey in the source
# tree. Safe to run again: it only redoes what changed.
set -euo pipefail
cd "$(dirname "$0")/.."
hdrs=$(bash scripts/deps.sh | tail -n 1)
if [ ! -x configure ] || [ configure.ac -nt configure ] || [ Makefile.am -nt Makefile.in ]; then
	autoreconf -fi
fi
if [ ! -f Makefile ] || [ configure -nt config.status ]; then
	./configure --with-freeradius-headers="$hdrs"
fi
make -j"$(nproc)"
