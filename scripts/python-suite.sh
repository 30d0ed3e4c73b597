# Shared by the Python suites (conformance/run.sh, reliability/run.sh); source it, then call
# the functions. Bash only.

# python_venv LABEL VENV REQUIREMENTS: creates the virtualenv VENV if missing and installs
# REQUIREMENTS into it, again only when that file changed since the last install.
python_venv() {
    local label="$1" venv="$2" req="$3"
    if [ ! -x "$venv/bin/python" ]; then
        echo "$label: creating virtualenv $venv"
        "${PYTHON:-python3}" -m venv "$venv"
    fi
    local stamp="$venv/.requirements.sha256"
    local want
    want="$(sha256sum "$req" | cut -d' ' -f1)"
    if [ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ]; then
        "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req"
        echo "$want" > "$stamp"
    fi
}

# clerk_bin ROOT: exports CLERK_BIN, building the debug `clerk` binary in ROOT unless
# CLERK_BIN is already set.
clerk_bin() {
    if [ -z "${CLERK_BIN:-}" ]; then
        (cd "$1" && cargo build -p clerk-cli)
        export CLERK_BIN="$1/target/debug/clerk"
    fi
}
