"""A browser on the dashboard: navigation that waits for the next page, the HTTP status of the
page shown (from Chromium's performance log, which Selenium does not otherwise expose), and
small lookups the tests share."""

from __future__ import annotations

import json
import time
from urllib.parse import urlsplit

import requests
from selenium.common.exceptions import NoSuchElementException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

WAIT_S = 20
SESSION_COOKIE = "clerk_dashboard"


class Browser:
    def __init__(self, driver: WebDriver, server):
        self.driver = driver
        self.server = server
        # Document responses seen since the last navigation: (url, status).
        self.responses: list[tuple[str, int]] = []
        self.redirects: list[tuple[str, int]] = []

    # -- navigation -----------------------------------------------------------------------------

    def go(self, path: str) -> "Browser":
        """Opens PATH (on the server) and waits until it is loaded."""
        self._drain()
        self.driver.get(self.server.url(path) if path.startswith("/") else path)
        self._wait_loaded()
        self._collect()
        return self

    def click_and_wait(self, target: WebElement | str) -> "Browser":
        """Clicks TARGET (an element, or a CSS selector) and waits for the page it leads to."""
        element = self.css(target) if isinstance(target, str) else target
        self._drain()
        # A mark on this document: the next one does not have it.
        self.driver.execute_script("window.__browserSuiteMark = true")
        element.click()
        WebDriverWait(self.driver, WAIT_S, ignored_exceptions=(WebDriverException,)).until(
            lambda d: d.execute_script(
                "return !window.__browserSuiteMark && document.readyState === 'complete'"))
        self._collect()
        return self

    def _wait_loaded(self):
        WebDriverWait(self.driver, WAIT_S, ignored_exceptions=(WebDriverException,)).until(
            lambda d: d.execute_script("return document.readyState") == "complete")

    def _drain(self):
        self.driver.get_log("performance")
        self.responses, self.redirects = [], []

    def _collect(self):
        # The log can lag the page by a moment.
        for _ in range(20):
            for entry in self.driver.get_log("performance"):
                msg = json.loads(entry["message"])["message"]
                params = msg.get("params", {})
                if msg.get("method") == "Network.responseReceived" and params.get("type") == "Document":
                    r = params["response"]
                    self.responses.append((r["url"], r["status"]))
                elif (msg.get("method") == "Network.requestWillBeSent"
                      and params.get("type") == "Document" and params.get("redirectResponse")):
                    r = params["redirectResponse"]
                    self.redirects.append((r["url"], r["status"]))
            if self.responses:
                return
            time.sleep(0.05)

    @property
    def status(self) -> int:
        """The HTTP status of the page now shown (after any redirects)."""
        assert self.responses, f"no document response recorded for {self.driver.current_url}"
        return self.responses[-1][1]

    @property
    def path(self) -> str:
        return urlsplit(self.driver.current_url).path

    @property
    def query(self) -> str:
        return urlsplit(self.driver.current_url).query

    # -- lookups --------------------------------------------------------------------------------

    def css(self, selector: str) -> WebElement:
        try:
            return self.driver.find_element(By.CSS_SELECTOR, selector)
        except NoSuchElementException:
            raise AssertionError(f"no element {selector!r} on {self.driver.current_url} "
                                 f"(status {self.responses[-1][1] if self.responses else '?'}, "
                                 f"title {self.driver.title!r})") from None

    def all(self, selector: str) -> list[WebElement]:
        return self.driver.find_elements(By.CSS_SELECTOR, selector)

    def has(self, selector: str) -> bool:
        return bool(self.all(selector))

    def text(self, selector: str) -> str:
        return self.css(selector).text

    def fill(self, selector: str, text: str) -> WebElement:
        element = self.css(selector)
        element.clear()
        element.send_keys(text)
        return element

    def set_value(self, selector: str, text: str) -> WebElement:
        """Sets a long value at once (typing 9 KB key by key takes a while), firing `input` as
        typing would."""
        element = self.css(selector)
        self.driver.execute_script(
            "arguments[0].value = arguments[1];"
            "arguments[0].dispatchEvent(new Event('input', {bubbles: true}));",
            element, text)
        return element

    def value(self, selector: str) -> str:
        return self.css(selector).get_property("value")

    def user_rows(self) -> list[WebElement]:
        return self.all("table#users tbody tr")

    def row_ids(self) -> list[str]:
        return [row.get_attribute("data-user-id") for row in self.user_rows()]

    # -- session --------------------------------------------------------------------------------

    def sign_in(self, key: str) -> "Browser":
        self.go("/dashboard/sign-in")
        self.fill("input#key", key)
        return self.click_and_wait("button#sign-in-submit")

    def session_cookie(self) -> dict | None:
        return self.driver.get_cookie(SESSION_COOKIE)

    def http(self) -> requests.Session:
        """Plain HTTP carrying this browser's session cookie, for what a
        page cannot do: forged posts."""
        cookie = self.session_cookie()
        assert cookie, "not signed in"
        s = requests.Session()
        s.headers["Cookie"] = f"{cookie['name']}={cookie['value']}"
        return s
