"""How the users page looks: the README's screenshot at 1280x800, and a phone's width without
sideways scrolling."""

import os
import struct

from conftest import REPO_ROOT

SCREENSHOT = os.environ.get("BROWSER_SCREENSHOT") or os.path.join(
    REPO_ROOT, "docs", "images", "dashboard-users.png")


def viewport(b, width: int, height: int, mobile: bool = False, scale: float = 1):
    """Sets the page's viewport exactly (a window's size includes what headless Chromium counts
    as its frame)."""
    b.driver.set_window_size(width, height)
    b.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": scale, "mobile": mobile})


def png_size(path: str) -> tuple[int, int]:
    with open(path, "rb") as f:
        head = f.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", head[16:24])


def test_screenshot_of_the_users_page(seeded, signed_in):
    b = signed_in
    viewport(b, 1280, 800)
    b.go("/dashboard/")
    assert b.driver.execute_script("return [innerWidth, innerHeight]") == [1280, 800]
    assert len(b.user_rows()) == 20
    # The stylesheet applied (an unstyled page is not worth showing).
    assert b.driver.execute_script(
        "return [...document.styleSheets].some(s => s.cssRules.length > 0)"), "no styles loaded"
    b.driver.execute_script("window.scrollTo(0, 0)")
    os.makedirs(os.path.dirname(SCREENSHOT), exist_ok=True)
    assert b.driver.save_screenshot(SCREENSHOT)
    assert png_size(SCREENSHOT) == (1280, 800)
    assert os.path.getsize(SCREENSHOT) > 20_000, "a nearly empty screenshot"


def test_the_users_page_fits_a_phone(seeded, signed_in):
    b = signed_in
    viewport(b, 390, 844, mobile=True, scale=3)
    b.go("/dashboard/")
    assert len(b.user_rows()) == 20
    inner, scroll = b.driver.execute_script(
        "return [window.innerWidth, document.documentElement.scrollWidth]")
    assert inner == 390, f"the page is laid out {inner}px wide on a 390px phone (viewport meta?)"
    assert scroll <= inner, f"sideways scrolling on a phone: content {scroll}px, screen {inner}px"
    # The search is still usable there.
    assert b.css("input#query").is_displayed() and b.css("button#search-submit").is_displayed()
