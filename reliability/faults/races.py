"""Races: 20 requests released together (one thread and one warm connection each) against
`clerk serve` (the lockout races with `--max-verification-attempts 5`):

- 20 creates with one email: exactly one 200, the others 422 form_identifier_exists, and one
  user holds the email afterwards;
- 20 metadata patches, each adding its own key: all 200, and all 20 keys are there afterwards;
- 20 `verify_totp` with one valid code: exactly one verified, the others refused (4xx);
- 20 wrong passwords: at most 5 are checked (422 incorrect_password), the others 403
  user_locked; then the user is locked and even the right password is refused (403);
- the same with 20 wrong TOTP codes (422 totp_incorrect_code at most 5 times).
"""

from __future__ import annotations

import collections
import secrets
import threading
import time
from typing import Callable

import httpx
import pyotp

from .server import Database, Server, Violation, Workdir, error_code, expect_status, run_check

N = 20
MAX_ATTEMPTS = 5


def concurrently(server: Server | list[Server],
                 fn: Callable[[httpx.Client, int], httpx.Response]) -> list[tuple[int, str | None]]:
    """Runs fn(client, i) for i in 0..N on N threads released at once by a barrier; returns
    (status, error code) per request. With several servers, thread i talks to server i mod k."""
    servers = server if isinstance(server, list) else [server]
    barrier = threading.Barrier(N, timeout=60)
    out: list = [None] * N

    def worker(i: int):
        with servers[i % len(servers)].client(timeout=60.0) as client:
            client.get("/users/count")  # open the connection before the start line
            try:
                barrier.wait()
            except threading.BrokenBarrierError:
                out[i] = (0, "barrier broken")
                return
            try:
                resp = fn(client, i)
                out[i] = (resp.status_code, error_code(resp) if resp.status_code >= 400 else None)
            except httpx.HTTPError as e:
                out[i] = (0, f"transport error: {e!r}")

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(N)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return [o if o is not None else (0, "no answer in 120 s") for o in out]


def tally(outcomes) -> str:
    counts = collections.Counter(f"{s}{' ' + c if c else ''}" for s, c in outcomes)
    return ", ".join(f"{n}x {k}" for k, n in sorted(counts.items()))


def new_user(client: httpx.Client, **fields) -> str:
    """Creates a user (with a unique email: Clerk requires an identifier); returns its id."""
    body = {"email_address": [f"u-{secrets.token_hex(6)}@example.com"], **fields}
    return expect_status(client.post("/users", json=body), 200, "create user")["id"]


def create_same_email(server: Server, client: httpx.Client) -> str:
    email = f"race-{secrets.token_hex(4)}@example.com"
    outcomes = concurrently(server, lambda c, i: c.post("/users", json={"email_address": [email],
                                                                        "first_name": f"R{i}"}))
    ok = sum(1 for s, _ in outcomes if s == 200)
    others = [o for o in outcomes if o[0] != 200 and o != (422, "form_identifier_exists")]
    holders = expect_status(client.get("/users", params={"email_address": email}), 200, "list by email")
    result = f"{ok} x 200 ({tally(outcomes)}); {len(holders)} user holds the email"
    if ok != 1 or others or len(holders) != 1:
        raise Violation("20 creates with one email: " + result)
    return result


def metadata_patches(server: Server, client: httpx.Client) -> str:
    uid = new_user(client, first_name="Meta")
    outcomes = concurrently(server, lambda c, i: c.patch(f"/users/{uid}/metadata",
                                                         json={"public_metadata": {f"k{i}": i}}))
    meta = expect_status(client.get(f"/users/{uid}"), 200, "get")["public_metadata"]
    present = sum(1 for i in range(N) if meta.get(f"k{i}") == i)
    result = f"{tally(outcomes)}; {present}/{N} keys present"
    if any(s != 200 for s, _ in outcomes) or present != N:
        raise Violation("20 metadata patches: " + result)
    return result


def totp_user(client: httpx.Client) -> tuple[str, pyotp.TOTP]:
    secret = pyotp.random_base32()
    uid = new_user(client, totp_secret=secret)
    return uid, pyotp.TOTP(secret)  # RFC 6238: SHA1, 6 digits, 30 s


def totp_one_code(server: Server, client: httpx.Client) -> str:
    uid, totp = totp_user(client)
    code = totp.now()
    outcomes = concurrently(server, lambda c, i: c.post(f"/users/{uid}/verify_totp", json={"code": code}))
    ok = sum(1 for s, _ in outcomes if s == 200)
    bad = [o for o in outcomes if o[0] != 200 and not 400 <= o[0] < 500]
    result = f"{ok} verified ({tally(outcomes)})"
    if ok != 1 or bad:
        raise Violation("20 verify_totp with one valid code: " + result)
    return result


def wrong_totp_code(totp: pyotp.TOTP) -> str:
    """A 6-digit code valid in no step the server could accept now (±2 steps of slack)."""
    now = time.time()
    valid = {totp.at(now + 30 * k) for k in range(-2, 3)}
    for n in range(1_000_000):
        code = f"{(n * 7919) % 1_000_000:06d}"
        if code not in valid:
            return code
    raise AssertionError("unreachable")


def lockout(server: Server | list[Server], client: httpx.Client, what: str) -> str:
    if what == "password":
        uid = new_user(client, password="correct horse battery staple")
        path, wrong, right, incorrect = (f"/users/{uid}/verify_password", {"password": "wrong horse"},
                                         {"password": "correct horse battery staple"}, "incorrect_password")
    else:
        uid, totp = totp_user(client)
        path, wrong, incorrect = f"/users/{uid}/verify_totp", {"code": wrong_totp_code(totp)}, "totp_incorrect_code"
        right = None
    outcomes = concurrently(server, lambda c, i: c.post(path, json=wrong))
    checked = sum(1 for o in outcomes if o == (422, incorrect))
    refused = sum(1 for o in outcomes if o == (403, "user_locked"))
    user = expect_status(client.get(f"/users/{uid}"), 200, "get")
    result = (f"{checked} checked (422 {incorrect}), {refused} refused (403 user_locked) "
              f"[{tally(outcomes)}]; locked={user['locked']}, "
              f"attempts remaining={user['verification_attempts_remaining']}")
    if right is None:
        right = {"code": totp.now()}
    after = client.post(path, json=right)
    result += f"; the right {what} after the lock: {after.status_code} {error_code(after) or ''}".rstrip()
    if (checked > MAX_ATTEMPTS or checked + refused != N or user["locked"] is not True
            or user["verification_attempts_remaining"] != 0 or after.status_code != 403):
        raise Violation(f"{N} concurrent wrong {what} checks (limit {MAX_ATTEMPTS}): " + result)
    return result


# The one-code TOTP race runs under the default limit (100 > 20): it is about replays, and with
# a limit below 20 the lockout answers first (all 20 carry the same, valid, code).
SERVERS = [
    ([], [
        ("create-same-email", create_same_email),
        ("metadata-patches", metadata_patches),
        ("verify-totp-one-code", totp_one_code),
    ]),
    (["--max-verification-attempts", str(MAX_ATTEMPTS)], [
        ("lockout-password", lambda s, c: lockout(s, c, "password")),
        ("lockout-totp", lambda s, c: lockout(s, c, "totp")),
    ]),
]


def run(stores: list[str], results: list) -> None:
    for kind in stores:
        print(f"\n== races on {kind} ==")
        work = Workdir(f"races-{kind}")
        db = Database(kind, work.path)
        try:
            for flags, checks in SERVERS:
                server = Server(db.url, work.path, name=f"races-{kind}", extra_args=flags)
                try:
                    started = time.monotonic()
                    try:
                        server.start()
                    except Violation as e:
                        work.keep = True
                        results.append((f"races[{kind}]", False, str(e), time.monotonic() - started))
                        continue
                    with server.client() as client:
                        for name, check in checks:
                            label = f"race {name}[{kind}]"
                            run_check(label, name, check, (server, client), work, results)
                finally:
                    server.stop()
        finally:
            db.drop()
            work.cleanup()
