"""The page under Logto: no local sign-in, a pasted access token, verified by Logto's JWKS."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from my_flow_api.config import Settings
from tests.browser.conftest import browser_settings, screenshot
from tests.browser.journeys import create_context
from tests.fakes.openai_server import FakeOpenAI
from tests.support.app import Api
from tests.support.jwks_server import (
    RESOURCE,
    JwksServer,
    SigningKey,
    claims_for,
    make_signing_key,
    running_jwks_server,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def key() -> SigningKey:
    return make_signing_key("ES384")


@pytest.fixture
def logto(key: SigningKey) -> Iterator[JwksServer]:
    with running_jwks_server([key]) as server:
        yield server


@pytest.fixture
def api_settings(tmp_path: Path, fake: FakeOpenAI, logto: JwksServer) -> Settings:
    return browser_settings(tmp_path, fake, LOGTO_ENDPOINT=logto.endpoint, LOGTO_RESOURCE=RESOURCE)


async def test_a_pasted_logto_token_signs_in(
    api: Api, page: Page, logto: JwksServer, key: SigningKey
) -> None:
    await page.goto(f"{api.base_url}/")
    await expect(page.get_by_label("Your name")).to_be_hidden()
    token = key.sign(claims_for(logto.issuer, sub="logto-user-7"))
    await page.get_by_label("Access token").fill(token)
    await page.get_by_role("button", name="Use this token").click()
    await expect(page.locator("#who")).to_have_text("Signed in as logto-user-7")
    context_id = await create_context(page, "From Logto")
    listed = (
        await api.client().get("/api/v1/contexts", headers={"Authorization": f"Bearer {token}"})
    ).json()
    assert [c["id"] for c in listed["items"]] == [context_id]
    assert page.url == f"{api.base_url}/"
    await screenshot(page, "logto_pasted_token")


async def test_a_bad_pasted_token_goes_back_to_sign_in(api: Api, page: Page) -> None:
    await page.goto(f"{api.base_url}/")
    await page.get_by_label("Access token").fill("not.a.token")
    await page.get_by_role("button", name="Use this token").click()
    await expect(page.locator("#signin-status")).to_contain_text("Please sign in again.")
    await expect(page.get_by_label("Access token")).to_be_visible()
