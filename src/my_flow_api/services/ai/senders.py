"""How a provider's request goes out: a POST on one aiohttp session, with one redirect policy.

The session is made on the first request (inside the running event loop) and closed by
`aclose`; a provider holds one, so a process holds one. A streamed answer keeps its
connection until it ends, so the per-host cap is how many answers can be relayed at once;
past it a request waits for a free connection, within the connect time-out.

Redirects: only 307 and 308 are followed (301-303 would turn the POST into a GET), at most
`MAX_REDIRECTS`, and only to the same origin, or from http to https on the same host and
the default port. Every request carries the provider's credentials (aiohttp's own redirect
handling drops `Authorization` across origins but not `x-api-key`), so a redirect to
another host or port, or from https down to http, is not followed: its 3xx answer is
returned, and reported as a configuration error naming the status.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Mapping

import aiohttp
from yarl import URL

from my_flow_api.http_session import env_proxy, new_session, tls_context

MAX_REDIRECTS = 3
FOLLOWED = frozenset({307, 308})
MAX_CONNECTIONS = 1024
MAX_CONNECTIONS_PER_HOST = 512


class ProviderResponse:
    """A response whose head has arrived; read `chunks()` to the end, or `aclose()` it."""

    __slots__ = ("_response",)

    def __init__(self, response: aiohttp.ClientResponse) -> None:
        self._response = response

    @property
    def status(self) -> int:
        return self._response.status

    @property
    def headers(self) -> Mapping[str, str]:
        return self._response.headers

    def chunks(self) -> AsyncIterator[bytes]:
        """The body (decompressed when the server compressed it) as it arrives."""
        return self._response.content.iter_any()

    async def aclose(self) -> None:
        """Give the connection back once the body was read to its end, else drop it."""
        if self._response.content.at_eof():
            self._response.release()
        else:  # abandoned mid-body: the rest of it would spoil the next request
            self._response.close()


class Sender:
    """POSTs a body to `base_url + path` with the headers it was made with."""

    def __init__(self, base_url: str, headers: dict[str, str], timeout: float) -> None:
        self._base = base_url
        self._headers = headers
        self._timeout = aiohttp.ClientTimeout(total=None, connect=timeout, sock_read=timeout)
        self._tls = tls_context()
        self._session: aiohttp.ClientSession | None = None
        self._proxy: URL | None = None

    async def open(self, path: str, body: bytes, accept: str) -> ProviderResponse:
        """Send, following the redirects the policy allows; raises aiohttp's errors."""
        session = self._session or self._start()
        headers = {**self._headers, "Accept": accept}
        try:
            url = URL(self._base + path)
        except ValueError as exc:  # e.g. a port that is not a number
            raise aiohttp.InvalidURL(self._base) from exc
        for _ in range(MAX_REDIRECTS + 1):
            response = await session.request(
                "POST",
                url,
                data=body,
                headers=headers,
                allow_redirects=False,
                proxy=self._proxy,
            )
            target = redirect_target(url, response.status, response.headers.get("Location"))
            if target is None:
                return ProviderResponse(response)
            response.release()
            url = target
        raise aiohttp.TooManyRedirects(response.request_info, (response,))

    async def aclose(self) -> None:
        """Close the session and its connections."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _start(self) -> aiohttp.ClientSession:
        # Redirects stay on the base URL's origin, so one proxy look-up serves them all.
        with contextlib.suppress(ValueError):  # a malformed base URL fails in `open`
            self._proxy = env_proxy(URL(self._base))
        self._session = new_session(
            self._tls,
            timeout=self._timeout,
            limit=MAX_CONNECTIONS,
            limit_per_host=MAX_CONNECTIONS_PER_HOST,
        )
        return self._session


def redirect_target(here: URL, status: int, location: str | None) -> URL | None:
    """Where a redirect that the policy follows points; None when it is not followed."""
    if status not in FOLLOWED or not location:
        return None
    try:
        there = here.join(URL(location))
    except ValueError:
        return None
    if there.host != here.host:
        return None
    same = there.scheme == here.scheme and there.port == here.port
    upgrade = here.scheme == "http" and there.scheme == "https" and there.port == 443
    return there if same or upgrade else None
