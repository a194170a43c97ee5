"""Authentication end to end: a real JWKS server, real keys, a tiny FastAPI app over ASGI."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

import httpx
import pytest
import structlog
from fastapi import FastAPI

from my_flow_api.auth.jwks import RemoteKeySet
from my_flow_api.auth.verifier import TokenVerifier, build_token_verifier
from my_flow_api.config import Settings
from my_flow_api.dependencies import CurrentUser
from my_flow_api.server.error_handlers import install_error_handlers
from tests.support.jwks_server import (
    RESOURCE,
    JwksServer,
    SigningKey,
    claims_for,
    forge_token,
    hs256_forgery,
    make_signing_key,
    running_jwks_server,
    swap_payload,
    tamper_signature,
)

pytestmark = pytest.mark.integration


class Keys(NamedTuple):
    es384: SigningKey
    es256: SigningKey
    rs256: SigningKey
    ghost: SigningKey  # never published


@pytest.fixture(scope="module")
def keys() -> Keys:
    return Keys(
        es384=make_signing_key("ES384"),
        es256=make_signing_key("ES256", publish_alg=False),
        rs256=make_signing_key("RS256", publish_alg=False),
        ghost=make_signing_key("ES384", kid="ghost"),
    )


@pytest.fixture
def jwks_server(keys: Keys) -> Iterator[JwksServer]:
    with running_jwks_server([keys.es384, keys.es256, keys.rs256]) as server:
        yield server


def logto_settings(server: JwksServer, tmp_path: Path, **extra: Any) -> Settings:
    """Logto-mode settings pointing at the test server (with a trailing slash to strip)."""
    return Settings(
        _env_file=None,
        LOGTO_ENDPOINT=f"{server.endpoint}/",
        LOGTO_RESOURCE=RESOURCE,
        DATA_DIR=tmp_path,
        **extra,
    )


def make_app(verifier: TokenVerifier, settings: Settings) -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)
    app.state.token_verifier = verifier
    app.state.settings = settings

    @app.get("/me")
    async def me(user_id: CurrentUser) -> dict[str, Any]:
        return {"user_id": user_id, "log_context": structlog.contextvars.get_contextvars()}

    return app


@pytest.fixture
async def client(jwks_server: JwksServer, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    settings = logto_settings(jwks_server, tmp_path)
    verifier = build_token_verifier(settings)
    transport = httpx.ASGITransport(make_app(verifier, settings))
    async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as http:
        yield http
    await verifier.aclose()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("alg", ["es384", "es256", "rs256"])
async def test_valid_tokens_pass(
    client: httpx.AsyncClient, jwks_server: JwksServer, keys: Keys, alg: str
) -> None:
    key: SigningKey = getattr(keys, alg)
    response = await client.get("/me", headers=bearer(key.sign(claims_for(jwks_server.issuer))))
    assert response.status_code == 200, response.text
    assert response.json() == {"user_id": "user-1", "log_context": {"user_id": "user-1"}}


async def test_small_clock_skew_is_tolerated(
    client: httpx.AsyncClient, jwks_server: JwksServer, keys: Keys
) -> None:
    now = int(time.time())
    claims = claims_for(jwks_server.issuer, exp=now - 10, iat=now + 10, nbf=now + 10)
    response = await client.get("/me", headers=bearer(keys.es384.sign(claims)))
    assert response.status_code == 200, response.text


Case = Callable[[Keys, str], dict[str, str]]
NOW = int(time.time())
REJECTED: dict[str, Case] = {
    "wrong scheme": lambda k, iss: {"Authorization": "Basic dXNlcjpwYXNz"},
    "empty bearer": lambda k, iss: {"Authorization": "Bearer   "},
    "opaque string": lambda k, iss: bearer("opaque-access-token-0123456789"),
    "oversized token": lambda k, iss: bearer("e" * 20_000),
    "three garbage segments": lambda k, iss: bearer("a.b.c"),
    "alg none": lambda k, iss: bearer(
        forge_token({"alg": "none", "typ": "JWT", "kid": k.es384.kid}, claims_for(iss))
    ),
    "HS256 with the public key": lambda k, iss: bearer(hs256_forgery(k.es384, claims_for(iss))),
    "alg differs from the key's": lambda k, iss: bearer(
        k.es256.sign(claims_for(iss), kid=k.es384.kid)
    ),
    "expired": lambda k, iss: bearer(
        k.es384.sign(claims_for(iss, iat=NOW - 7200, exp=int(time.time()) - 120))
    ),
    "nbf in the future": lambda k, iss: bearer(
        k.es384.sign(claims_for(iss, nbf=int(time.time()) + 600))
    ),
    "iat in the future": lambda k, iss: bearer(
        k.es384.sign(claims_for(iss, iat=int(time.time()) + 600))
    ),
    "wrong issuer": lambda k, iss: bearer(k.es384.sign(claims_for("https://evil.test/oidc"))),
    "issuer prefix": lambda k, iss: bearer(k.es384.sign(claims_for(iss[:-1]))),
    "wrong audience": lambda k, iss: bearer(k.es384.sign(claims_for(iss, "https://other"))),
    "unknown kid": lambda k, iss: bearer(k.ghost.sign(claims_for(iss))),
    "missing kid": lambda k, iss: bearer(k.es384.sign(claims_for(iss), kid=None)),
    "tampered payload": lambda k, iss: bearer(
        swap_payload(k.es384.sign(claims_for(iss)), claims_for(iss, sub="admin"))
    ),
    "tampered signature": lambda k, iss: bearer(tamper_signature(k.es384.sign(claims_for(iss)))),
    "missing sub": lambda k, iss: bearer(k.es384.sign(claims_for(iss, sub=None))),
    "empty sub": lambda k, iss: bearer(k.es384.sign(claims_for(iss, sub=" "))),
    "numeric sub": lambda k, iss: bearer(k.es384.sign(claims_for(iss, sub=42))),
    "missing exp": lambda k, iss: bearer(k.es384.sign(claims_for(iss, exp=None))),
    "missing iat": lambda k, iss: bearer(k.es384.sign(claims_for(iss, iat=None))),
    "missing aud": lambda k, iss: bearer(k.es384.sign(claims_for(iss, aud=None))),
}


@pytest.mark.parametrize("case", list(REJECTED))
async def test_bad_credentials_are_401(
    client: httpx.AsyncClient, jwks_server: JwksServer, keys: Keys, case: str
) -> None:
    headers = REJECTED[case](keys, jwks_server.issuer)
    response = await client.get("/me", headers=headers)
    assert response.status_code == 401, response.text
    assert response.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'
    assert response.json()["code"] == "invalid_token"
    token = headers["Authorization"].partition(" ")[2].strip()
    assert not token or token not in response.text


async def test_missing_header_is_401_without_error_code(client: httpx.AsyncClient) -> None:
    response = await client.get("/me")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert response.json()["code"] == "missing_token"


async def test_garbage_never_reaches_the_jwks(
    client: httpx.AsyncClient, jwks_server: JwksServer, keys: Keys
) -> None:
    for case in ("opaque string", "alg none", "HS256 with the public key", "missing kid"):
        await client.get("/me", headers=REJECTED[case](keys, jwks_server.issuer))
    assert jwks_server.requests == 0


@pytest.mark.parametrize(
    ("scope", "status"),
    [(None, 403), ("openid", 403), ("read:flows", 403), ("openid read:flows write:flows", 200)],
)
async def test_required_scopes(
    jwks_server: JwksServer, keys: Keys, tmp_path: Path, scope: str | None, status: int
) -> None:
    settings = logto_settings(jwks_server, tmp_path, AUTH_REQUIRED_SCOPES="read:flows,write:flows")
    verifier = build_token_verifier(settings)
    transport = httpx.ASGITransport(make_app(verifier, settings))
    async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as http:
        token = keys.es384.sign(claims_for(jwks_server.issuer, scope=scope))
        response = await http.get("/me", headers=bearer(token))
    await verifier.aclose()
    assert response.status_code == status, response.text
    if status == 403:
        assert response.json()["code"] == "insufficient_scope"


async def _app_client(
    server: JwksServer, tmp_path: Path, refetch_interval: float = 30.0
) -> tuple[httpx.AsyncClient, TokenVerifier]:
    settings = logto_settings(server, tmp_path)
    verifier = TokenVerifier(
        RemoteKeySet(server.jwks_url, refetch_interval=refetch_interval),
        issuer=server.issuer,
        audience=RESOURCE,
    )
    transport = httpx.ASGITransport(make_app(verifier, settings))
    return httpx.AsyncClient(transport=transport, base_url="http://api.test"), verifier


async def test_key_rotation_without_restart_is_rate_limited(
    jwks_server: JwksServer, keys: Keys, tmp_path: Path
) -> None:
    http, verifier = await _app_client(jwks_server, tmp_path, refetch_interval=0.3)
    async with http:
        old_token = keys.es384.sign(claims_for(jwks_server.issuer))
        assert (await http.get("/me", headers=bearer(old_token))).status_code == 200
        new_key = make_signing_key("ES384", kid="rotated")
        jwks_server.publish([keys.es384, new_key])
        new_token = new_key.sign(claims_for(jwks_server.issuer))
        for _ in range(3):  # within the interval: no refetch, still unknown
            assert (await http.get("/me", headers=bearer(new_token))).status_code == 401
        assert jwks_server.requests == 1
        await asyncio.sleep(0.35)
        for token in (new_token, new_token, old_token):
            assert (await http.get("/me", headers=bearer(token))).status_code == 200
        assert jwks_server.requests == 2
    await verifier.aclose()


@pytest.mark.parametrize("outage", ["down", "http 500", "not json", "no usable keys"])
async def test_unreachable_jwks_is_503(
    jwks_server: JwksServer, keys: Keys, tmp_path: Path, outage: str
) -> None:
    if outage == "down":
        jwks_server.stop()
    jwks_server.status = 500 if outage == "http 500" else 200
    jwks_server.body = {"not json": b"<html>oops</html>", "no usable keys": b'{"keys": []}'}.get(
        outage
    )
    http, verifier = await _app_client(jwks_server, tmp_path)
    async with http:
        response = await http.get("/me", headers=bearer(keys.es384.sign(claims_for("x"))))
    await verifier.aclose()
    assert response.status_code == 503
    assert response.json()["code"] == "auth_unavailable"
