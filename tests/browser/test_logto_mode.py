"""The page under Logto: authorization code + PKCE against a fake Logto on 127.0.0.1, or a
pasted access token; either way the API verifies the token against Logto's JWKS."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from my_flow_api.config import Settings
from tests.browser.conftest import browser_settings, screenshot
from tests.browser.journeys import create_context
from tests.fakes.logto_server import FakeLogto
from tests.fakes.openai_server import FakeOpenAI
from tests.support.app import Api
from tests.support.jwks_server import RESOURCE, SigningKey, claims_for, make_signing_key

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def key() -> SigningKey:
    return make_signing_key("ES384")


APP_ID = "page-spa"


@pytest.fixture
def logto(key: SigningKey) -> Iterator[FakeLogto]:
    with FakeLogto(key, client_id=APP_ID) as server:
        yield server


@pytest.fixture
def api_settings(tmp_path: Path, fake: FakeOpenAI, logto: FakeLogto) -> Settings:
    return browser_settings(
        tmp_path,
        fake,
        LOGTO_ENDPOINT=logto.endpoint,
        LOGTO_RESOURCE=RESOURCE,
        LOGTO_APP_ID=APP_ID,
    )


async def test_sign_in_with_logto_by_authorization_code_and_pkce(
    api: Api, page: Page, logto: FakeLogto
) -> None:
    await page.goto(f"{api.base_url}/")
    await expect(page.get_by_label("Your name")).to_be_hidden()
    await page.get_by_role("button", name="Sign in with Logto").click()
    await expect(page.locator("#who")).to_have_text("Signed in as pkce-user")

    asked = logto.authorize_params[-1]
    assert asked["code_challenge_method"] == "S256"
    assert asked["redirect_uri"] == f"{api.base_url}/"
    assert asked["resource"] == RESOURCE
    assert "code_verifier" not in asked
    assert logto.grants == {}  # the code was exchanged, once
    assert page.url == f"{api.base_url}/"  # the one-time code is off the address bar
    assert await page.evaluate("sessionStorage.getItem('myflow.pkce')") is None
    token = await page.evaluate("sessionStorage.getItem('myflow.token')")
    context_id = await create_context(page, "Signed in with Logto")
    headers = {"Authorization": f"Bearer {token}"}
    listed = (await api.client().get("/api/v1/contexts", headers=headers)).json()
    assert [c["id"] for c in listed["items"]] == [context_id]
    await screenshot(page, "logto_pkce")


async def test_a_callback_this_tab_did_not_start_is_refused(
    api: Api, page: Page, logto: FakeLogto
) -> None:
    await page.goto(f"{api.base_url}/?code=stolen&state=forged")
    await expect(page.locator("#signin-status")).to_contain_text("state does not match")
    assert page.url == f"{api.base_url}/"
    assert not [r for r in logto.requests if r.path.startswith("/oidc/token")]


async def test_a_pasted_logto_token_signs_in(
    api: Api, page: Page, logto: FakeLogto, key: SigningKey
) -> None:
    await page.goto(f"{api.base_url}/")
    token = key.sign(claims_for(f"{logto.endpoint}/oidc", sub="logto-user-7"))
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
