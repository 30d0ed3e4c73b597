"""Starting, killing and talking to `clerk serve`, and the databases it runs on.

Everything here stays on 127.0.0.1: the server listens on an ephemeral loopback port, and
PostgreSQL is the local server (`RELIABILITY_PG_URL`, default postgres://postgres@127.0.0.1:5432).
"""

from __future__ import annotations

import os
import queue
import re
import resource
import secrets
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field

import httpx

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CLERK_BIN = os.environ.get("CLERK_BIN") or os.path.join(REPO_ROOT, "target", "debug", "clerk")
PG_URL = os.environ.get("RELIABILITY_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
STARTUP_TIMEOUT_S = 60
LISTENING = re.compile(r"listening on (http://\S+)")


class Violation(AssertionError):
    """A check's property does not hold (or the server lacks what the check needs)."""


def new_secret_key() -> str:
    # The server will require keys of at least 32 characters: keep them well above that.
    return "sk_test_" + secrets.token_hex(24)


def new_encryption_key() -> str:
    return secrets.token_hex(32)  # 32 bytes, hex


_HELP_FLAGS: set[str] | None = None


def serve_flags() -> set[str]:
    """The long flags `clerk serve --help` lists (so the suite passes only flags that exist)."""
    global _HELP_FLAGS
    if _HELP_FLAGS is None:
        out = subprocess.run([CLERK_BIN, "serve", "--help"], capture_output=True, text=True, timeout=30)
        _HELP_FLAGS = set(re.findall(r"(--[a-z][a-z0-9-]*)", out.stdout))
    return _HELP_FLAGS


def require_flags(*flags: str) -> None:
    missing = [f for f in flags if f not in serve_flags()]
    if missing:
        raise Violation(f"`clerk serve --help` does not list {', '.join(missing)}: this build of the "
                        "server lacks what the check needs")


# ---------------------------------------------------------------------------------------------
# databases


class Database:
    """A fresh database for one part of the suite: a SQLite file in a temp dir, or a new
    PostgreSQL database `rel_<random>` that `drop()` removes."""

    def __init__(self, kind: str, workdir: str):
        self.kind = kind
        self.pg_name = None
        if kind == "sqlite":
            self.url = "sqlite://" + os.path.join(workdir, "clerk.db")
        elif kind == "postgres":
            import psycopg

            self.pg_name = "rel_" + secrets.token_hex(6)
            with psycopg.connect(PG_URL, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{self.pg_name}"')
            self.url = PG_URL.rsplit("/", 1)[0] + "/" + self.pg_name
        else:
            raise ValueError(f"unknown store {kind!r}: sqlite or postgres")

    def drop(self) -> None:
        if self.pg_name:
            import psycopg

            with psycopg.connect(PG_URL, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)')
            self.pg_name = None


# ---------------------------------------------------------------------------------------------
# the server process

_LIVE: "set[Server]" = set()


def kill_all() -> None:
    """Kills every server this process started and is still running (the suite's trap)."""
    for srv in list(_LIVE):
        srv.kill()


@dataclass(eq=False)
class Server:
    """One `clerk serve` process on 127.0.0.1:<ephemeral port>."""

    database_url: str
    workdir: str
    secret_key: str = field(default_factory=new_secret_key)
    encryption_key: str | None = None
    extra_args: list[str] = field(default_factory=list)
    max_open_files: int | None = None  # RLIMIT_NOFILE of the server process
    name: str = "server"
    proc: subprocess.Popen | None = None
    base_url: str = ""  # http://127.0.0.1:PORT/v1
    origin: str = ""  # http://127.0.0.1:PORT

    def start(self) -> "Server":
        if not os.path.exists(CLERK_BIN):
            raise Violation(f"CLERK_BIN {CLERK_BIN} does not exist: build it (cargo build -p clerk-cli)")
        args = [CLERK_BIN, "serve", "--listen", "127.0.0.1:0", "--database-url", self.database_url,
                "--secret-key", self.secret_key, "--bcrypt-cost", "4"]
        if self.encryption_key:
            args += ["--encryption-key", self.encryption_key]
        args += self.extra_args
        self.log_path = os.path.join(self.workdir, f"{self.name}.log")
        log = open(self.log_path, "a", encoding="utf-8")
        log.write(f"--- {' '.join(args)}\n")
        log.flush()
        limit = self.max_open_files

        def preexec():
            os.setsid()  # its own process group: a kill reaches nothing else
            if limit is not None:
                resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))

        env = dict(os.environ)
        env.setdefault("RUST_LOG", "warn")
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=log, stdin=subprocess.DEVNULL,
                                     text=True, cwd=self.workdir, env=env, preexec_fn=preexec)
        _LIVE.add(self)
        lines: "queue.Queue[str | None]" = queue.Queue()

        def pump(out=self.proc.stdout):
            for line in out:
                lines.put(line)
                log.write("[stdout] " + line)
                log.flush()
            lines.put(None)
            log.close()

        threading.Thread(target=pump, daemon=True).start()
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.kill()
                raise Violation(f"{self.name}: no 'listening on' within {STARTUP_TIMEOUT_S}s; log {self.log_path}")
            try:
                line = lines.get(timeout=remaining)
            except queue.Empty:
                continue
            if line is None:
                self.proc.wait()
                _LIVE.discard(self)
                raise Violation(f"{self.name}: clerk serve exited with {self.proc.returncode} before listening:\n"
                                + self.log_tail())
            m = LISTENING.search(line)
            if m:
                base = m.group(1).rstrip("/")
                if not base.endswith("/v1"):
                    base += "/v1"
                self.base_url = base
                self.origin = base[: -len("/v1")]
                return self

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    @property
    def port(self) -> int:
        return int(self.origin.rsplit(":", 1)[1])

    def kill(self) -> None:
        """SIGKILL, no chance to clean up (what a crash or the OOM killer does)."""
        if self.proc and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait(timeout=30)
        _LIVE.discard(self)

    def stop(self) -> None:
        """SIGTERM (graceful shutdown), then SIGKILL after 15 s."""
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                pass
        self.kill()

    def alive(self) -> bool:
        return bool(self.proc) and self.proc.poll() is None

    def log_tail(self, n: int = 40) -> str:
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return ""

    def client(self, **kw) -> httpx.Client:
        """An HTTP client for the API (auth header set, base URL .../v1)."""
        kw.setdefault("timeout", 30.0)
        return httpx.Client(base_url=self.base_url, headers={"Authorization": f"Bearer {self.secret_key}"},
                            **kw)


class Workdir:
    """A temp dir for logs and SQLite files; removed at the end unless RELIABILITY_KEEP_TMP=1."""

    def __init__(self, label: str):
        self.path = tempfile.mkdtemp(prefix=f"clerk-faults-{label}-")
        self.keep = os.environ.get("RELIABILITY_KEEP_TMP") == "1"  # a failing check sets it too

    def cleanup(self) -> None:
        if self.keep:
            print(f"  (kept {self.path})")
        else:
            shutil.rmtree(self.path, ignore_errors=True)


def run_check(label: str, name: str, check, args: tuple, work: Workdir, results: list) -> None:
    """Runs one named check, prints its figures or its violation, and records the result (a
    violation keeps the work dir for a look)."""
    t0 = time.monotonic()
    try:
        figures = check(*args)
        print(f"  {name}: {figures}")
        results.append((label, True, figures, time.monotonic() - t0))
    except Violation as e:
        print(f"  {name}: VIOLATION {e}")
        work.keep = True
        results.append((label, False, str(e), time.monotonic() - t0))


def expect_status(resp: httpx.Response, status: int, what: str) -> dict:
    if resp.status_code != status:
        raise Violation(f"{what}: expected {status}, got {resp.status_code} {resp.text[:300]}")
    return resp.json()


def error_code(resp: httpx.Response) -> str | None:
    try:
        return resp.json()["errors"][0]["code"]
    except Exception:  # noqa: BLE001 (any non-envelope body)
        return None
