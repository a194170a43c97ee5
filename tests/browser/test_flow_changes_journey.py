"""Issue 22 on the page: complete a flow by chat, see the change announced with Undo,
undo it, and see the flow open again."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import screenshot
from tests.browser.journeys import ask, create_context, sign_in
from tests.fakes.openai_server import FakeOpenAI
from tests.support.app import Api

pytestmark = pytest.mark.browser

SAID = "I already booked the flight this morning."


async def test_complete_by_chat_then_undo(api: Api, page: Page, fake: FakeOpenAI) -> None:
    fake.script(tokens=["Noted."], extraction={"flows": [{"title": "Book a flight"}]})
    await sign_in(page, api.base_url, "kim")
    context_id = await create_context(page, "Trip")
    answer = await ask(page, "I need to book a flight")
    await expect(answer).to_have_attribute("data-state", "complete")
    flow = page.locator("#flow-list .flow").filter(has_text="Book a flight")
    await expect(flow).to_have_count(1)
    listed = (await api.client("kim").get(f"/api/v1/contexts/{context_id}/flows")).json()
    [stored] = listed["items"]

    operation = {"op": "complete", "flow_id": stored["id"], "evidence": SAID,
                 "due_date": None, "priority": None, "title": None}  # fmt: skip
    fake.script(tokens=["Great!"], extraction={"flows": [], "operations": [operation]})
    answer = await ask(page, SAID)
    await expect(answer).to_have_attribute("data-state", "complete")
    change = page.locator("#flow-changes .flow-change")
    await expect(change).to_contain_text("Marked done: Book a flight")
    await expect(flow).to_have_class(re.compile(r"\bdone\b"))
    await screenshot(page, "flow_change")

    await change.get_by_role("button", name=re.compile("^Undo")).click()
    await expect(change).to_contain_text("Undone")
    await expect(flow).not_to_have_class(re.compile(r"\bdone\b"))
    again = (await api.client("kim").get(f"/api/v1/flows/{stored['id']}")).json()
    assert again == stored
