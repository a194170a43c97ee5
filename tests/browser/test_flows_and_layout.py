"""The flows panel against the API, and the page for everyone: keyboard, phone, dark."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Browser, Page, expect

from tests.browser.conftest import screenshot
from tests.browser.journeys import ask, create_context, sign_in
from tests.fakes.openai_server import FakeOpenAI
from tests.support.app import Api

pytestmark = pytest.mark.browser

SAMPLE = "I need to book a flight and call the client"


async def flows_of(api: Api, user: str, context_id: str) -> dict[str, dict[str, object]]:
    listed = (await api.client(user).get(f"/api/v1/contexts/{context_id}/flows")).json()
    return {flow["title"]: flow for flow in listed["items"]}


async def test_complete_edit_and_delete_flows(api: Api, page: Page, fake: FakeOpenAI) -> None:
    fake.script(
        tokens=["Noted."],
        extraction={
            "flows": [
                {"title": "Book a flight", "priority": "high"},
                {"title": "Call the client", "priority": "medium"},
            ]
        },
    )
    await sign_in(page, api.base_url, "kim")
    context_id = await create_context(page, "Work")
    answer = await ask(page, SAMPLE)
    await expect(answer).to_have_attribute("data-state", "complete")
    flows = page.locator("#flow-list .flow")
    await expect(flows).to_have_count(2)

    await page.get_by_role("checkbox", name="Book a flight").check()
    await expect(flows.filter(has_text="Book a flight")).to_have_class(re.compile(r"\bdone\b"))
    assert (await flows_of(api, "kim", context_id))["Book a flight"]["is_completed"] is True

    await page.get_by_role("button", name="Edit Call the client").click()
    await page.get_by_label("Title").fill("Call the client about the contract")
    await page.get_by_label("Due date").fill("2030-05-17")
    await page.get_by_label("Priority").select_option("high")
    await page.get_by_role("button", name="Save").click()
    edited = flows.filter(has_text="Call the client about the contract")
    await expect(edited).to_contain_text("high")
    stored = (await flows_of(api, "kim", context_id))["Call the client about the contract"]
    assert stored["priority"] == "high"
    assert str(stored["due_date"]).startswith("2030-05-17")

    await page.get_by_role("button", name="Delete Book a flight").click()
    await expect(flows).to_have_count(1)
    assert list(await flows_of(api, "kim", context_id)) == ["Call the client about the contract"]
    await screenshot(page, "flows_edited")


async def test_keyboard_only_sign_in_and_chat(api: Api, page: Page, fake: FakeOpenAI) -> None:
    fake.script(tokens=["Hi!"], extraction={"flows": []})
    await page.goto(f"{api.base_url}/")
    await expect(page.get_by_label("Your name")).to_be_focused()
    await page.keyboard.type("lee")
    await page.keyboard.press("Enter")
    await expect(page.locator("#who")).to_have_text("Signed in as lee")
    # The new-context form is reached with Tab from the top of the page.
    await page.locator("#sign-out").focus()
    await page.keyboard.press("Tab")
    await expect(page.locator("#new-context summary")).to_be_focused()
    await page.keyboard.press("Enter")
    await page.keyboard.press("Tab")
    await expect(page.get_by_label("Name", exact=True)).to_be_focused()
    await page.keyboard.type("Keys")
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("textbox", name="Message")).to_be_focused()
    await page.keyboard.type("hello")
    await page.keyboard.press("Enter")
    await expect(page.locator(".message.assistant")).to_have_attribute("data-state", "complete")


@pytest.mark.parametrize("scheme", ["light", "dark"])
async def test_phone_width_and_colour_scheme(api: Api, browser: Browser, scheme: str) -> None:
    context = await browser.new_context(
        viewport={"width": 375, "height": 740}, color_scheme=scheme, is_mobile=True
    )
    page = await context.new_page()
    try:
        await sign_in(page, api.base_url, "mo")
        await create_context(page, "Phone")
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"the page scrolls sideways at 375 px ({width} px wide)"
        await expect(page.get_by_role("textbox", name="Message")).to_be_visible()
        background = await page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background == ("rgb(22, 24, 28)" if scheme == "dark" else "rgb(255, 255, 255)")
        await screenshot(page, f"phone_{scheme}")
    finally:
        await context.close()
