"""A bounded cache of verified access tokens.

Clients reuse one access token for many requests; checking its ES384 signature again
each time costs more CPU than the rest of authentication together. A token that passed
verification is remembered (keyed by a digest, never the token itself) until the earliest
of its `exp` and a short time-to-live, so that a key removed from the JWKS stops being
honoured soon. Failures are never cached.
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from typing import Generic, TypeVar

T = TypeVar("T")

DEFAULT_SIZE = 4096
DEFAULT_TTL_SECONDS = 60.0


class VerifiedTokenCache(Generic[T]):
    """LRU of `digest(token) -> (value, valid_until)` with at most `size` entries."""

    def __init__(self, size: int = DEFAULT_SIZE, ttl_seconds: float = DEFAULT_TTL_SECONDS):
        self._size = size
        self._ttl = ttl_seconds
        self._entries: OrderedDict[bytes, tuple[T, float]] = OrderedDict()

    def get(self, token: str) -> T | None:
        """The cached value of a still valid token, else None."""
        key = _digest(token)
        entry = self._entries.get(key)
        if entry is None:
            return None
        value, valid_until = entry
        if time.time() >= valid_until:
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return value

    def put(self, token: str, value: T, expires_at: float) -> None:
        """Remember a verified token until `expires_at` (epoch seconds) or the TTL."""
        valid_until = min(expires_at, time.time() + self._ttl)
        if self._size <= 0 or valid_until <= time.time():
            return
        key = _digest(token)
        self._entries[key] = (value, valid_until)
        self._entries.move_to_end(key)
        while len(self._entries) > self._size:
            self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)


def _digest(token: str) -> bytes:
    return hashlib.blake2b(token.encode(), digest_size=16).digest()
