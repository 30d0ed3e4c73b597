"""kill -9 under write load: 8 writers create users with unique emails against one `clerk serve`;
after a random short delay the process gets SIGKILL; it is restarted on the same database and

- every create that was acknowledged (200) is found by id, with its email;
- `GET /users/count` equals the number of users found by listing every page, and is at least
  the number acknowledged so far;
- no phantom rows: every user the listing finds beyond the acknowledged ones is one whose
  create was in flight when the process died (at most one per writer).

Three rounds per store, on the same database (each round adds to it).
"""

from __future__ import annotations

import random
import secrets
import threading
import time

import httpx

from .server import Database, Server, Violation, Workdir, expect_status

WRITERS = 8
ROUNDS = 3
MAX_CREATES_PER_WRITER = 5000  # bounds each writer even if the kill never came
WRITE_DEADLINE_S = 60
KILL_DELAY_S = (0.5, 2.0)  # after the first acknowledgements
PAGE = 500


class Writers:
    """WRITERS threads creating users until the server goes away."""

    def __init__(self, server: Server, label: str):
        self.server = server
        self.label = label
        self.lock = threading.Lock()
        self.acked: dict[str, str] = {}  # user id -> email
        self.in_flight: set[str] = set()  # emails sent without an answer when the connection broke
        self.unexpected: list[str] = []  # statuses other than 200 while the server was alive
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self._write, args=(w,), daemon=True) for w in range(WRITERS)]

    def start(self):
        for t in self.threads:
            t.start()

    def join(self):
        self.stop.set()
        for t in self.threads:
            t.join(timeout=60)

    def _write(self, w: int):
        deadline = time.monotonic() + WRITE_DEADLINE_S
        with self.server.client(timeout=15.0) as client:
            for i in range(MAX_CREATES_PER_WRITER):
                if self.stop.is_set() or time.monotonic() > deadline:
                    return
                email = f"{self.label}-w{w}-{i}@crash.example"
                try:
                    resp = client.post("/users", json={"email_address": [email], "first_name": f"W{w}"})
                except httpx.HTTPError:
                    # The process died with this request in flight: it may or may not be stored.
                    with self.lock:
                        self.in_flight.add(email)
                    return
                with self.lock:
                    if resp.status_code == 200:
                        self.acked[resp.json()["id"]] = email
                    else:
                        self.unexpected.append(f"{resp.status_code} {resp.text[:200]}")


def list_all(client: httpx.Client) -> dict[str, str]:
    """Every user (id -> primary email), page by page."""
    users: dict[str, str] = {}
    offset = 0
    for _ in range(10_000):
        page = expect_status(client.get("/users", params={"limit": PAGE, "offset": offset, "order_by": "created_at"}),
                             200, "list users")
        for u in page:
            emails = [e["email_address"] for e in u.get("email_addresses", [])]
            users[u["id"]] = emails[0] if emails else ""
        if len(page) < PAGE:
            return users
        offset += PAGE
    raise Violation("listing users did not end")


def run_store(kind: str, results: list, rng: random.Random) -> None:
    started = time.monotonic()
    label = f"crash[{kind}]"
    work = Workdir(f"crash-{kind}")
    db = Database(kind, work.path)
    server = Server(db.url, work.path, name=f"crash-{kind}")
    acked_total: dict[str, str] = {}
    in_flight_total: set[str] = set()
    figures = []
    try:
        server.start()
        for round_no in range(1, ROUNDS + 1):
            writers = Writers(server, f"r{round_no}-{secrets.token_hex(3)}")
            writers.start()
            # Kill once the writers are really writing, after a random short delay.
            wait_until = time.monotonic() + 30
            while not writers.acked and time.monotonic() < wait_until:
                time.sleep(0.02)
            delay = rng.uniform(*KILL_DELAY_S)
            time.sleep(delay)
            server.kill()
            writers.join()
            if writers.unexpected:
                raise Violation(f"round {round_no}: answers other than 200 before the kill: "
                                f"{writers.unexpected[:3]}")
            acked_total.update(writers.acked)
            in_flight_total |= writers.in_flight

            server.start()  # same database, same keys
            with server.client() as client:
                missing = []
                for uid, email in acked_total.items():
                    r = client.get(f"/users/{uid}")
                    if r.status_code != 200:
                        missing.append(f"{uid} ({r.status_code})")
                    elif email not in [e["email_address"] for e in r.json().get("email_addresses", [])]:
                        missing.append(f"{uid} (email {email} lost)")
                listed = list_all(client)
                count = expect_status(client.get("/users/count"), 200, "count")["total_count"]
            found = len(acked_total) - len(missing)
            extra = {uid: email for uid, email in listed.items() if uid not in acked_total}
            phantoms = [e for e in extra.values() if e not in in_flight_total]
            line = (f"round {round_no}: killed after {delay:.2f}s; acknowledged {len(writers.acked)} "
                    f"(total {len(acked_total)}), found {found}/{len(acked_total)}, count {count}, "
                    f"listed {len(listed)}, in flight at kill {len(writers.in_flight)}, "
                    f"of which stored {sum(1 for e in extra.values() if e in writers.in_flight)}")
            print("  " + line)
            figures.append(f"r{round_no} {found}/{len(acked_total)}")
            if missing:
                raise Violation(f"round {round_no}: {len(missing)} acknowledged creates lost: {missing[:5]}")
            if count != len(listed):
                raise Violation(f"round {round_no}: count {count} != {len(listed)} users listed")
            if count < len(acked_total):
                raise Violation(f"round {round_no}: count {count} < {len(acked_total)} acknowledged")
            if phantoms:
                raise Violation(f"round {round_no}: users nobody was creating: {phantoms[:5]}")
        results.append((label, True, "found/acknowledged " + ", ".join(figures), time.monotonic() - started))
    except Violation as e:
        print(f"  server log: {server.log_path}")
        work.keep = True
        results.append((label, False, str(e), time.monotonic() - started))
    finally:
        server.stop()
        db.drop()
        work.cleanup()


def run(stores: list[str], results: list) -> None:
    rng = random.Random()
    for kind in stores:
        print(f"\n== kill -9 under write load on {kind} ==")
        run_store(kind, results, rng)
