"""Local-mode tokens for the chat page, minted with the same key as `my-flow token`.

Anyone who can reach a local-mode service can be anyone (that is what local mode is: no
identity provider), so the limit here is not a security boundary; it keeps a looping
client from signing thousands of tokens a second and bounds what one address costs.
What keeps it local is the peer check: only loopback clients sign in, unless
`LOCAL_AUTH_ALLOW_REMOTE` says the network is trusted (and `my-flow serve` refuses a
non-loopback `--host` in local mode without it).
"""

from __future__ import annotations

import ipaddress
import math
import time
from collections import deque
from collections.abc import Callable

from my_flow_api.auth.local_keys import mint_local_token
from my_flow_api.config import Settings
from my_flow_api.errors import PermissionDeniedError, RateLimitedError
from my_flow_api.models.session import LocalToken

TOKEN_TTL_SECONDS = 900
"""Short-lived: the page signs in again after a quarter of an hour."""
MINTS_PER_WINDOW = 20
WINDOW_SECONDS = 60.0
MAX_TRACKED_CLIENTS = 10_000


class MintLimiter:
    """At most `limit` mints per client address in any `window` seconds (sliding)."""

    def __init__(
        self,
        limit: int = MINTS_PER_WINDOW,
        window: float = WINDOW_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        max_clients: int = MAX_TRACKED_CLIENTS,
    ) -> None:
        self.limit = limit
        self.window = window
        self.max_clients = max_clients
        self._clock = clock
        self._seen: dict[str, deque[float]] = {}

    def check(self, client: str) -> None:
        """Count one mint for `client`, or raise RateLimitedError with the wait."""
        now = self._clock()
        times = self._seen.setdefault(client, deque())
        while times and now - times[0] >= self.window:
            times.popleft()
        if len(times) >= self.limit:
            wait = math.ceil(self.window - (now - times[0]))
            raise RateLimitedError(
                f"Too many sign-ins from this address; try again in {wait} seconds",
                retry_after=wait,
            )
        times.append(now)
        if len(self._seen) > self.max_clients:
            self._forget_idle(now)

    def _forget_idle(self, now: float) -> None:
        idle = [k for k, t in self._seen.items() if not t or now - t[-1] >= self.window]
        for key in idle:
            del self._seen[key]


REMOTE_REFUSED = (
    "Local sign-in is only for this machine: anyone could sign in as anyone. Use Logto"
    " (LOGTO_ENDPOINT), or set LOCAL_AUTH_ALLOW_REMOTE=true on a trusted network"
)


def is_loopback(host: str) -> bool:
    """True for `localhost` and loopback addresses (127.0.0.0/8, ::1, IPv4-mapped)."""
    if host == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


class LocalSessions:
    """Signs short-lived local tokens for names typed into the page."""

    def __init__(self, settings: Settings, limiter: MintLimiter | None = None) -> None:
        self.settings = settings
        self.limiter = limiter or MintLimiter()

    def sign_in(self, name: str, client: str) -> LocalToken:
        """A token whose `sub` is `name`, valid for `TOKEN_TTL_SECONDS`; only for a
        loopback `client` unless `LOCAL_AUTH_ALLOW_REMOTE` (PermissionDeniedError)."""
        if not self.settings.LOCAL_AUTH_ALLOW_REMOTE and not is_loopback(client):
            raise PermissionDeniedError(REMOTE_REFUSED, code="local_sign_in_remote")
        self.limiter.check(client)
        token = mint_local_token(self.settings, name, ttl_seconds=TOKEN_TTL_SECONDS)
        return LocalToken(access_token=token, expires_in=TOKEN_TTL_SECONDS, user_id=name)
