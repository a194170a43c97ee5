"""Real Chromium (Debian's, never a downloaded build) driving the real app on 127.0.0.1.

The app runs in the test's event loop through uvicorn with a fake OpenAI-compatible
upstream (`tests/fakes/openai_server.py`) that streams at a scripted pace, so an answer can
be stopped or reloaded while it is still arriving.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, Page, async_playwright

from my_flow_api.config import Settings
from tests.fakes.openai_server import FakeOpenAI
from tests.support.app import make_settings
from tests.support.system import missing

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
README_PICTURE = ROOT / "docs" / "page.png"
FLOWS = {
    "flows": [
        {"title": "Book a flight", "priority": "high"},
        {"title": "Call the client", "priority": "medium"},
    ]
}
SLOW_TOKENS = [f"word{i} " for i in range(40)]


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(tokens=SLOW_TOKENS, delay=0.05, extraction=FLOWS) as server:
        yield server


@pytest.fixture
def api_settings(tmp_path: Path, fake: FakeOpenAI) -> Settings:
    return browser_settings(tmp_path, fake)


def browser_settings(tmp_path: Path, fake: FakeOpenAI, **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "STREAM_FIRST_TOKEN_WAIT_SECONDS": 3.0,
        "SSE_PING_SECONDS": 5.0,
        "LOG_LEVEL": "WARNING",
    }
    return make_settings(tmp_path, **fake.settings_overrides(), **{**values, **extra})


@pytest.fixture
def chromium() -> Path:
    """Debian's Chromium; a skip on a laptop without it, a failure in CI."""
    if not CHROMIUM.exists():
        missing(str(CHROMIUM), "apt-get install chromium")
    return CHROMIUM


@pytest.fixture
async def browser(chromium: Path) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=str(chromium), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield launched
        finally:
            await launched.close()


class PageWatch:
    """What a page did that it must not: uncaught errors, dialogs, console errors."""

    def __init__(self, page: Page) -> None:
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.console_errors: list[str] = []
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("dialog", self._dialog)
        page.on("console", self._console)

    async def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        await dialog.dismiss()

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.console_errors.append(message.text)


@pytest.fixture
async def page(browser: Browser) -> AsyncIterator[Page]:
    context = await browser.new_context(viewport={"width": 1280, "height": 800})
    page = await context.new_page()
    page.set_default_timeout(10_000)
    page.watch = PageWatch(page)  # type: ignore[attr-defined]
    try:
        yield page
    finally:
        await context.close()


def watch(page: Page) -> PageWatch:
    found: PageWatch = page.watch  # type: ignore[attr-defined]
    return found


async def screenshot(page: Page, name: str) -> None:
    """The journey's end, for people to look at; `PAGE_SCREENSHOT=<name>` also refreshes
    the README's picture (`docs/page.png`) from that journey."""
    # Playwright creates missing folders of a screenshot's path itself.
    await page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    if os.environ.get("PAGE_SCREENSHOT") == name:
        await page.screenshot(path=str(README_PICTURE))
