#!/usr/bin/env bash
# Conformance suite: Clerk's official Python SDK drives `clerk serve`, and every response is checked
# against Clerk's published OpenAPI spec. Runs on SQLite, then on PostgreSQL.
#
#   bash conformance/run.sh              # build clerk-cli, run both databases
#   CLERK_BIN=path/to/clerk bash conformance/run.sh   # use that binary, build nothing
#   CONFORMANCE_DBS=sqlite bash conformance/run.sh    # one database only
#   bash conformance/run.sh -k metadata  # extra arguments go to pytest
#
# PostgreSQL: a server on 127.0.0.1:5432 with trust auth for user postgres (override with
# CONFORMANCE_PG_URL); each run creates a fresh database conf_<random> and drops it.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
venv="$here/.venv-conformance"
req="$here/python/requirements.txt"

python="${PYTHON:-python3}"
if [ ! -x "$venv/bin/python" ]; then
    echo "conformance: creating virtualenv $venv"
    "$python" -m venv "$venv"
fi
# Reinstall only when requirements.txt changed since the last install.
stamp="$venv/.requirements.sha256"
want="$(sha256sum "$req" | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ]; then
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req"
    echo "$want" > "$stamp"
fi

if [ -z "${CLERK_BIN:-}" ]; then
    (cd "$root" && cargo build -p clerk-cli)
    export CLERK_BIN="$root/target/debug/clerk"
fi
echo "conformance: using $CLERK_BIN"

status=0
for db in ${CONFORMANCE_DBS:-sqlite postgres}; do
    echo
    echo "=== conformance on $db ==="
    if ! (cd "$here/python" && CONFORMANCE_DB="$db" "$venv/bin/python" -m pytest "$@"); then
        echo "conformance: FAILED on $db"
        status=1
    fi
done
exit $status
