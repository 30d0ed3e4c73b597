#!/usr/bin/env bash
# Benchmarks `clerk serve` on SQLite and PostgreSQL against ceilings measured in the same run.
#
#   bash bench/run.sh [--users 100000,1000000] [--stores sqlite,postgres] [--duration 10]
#                     [--connections 32] [--debug] [--ci] [--keep] [--no-append]
#                     [--scenarios get_user,list,…,session_token,mixed,webhooks]   (default: all; ping always runs)
#                     [--webhook-events 10000]
#
# For each size and store: a fresh database, migrated by `clerk serve` itself; the data set
# loaded straight into it by `clerk-bench load` (not through the API); the DB ceiling; then the
# server is started again and wrk drives every scenario for --duration seconds at
# --connections connections. The report (Markdown) is appended to BENCHMARKS.md with the date,
# machine and commit, unless --no-append or --ci. `webhooks` is `clerk-bench webhooks` (its own
# load and a receiver in the bench process): POST /users and PATCH metadata in --duration
# rounds without and with one endpoint, then --webhook-events users created and every
# user.created awaited.
#
# --ci: 10k users, 3 s per scenario, the debug binaries, report printed only; webhooks with one
# round of each and 1000 events.
# PostgreSQL: postgres://postgres@127.0.0.1:5432 (trust auth); database clerk_bench is
# created and dropped (kept with --keep, as is the SQLite file under target/bench/).
set -euo pipefail

# Everything is in main, which bash reads whole before running: editing this file while a
# benchmark runs cannot change what the running one does.
main() {
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"

USERS="100000,1000000"
STORES="sqlite,postgres"
DURATION=10
CONNECTIONS=32
PROFILE=release
APPEND=1
KEEP=0
CI_MODE=0
SCENARIOS="get_user,list,list_email,query3,query8,name_query,deep_page,count,count_filtered,create_user,create_user_password,verify_password,metadata_patch,create_session,session_token,mixed,webhooks"
WEBHOOK_EVENTS=10000
WEBHOOK_ROUNDS=2
BCRYPT_COST=10   # clerk serve's default --bcrypt-cost
while [ $# -gt 0 ]; do
    case "$1" in
        --users) USERS="$2"; shift 2 ;;
        --stores) STORES="$2"; shift 2 ;;
        --duration) DURATION="$2"; shift 2 ;;
        --connections) CONNECTIONS="$2"; shift 2 ;;
        --debug) PROFILE=debug; shift ;;
        --ci) USERS=10000; DURATION=3; PROFILE=debug; APPEND=0; CI_MODE=1
              WEBHOOK_EVENTS=1000; WEBHOOK_ROUNDS=1; shift ;;
        --webhook-events) WEBHOOK_EVENTS="$2"; shift 2 ;;
        --keep) KEEP=1; shift ;;
        --scenarios) SCENARIOS="$2"; shift 2 ;;
        --no-append) APPEND=0; shift ;;
        -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done

PG_ADMIN="postgres://postgres@127.0.0.1:5432/postgres"
PG_URL="postgres://postgres@127.0.0.1:5432/clerk_bench"
PORT=18089
KEY="sk_test_benchbenchbenchbenchbenchbenchbenchbench01"
ENC_KEY="$(printf '%064d' 0 | tr 0 b)"   # 32 bytes, hex
WORK="$ROOT/target/bench"
RESULTS="$WORK/results.jsonl"
RUN_ID="$(date +%s)"
# The commit measured is the one at the start (others may commit while this runs).
COMMIT="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
if ! git diff --quiet HEAD -- crates 2>/dev/null; then COMMIT="$COMMIT (+ uncommitted changes in crates/)"; fi
STARTED="$(date -u '+%Y-%m-%d %H:%M UTC')"
mkdir -p "$WORK"
: > "$RESULTS"

if ! command -v wrk >/dev/null 2>&1; then
    echo "bench: installing wrk"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi

echo "bench: building ($PROFILE)"
if [ "$PROFILE" = release ]; then
    cargo build --release -q -p clerk-cli -p clerk-bench
elif [ "$CI_MODE" = 1 ]; then
    # The build scripts/test.sh just made (same features): nothing is compiled again.
    cargo build -q --workspace --all-targets
else
    cargo build -q -p clerk-cli -p clerk-bench
fi
CLERK="$ROOT/target/$PROFILE/clerk"
BENCH="$ROOT/target/$PROFILE/clerk-bench"

SERVER_PID=""
stop_server() {
    if [ -n "$SERVER_PID" ]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
        SERVER_PID=""
    fi
}
trap stop_server EXIT

start_server() { # url
    RUST_LOG=warn "$CLERK" serve --listen "127.0.0.1:$PORT" --database-url "$1" \
        --secret-key "$KEY" --encryption-key "$ENC_KEY" --image-store "$WORK/images" \
        --bcrypt-cost "$BCRYPT_COST" >"$WORK/server.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 1 600); do
        if curl -sf -o /dev/null -H "Authorization: Bearer $KEY" "http://127.0.0.1:$PORT/v1/_ext/ping"; then
            return 0
        fi
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            cat "$WORK/server.log" >&2
            echo "bench: clerk serve exited" >&2
            return 1
        fi
        sleep 0.1
    done
    echo "bench: clerk serve did not answer" >&2
    return 1
}

run_wrk() { # scenario [label] [connections] [duration]
    local scenario="$1" label="${2:-$1}" conns="${3:-$CONNECTIONS}" secs="${4:-$DURATION}"
    local threads=2
    [ "$conns" -lt 2 ] && threads=1
    SCENARIO="$scenario" LABEL="$label" BENCH_KEY="$KEY" SAMPLES="$SAMPLES" RESULTS="$RESULTS" \
        RESULT_TAGS="$TAGS" RUN_ID="$RUN_ID" \
        wrk -t"$threads" -c"$conns" -d"${secs}s" --timeout 60s -s "$ROOT/bench/wrk/scenario.lua" \
        "http://127.0.0.1:$PORT" >"$WORK/wrk-$label.log" 2>&1
    tail -n1 "$WORK/wrk-$label.log"
}

record() { # json members
    echo "{$TAGS,$1}" >>"$RESULTS"
}

echo "bench: bcrypt ceiling (cost $BCRYPT_COST)"
"$BENCH" bcrypt --cost "$BCRYPT_COST" --seconds "$(( DURATION < 5 ? DURATION : 5 ))" | tee -a "$RESULTS"

IFS=, read -r -a SIZES <<<"$USERS"
IFS=, read -r -a STORE_LIST <<<"$STORES"
for n in "${SIZES[@]}"; do
    for store in "${STORE_LIST[@]}"; do
        echo "bench: $store, $n users"
        TAGS="\"store\":\"$store\",\"users\":$n"
        SAMPLES="$WORK/samples-$n"
        case "$store" in
            sqlite)
                db="$WORK/bench-$n.db"
                rm -f "$db" "$db-wal" "$db-shm"
                url="sqlite://$db"
                ;;
            postgres)
                psql -q "$PG_ADMIN" -c "DROP DATABASE IF EXISTS clerk_bench" -c "CREATE DATABASE clerk_bench"
                url="$PG_URL"
                ;;
            *) echo "unknown store $store" >&2; exit 2 ;;
        esac
        # The schema is the server's own: it migrates at start.
        start_server "$url"
        stop_server
        "$BENCH" load --database-url "$url" --users "$n" --bcrypt-cost "$BCRYPT_COST" --samples "$SAMPLES" \
            | sed "s/^{/{$TAGS,/" | tee -a "$RESULTS"
        "$BENCH" db-ceiling --database-url "$url" --ids "$SAMPLES/users.txt" \
            --concurrency "$CONNECTIONS" --seconds "$(( DURATION < 5 ? DURATION : 5 ))" \
            | sed "s/^{/{$TAGS,/" | tee -a "$RESULTS"

        # Hashing ceiling again for this set: other load on the machine changes it.
        "$BENCH" bcrypt --cost "$BCRYPT_COST" --seconds "$(( DURATION < 5 ? DURATION : 5 ))" \
            | sed "s/\"store\":\"all\"/$TAGS/" | tee -a "$RESULTS"
        start_server "$url"
        run_wrk get_user warmup "$CONNECTIONS" 2 >/dev/null
        sed -i '/"scenario":"warmup"/d' "$RESULTS"
        IFS=, read -r -a chosen <<<"ping,$SCENARIOS"
        for scenario in "${chosen[@]}"; do
            if [ "$scenario" = mixed ]; then
                # Hashing must not stall other requests: both loads at once.
                run_wrk create_user_password mixed_create_password "$CONNECTIONS" &
                mixed=$!
                run_wrk get_user mixed_get_user "$CONNECTIONS"
                wait "$mixed"
            elif [ "$scenario" = session_token ]; then
                # Tokens are minted from sessions, which the load does not make: 200 first
                # (the first one also makes the instance's signing key), then the load.
                head -n 200 "$SAMPLES/signin_users.txt" | while read -r uid; do
                    curl -sS -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
                        -d "{\"user_id\":\"$uid\"}" "http://127.0.0.1:$PORT/v1/sessions"
                    echo
                done | sed -n 's/.*"id":"\(sess_[^"]*\)".*/\1/p' >"$SAMPLES/sessions.txt"
                run_wrk session_token
            elif [ "$scenario" = webhooks ]; then
                # Its own load generator (a fixed number of creates, each event awaited) and
                # receiver; an event that never arrives is reported and fails the check below.
                "$BENCH" webhooks --base "http://127.0.0.1:$PORT" --key "$KEY" \
                    --events "$WEBHOOK_EVENTS" --concurrency "$CONNECTIONS" --seconds "$DURATION" \
                    --rounds "$WEBHOOK_ROUNDS" --ids "$SAMPLES/users.txt" --run-id "$RUN_ID" \
                    | sed "s/^{/{$TAGS,/" | tee -a "$RESULTS" \
                    || echo "bench: the webhook scenario failed on $store, $n users" >&2
            else
                run_wrk "$scenario"
            fi
        done
        hwm=$(awk '/VmHWM/ {print $2}' "/proc/$SERVER_PID/status")
        record "\"scenario\":\"rss\",\"vm_hwm_kb\":$hwm"
        stop_server
        if [ "$KEEP" = 0 ]; then
            case "$store" in
                sqlite) rm -f "$db" "$db-wal" "$db-shm" ;;
                postgres) psql -q "$PG_ADMIN" -c "DROP DATABASE IF EXISTS clerk_bench" ;;
            esac
        fi
    done
done

REPORT="$WORK/report.md"
{
    echo "### $STARTED — users ${USERS}, stores ${STORES}"
    echo
    commit="$COMMIT"
    cpu="$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
    mem="$(awk '/MemTotal/ {printf "%.0f GB", $2 / 1048576}' /proc/meminfo)"
    echo "Commit $commit; $(nproc) cores ($cpu), $mem RAM, $(uname -sr); $("$CLERK" --version 2>/dev/null || echo clerk) $PROFILE build;"
    echo "wrk $(wrk --version 2>&1 | head -n1 | awk '{print $2}'), ${CONNECTIONS} connections, 2 threads, ${DURATION} s per scenario; scenarios: ping,${SCENARIOS};"
    echo "bcrypt cost $BCRYPT_COST; PostgreSQL $(psql -tA "$PG_ADMIN" -c 'SHOW server_version' 2>/dev/null || echo '?');"
    echo "wrk, the server and the database share the machine's cores."
    echo
    "$BENCH" report "$RESULTS"
} >"$REPORT"
cat "$REPORT"
# Times are reported, never asserted; a scenario that got errors means the benchmark broke.
"$BENCH" report --check "$RESULTS" >/dev/null
if [ "$APPEND" = 1 ]; then
    { echo; cat "$REPORT"; } >>"$ROOT/BENCHMARKS.md"
    echo "bench: appended to BENCHMARKS.md"
fi
}

main "$@"
