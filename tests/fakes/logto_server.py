"""A fake Logto (OIDC) for the page's authorization code + PKCE sign-in, on 127.0.0.1.

`/oidc/auth` approves at once: it checks the request, remembers the code challenge and
redirects back with a one-time code. `/oidc/token` exchanges that code only for the
verifier whose SHA-256 is the challenge, and answers with an access token for the resource
signed by `key`, which `/oidc/jwks` publishes, so the API verifies it as it would Logto's.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from tests.fakes.http_base import Exchange, FakeHTTPServer, RecordedRequest
from tests.support.jwks_server import SigningKey, claims_for


@dataclass(frozen=True)
class Grant:
    challenge: str
    redirect_uri: str
    client_id: str
    resource: str


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class FakeLogto(FakeHTTPServer):
    """Logto's three OIDC endpoints the page and the API use; `user` is who signs in."""

    def __init__(self, key: SigningKey, client_id: str, user: str = "pkce-user") -> None:
        super().__init__()
        self.key = key
        self.client_id = client_id
        self.user = user
        self.grants: dict[str, Grant] = {}
        self.authorize_params: list[dict[str, str]] = []

    @property
    def endpoint(self) -> str:
        """What `LOGTO_ENDPOINT` is set to."""
        return self.base_url

    async def handle(self, request: RecordedRequest, exchange: Exchange) -> None:
        path, _, query = request.path.partition("?")
        if path == "/oidc/jwks":
            await exchange.send_json(200, {"keys": [self.key.public_jwk]})
        elif path == "/oidc/auth" and request.method == "GET":
            await self._authorize(dict(parse_qsl(query)), exchange)
        elif path == "/oidc/token" and request.method == "POST":
            await self._token(dict(parse_qsl(request.body.decode())), request, exchange)
        else:
            await exchange.send_json(404, {"error": "not_found"})

    async def _authorize(self, params: dict[str, str], exchange: Exchange) -> None:
        self.authorize_params.append(params)
        wanted = ("client_id", "redirect_uri", "code_challenge", "state", "resource")
        if (
            any(not params.get(name) for name in wanted)
            or params.get("response_type") != "code"
            or params.get("code_challenge_method") != "S256"
            or params["client_id"] != self.client_id
        ):
            await exchange.send_json(400, {"error": "invalid_request"})
            return
        code = secrets.token_urlsafe(16)
        self.grants[code] = Grant(
            params["code_challenge"],
            params["redirect_uri"],
            params["client_id"],
            params["resource"],
        )
        back = urlsplit(params["redirect_uri"])._replace(
            query=urlencode({"code": code, "state": params["state"]})
        )
        await exchange.send_json(302, {}, {"location": back.geturl()})

    async def _token(
        self, form: dict[str, str], request: RecordedRequest, exchange: Exchange
    ) -> None:
        cors = {"access-control-allow-origin": request.headers.get("origin", "*")}
        grant = self.grants.pop(form.get("code", ""), None)
        if (
            grant is None
            or form.get("grant_type") != "authorization_code"
            or s256(form.get("code_verifier", "")) != grant.challenge
            or form.get("redirect_uri") != grant.redirect_uri
            or form.get("client_id") != grant.client_id
        ):
            await exchange.send_json(400, {"error": "invalid_grant"}, cors)
            return
        claims: dict[str, Any] = claims_for(
            f"{self.endpoint}/oidc", audience=grant.resource, sub=self.user
        )
        token = self.key.sign(claims)
        body = {"access_token": token, "token_type": "Bearer", "expires_in": 3600}
        await exchange.send_json(200, body, cors)
