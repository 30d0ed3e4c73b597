"""Runs the fault suite's parts and prints one summary line per check.

    python -m faults [--parts fuzz,crash,races,nodes,stalled,webhooks] [--stores sqlite,postgres]
"""

from __future__ import annotations

import argparse
import atexit
import signal
import sys
import time

from . import server

PARTS = ["fuzz", "crash", "races", "nodes", "stalled", "webhooks"]
STORES = ["sqlite", "postgres"]


def _csv(allowed):
    def parse(text: str) -> list[str]:
        items = [t.strip() for t in text.split(",") if t.strip()]
        bad = [t for t in items if t not in allowed]
        if bad:
            raise argparse.ArgumentTypeError(f"unknown {', '.join(bad)}; choose from {', '.join(allowed)}")
        return items
    return parse


def main() -> int:
    ap = argparse.ArgumentParser(prog="faults", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--parts", type=_csv(PARTS), default=PARTS, help="comma-separated; default: all")
    ap.add_argument("--stores", type=_csv(STORES), default=STORES, help="comma-separated; default: both")
    args = ap.parse_args()

    # Whatever happens (a failure, Ctrl-C, SIGTERM from CI), no server outlives the suite.
    atexit.register(server.kill_all)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    if "postgres" in args.stores or "nodes" in args.parts:
        try:
            import psycopg

            with psycopg.connect(server.PG_URL, connect_timeout=10):
                pass
        except Exception as e:  # noqa: BLE001
            print(f"faults: PostgreSQL at {server.PG_URL} does not answer ({e}); start it, or run "
                  "--stores sqlite without the nodes part", file=sys.stderr)
            return 2

    print(f"faults: clerk binary {server.CLERK_BIN}; parts {','.join(args.parts)}; stores {','.join(args.stores)}")
    results: list[tuple[str, bool, str, float]] = []  # (check, passed, figures or reason, seconds)
    started = time.monotonic()
    for part in args.parts:
        t0 = time.monotonic()
        module = __import__(f"faults.{part}", fromlist=["run"])
        try:
            module.run(args.stores, results)
        except Exception as e:  # noqa: BLE001 (a bug in the suite itself must fail, not hang or vanish)
            import traceback

            traceback.print_exc()
            results.append((part, False, f"the suite itself crashed: {e!r}", time.monotonic() - t0))
        print(f"-- {part}: {time.monotonic() - t0:.1f}s")
    server.kill_all()

    print(f"\n== summary ({time.monotonic() - started:.0f}s) ==")
    for name, ok, text, seconds in results:
        text = text if len(text) <= 400 else text[:400] + " …"
        print(f"{'PASS' if ok else 'FAIL'} {name} ({seconds:.1f}s): {text}")
    passed = sum(1 for r in results if r[1])
    failed = len(results) - passed
    print(f"faults: {passed} passed, {failed} failed")
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
