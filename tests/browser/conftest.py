"""A real ``hotline serve`` with the demo data, and Debian's Chromium driven by Playwright.

Chromium comes from Debian's ``chromium`` package (``make test-deps``), never
from Playwright's own download; without it (or without the ``playwright``
package) these tests are skipped with the reason. Each step saves a screenshot
under ``test-artifacts/screenshots/`` for a reviewer to look at.
"""
from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("HOTLINE_CHROMIUM", "/usr/bin/chromium")
SHOTS = ROOT / "test-artifacts" / "screenshots"
DEMO_PASSWORD = "demo12345"

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def chromium_path() -> str:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.skip("the playwright package is not installed (pip install -e '.[test]')")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} not found: run `make test-deps` (Debian's chromium package)")
    return CHROMIUM


@pytest.fixture(scope="package")
def server(chromium_path, tmp_path_factory):
    """``hotline serve`` on a free port, on a SQLite file with ``hotline demo`` loaded (jobs in-process)."""
    home = tmp_path_factory.mktemp("browser-hotline")
    port = _free_port()
    env = {**os.environ, "HOTLINE_DATABASE_URL": f"sqlite:///{home / 'hotline.sqlite3'}", "HOTLINE_REDIS_URL": "",
           "HOTLINE_VAR_DIR": str(home / "var"), "HOTLINE_PUBLIC_URL": f"http://127.0.0.1:{port}",
           "HOTLINE_SECRET_KEY": "browser-tests-" + "k" * 40, "HOTLINE_LOG_LEVEL": "WARNING"}
    hotline = [sys.executable, "-m", "hotline.cli"]
    for args in (["db", "upgrade"], ["demo"], ["model", "default", "--if-missing"]):  # as `make setup` does
        subprocess.run([*hotline, *args], env=env, cwd=ROOT, check=True, capture_output=True, timeout=900)
    log = open(home / "serve.log", "wb")
    process = subprocess.Popen([*hotline, "serve", "--host", "127.0.0.1", "--port", str(port)], env=env, cwd=ROOT,
                               stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2)
            break
        except Exception:
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError((home / "serve.log").read_text()[-3000:])
            time.sleep(0.3)
    yield base
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=20)


@pytest.fixture(scope="package")
def browser(chromium_path):
    # Package scope: Playwright's sync API keeps an event loop running while it is open, which
    # would stop every asyncio test after this package from starting its own.
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield browser
        browser.close()


class Person:
    """One person's browser window: logs in, opens pages, and photographs each one."""

    def __init__(self, browser, base: str, who: str, test: str):
        self.context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
        self.page = self.context.new_page()
        self.page.set_default_timeout(20000)
        self.base, self.who, self.test, self.shots = base, who, test, 0
        self.errors: list[str] = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def open(self, path: str) -> None:
        response = self.page.goto(self.base + path)
        assert response is not None and response.status < 400, (path, response and response.status)

    def login(self, username: str) -> None:
        self.open("/login")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", DEMO_PASSWORD)
        self.page.click("form button[type=submit], form input[type=submit]")
        self.page.wait_for_url(re.compile(r"^(?!.*login).*$"))

    def shot(self, name: str) -> Path:
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.shots += 1
        path = SHOTS / f"{self.test}-{self.who}-{self.shots:02d}-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def close(self) -> None:
        assert not self.errors, f"JavaScript errors on {self.who}'s pages: {self.errors}"
        self.context.close()


@pytest.fixture
def person(browser, server, request):
    opened: list[Person] = []

    def open_window(who: str) -> Person:
        window = Person(browser, server, who, request.node.name.split("[")[0].removeprefix("test_"))
        opened.append(window)
        return window

    yield open_window
    for window in opened:
        window.close()


def clean_shots() -> None:
    if SHOTS.exists():
        shutil.rmtree(SHOTS)
