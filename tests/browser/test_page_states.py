"""The page under attack and in trouble: an XSS token, limits, failures, expired sessions."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from my_flow_api.config import Settings
from tests.browser.conftest import SLOW_TOKENS, browser_settings, screenshot, watch
from tests.browser.journeys import answer_body, ask, create_context, sign_in
from tests.fakes.openai_server import FakeOpenAI
from tests.support.app import Api

pytestmark = pytest.mark.browser

XSS = "<img src=x onerror=alert(1)>"
XSS_TOKENS = [
    "Look: ",
    XSS,
    " and **bold** ",
    "<script>alert(2)</script>",
    ' [x](javascript:alert(3)) <a href="javascript:alert(4)">y</a>',
    "<svg onload=\"document.title='pwned'\">",
]


@pytest.fixture
def api_settings(tmp_path: Path, fake: FakeOpenAI) -> Settings:
    # One stream per user, so a second one is a 429; no leeway, so a token expires on time.
    return browser_settings(tmp_path, fake, STREAM_MAX_PER_USER=1, AUTH_LEEWAY_SECONDS=0)


async def test_an_xss_token_renders_inert(api: Api, page: Page, fake: FakeOpenAI) -> None:
    fake.script(tokens=XSS_TOKENS, delay=0.02, extraction={"flows": []})
    await sign_in(page, api.base_url, "mallory")
    await create_context(page, "Inbox")
    answer = await ask(page, "Say something nasty")
    await expect(answer).to_have_attribute("data-state", "complete")

    body = answer_body(answer)
    await expect(body).to_contain_text(XSS)  # shown as the characters it is
    await expect(body).to_contain_text("<script>alert(2)</script>")
    await expect(body.locator("strong")).to_have_text("bold")  # Markdown still renders
    messages = page.locator("#messages")
    for tag in ("img", "script", "svg", "a"):
        await expect(messages.locator(tag)).to_have_count(0)
    await asyncio.sleep(0.3)  # an onerror would fire once the broken image failed to load
    assert watch(page).dialogs == []
    assert await page.title() == "my-flow"
    assert watch(page).errors == []
    assert watch(page).console_errors == []
    await screenshot(page, "xss_inert")


async def test_a_second_stream_reads_as_a_429_with_its_wait(
    api: Api, page: Page, fake: FakeOpenAI
) -> None:
    fake.script(tokens=SLOW_TOKENS, delay=0.25, extraction={"flows": []})
    await sign_in(page, api.base_url, "frank")
    context_id = await create_context(page, "Errands")
    body = {"context_id": context_id, "messages": [{"role": "user", "content": "hi"}]}
    other_tab = api.client("frank")
    async with other_tab.stream("POST", "/api/v1/conversations/stream", json=body) as running:
        assert running.status_code == 200
        await ask(page, "Are you there?")
        status = page.locator("#chat-status")
        await expect(status).to_contain_text("Too many requests at once.")
        await expect(status).to_contain_text("Please try again in 5 seconds.")
        await expect(page.locator(".message")).to_have_count(0)
        # Nothing was sent, so the message waits in the box for another try.
        await expect(page.get_by_role("textbox", name="Message")).to_have_value("Are you there?")
        await screenshot(page, "rate_limited")


@pytest.mark.parametrize(
    ("fail_status", "sentence"),
    [
        (404, "The AI provider failed to answer."),
        (504, "The AI provider took too long to answer."),
    ],
)
async def test_a_provider_failure_reads_as_a_sentence(
    api: Api, page: Page, fake: FakeOpenAI, fail_status: int, sentence: str
) -> None:
    fake.script(fail_status=fail_status)
    await sign_in(page, api.base_url, "gus")
    await create_context(page, "Work")
    await ask(page, "Hello?")
    await expect(page.locator("#chat-status")).to_contain_text(sentence, timeout=15_000)
    await expect(page.get_by_role("button", name="Send")).to_be_enabled()


async def test_a_stream_error_event_keeps_what_arrived(
    api: Api, page: Page, fake: FakeOpenAI
) -> None:
    fake.script(tokens=["Part", "ial", " answer", "never"], error_after=3)
    await sign_in(page, api.base_url, "hana")
    await create_context(page, "Work")
    answer = await ask(page, "Tell me")
    await expect(answer).to_have_attribute("data-state", "failed")
    await expect(answer_body(answer)).to_have_text("Partial answer")
    await expect(page.locator("#chat-status")).to_contain_text(
        "The answer stopped because of an error."
    )


async def test_an_expired_token_goes_back_to_sign_in(api: Api, page: Page) -> None:
    await sign_in(page, api.base_url, "ivan")
    short = api.token("ivan", ttl=1)
    await page.evaluate("token => sessionStorage.setItem('myflow.token', token)", short)
    await asyncio.sleep(2.1)
    await page.get_by_text("New context").click()
    await page.get_by_label("Name", exact=True).fill("Late")
    await page.get_by_role("button", name="Create context").click()

    await expect(page.get_by_label("Your name")).to_be_visible()
    await expect(page.locator("#signin-status")).to_have_text(
        "Your session has expired or is not valid any more. Please sign in again."
    )
    assert await page.evaluate("sessionStorage.getItem('myflow.token')") is None
    await expect(page.get_by_label("Your name")).to_be_focused()


async def test_the_token_never_appears_in_the_url(api: Api, page: Page) -> None:
    await sign_in(page, api.base_url, "judy")
    assert page.url == f"{api.base_url}/"
    token = await page.evaluate("sessionStorage.getItem('myflow.token')")
    assert token
    assert token.count(".") == 2
    assert await page.evaluate("localStorage.length") == 0
