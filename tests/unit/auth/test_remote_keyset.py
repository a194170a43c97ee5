"""The remote JWKS: one fetch at a time, rate-limited refetches, outages, stale caches."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import pytest

from my_flow_api.auth.jwks import MAX_JWKS_BYTES, RemoteKeySet
from my_flow_api.errors import AuthenticationError, AuthUnavailableError
from tests.support.jwks_server import JwksServer, SigningKey, make_signing_key, running_jwks_server


@pytest.fixture(scope="module")
def key() -> SigningKey:
    return make_signing_key("ES384")


@pytest.fixture
def server(key: SigningKey) -> Iterator[JwksServer]:
    with running_jwks_server([key]) as running:
        yield running


@pytest.fixture
async def keyset(server: JwksServer) -> AsyncIterator[RemoteKeySet]:
    keys = RemoteKeySet(server.jwks_url, refetch_interval=0.0, failure_backoff=0.1)
    yield keys
    await keys.aclose()


async def _outcomes(keyset: RemoteKeySet, kid: str, n: int = 20) -> set[str]:
    results = await asyncio.gather(*(keyset.get_key(kid) for _ in range(n)), return_exceptions=True)
    return {type(r).__name__ for r in results}


async def test_concurrent_first_use_fetches_once(
    keyset: RemoteKeySet, server: JwksServer, key: SigningKey
) -> None:
    server.delay = 0.2
    assert await _outcomes(keyset, key.kid) == {"PyJWK"}
    assert server.requests == 1


async def test_concurrent_unknown_kid_fetches_once(
    keyset: RemoteKeySet, server: JwksServer, key: SigningKey
) -> None:
    await keyset.get_key(key.kid)
    server.delay = 0.2
    assert await _outcomes(keyset, "ghost") == {"AuthenticationError"}
    assert server.requests == 2


async def test_unknown_kid_refetch_waits_for_the_interval(
    server: JwksServer, key: SigningKey
) -> None:
    keyset = RemoteKeySet(server.jwks_url, refetch_interval=30.0)
    await keyset.get_key(key.kid)
    for _ in range(5):
        with pytest.raises(AuthenticationError):
            await keyset.get_key("ghost")
    assert server.requests == 1
    await keyset.aclose()


@pytest.mark.parametrize(
    ("status", "body"),
    [(503, None), (200, b"not json"), (200, b"[]"), (200, b'{"keys": [{"kty": "oct"}]}')],
)
async def test_first_fetch_failure_is_503_then_recovers(
    keyset: RemoteKeySet, server: JwksServer, key: SigningKey, status: int, body: bytes | None
) -> None:
    server.status, server.body = status, body
    for _ in range(3):  # within the back-off: refused without another fetch
        with pytest.raises(AuthUnavailableError):
            await keyset.get_key(key.kid)
    assert server.requests == 1
    server.status, server.body = 200, None
    await asyncio.sleep(0.15)
    assert (await keyset.get_key(key.kid)).algorithm_name == "ES384"


async def test_the_back_off_runs_from_the_end_of_a_slow_failed_fetch(
    keyset: RemoteKeySet, server: JwksServer, key: SigningKey
) -> None:
    server.body, server.delay = b"not json", 0.15  # slower than the back-off
    for _ in range(3):
        with pytest.raises(AuthUnavailableError):
            await keyset.get_key(key.kid)
    assert server.requests == 1


async def test_oversized_document_is_refused(keyset: RemoteKeySet, server: JwksServer) -> None:
    server.body = b'{"keys": [], "pad": "' + b"x" * MAX_JWKS_BYTES + b'"}'
    with pytest.raises(AuthUnavailableError):
        await keyset.get_key("any")


async def test_stale_set_is_refreshed_and_kept_through_an_outage(
    server: JwksServer, key: SigningKey
) -> None:
    keyset = RemoteKeySet(server.jwks_url, max_age=0.1, refetch_interval=0.0)
    await keyset.get_key(key.kid)
    await asyncio.sleep(0.15)
    await keyset.get_key(key.kid)
    assert server.requests == 2  # refreshed after max age, known kid or not
    server.stop()
    await asyncio.sleep(0.15)
    assert (await keyset.get_key(key.kid)).key_id == key.kid  # cached set still used
    with pytest.raises(AuthenticationError):
        await keyset.get_key("ghost")
    await keyset.aclose()


async def test_rotation_replaces_removed_keys(keyset: RemoteKeySet, server: JwksServer) -> None:
    old, new = make_signing_key("ES256"), make_signing_key("RS256")
    server.publish([old])
    await keyset.get_key(old.kid)
    server.publish([new])
    assert (await keyset.get_key(new.kid)).algorithm_name == "RS256"
    with pytest.raises(AuthenticationError):
        await keyset.get_key(old.kid)
