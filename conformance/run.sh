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

# shellcheck source=../scripts/python-suite.sh
source "$root/scripts/python-suite.sh"
python_venv conformance "$venv" "$req"
clerk_bin "$root"
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
