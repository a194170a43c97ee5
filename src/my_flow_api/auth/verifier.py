"""Authentication: bearer JWTs verified against Logto's JWKS or the local signing key.

Both modes share one code path (`TokenVerifier`); only the key set, issuer and audience
differ. Error messages and logs never contain the token or any key.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import jwt
import structlog
from jwt import PyJWK

from my_flow_api.auth.jwks import (
    ALLOWED_ALGORITHMS,
    KeySet,
    RemoteKeySet,
    StaticKeySet,
    parse_jwks,
)
from my_flow_api.auth.local_keys import load_local_signing_key, local_jwks
from my_flow_api.auth.token_cache import VerifiedTokenCache
from my_flow_api.config import Settings
from my_flow_api.errors import AuthenticationError, PermissionDeniedError

log = structlog.get_logger(__name__)

REQUIRED_CLAIMS = ("exp", "iat", "iss", "aud", "sub")
MAX_TOKEN_CHARS = 16_384
_FAILURES: tuple[tuple[type[jwt.PyJWTError], str], ...] = (
    (jwt.ExpiredSignatureError, "Token has expired"),
    (jwt.ImmatureSignatureError, "Token is not yet valid"),
    (jwt.InvalidIssuerError, "Token issuer is not accepted"),
    (jwt.InvalidAudienceError, "Token audience is not accepted"),
    (jwt.MissingRequiredClaimError, "Token lacks a required claim"),
    (jwt.InvalidSignatureError, "Token signature is invalid"),
)


@dataclass(frozen=True)
class Principal:
    """The authenticated caller: the token's `sub`, its scopes and all its claims."""

    user_id: str
    scopes: frozenset[str]
    claims: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)


def _invalid(message: str) -> AuthenticationError:
    return AuthenticationError(message, code="invalid_token")


def parse_scopes(value: object) -> frozenset[str]:
    """Scopes of a `scope` claim: a space-separated string (Logto) or a list of strings."""
    if isinstance(value, str):
        return frozenset(value.split())
    if isinstance(value, list):
        return frozenset(s for s in value if isinstance(s, str) and s)
    return frozenset()


class TokenVerifier:
    """Verifies access tokens: signature by the key's own algorithm, then the claims."""

    def __init__(
        self,
        keys: KeySet,
        *,
        issuer: str,
        audience: str,
        leeway: float = 30,
        cache: VerifiedTokenCache[Principal] | None = None,
    ) -> None:
        self.keys = keys
        self.issuer = issuer
        self.audience = audience
        self.leeway = leeway
        self.cache: VerifiedTokenCache[Principal] = (
            cache if cache is not None else VerifiedTokenCache()
        )

    async def verify(self, token: str) -> Principal:
        """The principal of a valid token; AuthenticationError (401) otherwise.

        A token verified before is answered from the cache until its `exp` (at most a
        minute), without checking its signature again.
        """
        cached = self.cache.get(token)
        if cached is not None:
            return cached
        principal = await self._verify(token)
        self.cache.put(token, principal, float(principal.claims["exp"]))
        return principal

    async def _verify(self, token: str) -> Principal:
        kid, alg = _header(token)
        key = await self.keys.get_key(kid)
        if alg != key.algorithm_name:
            raise _invalid("Token algorithm does not match its signing key")
        claims = self._decode(token, key)
        subject = claims.get("sub")
        if not isinstance(subject, str) or not subject.strip():
            raise _invalid("Token subject is empty")
        return Principal(subject, parse_scopes(claims.get("scope")), claims)

    async def aclose(self) -> None:
        """Release the key set's HTTP client."""
        await self.keys.aclose()

    def _decode(self, token: str, key: PyJWK) -> dict[str, Any]:
        try:
            return jwt.decode(
                token,
                key.key,
                algorithms=[key.algorithm_name],
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": list(REQUIRED_CLAIMS), "enforce_minimum_key_length": True},
            )
        except jwt.PyJWTError as exc:
            message = next((m for t, m in _FAILURES if isinstance(exc, t)), "Token is invalid")
            log.info("token rejected", reason=type(exc).__name__)
            raise _invalid(message) from None


def _header(token: str) -> tuple[str, str]:
    """The `kid` and `alg` of a token's header, refusing anything unusable before any
    key lookup (so garbage never triggers a JWKS fetch)."""
    if len(token) > MAX_TOKEN_CHARS:
        raise _invalid("Token is too large")
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise _invalid("Token is not a well-formed JWT") from None
    alg, kid = header.get("alg"), header.get("kid")
    if alg not in ALLOWED_ALGORITHMS:
        raise _invalid("Token algorithm is not accepted")
    if not isinstance(kid, str) or not kid:
        raise _invalid("Token has no key id")
    return kid, str(alg)


def build_token_verifier(settings: Settings) -> TokenVerifier:
    """The verifier for the configured mode: Logto's JWKS, or the local signing key."""
    leeway = settings.AUTH_LEEWAY_SECONDS
    if settings.local_auth:
        keys = StaticKeySet(parse_jwks(local_jwks(load_local_signing_key(settings.DATA_DIR))))
        return TokenVerifier(
            keys, issuer=settings.LOCAL_ISSUER, audience=settings.LOCAL_AUDIENCE, leeway=leeway
        )
    endpoint = str(settings.LOGTO_ENDPOINT).rstrip("/")
    return TokenVerifier(
        RemoteKeySet(f"{endpoint}/oidc/jwks"),
        issuer=f"{endpoint}/oidc",
        audience=str(settings.LOGTO_RESOURCE),
        leeway=leeway,
    )


def bearer_token(authorization: str | None) -> str:
    """The token of an `Authorization: Bearer <token>` header value."""
    if authorization is None or not authorization.strip():
        raise AuthenticationError("Missing bearer token", code="missing_token")
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer":
        raise _invalid("Authorization scheme must be Bearer")
    if not token.strip():
        raise _invalid("Bearer token is empty")
    return token.strip()


def require_scopes(principal: Principal, required: Iterable[str]) -> None:
    """PermissionDeniedError (403) unless the principal holds every required scope."""
    missing = [scope for scope in required if scope not in principal.scopes]
    if missing:
        raise PermissionDeniedError(
            f"Token lacks required scope: {' '.join(missing)}", code="insufficient_scope"
        )
