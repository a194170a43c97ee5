"""The chat page's server side over a real socket: the page and its assets, their security
headers, the API's CORS left as it was, and the local-mode token endpoint."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import jwt
import pytest

from my_flow_api.auth.local_sessions import MINTS_PER_WINDOW, TOKEN_TTL_SECONDS
from tests.support.app import Api, make_settings, start_api

TOKEN_URL = "/api/v1/auth/local-token"
STATIC = Path(__file__).resolve().parents[2] / "src" / "my_flow_api" / "web" / "static"


class _Scripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[dict[str, str | None]] = []
        self.inline_handlers: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self.scripts.append(dict(attrs))
        self.inline_handlers += [name for name, _ in attrs if name.startswith("on")]


async def test_the_page_is_served_with_its_security_headers(api: Api) -> None:
    client = api.client()
    page = await client.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp
    assert "'unsafe-inline'" not in csp
    assert "'unsafe-eval'" not in csp
    assert "default-src 'none'" in csp
    assert "frame-ancestors 'none'" in csp
    assert page.headers["x-content-type-options"] == "nosniff"
    parsed = _Scripts()
    parsed.feed(page.text)
    assert parsed.scripts == [{"type": "module", "src": "/static/app.js"}]
    assert parsed.inline_handlers == []


@pytest.mark.parametrize("name", sorted(p.name for p in STATIC.glob("*.js")))
async def test_every_script_is_served_as_javascript_with_nosniff(api: Api, name: str) -> None:
    response = await api.client().get(f"/static/{name}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "content-security-policy" in response.headers


async def test_no_script_builds_html_from_strings() -> None:
    """The page never hands text to the HTML parser: the model's output stays text."""
    sinks = re.compile(
        r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function"
    )
    for script in STATIC.glob("*.js"):
        assert not sinks.search(script.read_text(encoding="utf-8")), script.name


async def test_page_config_names_the_sign_in_mode(api: Api) -> None:
    response = await api.client().get("/page/config")
    assert response.json() == {"auth": "local"}


async def test_a_missing_asset_is_a_404_in_the_error_shape(api: Api) -> None:
    response = await api.client().get("/static/nope.js")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


async def test_the_api_keeps_no_cors_and_no_page_headers(api: Api) -> None:
    client = api.client()
    preflight = await client.options(
        "/api/v1/contexts",
        headers={"Origin": "https://elsewhere.example", "Access-Control-Request-Method": "GET"},
    )
    assert "access-control-allow-origin" not in preflight.headers
    listed = await client.get("/api/v1/contexts", headers={"Origin": "https://elsewhere.example"})
    assert "access-control-allow-origin" not in listed.headers
    assert "content-security-policy" not in listed.headers


async def test_a_local_token_is_short_lived_and_works(api: Api) -> None:
    client = api.client()
    minted = await client.post(TOKEN_URL, json={"name": "  Zoë Smith  "})
    assert minted.status_code == 200
    body = minted.json()
    assert body["user_id"] == "Zoë Smith"
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == TOKEN_TTL_SECONDS
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["sub"] == "Zoë Smith"
    assert claims["exp"] - claims["iat"] == TOKEN_TTL_SECONDS
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    created = await client.post("/api/v1/contexts", json={"name": "Mine"}, headers=headers)
    assert created.status_code == 201
    assert created.json()["user_id"] == "Zoë Smith"


@pytest.mark.parametrize(
    "name", ["", "   ", "x" * 65, "-leading-dash", "a\nb", "<script>", "a/b", None, 42]
)
async def test_a_bad_name_is_a_422(api: Api, name: object) -> None:
    response = await api.client().post(TOKEN_URL, json={"name": name})
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


async def test_too_many_sign_ins_from_one_address_are_a_429(api: Api) -> None:
    client = api.client()
    for n in range(MINTS_PER_WINDOW):
        assert (await client.post(TOKEN_URL, json={"name": f"u{n}"})).status_code == 200
    refused = await client.post(TOKEN_URL, json={"name": "one-more"})
    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limited"
    assert 1 <= int(refused.headers["retry-after"]) <= 60


async def test_under_logto_the_token_endpoint_does_not_exist(tmp_path: Path) -> None:
    settings = make_settings(
        tmp_path,
        LOGTO_ENDPOINT="http://127.0.0.1:9/",
        LOGTO_RESOURCE="https://api.example",
        LOGTO_APP_ID="spa-app",
        AUTH_REQUIRED_SCOPES="read:flows write:flows",
    )
    async for api in start_api(settings):
        client = api.client()
        refused = await client.post(TOKEN_URL, json={"name": "alice"})
        assert refused.status_code == 404
        assert refused.json()["code"] == "not_found"
        assert (await client.get("/page/config")).json() == {
            "auth": "logto",
            "logto_endpoint": "http://127.0.0.1:9",
            "logto_app_id": "spa-app",
            "logto_resource": "https://api.example",
            "scopes": ["read:flows", "write:flows"],
        }
        page = await client.get("/")
        assert page.status_code == 200
        # The PKCE sign-in's token request goes to Logto: its origin, and only it, is added.
        assert "connect-src 'self' http://127.0.0.1:9;" in page.headers["content-security-policy"]
        assert TOKEN_URL not in (await client.get("/openapi.json")).json()["paths"]
