"""The outbound HTTP client: one aiohttp set-up for the AI providers and the JWKS fetch.

Proxies come from `HTTP_PROXY` / `HTTPS_PROXY` / `NO_PROXY`, read once per target when
its session starts (`env_proxy`): aiohttp's `trust_env` would read the environment and
`~/.netrc` again, in a thread, for every request.
Certificates are checked against the system's trusted CAs, or the bundle that
`SSL_CERT_FILE` / `SSL_CERT_DIR` name: OpenSSL reads those variables itself when a
default context is made. Cookies are never kept: these are API calls, not a browser.
"""

from __future__ import annotations

import os
import ssl
import urllib.request
from functools import lru_cache

import aiohttp
from yarl import URL

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


def env_proxy(target: URL) -> URL | None:
    """The proxy that the `*_PROXY` variables name for `target`, None when there is none
    or `NO_PROXY` spares its host. Credentials in its URL go to the proxy (aiohttp sends
    them as `Proxy-Authorization`)."""
    if target.host is None or urllib.request.proxy_bypass(target.host):
        return None
    named = urllib.request.getproxies().get(target.scheme)
    return URL(named) if named else None


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
        trust_env=False,  # proxies: `env_proxy`, once per target
        cookie_jar=aiohttp.DummyCookieJar(),
        headers={"User-Agent": USER_AGENT},
    )
