"""The verified-token cache: hits skip the signature check, bounds and expiry hold."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from jwt import PyJWK

from my_flow_api.auth.jwks import StaticKeySet, parse_jwks
from my_flow_api.auth.local_keys import load_local_signing_key, local_jwks, mint_local_token
from my_flow_api.auth.token_cache import VerifiedTokenCache
from my_flow_api.auth.verifier import TokenVerifier
from my_flow_api.config import Settings
from my_flow_api.errors import AuthenticationError


class CountingKeys(StaticKeySet):
    """The local key set, counting lookups (each verification looks its key up once)."""

    def __init__(self, data_dir: Path) -> None:
        super().__init__(parse_jwks(local_jwks(load_local_signing_key(data_dir))))
        self.lookups = 0

    async def get_key(self, kid: str) -> PyJWK:
        self.lookups += 1
        return await super().get_key(kid)


def _setup(tmp_path: Path, **cache: float) -> tuple[Settings, CountingKeys, TokenVerifier]:
    settings = Settings(_env_file=None, LOGTO_ENDPOINT=None, LOGTO_RESOURCE=None, DATA_DIR=tmp_path)
    keys = CountingKeys(tmp_path)
    verifier = TokenVerifier(
        keys,
        issuer=settings.LOCAL_ISSUER,
        audience=settings.LOCAL_AUDIENCE,
        leeway=0,
        cache=VerifiedTokenCache(size=int(cache.get("size", 8)), ttl_seconds=cache.get("ttl", 60)),
    )
    return settings, keys, verifier


async def test_a_reused_token_is_verified_once(tmp_path: Path) -> None:
    settings, keys, verifier = _setup(tmp_path)
    token = mint_local_token(settings, "alice")
    first = await verifier.verify(token)
    second = await verifier.verify(token)
    assert second == first
    assert second.user_id == "alice"
    assert keys.lookups == 1


async def test_failures_are_never_cached(tmp_path: Path) -> None:
    settings, keys, verifier = _setup(tmp_path)
    forged = mint_local_token(settings, "alice")[:-4] + "AAAA"
    for _ in range(2):
        with pytest.raises(AuthenticationError):
            await verifier.verify(forged)
    assert keys.lookups == 2
    assert len(verifier.cache) == 0


async def test_a_cached_token_still_expires_at_its_exp(tmp_path: Path) -> None:
    settings, _keys, verifier = _setup(tmp_path)
    token = mint_local_token(settings, "alice", ttl_seconds=1)
    await verifier.verify(token)
    await asyncio.sleep(1.1)
    with pytest.raises(AuthenticationError, match="expired"):
        await verifier.verify(token)


async def test_the_ttl_forces_a_fresh_check(tmp_path: Path) -> None:
    settings, keys, verifier = _setup(tmp_path, ttl=0.05)
    token = mint_local_token(settings, "alice")
    await verifier.verify(token)
    await asyncio.sleep(0.1)
    await verifier.verify(token)
    assert keys.lookups == 2


def test_the_cache_keeps_the_most_recently_used_entries() -> None:
    cache: VerifiedTokenCache[str] = VerifiedTokenCache(size=2)
    later = time.time() + 60
    cache.put("a", "A", later)
    cache.put("b", "B", later)
    assert cache.get("a") == "A"  # `a` is now the most recent
    cache.put("c", "C", later)
    assert len(cache) == 2
    assert cache.get("b") is None
    assert cache.get("a") == "A"
    assert cache.get("c") == "C"


def test_already_expired_and_disabled_caches_store_nothing() -> None:
    cache: VerifiedTokenCache[str] = VerifiedTokenCache(size=2)
    cache.put("old", "X", time.time() - 1)
    assert cache.get("old") is None
    off: VerifiedTokenCache[str] = VerifiedTokenCache(size=0)
    off.put("a", "A", time.time() + 60)
    assert off.get("a") is None
