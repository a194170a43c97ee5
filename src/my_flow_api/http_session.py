"""The outbound HTTP client: one aiohttp set-up for the AI providers and the JWKS fetch.

Proxies come from `HTTP_PROXY` / `HTTPS_PROXY` / `NO_PROXY` (aiohttp's `trust_env`).
Certificates are checked against the system's trusted CAs, or the bundle that
`SSL_CERT_FILE` / `SSL_CERT_DIR` name: OpenSSL reads those variables itself when a
default context is made. Cookies are never kept: these are API calls, not a browser.
"""

from __future__ import annotations

import os
import ssl
from functools import lru_cache

import aiohttp

from my_flow_api import __version__

USER_AGENT = f"my-flow-api/{__version__}"


def tls_context() -> ssl.SSLContext:
    """The verifying TLS context for the CA variables as they are now."""
    return _context_for(os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))


@lru_cache(maxsize=4)
def _context_for(cafile: str | None, capath: str | None) -> ssl.SSLContext:
    # Loading a CA bundle takes a noticeable fraction of a second, so each pair of
    # variable values gets one context; the arguments are the cache key, and OpenSSL
    # reads the same variables from the environment.
    return ssl.create_default_context()


def new_session(
    tls: ssl.SSLContext, *, timeout: aiohttp.ClientTimeout, limit: int, limit_per_host: int
) -> aiohttp.ClientSession:
    """A session with a bounded connection pool; call it inside the running event loop.

    `tls` comes from `tls_context()`, taken at start-up: loading the CAs then would
    otherwise stall the event loop on the first request.
    """
    connector = aiohttp.TCPConnector(limit=limit, limit_per_host=limit_per_host, ssl=tls)
    return aiohttp.ClientSession(
        connector=connector,
        timeout=timeout,
        trust_env=True,
        cookie_jar=aiohttp.DummyCookieJar(),
        headers={"User-Agent": USER_AGENT},
    )
