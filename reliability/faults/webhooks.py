"""Webhooks under faults: a receiver on 127.0.0.1 records every attempt, answers as the check
wants (hang, 200, or 500 the first time a message comes), and checks each message with Svix's
own verifier (`svix`).

- crash (both stores): the receiver hangs (accepts, reads, never answers); `clerk serve` with
  `--webhook-timeout 1s --webhook-retry-schedule 1s,…` (eight retries) and an endpoint for
  `user.created`; 50 users are created one by one, each acknowledged, then 8 writers keep
  creating while the process gets SIGKILL; the receiver starts answering 200 and the server is
  restarted on the same database. Every acknowledged user's `user.created` must arrive (signed,
  within a deadline: a claim the dead process held is retried once its lease, 2 × timeout + 5 s,
  runs out), so must the event of every user a write in flight did store, and none for a user
  that is not in the database; after the restart each message is sent once, no user has two
  messages.
- nodes (PostgreSQL): two `clerk serve` on one database, two endpoints for `user.created`: one
  answers 200, the other 500 the first time it sees a message and 200 after. 200 users are
  created, spread over both nodes. On the first endpoint every message arrives exactly once; on
  the second exactly twice (500, then 200), never more.

Every attempt the receiver saw must be in the server's attempt log, one for one, in order. The
one allowed extra: an attempt the server logged as failed without an answer (its timeout ran out
while the receiver's 200 was on the way) is sent again, as Svix does (at least once); the
figures count those.

Started with `--webhook URL,secret=…,events=user.created` when the server lists that flag (the
restart with the same flag must not add an endpoint), else the endpoint is made through the API.
Without `--webhook-timeout`/`--webhook-retry-schedule` the server's defaults are used (15 s
timeout, retries after 5 s, 5 min, …) and the crash check waits for the longer lease.
"""

from __future__ import annotations

import base64
import collections
import http.server
import json
import select
import secrets
import socket
import threading
import time
from dataclasses import dataclass

import httpx
from svix.webhooks import Webhook, WebhookVerificationError

from .crash import Writers, list_all
from .server import Database, Server, Violation, Workdir, expect_status, new_encryption_key, new_secret_key, \
    run_check, serve_flags

EXT = "/_ext/webhooks"
CRASH_USERS = 50
NODE_USERS = 200
NODE_WRITERS = 8
TIMEOUT_S = 1
RETRIES = 8
DEFAULT_TIMEOUT_S = 15  # the server's, when it has no --webhook-timeout
DELIVERY_SLACK_S = 40  # beyond the lease, for the retry schedule and a slow machine
QUIET_S = 2.5  # watched after the last expected message, for anything sent again


# ---------------------------------------------------------------------------------------------
# the receiver


@dataclass
class Hit:
    path: str
    svix_id: str
    answered: int | None  # None: hung up without an answer
    headers: dict
    body: bytes
    at: float
    sent: bool = False  # the answer was written out (the client had not gone away)

    def event(self) -> dict:
        return json.loads(self.body)


class Receiver:
    """An HTTP server on 127.0.0.1 whose paths answer as `modes` says: `hang` (read the request,
    answer nothing until the client goes away or `release()`), `ok` (200) or `fail_once` (500
    the first time a svix-id comes, 200 after)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.modes: dict[str, str] = {}
        self.hits: list[Hit] = []
        self.failed: set[tuple[str, str]] = set()
        self.released = threading.Event()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):  # noqa: N802 (http.server's naming)
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                headers = {k.lower(): v for k, v in self.headers.items()}
                svix_id = headers.get("svix-id", "")
                with receiver.lock:
                    mode = receiver.modes.get(self.path, "ok")
                    if mode == "hang":
                        status = None
                    elif mode == "fail_once" and (self.path, svix_id) not in receiver.failed:
                        receiver.failed.add((self.path, svix_id))
                        status = 500
                    else:
                        status = 200
                    hit = Hit(self.path, svix_id, status, headers, body, time.monotonic())
                    receiver.hits.append(hit)
                if status is None:
                    self.close_connection = True
                    receiver._hang(self.connection)
                    return
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok" if status == 200 else b"no")
                    self.wfile.flush()
                    hit.sent = True
                except OSError:
                    self.close_connection = True  # the client gave up on this attempt

            def log_message(self, *args):
                pass

        class Server(http.server.ThreadingHTTPServer):
            request_queue_size = 256  # two nodes open up to 64 connections each at once
            daemon_threads = True

        self._server = Server(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def _hang(self, conn: socket.socket) -> None:
        """Holds the connection without answering until the client closes it (its timeout, or
        its process killed) or the receiver is released."""
        while not self.released.is_set():
            readable, _, _ = select.select([conn], [], [], 0.2)
            if readable:
                try:
                    if not conn.recv(1, socket.MSG_PEEK):
                        return
                except OSError:
                    return
                time.sleep(0.2)

    def release(self) -> None:
        self.released.set()

    def snapshot(self, path: str) -> list[Hit]:
        with self.lock:
            return [h for h in self.hits if h.path == path]

    def close(self) -> None:
        self.release()
        self._server.shutdown()
        self._server.server_close()


def new_webhook_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def delivery_flags() -> tuple[list[str], float, str]:
    """The flags that make deliveries quick, the lease they give, and a note when the server
    lacks them."""
    flags = serve_flags()
    if "--webhook-timeout" in flags and "--webhook-retry-schedule" in flags:
        return (["--webhook-timeout", f"{TIMEOUT_S}s", "--webhook-retry-schedule", ",".join(["1s"] * RETRIES)],
                2 * TIMEOUT_S + 5, "")
    return [], 2 * DEFAULT_TIMEOUT_S + 5, " (server lacks --webhook-timeout/--webhook-retry-schedule: its defaults)"


def create_endpoint(client: httpx.Client, url: str, secret: str) -> dict:
    return expect_status(client.post(f"{EXT}/endpoints", json={"url": url, "secret": secret,
                                                                "filter_types": ["user.created"]}),
                         200, "create webhook endpoint")


def read_hits(hits: list[Hit], secret: str) -> tuple[dict[str, list[Hit]], dict[str, set[str]], list[str]]:
    """Per svix-id its hits, per user id the svix-ids of its user.created, and what is wrong with
    any message (signature, type, shape)."""
    by_msg: dict[str, list[Hit]] = collections.defaultdict(list)
    by_user: dict[str, set[str]] = collections.defaultdict(set)
    bad: list[str] = []
    wh = Webhook(secret)
    for h in hits:
        by_msg[h.svix_id].append(h)
        try:
            wh.verify(h.body, h.headers)
        except WebhookVerificationError as e:
            bad.append(f"{h.svix_id}: does not verify ({e})")
            continue
        try:
            ev = h.event()
            uid = ev["data"]["id"]
        except (ValueError, KeyError, TypeError) as e:
            bad.append(f"{h.svix_id}: not an event with data.id ({e!r})")
            continue
        if ev.get("type") != "user.created" or ev.get("object") != "event" or not uid.startswith("user_"):
            bad.append(f"{h.svix_id}: {ev.get('type')} {uid}")
        by_user[uid].add(h.svix_id)
    return by_msg, by_user, bad


def group(hits: list[Hit]) -> dict[str, list[Hit]]:
    by_msg: dict[str, list[Hit]] = collections.defaultdict(list)
    for h in hits:
        by_msg[h.svix_id].append(h)
    return by_msg


def wait_delivered(receiver: Receiver, path: str, user_ids: set[str], deadline_s: float,
                   t0: float | None = None) -> float | None:
    """Seconds from `t0` (default: now) until every user in `user_ids` had a user.created
    answered 200 on `path`, or None at the deadline."""
    t0 = time.monotonic() if t0 is None else t0
    while True:
        done = set()
        for h in receiver.snapshot(path):
            if h.answered == 200:
                try:
                    done.add(h.event()["data"]["id"])
                except (ValueError, KeyError, TypeError):
                    pass
        if user_ids <= done:
            return time.monotonic() - t0
        if time.monotonic() - t0 > deadline_s:
            return None
        time.sleep(0.1)


def fetch_attempts(client: httpx.Client, endpoint_id: str, since_ms: int = 0) -> dict[str, list[dict]]:
    """The server's attempt log of the endpoint, per message, oldest first, from `since_ms` on."""
    rows, offset = [], 0
    while True:
        page = expect_status(client.get(f"{EXT}/endpoints/{endpoint_id}/attempts",
                                        params={"limit": 500, "offset": offset}), 200, "attempt log")
        rows += [a for a in page["data"] if a["started_at"] >= since_ms]
        offset += 500
        if offset >= page["total_count"]:
            break
    by_msg: dict[str, list[dict]] = collections.defaultdict(list)
    for a in sorted(rows, key=lambda a: (a["started_at"], a["finished_at"])):
        by_msg[a["message_id"]].append(a)
    return by_msg


def judge_attempts(hits: dict[str, list[Hit]], logged: dict[str, list[dict]],
                   expected: list[int]) -> tuple[int, list[str]]:
    """Each message's attempts, as the receiver saw them and as the server logged them, side by
    side in order: as many of one as of the other (no attempt made twice at once, none made and
    not logged), exactly one logged success, the last one. An attempt the server logged as
    failed with no answer (its timeout ran out while the receiver's answer was on the way) is
    sent again, as Svix does (at least once); without those, the receiver's answers must be
    `expected`. Returns how many such re-sends there were and what breaks the rule."""
    resent, broken = 0, []
    for m in sorted(set(hits) | set(logged)):
        hs, log = sorted(hits.get(m, []), key=lambda h: h.at), logged.get(m, [])
        pairs = list(zip(hs, log))
        answers = [h.answered for h, a in pairs if a["response_status_code"] is not None]
        lost = [h for h, a in pairs if a["response_status_code"] is None and a["status"] == "failed"]
        ok = (len(hs) == len(log) and answers == expected
              and [a["status"] for a in log].count("succeeded") == 1 and log[-1]["status"] == "succeeded"
              and all(a["response_status_code"] in (None, h.answered) for h, a in pairs))
        if ok:
            resent += len(lost)
        else:
            seen = [f"{h.answered}{'' if h.sent or h.answered is None else ' unsent'}" for h in hs]
            told = [f"{a['status']} {a['response_status_code']} {a['response'][:40]!r}" for a in log]
            broken.append(f"{m}: receiver {seen}, server log {told}")
    return resent, broken


# ---------------------------------------------------------------------------------------------
# crash


def crash_store(kind: str, results: list) -> None:
    started = time.monotonic()
    label = f"webhooks crash[{kind}]"
    work = Workdir(f"webhooks-crash-{kind}")
    db = Database(kind, work.path)
    receiver = Receiver()
    path = "/crash"
    receiver.modes[path] = "hang"
    url, secret = receiver.origin + path, new_webhook_secret()
    flags, lease_s, note = delivery_flags()
    by_flag = "--webhook" in serve_flags()
    if by_flag:
        flags += ["--webhook", f"{url},secret={secret},events=user.created"]
    server = Server(db.url, work.path, extra_args=flags, name=f"webhooks-crash-{kind}")
    try:
        server.start()
        with server.client() as client:
            if not by_flag:
                create_endpoint(client, url, secret)
            acked: set[str] = set()
            for i in range(CRASH_USERS):
                body = {"email_address": [f"wh{i}-{secrets.token_hex(4)}@crash.example"]}
                acked.add(expect_status(client.post("/users", json=body), 200, "create user")["id"])
        writers = Writers(server, f"wh-{secrets.token_hex(3)}")
        writers.start()
        time.sleep(0.5)
        hung_before_kill = sum(1 for h in receiver.snapshot(path) if h.answered is None)
        server.kill()
        writers.join()
        if writers.unexpected:
            raise Violation(f"answers other than 200 before the kill: {writers.unexpected[:3]}")
        acked.update(writers.acked)  # their ids

        receiver.modes[path] = "ok"
        receiver.release()
        restarted, restarted_ms = time.monotonic(), int(time.time() * 1000)
        server.start()  # same database, same keys, same flags
        with server.client() as client:
            if by_flag:
                endpoints = expect_status(client.get(f"{EXT}/endpoints"), 200, "list endpoints")
                if endpoints["total_count"] != 1:
                    raise Violation(f"after a restart with the same --webhook, {endpoints['total_count']} endpoints")
            stored = set(list_all(client))
        lost_users = [uid for uid in acked if uid not in stored]
        if lost_users:
            raise Violation(f"{len(lost_users)} acknowledged users missing after the restart: {lost_users[:3]}")
        took = wait_delivered(receiver, path, stored, lease_s + DELIVERY_SLACK_S, t0=restarted)
        time.sleep(QUIET_S)
        hits = receiver.snapshot(path)
        _, by_user, bad = read_hits(hits, secret)  # the attempts that hung before the kill too
        problems = []
        if took is None:
            _, delivered, _ = read_hits([h for h in hits if h.answered == 200], secret)
            never = [uid for uid in stored if uid not in delivered]
            never_acked = [uid for uid in never if uid in acked]
            problems.append(f"{len(never)} stored users ({len(never_acked)} acknowledged) got no user.created "
                            f"within {lease_s + DELIVERY_SLACK_S:.0f}s of the restart: {never[:3]}")
        phantoms = [uid for uid in by_user if uid not in stored]
        if phantoms:
            problems.append(f"user.created for users not in the database: {phantoms[:3]}")
        with server.client() as client:
            ep_id = expect_status(client.get(f"{EXT}/endpoints"), 200, "list endpoints")["data"][0]["id"]
            logged = fetch_attempts(client, ep_id, restarted_ms)
        since_restart = [h for h in hits if h.at >= restarted]
        resent, broken = judge_attempts(group(since_restart), logged, [200])
        if broken:
            problems.append(f"{len(broken)} messages sent other than once after the restart: {broken[:3]}")
        two_messages = [uid for uid, ids in by_user.items() if len(ids) > 1]
        if two_messages:
            problems.append(f"{len(two_messages)} users with more than one user.created: {two_messages[:3]}")
        if bad:
            problems.append(f"{len(bad)} bad messages: {bad[:3]}")
        if problems:
            raise Violation("; ".join(problems))
        figures = (f"{len(acked)} acknowledged, {len(stored) - len(acked)} more stored by writes in flight "
                   f"(of {len(writers.in_flight)}); {hung_before_kill} attempts hung before the kill; every "
                   f"user.created arrived {took:.1f}s after the restart (lease {lease_s:.0f}s), "
                   f"each once ({resent} sent again after the server's timeout ran out){note}")
        print(f"  {figures}")
        results.append((label, True, figures, time.monotonic() - started))
    except Violation as e:
        print(f"  VIOLATION {e}\n  server log: {server.log_path if hasattr(server, 'log_path') else '-'}")
        work.keep = True
        results.append((label, False, str(e), time.monotonic() - started))
    finally:
        server.stop()
        receiver.close()
        db.drop()
        work.cleanup()


# ---------------------------------------------------------------------------------------------
# two nodes


class NodeRun:
    """Two nodes, two endpoints (`/always` answers 200, `/flaky` 500 once per message), and
    NODE_USERS users created over both."""

    def __init__(self, nodes: list[Server], receiver: Receiver, lease_s: float, note: str):
        self.nodes, self.receiver, self.lease_s, self.note = nodes, receiver, lease_s, note
        self.secrets = {"/always": new_webhook_secret(), "/flaky": new_webhook_secret()}
        self.endpoint_ids: dict[str, str] = {}
        self.users: set[str] = set()
        self.took: dict[str, float | None] = {}

    def drive(self) -> None:
        with self.nodes[0].client() as client:
            for path, secret in self.secrets.items():
                self.receiver.modes[path] = "ok" if path == "/always" else "fail_once"
                self.endpoint_ids[path] = create_endpoint(client, self.receiver.origin + path, secret)["id"]
        errors: list[str] = []
        lock = threading.Lock()
        per_writer = NODE_USERS // NODE_WRITERS

        def write(w: int):
            with self.nodes[w % len(self.nodes)].client() as client:
                for i in range(per_writer):
                    body = {"email_address": [f"n{w}-{i}-{secrets.token_hex(4)}@nodes.example"]}
                    try:
                        r = client.post("/users", json=body)
                    except httpx.HTTPError as e:
                        with lock:
                            errors.append(repr(e))
                        return
                    with lock:
                        if r.status_code == 200:
                            self.users.add(r.json()["id"])
                        else:
                            errors.append(f"{r.status_code} {r.text[:200]}")

        threads = [threading.Thread(target=write, args=(w,), daemon=True) for w in range(NODE_WRITERS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        created = time.monotonic()
        if errors or len(self.users) != per_writer * NODE_WRITERS:
            raise Violation(f"creating users over both nodes: {len(self.users)} created, errors {errors[:3]}")
        for path in self.secrets:
            self.took[path] = wait_delivered(self.receiver, path, self.users, self.lease_s + DELIVERY_SLACK_S,
                                             t0=created)
        time.sleep(QUIET_S)

    def check(self, path: str, expected: list[int]) -> str:
        hits = self.receiver.snapshot(path)
        by_msg, by_user, bad = read_hits(hits, self.secrets[path])
        problems = []
        if self.took[path] is None:
            never = [uid for uid in self.users if uid not in by_user]
            problems.append(f"{len(never)} users' user.created never answered 200: {never[:3]}")
        counts = collections.Counter(len(hs) for hs in by_msg.values())
        with self.nodes[1].client() as client:
            logged = fetch_attempts(client, self.endpoint_ids[path])
        resent, broken = judge_attempts(by_msg, logged, expected)
        if broken:
            problems.append(f"{len(broken)} messages not answered {expected}: {broken[:3]}")
        extra = [uid for uid in by_user if uid not in self.users]
        if extra:
            problems.append(f"user.created for users nobody created: {extra[:3]}")
        two_messages = [uid for uid, ids in by_user.items() if len(ids) > 1]
        if two_messages:
            problems.append(f"{len(two_messages)} users with more than one message: {two_messages[:3]}")
        if bad:
            problems.append(f"{len(bad)} bad messages: {bad[:3]}")
        n_logged = sum(len(a) for a in logged.values())
        if n_logged != len(hits):
            problems.append(f"the attempt log has {n_logged} attempts, the receiver got {len(hits)}")
        if problems:
            raise Violation("; ".join(problems))
        return (f"{len(self.users)} users over 2 nodes: {len(by_msg)} messages, attempts per message "
                f"{dict(sorted(counts.items()))} ({resent} sent again after the server's timeout ran out), "
                f"logged {n_logged}; all answered 200 within {self.took[path]:.1f}s{self.note}")


def nodes(results: list) -> None:
    print("\n== webhooks: two nodes on one PostgreSQL database ==")
    started = time.monotonic()
    work = Workdir("webhooks-nodes")
    db = Database("postgres", work.path)
    receiver = Receiver()
    flags, lease_s, note = delivery_flags()
    secret, key = new_secret_key(), new_encryption_key()
    servers = [Server(db.url, work.path, secret_key=secret, encryption_key=key, extra_args=flags,
                      name=f"webhooks-node-{n}") for n in ("a", "b")]
    try:
        try:
            for node in servers:
                node.start()
            run = NodeRun(servers, receiver, lease_s, note)
            run.drive()
        except Violation as e:
            print(f"  VIOLATION {e}")
            work.keep = True
            results.append(("webhooks nodes[postgres]", False, str(e), time.monotonic() - started))
            return
        run_check("webhooks nodes-once[postgres]", "each message once", run.check, ("/always", [200]), work, results)
        run_check("webhooks nodes-retry[postgres]", "500 once, then exactly one retry", run.check, ("/flaky", [500, 200]),
                  work, results)
    finally:
        for node in servers:
            node.stop()
        receiver.close()
        db.drop()
        work.cleanup()


def run(stores: list[str], results: list) -> None:
    for kind in stores:
        print(f"\n== webhooks: kill -9 with deliveries under way on {kind} ==")
        crash_store(kind, results)
    if "postgres" in stores:
        nodes(results)
    else:
        print("\n== webhooks: two nodes ==\n  skipped: needs the postgres store")
