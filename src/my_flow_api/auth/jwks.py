"""Key sets that verify JWT signatures: a static one (local mode) and a remote JWKS (Logto).

Every key carries exactly one algorithm, derived from its JWK; tokens signed with any other
algorithm are refused. Symmetric (`oct`) keys are never accepted.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Mapping
from typing import Any, Protocol

import aiohttp
import structlog
from jwt import PyJWK
from jwt.exceptions import PyJWTError
from yarl import URL

from my_flow_api.errors import AuthenticationError, AuthUnavailableError
from my_flow_api.http_client import env_proxy, new_session, tls_context

log = structlog.get_logger(__name__)

ALLOWED_ALGORITHMS = frozenset(
    {"ES256", "ES384", "ES512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512"}
)
_EC_CURVES = {"P-256": "ES256", "P-384": "ES384", "P-521": "ES512"}
MAX_JWKS_BYTES = 256 * 1024
MAX_CONNECTIONS = 4


class KeySetError(ValueError):
    """A key set document that cannot be used (not JSON, no usable keys, …)."""


class KeySet(Protocol):
    """Where verification keys come from."""

    async def get_key(self, kid: str) -> PyJWK:
        """The key with this id; AuthenticationError if unknown, AuthUnavailableError if
        the keys cannot be obtained at all."""
        ...

    async def aclose(self) -> None:
        """Release any resources (HTTP connections)."""
        ...


def key_algorithm(jwk: Mapping[str, Any]) -> str:
    """The one algorithm a JWK may verify: its `alg`, else derived from `kty`/`crv`.

    An `alg` that does not fit the key type or curve, and any symmetric key, is refused.
    """
    kty, alg = jwk.get("kty"), jwk.get("alg")
    if kty == "EC":
        derived = _EC_CURVES.get(str(jwk.get("crv")))
        if alg not in (None, derived):
            derived = None
    elif kty == "RSA":
        derived = "RS256" if alg is None else alg
        if not str(derived).startswith(("RS", "PS")):
            derived = None
    else:
        derived = None
    if derived not in ALLOWED_ALGORITHMS:
        raise KeySetError(f"unsupported key (kty {kty!r}, alg {alg!r})")
    return str(derived)


def parse_jwks(document: object) -> dict[str, PyJWK]:
    """Usable signing keys of a JWKS document by `kid`; KeySetError if there are none."""
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise KeySetError("not a JWKS document")
    keys: dict[str, PyJWK] = {}
    for entry in document["keys"]:
        if not isinstance(entry, dict) or entry.get("use", "sig") != "sig":
            continue
        kid = entry.get("kid")
        if not isinstance(kid, str) or not kid:
            continue
        try:
            keys[kid] = PyJWK(entry, algorithm=key_algorithm(entry))
        except (KeySetError, PyJWTError, ValueError, TypeError):
            log.warning("skipping unusable JWKS key", kid=kid, kty=entry.get("kty"))
    if not keys:
        raise KeySetError("no usable signing keys")
    return keys


def _unknown_key() -> AuthenticationError:
    return AuthenticationError("Token signed with an unknown key", code="invalid_token")


class StaticKeySet:
    """A fixed set of keys (local mode)."""

    def __init__(self, keys: Mapping[str, PyJWK]) -> None:
        self._keys = dict(keys)

    async def get_key(self, kid: str) -> PyJWK:
        """The key with this id, or a 401 error."""
        try:
            return self._keys[kid]
        except KeyError:
            raise _unknown_key() from None

    async def aclose(self) -> None:
        """Nothing to release."""


class RemoteKeySet:
    """A JWKS fetched over HTTP, cached, refreshed after `max_age` seconds and refetched on
    an unknown `kid` at most every `refetch_interval` seconds. One fetch at a time.

    While no key set has ever been fetched, a failed fetch is retried after
    `failure_backoff` seconds; once one is cached it stays in use when refreshing fails.
    Redirects are not followed: the issuer's key set lives at its own address.
    """

    def __init__(
        self,
        url: str,
        *,
        refetch_interval: float = 30.0,
        max_age: float = 3600.0,
        failure_backoff: float = 2.0,
        timeout: float = 5.0,
    ) -> None:
        self.url = url
        self.refetch_interval = refetch_interval
        self.max_age = max_age
        self.failure_backoff = failure_backoff
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._tls = tls_context()
        self._session: aiohttp.ClientSession | None = None
        self._proxy: URL | None = None
        self._keys: dict[str, PyJWK] | None = None
        self._fetched_at = 0.0
        self._attempted_at: float | None = None
        self._attempts = 0
        self._lock = asyncio.Lock()

    async def get_key(self, kid: str) -> PyJWK:
        """The key with this id, fetching the key set when needed."""
        keys = self._keys
        if keys is None or kid not in keys or self._is_stale():
            attempts_seen = self._attempts
            async with self._lock:
                keys = await self._refresh_if_needed(kid, attempts_seen)
        try:
            return keys[kid]
        except KeyError:
            raise _unknown_key() from None

    async def aclose(self) -> None:
        """Close the HTTP session, if one was opened."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _is_stale(self) -> bool:
        return time.monotonic() - self._fetched_at >= self.max_age

    def _may_attempt(self) -> bool:
        if self._attempted_at is None:
            return True
        wait = self.refetch_interval if self._keys is not None else self.failure_backoff
        return time.monotonic() - self._attempted_at >= wait

    async def _refresh_if_needed(self, kid: str, attempts_seen: int) -> dict[str, PyJWK]:
        keys = self._keys
        if keys is not None and kid in keys and not self._is_stale():
            return keys
        # A fetch that ran while this request waited for the lock counts as its own.
        if self._attempts == attempts_seen and self._may_attempt():
            await self._fetch()
        if self._keys is None:
            raise AuthUnavailableError("The identity provider's signing keys are unavailable")
        return self._keys

    async def _fetch(self) -> None:
        started = time.monotonic()
        try:
            keys = parse_jwks(json.loads(await self._download()))
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            log.warning("JWKS fetch failed", url=self.url, error=type(exc).__name__)
            return
        finally:
            # The back-off runs from the end of an attempt, so a slow one still earns it.
            self._attempted_at = time.monotonic()
            self._attempts += 1  # counted once finished: waiters then know it happened
        self._keys = keys
        self._fetched_at = started
        log.info("JWKS fetched", url=self.url, kids=sorted(keys))

    async def _download(self) -> bytes:
        """The key set document's bytes; KeySetError for a non-200 answer or one too large."""
        if self._session is None:
            self._session = new_session(
                self._tls,
                timeout=self._timeout,
                limit=MAX_CONNECTIONS,
                limit_per_host=MAX_CONNECTIONS,
            )
            self._proxy = env_proxy(URL(self.url))
        headers = {"Accept": "application/json"}
        request = self._session.get(
            self.url,
            headers=headers,
            allow_redirects=False,
            proxy=self._proxy,
        )
        async with request as response:
            if response.status != 200:
                raise KeySetError(f"HTTP {response.status}")
            document = b""
            async for chunk in response.content.iter_any():
                document += chunk
                if len(document) > MAX_JWKS_BYTES:
                    raise KeySetError("JWKS document too large")
        return document
