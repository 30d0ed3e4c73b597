"""Fixtures: a real `clerk serve` on an ephemeral port with a fresh database, and the official
Python SDK pointed at it with retries off and every response checked against Clerk's spec.

Environment:
  CLERK_BIN        the `clerk` binary (default: target/debug/clerk in the repo root); never built here
  CONFORMANCE_DB   `sqlite` (default: a fresh file in a temp dir) or `postgres` (a fresh database
                   `conf_<random>` on CONFORMANCE_PG_URL, dropped at the end)
  CONFORMANCE_PG_URL  default postgres://postgres@127.0.0.1:5432/postgres
  CONFORMANCE_CAPTURE  append every response the tests receive to this JSON-lines file
  CONFORMANCE_MUTATION  break the server's answers on purpose (mutating_proxy.MUTATIONS): the
                   suite must then fail
"""

from __future__ import annotations

import json
import os
import queue
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid

import httpx
import pytest

sys.path.insert(0, os.path.dirname(__file__))

import spec_oracle  # noqa: E402
from clerk_backend_api import Clerk  # noqa: E402
from clerk_backend_api.utils import BackoffStrategy, RetryConfig  # noqa: E402

REPO_ROOT = spec_oracle.REPO_ROOT
CLERK_BIN = os.environ.get("CLERK_BIN") or os.path.join(REPO_ROOT, "target", "debug", "clerk")
DB_KIND = os.environ.get("CONFORMANCE_DB", "sqlite").lower()
PG_URL = os.environ.get("CONFORMANCE_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
SECRET_KEY = "sk_test_" + secrets.token_hex(20)
STARTUP_TIMEOUT_S = 60
CAPTURE = os.environ.get("CONFORMANCE_CAPTURE")
LISTENING = re.compile(r"listening on (http://\S+)")

# Retries off: a failure must fail fast, and a 5xx must surface rather than be retried.
NO_RETRIES = RetryConfig("none", BackoffStrategy(1, 1, 1.0, 1), False)


# ---------------------------------------------------------------------------------------------
# database


class _PostgresDatabase:
    def __init__(self):
        import psycopg

        self._psycopg = psycopg
        self.name = "conf_" + secrets.token_hex(6)
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.name}"')
        base = PG_URL.rsplit("/", 1)[0]
        self.url = f"{base}/{self.name}"

    def drop(self):
        with self._psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


# ---------------------------------------------------------------------------------------------
# server


class Server:
    def __init__(self, base_url: str, proc: subprocess.Popen, log_path: str):
        self.base_url = base_url  # http://127.0.0.1:PORT/v1
        self.proc = proc
        self.log_path = log_path

    def log_tail(self, n: int = 60) -> str:
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return ""


class TokenEndpoint:
    """A minimal OAuth 2.0 token endpoint on loopback, the provider `clerk serve`
    refreshes expired tokens against: `refresh_token` grants with the right client credentials
    get a new access token `fresh-<n>` and a rotated refresh token."""

    CLIENT_ID = "conformance-client"
    CLIENT_SECRET = "conformance-secret"

    def __init__(self):
        import http.server
        import urllib.parse

        self.requests: list[dict[str, str]] = []
        endpoint = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length", "0"))
                form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
                endpoint.requests.append(form)
                ok = (form.get("grant_type") == "refresh_token"
                      and form.get("client_id") == endpoint.CLIENT_ID
                      and form.get("client_secret") == endpoint.CLIENT_SECRET)
                n = len(endpoint.requests)
                body = ({"access_token": f"fresh-{n}", "token_type": "Bearer", "expires_in": 3600,
                         "refresh_token": f"rotated-{n}", "scope": "email profile"}
                        if ok else {"error": "invalid_grant"})
                data = json.dumps(body).encode()
                self.send_response(200 if ok else 400)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/token"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def provider_flag(self, provider: str) -> str:
        return (f"provider={provider},token_url={self.url},client_id={self.CLIENT_ID},"
                f"client_secret={self.CLIENT_SECRET}")

    def close(self):
        self._server.shutdown()


TOKEN_ENDPOINT = TokenEndpoint()


def _start_server(database_url: str, workdir: str) -> Server:
    if not os.path.exists(CLERK_BIN):
        pytest.exit(f"CLERK_BIN {CLERK_BIN} does not exist: build it first (cargo build -p clerk-cli)", 2)
    log_path = os.path.join(workdir, "server.log")
    log = open(log_path, "w", encoding="utf-8")
    proc = subprocess.Popen(
        [CLERK_BIN, "serve", "--listen", "127.0.0.1:0", "--database-url", database_url,
         "--secret-key", SECRET_KEY, "--oauth-provider", TOKEN_ENDPOINT.provider_flag("oauth_google")],
        stdout=subprocess.PIPE, stderr=log, stdin=subprocess.DEVNULL, text=True, cwd=workdir,
    )
    lines: "queue.Queue[str | None]" = queue.Queue()

    def pump():
        for line in proc.stdout:
            lines.put(line)
            log.write("[stdout] " + line)
            log.flush()
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            proc.kill()
            pytest.exit(f"clerk serve did not print 'listening on' within {STARTUP_TIMEOUT_S}s; log {log_path}", 2)
        try:
            line = lines.get(timeout=remaining)
        except queue.Empty:
            continue
        if line is None:
            proc.wait()
            log.flush()
            with open(log_path, encoding="utf-8", errors="replace") as f:
                tail = f.read()[-4000:]
            pytest.exit(f"clerk serve exited with {proc.returncode} before listening:\n{tail}", 2)
        m = LISTENING.search(line)
        if m:
            base = m.group(1).rstrip("/")
            if not base.endswith("/v1"):
                base += "/v1"
            return Server(base, proc, log_path)


@pytest.fixture(scope="session")
def server():
    workdir = tempfile.mkdtemp(prefix="clerk-conformance-")
    pg = None
    if DB_KIND == "postgres":
        pg = _PostgresDatabase()
        database_url = pg.url
    elif DB_KIND == "sqlite":
        database_url = "sqlite://" + os.path.join(workdir, "clerk.db")
    else:
        raise pytest.UsageError(f"CONFORMANCE_DB must be sqlite or postgres, not {DB_KIND!r}")
    srv = _start_server(database_url, workdir)
    proxy = None
    mutation = os.environ.get("CONFORMANCE_MUTATION")
    if mutation:
        # Self-check of the suite: break the server's answers on purpose (see mutating_proxy.py).
        import mutating_proxy

        proxy = mutating_proxy.MutatingProxy(srv.base_url, mutating_proxy.MUTATIONS[mutation])
        srv = Server(proxy.base_url, srv.proc, srv.log_path)
    try:
        yield srv
    finally:
        if proxy is not None:
            proxy.close()
        srv.proc.terminate()
        try:
            srv.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            srv.proc.kill()
            srv.proc.wait()
        if pg is not None:
            pg.drop()
        if os.environ.get("CONFORMANCE_KEEP_TMP") != "1":
            shutil.rmtree(workdir, ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# spec oracle on every response


class Recorder:
    """Every response the SDK receives, checked against the spec as it arrives."""

    def __init__(self):
        self.spec = spec_oracle.load()
        self.violations: list[spec_oracle.SpecViolation] = []
        self.exchanges: list[tuple[str, str, int]] = []

    def hook(self, response: httpx.Response) -> None:
        response.read()
        req = response.request
        self.exchanges.append((req.method, str(req.url), response.status_code))
        if CAPTURE:
            # One JSON line per response, for cross-checking with the Rust oracle
            # (cargo run -p clerk-spec --example validate_capture -- FILE).
            with open(CAPTURE, "a", encoding="utf-8") as f:
                f.write(json.dumps({
                    "method": req.method, "url": str(req.url), "status": response.status_code,
                    "content_type": response.headers.get("content-type"),
                    "body": response.content.decode("utf-8", "replace"),
                }) + "\n")
        try:
            self.spec.validate_raw(
                req.method, str(req.url), response.status_code,
                response.headers.get("content-type"), response.content,
            )
        except spec_oracle.SpecViolation as v:
            self.violations.append(v)
            raise


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.conformance_call_failed = report.failed


@pytest.fixture
def recorder(request):
    rec = Recorder()
    yield rec
    # The hook raises into the test; this catches a violation the test swallowed (e.g. inside
    # pytest.raises(Exception)) without reporting the same one twice.
    if rec.violations and not getattr(request.node, "conformance_call_failed", False):
        pytest.fail("\n\n".join(str(v) for v in rec.violations), pytrace=False)


def make_sdk(server: Server, recorder: Recorder, key: str = SECRET_KEY) -> Clerk:
    client = httpx.Client(follow_redirects=False, event_hooks={"response": [recorder.hook]}, timeout=30)
    return Clerk(bearer_auth=key, server_url=server.base_url, client=client, retry_config=NO_RETRIES)


@pytest.fixture
def sdk(server, recorder) -> Clerk:
    return make_sdk(server, recorder)


@pytest.fixture
def sdk_wrong_key(server, recorder) -> Clerk:
    return make_sdk(server, recorder, key="sk_test_" + "0" * 40)


@pytest.fixture
def raw(server, recorder) -> httpx.Client:
    """Plain HTTP with the right key, for wire details the SDK hides; spec-checked too."""
    return httpx.Client(
        base_url=server.base_url,
        headers={"Authorization": f"Bearer {SECRET_KEY}"},
        event_hooks={"response": [recorder.hook]},
        timeout=30,
    )


def unique(prefix: str = "u") -> str:
    return f"{prefix}{uuid.uuid4().hex[:12]}"


@pytest.fixture
def new_user(sdk):
    """Creates users with unique identifiers; returns the SDK's User."""

    def create(**kwargs):
        if not any(k in kwargs for k in ("email_address", "phone_number", "username", "web3_wallet")):
            kwargs["email_address"] = [f"{unique()}@example.com"]
        kwargs.setdefault("skip_password_requirement", True)
        return sdk.users.create(**kwargs)

    return create


# ---------------------------------------------------------------------------------------------
# skip tests whose route the server does not serve yet


_route_cache: dict[tuple[str, str], bool] = {}


def _strip_trace(resp: httpx.Response):
    try:
        body = resp.json()
    except ValueError:
        return resp.text
    if isinstance(body, dict):
        body.pop("clerk_trace_id", None)
    return body


def route_served(server: Server, method: str, template: str) -> bool:
    """Whether the server serves METHOD TEMPLATE: it answers a request for a real user the way
    it answers no route at all (same status and body), or with 405/501, if it does not."""
    key = (method, template)
    if key in _route_cache:
        return _route_cache[key]
    for attempt in range(3):
        try:
            served = _probe(server, method, template)
            break
        except httpx.TransportError:
            if attempt == 2:
                raise
            time.sleep(0.2)
    _route_cache[key] = served
    return served


def _probe(server: Server, method: str, template: str) -> bool:
    headers = {"Authorization": f"Bearer {SECRET_KEY}"}
    with httpx.Client(base_url=server.base_url, headers=headers, timeout=30) as c:
        created = c.post("/users", json={
            "email_address": [f"probe{uuid.uuid4().hex[:12]}@example.com"],
            "skip_password_requirement": True,
        })
        user_id = created.json().get("id", "user_probe") if created.status_code == 200 else "user_probe"
        path = template.replace("{user_id}", user_id)
        path = re.sub(r"\{[^}]+\}", "probe_" + uuid.uuid4().hex[:8], path)
        body = None if method in ("GET", "DELETE") else {}
        got = c.request(method, path, json=body)
        missing = c.request(method, f"/users/{user_id}/__no_such_route__/{uuid.uuid4().hex[:6]}", json=body)
        served = got.status_code not in (405, 501) and not (
            got.status_code == missing.status_code and _strip_trace(got) == _strip_trace(missing)
        )
        if user_id != "user_probe":
            c.delete(f"/users/{user_id}")
    return served


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "route(method, template): skip unless the server serves this route (it starts running "
        "as soon as the route lands)",
    )


@pytest.fixture(autouse=True)
def _skip_unserved_routes(request):
    marks = list(request.node.iter_markers("route"))
    if not marks:
        return
    srv = request.getfixturevalue("server")
    for m in marks:
        method, template = m.args
        if not route_served(srv, method, template):
            pytest.skip(f"server: {method} {template} not implemented yet")


def pytest_report_header(config):
    return [f"clerk binary: {CLERK_BIN}", f"database: {DB_KIND}"]


def dump(obj) -> str:
    """Readable form of an SDK model for assertion messages."""
    try:
        return json.dumps(obj.model_dump(mode="json"), indent=1)[:2000]
    except Exception:  # noqa: BLE001
        return repr(obj)[:2000]
