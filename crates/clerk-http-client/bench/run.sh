#!/usr/bin/env bash
# CPU time per request: this client vs Clerk's official Python SDK (clerk-backend-api), against
# the same `clerk serve` in one run. Prints both and the ratio Python / Rust.
#
#   bash crates/clerk-http-client/bench/run.sh [N]
#
#   CLERK_BIN=path/to/clerk   use that server binary instead of building clerk-cli (debug)
#   RUST_BENCH=path           use that build of examples/cpu_per_request instead of building it
#   PYTHON=path/to/python     an interpreter with clerk-backend-api installed (default: the
#                             conformance suite's virtualenv, conformance/.venv-conformance)
#
# Only the clients' CPU time is compared; the server's speed cancels out (both talk to the same
# process), and wall-clock latency is not what is measured.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
n="${1:-2000}"
key="sk_test_bench_$(date +%s)_0000000000000000"
python="${PYTHON:-$root/conformance/.venv-conformance/bin/python}"

if ! "$python" -c "import clerk_backend_api" 2>/dev/null; then
    echo "bench: $python cannot import clerk_backend_api (run conformance/run.sh once, or set PYTHON)" >&2
    exit 2
fi

cd "$root"
if [ -z "${CLERK_BIN:-}" ]; then
    cargo build -q -p clerk-cli
    CLERK_BIN="$root/target/debug/clerk"
fi
if [ -z "${RUST_BENCH:-}" ]; then
    cargo build -q --release -p clerk-http-client --example cpu_per_request
    RUST_BENCH="$root/target/release/examples/cpu_per_request"
fi
rust_bench="$RUST_BENCH"

work="$(mktemp -d)"
server_pid=""
cleanup() {
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

"$CLERK_BIN" serve --listen 127.0.0.1:0 --database-url "sqlite://$work/bench.db" --secret-key "$key" \
    > "$work/server.out" 2> "$work/server.log" &
server_pid=$!
base_url=""
for _ in $(seq 1 100); do
    base_url="$(sed -n 's/^listening on \(.*\)$/\1/p' "$work/server.out" | head -n1)"
    [ -n "$base_url" ] && break
    sleep 0.1
done
[ -n "$base_url" ] || { echo "bench: server did not start"; cat "$work/server.log"; exit 1; }
case "$base_url" in */v1) ;; *) base_url="${base_url%/}/v1" ;; esac

# Ten users, so that list pages have ten entries to decode.
user_id=""
for i in $(seq 1 10); do
    body="{\"email_address\": [\"bench$i@example.com\"], \"first_name\": \"Bench\", \"last_name\": \"User $i\", \"public_metadata\": {\"plan\": \"pro\", \"seats\": $i}}"
    user_id="$(curl -sf -X POST "$base_url/users" -H "Authorization: Bearer $key" \
        -H 'Content-Type: application/json' -d "$body" | "$python" -c 'import json,sys; print(json.load(sys.stdin)["id"])')"
done

echo "bench: $n sequential requests per operation against $base_url"
rust="$("$rust_bench" "$base_url" "$key" "$user_id" "$n")"
py="$("$python" "$here/python_sdk.py" "$base_url" "$key" "$user_id" "$n")"
echo "$rust"
echo "$py"
"$python" - "$rust" "$py" <<'PY'
import json, sys
rust, py = json.loads(sys.argv[1]), json.loads(sys.argv[2])
for op in ("get_user", "get_user_list"):
    r, p = rust[f"{op}_cpu_us"], py[f"{op}_cpu_us"]
    print(f"{op:14} rust {r:8.1f} µs CPU/request   python {p:8.1f} µs   python/rust = {p / r:5.1f}x")
PY
