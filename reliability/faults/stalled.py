"""Stalled clients: `clerk serve` runs with 1024 file descriptors (RLIMIT_NOFILE) and
`--header-timeout 2s --body-timeout 2s` (and `--idle-timeout 2s` if it has one); 300 connections stall it — 100 send a partial
request head, 100 send nothing, 100 send a head and part of the body — while `/healthz` is
asked every 100 ms on fresh connections. Required:

- the server closes every stalled connection within the timeout + SLACK_S (measured from the
  connection's last byte);
- every `/healthz` answers 200 within 1 s, throughout;
- the server is still alive and healthy afterwards.
"""

from __future__ import annotations

import resource
import selectors
import socket
import statistics
import threading
import time

from .server import Database, Server, Violation, Workdir, serve_flags

TIMEOUT_S = 2.0
SLACK_S = 1.0
PER_KIND = 100
HEALTH_EVERY_S = 0.1
HEALTH_LIMIT_S = 1.0
SERVER_FDS = 1024
KINDS = ("partial-head", "nothing", "partial-body")


def stall_bytes(kind: str, secret_key: str) -> bytes:
    if kind == "partial-head":
        return b"GET /v1/users HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
    if kind == "nothing":
        return b""
    body = b'{"email_address": ["stalled@example.com"], "first_na'
    return (b"POST /v1/users HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Authorization: Bearer " + secret_key.encode() + b"\r\nContent-Length: 4096\r\n\r\n" + body)


class HealthPoller(threading.Thread):
    """GET /healthz every HEALTH_EVERY_S on a fresh connection; records (latency, status)."""

    def __init__(self, port: int):
        super().__init__(daemon=True)
        self.port = port
        self.samples: list[tuple[float, int]] = []  # status 0: no answer within 5 s
        self.done = threading.Event()

    def run(self):
        request = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        for _ in range(3000):  # bounded: 5 minutes at most
            if self.done.is_set():
                return
            t0 = time.monotonic()
            status = 0
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=5) as s:
                    s.sendall(request)
                    head = s.recv(64)
                    if head.startswith(b"HTTP/1.1 "):
                        status = int(head[9:12])
            except (OSError, ValueError):
                status = 0
            latency = time.monotonic() - t0
            self.samples.append((latency, status))
            self.done.wait(max(0.0, HEALTH_EVERY_S - latency))


def run(stores: list[str], results: list) -> None:
    print("\n== stalled clients ==")
    kind = "sqlite" if "sqlite" in stores else stores[0]
    started = time.monotonic()
    problems: list[str] = []
    flags = []
    for flag in ("--header-timeout", "--body-timeout", "--idle-timeout"):
        if flag in serve_flags():
            flags += [flag, f"{TIMEOUT_S:g}s"]
        elif flag != "--idle-timeout":  # optional: a server may close silent connections by it
            problems.append(f"`clerk serve --help` lists no {flag}: this build has no such timeout")
    # This process holds 300+ sockets: lift its own soft limit to the hard one.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < 4096:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(4096, hard), hard))

    work = Workdir("stalled")
    db = Database(kind, work.path)
    server = Server(db.url, work.path, name="stalled", extra_args=flags, max_open_files=SERVER_FDS)
    socks: list[socket.socket] = []
    try:
        server.start()
        poller = HealthPoller(server.port)
        poller.start()
        time.sleep(0.5)  # a few samples before the stall

        # Open the stalled connections; each one's clock starts at its last byte.
        stalled_at: dict[socket.socket, float] = {}
        kind_of: dict[socket.socket, str] = {}
        open_errors = 0
        for i in range(PER_KIND * len(KINDS)):
            what = KINDS[i % len(KINDS)]
            try:
                s = socket.create_connection(("127.0.0.1", server.port), timeout=5)
                data = stall_bytes(what, server.secret_key)
                if data:
                    s.sendall(data)
            except OSError:
                open_errors += 1
                continue
            s.setblocking(False)
            stalled_at[s] = time.monotonic()
            kind_of[s] = what
            socks.append(s)

        # Wait for the server to close them (EOF or reset), up to the bound plus a grace period.
        closed_after: dict[str, list[float]] = {k: [] for k in KINDS}
        answered = 0
        sel = selectors.DefaultSelector()
        for s in socks:
            sel.register(s, selectors.EVENT_READ)
        deadline = time.monotonic() + TIMEOUT_S + SLACK_S + 5.0
        remaining = set(socks)
        while remaining and time.monotonic() < deadline:
            for key, _ in sel.select(timeout=0.05):
                s = key.fileobj
                try:
                    chunk = s.recv(65536)
                except (ConnectionResetError, BlockingIOError) as e:
                    chunk = b"" if isinstance(e, ConnectionResetError) else None
                if chunk is None:
                    continue
                if chunk:
                    answered += chunk.startswith(b"HTTP/")
                    continue  # an answer (e.g. 408): the close comes next
                closed_after[kind_of[s]].append(time.monotonic() - stalled_at[s])
                sel.unregister(s)
                remaining.discard(s)
        sel.close()
        time.sleep(0.5)  # a few samples after the stall
        poller.done.set()
        poller.join(timeout=10)

        limit = TIMEOUT_S + SLACK_S
        print(f"  {len(socks)} stalled connections opened ({open_errors} refused); server RLIMIT_NOFILE "
              f"{SERVER_FDS}; flags {' '.join(flags) or '(none)'}; {answered} got an HTTP answer before the close")
        for what in KINDS:
            times = sorted(closed_after[what])
            opened = sum(1 for k in kind_of.values() if k == what)
            if times:
                print(f"  {what}: {len(times)}/{opened} closed; close time min {times[0]:.2f}s "
                      f"median {statistics.median(times):.2f}s p90 {times[int(0.9 * (len(times) - 1))]:.2f}s "
                      f"max {times[-1]:.2f}s")
            else:
                print(f"  {what}: 0/{opened} closed")
            late = sum(1 for t in times if t > limit)
            if len(times) < opened:
                problems.append(f"{what}: {opened - len(times)} of {opened} connections still open "
                                f"{limit + 5.0:.0f}s after stalling")
            if late:
                problems.append(f"{what}: {late} closed later than {limit:.1f}s")
        lat = [l for l, _ in poller.samples]
        bad = [(l, st) for l, st in poller.samples if st != 200 or l >= HEALTH_LIMIT_S]
        statuses = sorted({st for _, st in poller.samples})
        print(f"  /healthz: {len(lat)} probes, statuses {statuses}, max latency "
              f"{max(lat) if lat else float('nan'):.3f}s, median {statistics.median(lat) if lat else float('nan'):.3f}s")
        if not lat:
            problems.append("no /healthz probe ran")
        if bad:
            problems.append(f"{len(bad)} of {len(lat)} /healthz probes failed or took >= {HEALTH_LIMIT_S:g}s "
                            f"(e.g. status {bad[0][1]}, {bad[0][0]:.3f}s)")
        if not server.alive():
            problems.append("the server died")
        if problems:
            raise Violation("; ".join(problems))
        all_times = sorted(t for ts in closed_after.values() for t in ts)
        results.append(("stalled", True, f"{len(all_times)} stalled connections closed, max {all_times[-1]:.2f}s "
                        f"(limit {limit:.1f}s); /healthz max {max(lat):.3f}s over {len(lat)} probes",
                        time.monotonic() - started))
    except Violation as e:
        work.keep = True
        results.append(("stalled", False, str(e), time.monotonic() - started))
    finally:
        for s in socks:
            s.close()
        server.stop()
        db.drop()
        work.cleanup()
