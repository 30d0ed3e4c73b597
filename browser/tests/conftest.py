"""Fixtures: a real `clerk serve` on a fresh SQLite file, seeded over the API, and a fresh
headless Chromium per test (through the system chromedriver; Selenium Manager never downloads
anything).

Environment:
  CLERK_BIN             the `clerk` binary (default: target/debug/clerk in the repo root);
                        never built here
  BROWSER_CHROMIUM      the browser (default /usr/bin/chromium)
  BROWSER_CHROMEDRIVER  its driver (default /usr/bin/chromedriver)
  BROWSER_ARTIFACTS     where a failed test leaves its page's HTML and a screenshot
                        (default browser/.artifacts)
  BROWSER_KEEP_TMP=1    keep the servers' temp dirs (database, log)
"""

from __future__ import annotations

import os
import queue
import re
import secrets
import shutil
import subprocess
import tempfile
import colorsys
import struct
import threading
import time
import uuid
import zlib
from dataclasses import dataclass, field

import pytest
import requests

# Selenium Manager must not look for (or download) a driver or a browser: both are given.
os.environ.setdefault("SE_OFFLINE", "true")

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402

from dashboard import Browser  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
CLERK_BIN = os.environ.get("CLERK_BIN") or os.path.join(REPO_ROOT, "target", "debug", "clerk")
CHROMIUM = os.environ.get("BROWSER_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("BROWSER_CHROMEDRIVER", "/usr/bin/chromedriver")
ARTIFACTS = os.environ.get("BROWSER_ARTIFACTS") or os.path.join(REPO_ROOT, "browser", ".artifacts")
STARTUP_TIMEOUT_S = 60
LISTENING = re.compile(r"listening on (http://\S+)")
ANSI = re.compile(r"\x1b\[[0-9;]*m")

# The seeded users: 25 people, so the users page (20 a page) has a second page.
NAMES = [
    ("Ada", "Lovelace"), ("Grace", "Hopper"), ("Alan", "Turing"), ("Edsger", "Dijkstra"),
    ("Barbara", "Liskov"), ("Donald", "Knuth"), ("Margaret", "Hamilton"), ("Ken", "Thompson"),
    ("Dennis", "Ritchie"), ("Frances", "Allen"), ("John", "McCarthy"), ("Radia", "Perlman"),
    ("Tim", "Berners-Lee"), ("Katherine", "Johnson"), ("Leslie", "Lamport"), ("Hedy", "Lamarr"),
    ("Claude", "Shannon"), ("Annie", "Easley"), ("Niklaus", "Wirth"), ("Sophie", "Wilson"),
    ("Bjarne", "Stroustrup"), ("Adele", "Goldberg"), ("Guido", "van Rossum"),
    ("Shafi", "Goldwasser"), ("Tony", "Hoare"),
]
# Which of them are special. The newest come first on the users page: the badges (MFA,
# banned, locked) are among the rows the README's screenshot shows.
SECRETS, BANNED, LOCKED, METADATA, ORG_CREATOR, ORG_MEMBER = 24, 22, 20, 1, 4, 5
SEED_DOMAIN = "seed.example.com"
TOTP_SECRET = "JBSWY3DPEHPK3PXPKRSXG5CTNFXXIZLT"
PASSWORD = "Correct-Horse-Battery-Staple-9"


def email_of(first: str, last: str) -> str:
    local = f"{first}.{last}".lower().replace(" ", "").replace("-", "")
    return f"{local}@{SEED_DOMAIN}"


# ---------------------------------------------------------------------------------------------
# server


class Server:
    """A running `clerk serve` and an API client for it (secret key)."""

    def __init__(self, label: str):
        if not os.path.exists(CLERK_BIN):
            pytest.exit(f"CLERK_BIN {CLERK_BIN} does not exist: build it first "
                        "(cargo build -p clerk-cli)", 2)
        self.label = label
        self.secret_key = "sk_test_" + secrets.token_hex(24)
        self.admin_key = "ak_test_" + secrets.token_hex(24)
        self.workdir = tempfile.mkdtemp(prefix=f"clerk-browser-{label}-")
        self.log_path = os.path.join(self.workdir, "server.log")
        self._log = open(self.log_path, "w", encoding="utf-8")
        self.proc = subprocess.Popen(
            [CLERK_BIN, "serve",
             "--listen", "127.0.0.1:0",
             "--database-url", "sqlite://" + os.path.join(self.workdir, "clerk.db"),
             "--secret-key", self.secret_key,
             "--admin-key", self.admin_key,
             "--encryption-key", secrets.token_hex(32),
             # Seeding a password costs one bcrypt hash; the lowest cost keeps it quick.
             "--bcrypt-cost", "4"],
            stdout=subprocess.PIPE, stderr=self._log, stdin=subprocess.DEVNULL, text=True,
            cwd=self.workdir, env={**os.environ, "NO_COLOR": "1"},
        )
        self.base_url = self._wait_listening()  # http://127.0.0.1:PORT
        self.api = requests.Session()
        self.api.headers["Authorization"] = f"Bearer {self.secret_key}"
        self._wait_healthy()

    def _wait_listening(self) -> str:
        lines: "queue.Queue[str | None]" = queue.Queue()

        def pump():
            for line in self.proc.stdout:
                lines.put(line)
                self._log.write("[stdout] " + line)
                self._log.flush()
            lines.put(None)

        threading.Thread(target=pump, daemon=True).start()
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.stop()
                pytest.exit(f"clerk serve did not print 'listening on' within "
                            f"{STARTUP_TIMEOUT_S}s; log {self.log_path}", 2)
            try:
                line = lines.get(timeout=remaining)
            except queue.Empty:
                continue
            if line is None:
                self.proc.wait()
                pytest.exit(f"clerk serve exited with {self.proc.returncode} before listening:\n"
                            f"{self.log_tail()}", 2)
            m = LISTENING.search(line)
            if m:
                base = m.group(1).rstrip("/")
                return base[: -len("/v1")] if base.endswith("/v1") else base

    def _wait_healthy(self):
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while time.monotonic() < deadline:
            try:
                if self.api.get(self.url("/v1/_ext/ping"), timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        self.stop()
        pytest.exit(f"clerk serve never answered /v1/_ext/ping; log {self.log_path}", 2)

    def url(self, path: str) -> str:
        return self.base_url + path

    # -- the API, with the secret key -----------------------------------------------------------

    def call(self, method: str, path: str, expect: int | None = 200, **kwargs):
        resp = self.api.request(method, self.url("/v1" + path), timeout=30, **kwargs)
        if expect is not None and resp.status_code != expect:
            raise AssertionError(f"{method} /v1{path}: expected {expect}, got "
                                 f"{resp.status_code}: {resp.text[:800]}")
        return resp

    def create_user(self, **body) -> dict:
        body.setdefault("skip_password_requirement", "password" not in body)
        return self.call("POST", "/users", json=body).json()

    def get_user(self, user_id: str) -> dict:
        return self.call("GET", f"/users/{user_id}").json()

    def user_exists(self, user_id: str) -> bool:
        resp = self.call("GET", f"/users/{user_id}", expect=None)
        if resp.status_code not in (200, 404):
            raise AssertionError(f"GET /v1/users/{user_id}: {resp.status_code} {resp.text[:300]}")
        return resp.status_code == 200

    def delete_user(self, user_id: str):
        self.call("DELETE", f"/users/{user_id}", expect=None)

    def user_ids(self, **params) -> list[str]:
        return [u["id"] for u in self.call("GET", "/users", params=params).json()]

    def user_count(self, **params) -> int:
        return self.call("GET", "/users/count", params=params).json()["total_count"]

    # -- life -----------------------------------------------------------------------------------

    def log_tail(self, n: int = 40) -> str:
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as f:
                return ANSI.sub("", "".join(f.readlines()[-n:]))
        except OSError:
            return ""

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()
        if os.environ.get("BROWSER_KEEP_TMP") != "1":
            shutil.rmtree(self.workdir, ignore_errors=True)


@dataclass
class Seed:
    """What the session's server was seeded with (the API's user objects)."""

    users: list[dict] = field(default_factory=list)
    banned: dict = field(default_factory=dict)
    locked: dict = field(default_factory=dict)
    with_metadata: dict = field(default_factory=dict)
    with_secrets: dict = field(default_factory=dict)
    org: dict = field(default_factory=dict)
    org_creator: dict = field(default_factory=dict)
    org_member: dict = field(default_factory=dict)

    @property
    def total(self) -> int:
        return len(self.users)

    def by_email(self, email: str) -> dict:
        return next(u for u in self.users if primary_email(u) == email)


def primary_email(user: dict) -> str | None:
    for e in user.get("email_addresses", []):
        if e["id"] == user.get("primary_email_address_id"):
            return e["email_address"]
    return None


def avatar_png(i: int, size: int = 96) -> bytes:
    """A small PNG for user I: a diagonal gradient of its own hue (no image library needed)."""
    hue = (i * 0.381966) % 1.0
    top = colorsys.hls_to_rgb(hue, 0.62, 0.55)
    bottom = colorsys.hls_to_rgb((hue + 0.08) % 1.0, 0.42, 0.6)
    rows = bytearray()
    for y in range(size):
        rows.append(0)  # filter: none
        for x in range(size):
            t = (x + y) / (2 * (size - 1))
            rows.extend(round(255 * (a + (b - a) * t)) for a, b in zip(top, bottom))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(bytes(rows), 9))
            + chunk(b"IEND", b""))


def seed(server: Server) -> Seed:
    """25 users with names, emails, external ids and profile images; a dozen have signed in
    (a session each); one banned, one locked, one with metadata, one with a password and TOTP;
    an organization with its creator (admin) and one member."""
    s = Seed()
    for i, (first, last) in enumerate(NAMES):
        body = {"first_name": first, "last_name": last, "email_address": [email_of(first, last)],
                "external_id": f"ext-{i:02d}"}
        if i == METADATA:
            body["public_metadata"] = {"plan": "pro", "seats": 5}
            body["private_metadata"] = {"crm_id": "crm-1815"}
            body["unsafe_metadata"] = {"theme": "dark"}
        if i == SECRETS:
            body["password"] = PASSWORD
            body["totp_secret"] = TOTP_SECRET
        user = server.create_user(**body)
        server.call("POST", f"/users/{user['id']}/profile_image",
                    files={"file": ("avatar.png", avatar_png(i), "image/png")})
        if i % 2 == 0:
            server.call("POST", "/sessions", json={"user_id": user["id"]})
        s.users.append(server.get_user(user["id"]))
    s.banned = server.call("POST", f"/users/{s.users[BANNED]['id']}/ban").json()
    s.users[BANNED] = s.banned
    s.with_metadata = s.users[METADATA]
    s.with_secrets = s.users[SECRETS]
    s.locked = server.call("POST", f"/users/{s.users[LOCKED]['id']}/lock").json()
    s.users[LOCKED] = s.locked
    s.org_creator, s.org_member = s.users[ORG_CREATOR], s.users[ORG_MEMBER]
    s.org = server.call("POST", "/organizations", json={
        "name": "Analytical Engines Ltd", "slug": "analytical-engines",
        "created_by": s.org_creator["id"],
    }).json()
    server.call("POST", f"/organizations/{s.org['id']}/memberships",
                json={"user_id": s.org_member["id"], "role": "org:member"})
    # The seeding must have done what the tests rely on.
    assert server.user_count() == len(NAMES)
    assert s.banned["banned"] and s.locked["locked"]
    assert s.with_secrets["password_enabled"] and s.with_secrets["totp_enabled"]
    assert all(u["has_image"] for u in s.users)
    assert sum(1 for u in s.users if u["last_sign_in_at"]) == (len(NAMES) + 1) // 2
    return s


@pytest.fixture(scope="session")
def server():
    srv = Server("main")
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="session")
def seeded(server) -> Seed:
    return seed(server)


@pytest.fixture
def make_user(server):
    """Creates users a test may change or delete (the seeded 25 stay as seeded); deletes them
    when the test ends."""
    created: list[str] = []

    def create(**body) -> dict:
        body.setdefault("email_address", [f"t{uuid.uuid4().hex[:10]}@test.example.com"])
        user = server.create_user(**body)
        created.append(user["id"])
        return user

    yield create
    for user_id in created:
        server.delete_user(user_id)


# ---------------------------------------------------------------------------------------------
# browser


def chrome_options(width: int = 1280, height: int = 900) -> webdriver.ChromeOptions:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",  # as root, in containers
        "--disable-dev-shm-usage",
        f"--window-size={width},{height}",
        "--disable-gpu",
        "--no-first-run",
        "--disable-extensions",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--lang=en-US",
        # Hermetic: nothing but the server on loopback is reachable (avatars point at
        # gravatar.com; CI has no network, and a page must not wait for it).
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
        "--password-store=basic",
    ):
        options.add_argument(arg)
    # The performance log carries each response's status code, which Selenium does not expose.
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    options.page_load_strategy = "normal"
    return options


def start_chrome(log_dir: str) -> webdriver.Chrome:
    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.path.exists(path):
            pytest.exit(f"{path} is missing: apt-get install chromium chromium-driver "
                        "(or set BROWSER_CHROMIUM / BROWSER_CHROMEDRIVER)", 2)
    service = Service(CHROMEDRIVER, log_output=os.path.join(log_dir, "chromedriver.log"))
    driver = webdriver.Chrome(service=service, options=chrome_options())
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(10)
    return driver


@pytest.fixture
def browser_factory(server, request, tmp_path):
    """Fresh browsers (no cookies) on the session's server, each its own profile; all quit when
    the test ends. The first is the one a failure report shows."""
    made: list[Browser] = []

    def make() -> Browser:
        log_dir = tmp_path / f"browser-{len(made)}"
        log_dir.mkdir()
        b = Browser(start_chrome(str(log_dir)), server)
        made.append(b)
        if len(made) == 1:
            request.node.browser_under_test = b
        return b

    try:
        yield make
    finally:
        for b in made:
            try:
                b.driver.quit()
            except Exception:  # noqa: BLE001 (a crashed browser is already reported)
                pass


@pytest.fixture
def browser(browser_factory) -> Browser:
    """A fresh browser (no cookies) on the session's server."""
    return browser_factory()


@pytest.fixture
def signed_in(browser, seeded) -> Browser:
    """A fresh browser signed in with the secret key, on the users page."""
    browser.sign_in(browser.server.secret_key)
    assert browser.path == "/dashboard/", f"sign-in ended on {browser.driver.current_url}"
    return browser


# ---------------------------------------------------------------------------------------------
# what a failure leaves behind


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed:
        return
    b = getattr(item, "browser_under_test", None)
    if b is None:
        return
    os.makedirs(ARTIFACTS, exist_ok=True)
    stem = os.path.join(ARTIFACTS, re.sub(r"[^A-Za-z0-9_.-]+", "_", item.nodeid))
    try:
        with open(stem + ".html", "w", encoding="utf-8") as f:
            f.write(f"<!-- {b.driver.current_url} -->\n" + b.driver.page_source)
        b.driver.save_screenshot(stem + ".png")
        report.sections.append(("browser", f"page at failure: {b.driver.current_url}\n"
                                           f"saved {stem}.html and {stem}.png"))
    except Exception as e:  # noqa: BLE001 (the browser may be gone)
        report.sections.append(("browser", f"could not save the page: {e}"))
    report.sections.append(("server log (tail)", b.server.log_tail()))


def pytest_report_header(config):
    return [f"clerk binary: {CLERK_BIN}", f"browser: {CHROMIUM}, driver: {CHROMEDRIVER}"]
