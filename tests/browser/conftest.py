"""Real-browser harness: Playwright (sync API) driving Debian's Chromium against pytest-django's live_server.

Every test in this folder is marked ``browser``. Without /usr/bin/chromium they are skipped with the
reason below (``-ra`` prints it at the end of ``make test``); install Debian's ``chromium`` to run them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM (fixtures, live_server) would
# otherwise refuse to run "from an async context".
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SKIP_REASON = f"Chromium not found at {CHROMIUM}: browser tests skipped — install Debian's chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def pytest_report_header(config: pytest.Config) -> str:
    return f"browser: {CHROMIUM}" if CHROMIUM.exists() else f"browser: {SKIP_REASON}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)
            # Each browser test runs against a live server, so it needs committed data (tests/conftest.py
            # seeds the departments and event types again after the previous test's flush).
            item.add_marker(pytest.mark.django_db(transaction=True))


@pytest.fixture(scope="session")
def browser() -> Iterator:
    if not CHROMIUM.exists():
        if os.environ.get("HUODONG_REQUIRE_BROWSER"):
            pytest.fail(SKIP_REASON.replace("skipped", "required (HUODONG_REQUIRE_BROWSER is set)"))
        pytest.skip(SKIP_REASON)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server) -> Iterator:
    """A fresh desktop browser context per test, in Chinese (zh-CN) like a planner in Shanghai."""
    context = browser.new_context(locale="zh-CN", viewport=DESKTOP, base_url=live_server.url)
    context.set_default_timeout(15_000)
    pg = context.new_page()
    yield pg
    context.close()


@pytest.fixture
def phone_page(browser, live_server) -> Iterator:
    """A phone-sized context (390×844, touch) — a finance reviewer or an executive on a phone."""
    context = browser.new_context(
        locale="zh-CN",
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
        base_url=live_server.url,
    )
    context.set_default_timeout(15_000)
    pg = context.new_page()
    yield pg
    context.close()


@pytest.fixture
def login_as() -> Callable:
    """``login_as(page, user)`` signs ``user`` in through the login form and waits for where they land:
    the event list, or 我的待办 for a reviewer or approver with pending work."""
    from tests.factories import PASSWORD

    def _login(pg, user, password: str = PASSWORD) -> None:
        pg.goto("/login/")
        pg.fill("#id_username", user.username)
        pg.fill("#id_password", password)
        pg.get_by_test_id("login-submit").click()
        pg.wait_for_url(re.compile(r".*/(events|inbox)/"))

    return _login


@pytest.fixture
def artifacts() -> Path:
    """test-artifacts/ (gitignored): screenshots for humans to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
