#!/usr/bin/env bash
# The fault suite: schema fuzzing, kill -9 under write load, races, two nodes on one PostgreSQL
# database, stalled clients — all against real `clerk serve` processes on 127.0.0.1.
#
#   bash reliability/run.sh                                 # build clerk-cli, run everything
#   CLERK_BIN=path/to/clerk bash reliability/run.sh         # use that binary, build nothing
#   bash reliability/run.sh --parts races,nodes             # some parts: fuzz,crash,races,nodes,stalled
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

python="${PYTHON:-python3}"
if [ ! -x "$venv/bin/python" ]; then
    echo "reliability: creating virtualenv $venv"
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

cd "$here"
# SIGTERM lets the suite kill its servers and drop its databases; SIGKILL 30 s later if not.
exec timeout --kill-after=30 "${RELIABILITY_DEADLINE:-900}" "$venv/bin/python" -m faults "$@"
