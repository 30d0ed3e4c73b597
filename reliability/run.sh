#!/usr/bin/env bash
# The fault suite: schema fuzzing, kill -9 under write load, races, two nodes on one PostgreSQL
# database, stalled clients, webhook deliveries through kills and two nodes — all against real
# `clerk serve` processes on 127.0.0.1.
#
#   bash reliability/run.sh                                 # build clerk-cli, run everything
#   CLERK_BIN=path/to/clerk bash reliability/run.sh         # use that binary, build nothing
#   bash reliability/run.sh --parts races,nodes             # some parts: fuzz,crash,races,nodes,stalled,webhooks
#   bash reliability/run.sh --stores sqlite                 # one store (nodes needs postgres)
#
# PostgreSQL: a server on 127.0.0.1:5432 with trust auth for user postgres (override with
# RELIABILITY_PG_URL); each part creates a fresh database rel_<random> and drops it.
# The whole run is killed after RELIABILITY_DEADLINE seconds (default 900).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
venv="$here/.venv-reliability"
req="$here/requirements.txt"

# shellcheck source=../scripts/python-suite.sh
source "$root/scripts/python-suite.sh"
python_venv reliability "$venv" "$req"
clerk_bin "$root"

cd "$here"
# SIGTERM lets the suite kill its servers and drop its databases; SIGKILL 30 s later if not.
exec timeout --kill-after=30 "${RELIABILITY_DEADLINE:-900}" "$venv/bin/python" -m faults "$@"
