#!/bin/bash
# Runs every gkey test on this machine: installs what is missing, builds,
# runs `make check` (unit tests under ASan/UBSan, SQL tests against a
# private PostgreSQL, integration tests against a private radiusd) and
# `make distcheck` (set GKEY_SKIP_DISTCHECK=1 to leave that out).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh

status=0
make check || status=$?

# automake's driver keeps each test's output in its .log; show the verdicts.
echo
echo "== test results =="
find tests -name '*.trs' -print0 | sort -z | xargs -0 grep -h '^:test-result:' | sort | uniq -c
for t in $(find tests -name '*.trs' | sort); do
	r=$(sed -n 's/^:test-result: //p' "$t")
	printf '%-6s %s\n' "$r" "${t%.trs}"
done
if [ "$status" != 0 ]; then
	for l in $(grep -l '^:test-result: FAIL\|^:test-result: ERROR' $(find tests -name '*.trs') | sed 's/\.trs$/.log/'); do
		echo "== $l (last 60 lines) =="
		tail -n 60 "$l"
	done
	exit "$status"
fi

if [ "${GKEY_SKIP_DISTCHECK:-0}" != 1 ]; then
	make distcheck
fi
echo "all tests passed"
