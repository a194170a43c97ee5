"""Steps the journeys share, done the way a person does them: labels, buttons, keys."""

from __future__ import annotations

from playwright.async_api import Locator, Page, expect


async def sign_in(page: Page, base_url: str, name: str) -> None:
    """Open the page and continue as `name` (local mode)."""
    await page.goto(f"{base_url}/")
    await page.get_by_label("Your name").fill(name)
    await page.get_by_role("button", name=f"Continue as {name}").click()
    await expect(page.locator("#who")).to_have_text(f"Signed in as {name}")


async def create_context(page: Page, name: str, icon: str = "💼") -> str:
    """Create a context from the sidebar form; returns its id."""
    await page.get_by_text("New context").click()
    await page.get_by_label("Name", exact=True).fill(name)
    await page.get_by_label("Icon").fill(icon)
    await page.get_by_role("button", name="Create context").click()
    button = page.locator(".context[aria-current='true']")
    await expect(button).to_contain_text(name)
    context_id = await button.get_attribute("data-context-id")
    assert context_id
    return context_id


async def ask(page: Page, text: str) -> Locator:
    """Type a message and press Enter; returns the answer's list item."""
    box = page.get_by_role("textbox", name="Message")
    await box.fill(text)
    await box.press("Enter")
    return page.locator(".message.assistant").last


def answer_body(answer: Locator) -> Locator:
    return answer.locator(".body")
