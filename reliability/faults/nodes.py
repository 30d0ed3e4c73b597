"""Two `clerk serve` nodes on one PostgreSQL database (same secret key, same encryption key,
`--max-verification-attempts 5`): what one node writes about credentials, the other obeys.

- lockout: wrong passwords on node A count on node B (`verification_attempts_remaining`), the
  lock set by B's failures refuses the right password on A, an unlock on B frees A;
- TOTP: a code accepted on A is refused on B (replay), and the other way round (which also
  proves B opens the secret A sealed);
- 20 concurrent wrong passwords, half on each node: at most 5 are checked.
"""

from __future__ import annotations

import time

from .races import MAX_ATTEMPTS, lockout, new_user, totp_user
from .server import Database, Server, Violation, Workdir, error_code, expect_status, new_encryption_key, \
    new_secret_key, run_check


def lockout_state(a: Server, b: Server) -> str:
    with a.client() as ca, b.client() as cb:
        uid = new_user(ca, password="correct horse battery staple")
        wrong, right = {"password": "wrong horse"}, {"password": "correct horse battery staple"}
        path = f"/users/{uid}/verify_password"
        steps = []

        def expect(cond: bool, what: str):
            steps.append(what)
            if not cond:
                raise Violation("; ".join(steps))

        first = [ca.post(path, json=wrong) for _ in range(3)]
        expect(all(r.status_code == 422 for r in first), f"3 wrong on A: {[r.status_code for r in first]}")
        seen = expect_status(cb.get(f"/users/{uid}"), 200, "get on B")
        expect(seen["verification_attempts_remaining"] == MAX_ATTEMPTS - 3 and seen["locked"] is False,
               f"B sees remaining={seen['verification_attempts_remaining']} locked={seen['locked']}")
        more = [cb.post(path, json=wrong) for _ in range(2)]
        expect(all(r.status_code == 422 for r in more), f"2 wrong on B: {[r.status_code for r in more]}")
        seen = expect_status(ca.get(f"/users/{uid}"), 200, "get on A")
        expect(seen["locked"] is True and seen["verification_attempts_remaining"] == 0,
               f"A sees locked={seen['locked']} remaining={seen['verification_attempts_remaining']}")
        r = ca.post(path, json=right)
        expect(r.status_code == 403 and error_code(r) == "user_locked",
               f"right password on A: {r.status_code} {error_code(r)}")
        expect_status(cb.post(f"/users/{uid}/unlock"), 200, "unlock on B")
        r = ca.post(path, json=right)
        expect(r.status_code == 200, f"after unlock on B, right password on A: {r.status_code}")
        return "; ".join(steps)


def totp_replay(a: Server, b: Server) -> str:
    with a.client() as ca, b.client() as cb:
        steps = []
        for first, second, names in ((ca, cb, "A then B"), (cb, ca, "B then A")):
            uid, totp = totp_user(ca)  # created on A either way
            code = totp.now()
            r1 = first.post(f"/users/{uid}/verify_totp", json={"code": code})
            r2 = second.post(f"/users/{uid}/verify_totp", json={"code": code})
            steps.append(f"{names}: {r1.status_code}, replay {r2.status_code} {error_code(r2) or ''}".rstrip())
            if r1.status_code != 200 or not 400 <= r2.status_code < 500:
                raise Violation("one TOTP code on two nodes: " + "; ".join(steps))
        return "; ".join(steps)


def concurrent_lockout(a: Server, b: Server) -> str:
    with a.client() as ca:
        return lockout([a, b], ca, "password")


CHECKS = [
    ("lockout-state", lockout_state),
    ("totp-replay", totp_replay),
    ("concurrent-lockout", concurrent_lockout),
]


def run(stores: list[str], results: list) -> None:
    print("\n== two nodes on one PostgreSQL database ==")
    if "postgres" not in stores:
        print("  skipped: needs the postgres store")
        return
    work = Workdir("nodes")
    db = Database("postgres", work.path)
    secret, key = new_secret_key(), new_encryption_key()
    flags = ["--max-verification-attempts", str(MAX_ATTEMPTS)]
    nodes = [Server(db.url, work.path, secret_key=secret, encryption_key=key, extra_args=flags, name=f"node-{n}")
             for n in ("a", "b")]
    try:
        started = time.monotonic()
        try:
            for node in nodes:
                node.start()
        except Violation as e:
            results.append(("nodes", False, str(e), time.monotonic() - started))
            return
        a, b = nodes
        for name, check in CHECKS:
            run_check(f"nodes {name}[postgres]", name, check, (a, b), work, results)
    finally:
        for node in nodes:
            node.stop()
        db.drop()
        work.cleanup()
