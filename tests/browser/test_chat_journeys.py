"""Journeys through the chat page in real Chromium: stream, flows, stop, reload, reopen."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import FLOWS, SLOW_TOKENS, screenshot, watch
from tests.browser.journeys import answer_body, ask, create_context, sign_in
from tests.fakes.openai_server import FakeOpenAI
from tests.support.app import Api

pytestmark = pytest.mark.browser

SAMPLE = "I need to book a flight and call the client"
FULL_ANSWER = "".join(SLOW_TOKENS).strip()
PLAN = (
    "I'll help you with both. **Here is a plan:**\n\n"
    "1. Book the flight: compare fares for your dates first.\n"
    "2. Call the client to confirm the meeting time.\n\n"
    "I've added both to your flows."
)
PLAN_TOKENS = re.findall(r"\S+\s*|\s+", PLAN)


async def stored_answer(api: Api, user: str, context_id: str) -> tuple[str, str]:
    """(status, last assistant message) of the context's newest conversation, per the API."""
    client = api.client(user)
    listed = (await client.get(f"/api/v1/contexts/{context_id}/conversations")).json()
    newest = listed["items"][0]
    conversation = (await client.get(f"/api/v1/conversations/{newest['id']}")).json()
    answers = [m["content"] for m in conversation["messages"] if m["role"] == "assistant"]
    return newest["status"], answers[-1]


def last_user_turn(fake: FakeOpenAI) -> str:
    """What the user said last in the newest chat request (not an extraction call)."""
    chats = [r.json() for r in fake.chat_requests if r.json().get("stream")]
    content: str = chats[-1]["messages"][-1]["content"]
    return content


async def test_stream_an_answer_and_see_the_flows_appear(
    api: Api, page: Page, fake: FakeOpenAI
) -> None:
    fake.script(tokens=PLAN_TOKENS, delay=0.05, extraction=FLOWS)
    await sign_in(page, api.base_url, "alice")
    context_id = await create_context(page, "Work")
    answer = await ask(page, SAMPLE)

    # Tokens arrive before the end: part of the answer is on screen while it streams.
    await expect(answer_body(answer)).to_contain_text("help you with both")
    assert await answer.get_attribute("data-state") == "streaming"
    assert "added both" not in await answer_body(answer).inner_text()

    await expect(answer).to_have_attribute("data-state", "complete", timeout=15_000)
    await expect(answer_body(answer).locator("strong")).to_have_text("Here is a plan:")
    await expect(answer_body(answer).locator("ol > li")).to_have_count(2)
    await expect(answer_body(answer)).to_contain_text("I've added both to your flows.")
    flows = page.locator("#flow-list .flow")
    await expect(flows).to_have_count(2)
    await expect(page.locator("#flow-list .flow.new")).to_have_count(2)  # highlighted
    await expect(flows.filter(has_text="Book a flight")).to_contain_text("high")
    api_flows = (await api.client("alice").get(f"/api/v1/contexts/{context_id}/flows")).json()
    assert sorted(f["title"] for f in api_flows["items"]) == ["Book a flight", "Call the client"]
    assert watch(page).errors == []
    assert watch(page).console_errors == []  # no CSP violation, no failed request
    await screenshot(page, "stream_and_flows")


async def test_stop_keeps_the_partial_answer_marked_stopped(api: Api, page: Page) -> None:
    await sign_in(page, api.base_url, "bob")
    context_id = await create_context(page, "Home")
    answer = await ask(page, SAMPLE)
    await expect(answer_body(answer)).to_contain_text("word2")
    await page.get_by_role("button", name="Stop").click()

    await expect(answer).to_have_attribute("data-state", "stopped")
    await expect(answer.locator(".note")).to_have_text("Stopped")
    shown = (await answer_body(answer).inner_text()).strip()
    status, stored = await stored_answer(api, "bob", context_id)
    assert status == "cancelled"
    assert shown == stored.strip()
    assert shown.startswith("word0 word1 word2")
    assert "word39" not in shown
    await expect(page.get_by_role("button", name="Send")).to_be_enabled()
    await screenshot(page, "stop")


async def test_reload_mid_answer_completes_it_once(api: Api, page: Page) -> None:
    await sign_in(page, api.base_url, "carol")
    context_id = await create_context(page, "Trips")
    answer = await ask(page, SAMPLE)
    await expect(answer_body(answer)).to_contain_text("word5")
    await page.reload()

    answer = page.locator(".message.assistant")
    await expect(answer).to_have_count(1)
    await expect(answer).to_have_attribute("data-state", "complete", timeout=15_000)
    await expect(page.locator(".message.user")).to_have_count(1)
    status, stored = await stored_answer(api, "carol", context_id)
    assert status == "complete"
    assert stored.strip() == FULL_ANSWER
    # Exactly the stored text: nothing replayed twice, nothing missed around the reload.
    assert (await answer_body(answer).inner_text()).strip() == stored.strip()
    await expect(page.locator("#flow-list .flow")).to_have_count(2)
    assert watch(page).errors == []
    await screenshot(page, "reload")


async def test_reopen_a_conversation_and_continue_it(
    api: Api, page: Page, fake: FakeOpenAI
) -> None:
    fake.script(tokens=["Sure", ", noted."], extraction={"flows": []})
    await sign_in(page, api.base_url, "dave")
    context_id = await create_context(page, "Garden")
    answer = await ask(page, "Hello there")
    await expect(answer).to_have_attribute("data-state", "complete")
    first = page.locator("#conversation-list .conversation")
    await expect(first).to_have_count(1)
    conversation_id = await first.get_attribute("data-conversation-id")

    await page.get_by_role("button", name="New conversation").click()
    await expect(page.locator(".message")).to_have_count(0)
    await first.click()
    await expect(page.locator(".message")).to_have_count(2)
    await expect(page.locator(".message.user")).to_have_text("YouHello there")

    answer = await ask(page, "And the roses?")
    await expect(answer).to_have_attribute("data-state", "complete")
    assert last_user_turn(fake) == "And the roses?"
    client = api.client("dave")
    listed = (await client.get(f"/api/v1/contexts/{context_id}/conversations")).json()
    assert [c["id"] for c in listed["items"]] == [conversation_id]  # continued, not new
    stored = (await client.get(f"/api/v1/conversations/{conversation_id}")).json()
    assert [m["content"] for m in stored["messages"]] == [
        "Hello there",
        "Sure, noted.",
        "And the roses?",
        "Sure, noted.",
    ]
    await screenshot(page, "reopen")


async def test_shift_enter_is_a_new_line_and_enter_sends(
    api: Api, page: Page, fake: FakeOpenAI
) -> None:
    fake.script(tokens=["ok"], extraction={"flows": []})
    await sign_in(page, api.base_url, "erin")
    await create_context(page, "Notes")
    box = page.get_by_role("textbox", name="Message")
    await box.focus()
    await page.keyboard.type("first line")
    await page.keyboard.press("Shift+Enter")
    await page.keyboard.type("second line")
    assert await box.input_value() == "first line\nsecond line"
    await page.keyboard.press("Enter")
    await expect(page.locator(".message.assistant")).to_have_attribute("data-state", "complete")
    assert last_user_turn(fake) == "first line\nsecond line"
    assert await box.input_value() == ""
