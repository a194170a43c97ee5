"""Security headers for the chat page and its assets (pure ASGI: streaming is untouched).

Only page paths get them; the API's responses, and its CORS behaviour (same origin only,
no CORS middleware), stay exactly as they were.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def content_security_policy(identity_provider: str | None = None) -> str:
    """The page's policy; `identity_provider` (Logto's endpoint) may also be fetched from,
    for the token request of the PKCE sign-in."""
    connect = "connect-src 'self'"
    if identity_provider:
        parts = urlsplit(identity_provider)
        connect += f" {parts.scheme}://{parts.netloc}"
    return "; ".join(
        (
            "default-src 'none'",
            "script-src 'self'",  # no inline script, no eval: the model's text can never run
            "style-src 'self'",
            "img-src 'self' data:",
            connect,
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


def page_headers(identity_provider: str | None = None) -> dict[str, str]:
    """Every header a page response carries."""
    return {
        "Content-Security-Policy": content_security_policy(identity_provider),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",
    }


def is_page_path(path: str) -> bool:
    """The page, its config and its static assets."""
    return path in ("/", "/page/config") or path.startswith("/static/")


class PageHeadersMiddleware:
    """Adds `page_headers()` to every response on a page path."""

    def __init__(self, app: ASGIApp, identity_provider: str | None = None) -> None:
        self.app = app
        self.headers = page_headers(identity_provider)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_page_path(scope["path"]):
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)
