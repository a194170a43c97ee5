"""The sign-in limiter of the page's local-mode token endpoint, on a controlled clock."""

from __future__ import annotations

from pathlib import Path

import jwt
import pytest

from my_flow_api.auth.local_sessions import TOKEN_TTL_SECONDS, LocalSessions, MintLimiter
from my_flow_api.errors import RateLimitedError
from tests.support.app import make_settings

pytestmark = pytest.mark.unit


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_limit_is_per_address_and_slides() -> None:
    clock = Clock()
    limiter = MintLimiter(limit=2, window=60, clock=clock)
    limiter.check("a")
    clock.now += 10
    limiter.check("a")
    limiter.check("b")  # another address has its own budget
    with pytest.raises(RateLimitedError) as refused:
        limiter.check("a")
    assert refused.value.retry_after == 50
    clock.now += 50  # the first mint leaves the window
    limiter.check("a")
    with pytest.raises(RateLimitedError):
        limiter.check("a")


def test_idle_addresses_are_forgotten_once_many_are_tracked() -> None:
    clock = Clock()
    limiter = MintLimiter(limit=1, window=60, clock=clock, max_clients=3)
    for name in ("a", "b", "c"):
        limiter.check(name)
    clock.now += 61
    limiter.check("d")  # the fourth address triggers the sweep of the idle three
    assert list(limiter._seen) == ["d"]


def test_sign_in_mints_a_short_lived_token_for_the_name(tmp_path: Path) -> None:
    sessions = LocalSessions(make_settings(tmp_path))
    minted = sessions.sign_in("alice", "127.0.0.1")
    claims = jwt.decode(minted.access_token, options={"verify_signature": False})
    assert (claims["sub"], minted.user_id) == ("alice", "alice")
    assert claims["exp"] - claims["iat"] == TOKEN_TTL_SECONDS
