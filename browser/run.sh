#!/usr/bin/env bash
# Browser suite: headless Chromium signs in to `clerk serve`'s dashboard (/dashboard/) and uses
# it as an operator would — search, filters, a user's page, metadata, confirmed actions, CSRF,
# rate limit, sign-out — on a fresh SQLite database seeded over the API. Also refreshes
# docs/images/dashboard-users.png, the README's screenshot.
#
#   bash browser/run.sh                              # build clerk-cli, run everything
#   CLERK_BIN=path/to/clerk bash browser/run.sh      # use that binary, build nothing
#   bash browser/run.sh -k metadata                  # extra arguments go to pytest
#
# Needs chromium and chromium-driver (Debian: apt-get install chromium chromium-driver), or
# BROWSER_CHROMIUM / BROWSER_CHROMEDRIVER pointing at a browser and its matching driver.
# Selenium Manager never downloads anything (SE_OFFLINE). The run is killed after
# BROWSER_DEADLINE seconds (default 900).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
venv="$here/.venv-browser"
req="$here/requirements.txt"

for tool in "${BROWSER_CHROMIUM:-/usr/bin/chromium}" "${BROWSER_CHROMEDRIVER:-/usr/bin/chromedriver}"; do
    if [ ! -x "$tool" ]; then
        echo "browser: $tool is missing (apt-get install chromium chromium-driver)" >&2
        exit 2
    fi
done

# shellcheck source=../scripts/python-suite.sh
source "$root/scripts/python-suite.sh"
python_venv browser "$venv" "$req"
clerk_bin "$root"
echo "browser: using $CLERK_BIN"

export SE_OFFLINE=true
cd "$here/tests"
# SIGTERM (to the whole process group: pytest, its servers, the browsers) at the deadline;
# SIGKILL 30 s later if something still hangs.
timeout --kill-after=30 "${BROWSER_DEADLINE:-900}" "$venv/bin/python" -m pytest "$@"
