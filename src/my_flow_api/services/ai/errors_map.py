"""Map provider failures (HTTP statuses, transport errors, unreadable answers) onto the
`AIServiceError` hierarchy.

Messages are fixed, client-safe texts naming the provider and the HTTP status: a provider's
own message can echo parts of the API key or of the request, so it is never passed on.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Mapping
from email.utils import parsedate_to_datetime

import aiohttp
import structlog

from my_flow_api.services.ai.errors import (
    AIBadOutputError,
    AIConfigurationError,
    AIRateLimitedError,
    AIServiceError,
    AITimeoutError,
    AITLSError,
    AIUnavailableError,
)

ExcTypes = tuple[type[BaseException], ...]

UNTRUSTED: ExcTypes = (ssl.SSLCertVerificationError,)
"""A certificate that fails verification (aiohttp's `ClientConnectorCertificateError` is one)."""
TRANSPORT_TIMEOUTS: ExcTypes = (TimeoutError,)
"""aiohttp's connect and read time-outs are `TimeoutError`s too."""
TRANSPORT_ERRORS: ExcTypes = (
    aiohttp.ClientConnectionError,
    aiohttp.ClientPayloadError,
    aiohttp.ClientHttpProxyError,
    ssl.SSLError,
    ConnectionError,
)
"""Refused, reset or dropped connections, a body cut short, a proxy that refused."""
BAD_ADDRESS: ExcTypes = (aiohttp.InvalidURL, aiohttp.NonHttpUrlClientError)
"""A base URL that is not an http(s) URL (checked before `MALFORMED`: `InvalidURL` is a
`ValueError`)."""
MALFORMED: ExcTypes = (ValueError, LookupError, TypeError, AttributeError)
"""What reading an answer of an unexpected shape raises (bad JSON, a missing key)."""
MISDIRECTED: ExcTypes = (aiohttp.TooManyRedirects,)

_RATE_LIMIT_TYPES = frozenset({"rate_limit_error", "rate_limit_exceeded", "insufficient_quota"})
_CONFIG_TYPES = frozenset(
    {
        "authentication_error",
        "permission_error",
        "not_found_error",
        "invalid_request_error",
        "invalid_api_key",
        "model_not_found",
    }
)


class ProviderStatusError(Exception):
    """An HTTP error status from a provider, with its headers and parsed JSON body."""

    def __init__(self, status: int, headers: Mapping[str, str], body: object) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def message(self) -> str:
        """The provider's own error message (`error.message`), or ''; never shown to users."""
        inner = self.body.get("error") if isinstance(self.body, Mapping) else None
        text = inner.get("message") if isinstance(inner, Mapping) else None
        return text if isinstance(text, str) else ""


CAUGHT: ExcTypes = (
    ProviderStatusError,
    *UNTRUSTED,
    *TRANSPORT_TIMEOUTS,
    *TRANSPORT_ERRORS,
    *BAD_ADDRESS,
    *MALFORMED,
    *MISDIRECTED,
)
"""Everything a provider turns into an `AIServiceError` with `map_error`."""


def map_error(exc: BaseException, provider: str, *, produced_text: bool) -> AIServiceError:
    """The `AIServiceError` for a failed request or a stream broken off while read."""
    if isinstance(exc, AIServiceError):
        exc.produced_text = exc.produced_text or produced_text
        return exc
    if isinstance(exc, ProviderStatusError):
        return from_status(
            exc.status, exc.headers, exc.body, provider=provider, produced_text=produced_text
        )
    if isinstance(exc, UNTRUSTED):
        return _untrusted(exc, provider, produced_text=produced_text)
    if isinstance(exc, TRANSPORT_TIMEOUTS):
        return AITimeoutError(
            f"The {provider} provider did not answer in time", produced_text=produced_text
        )
    if isinstance(exc, TRANSPORT_ERRORS):
        return AIUnavailableError(
            f"The {provider} provider could not be reached or dropped the connection",
            produced_text=produced_text,
        )
    if isinstance(exc, BAD_ADDRESS):
        return AIConfigurationError(
            f"The {provider} provider's base URL is not a valid http(s) URL",
            produced_text=produced_text,
        )
    if isinstance(exc, MALFORMED):
        return AIBadOutputError(
            f"The {provider} provider sent an unreadable answer", produced_text=produced_text
        )
    if isinstance(exc, MISDIRECTED):
        return AIConfigurationError(
            f"The {provider} provider redirected the request too many times",
            produced_text=produced_text,
        )
    return AIConfigurationError(
        f"The {provider} client is misconfigured", produced_text=produced_text
    )


def _untrusted(exc: BaseException, provider: str, *, produced_text: bool) -> AITLSError:
    """The error for a certificate that failed verification, logged as what it is."""
    cause = getattr(exc, "certificate_error", exc)
    # A logger looked up per call (this path is rare) follows the logging set-up in force
    # now, where a module-level one keeps the set-up of its first use.
    structlog.get_logger(__name__).error(
        "TLS certificate verification failed: the AI provider's certificate is not trusted"
        " (see SSL_CERT_FILE / SSL_CERT_DIR)",
        provider=provider,
        host=getattr(exc, "host", None),
        reason=getattr(cause, "verify_message", None) or type(cause).__name__,
    )
    return AITLSError(
        f"The {provider} provider's TLS certificate could not be verified",
        produced_text=produced_text,
    )


def from_status(
    status: int,
    headers: Mapping[str, str],
    body: object,
    *,
    provider: str,
    produced_text: bool = False,
) -> AIServiceError:
    """The error for a non-2xx HTTP status (errors inside a stream: `from_error_body`)."""
    where = f"The {provider} provider"
    if status < 400:  # a redirect not followed: off-site, to plain http, or a POST turned GET
        return AIConfigurationError(
            f"{where} redirected the request elsewhere (HTTP {status}); set its base URL to"
            " the final address",
            produced_text=produced_text,
        )
    if status == 429:
        return AIRateLimitedError(
            f"{where} is rate-limiting requests (HTTP 429)",
            produced_text=produced_text,
            retry_after=parse_retry_after(headers),
        )
    if status in (408, 504):
        return AITimeoutError(f"{where} timed out (HTTP {status})", produced_text=produced_text)
    if status >= 500 or status == 409:
        return AIUnavailableError(f"{where} failed (HTTP {status})", produced_text=produced_text)
    if status in (401, 403):
        what = "rejected the credentials"
    elif status == 404:
        what = "does not know the model or endpoint"
    else:
        what = "rejected the request"
    return AIConfigurationError(f"{where} {what} (HTTP {status})", produced_text=produced_text)


def from_error_body(body: object, *, provider: str, produced_text: bool) -> AIServiceError:
    """The error for an error object the provider reported inside a stream."""
    kind = error_type(body)
    where = f"The {provider} provider"
    if kind in _RATE_LIMIT_TYPES:
        return AIRateLimitedError(f"{where} is rate-limiting requests", produced_text=produced_text)
    if kind == "timeout_error":
        return AITimeoutError(f"{where} timed out", produced_text=produced_text)
    if kind in _CONFIG_TYPES:
        return AIConfigurationError(f"{where} rejected the request", produced_text=produced_text)
    return AIUnavailableError(f"{where} reported an error", produced_text=produced_text)


def error_type(body: object) -> str | None:
    """`error.type` (or `code`) of a provider error body, in either provider's layout."""
    if isinstance(body, Mapping):
        inner = body.get("error")
        if isinstance(inner, Mapping):
            body = inner
        for key in ("type", "code"):
            value = body.get(key)
            if isinstance(value, str) and value != "error":
                return value
    return None


def parse_retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds to wait from `retry-after-ms` or `retry-after` (seconds or an HTTP date)."""
    raw_ms = headers.get("retry-after-ms")
    if raw_ms:
        try:
            return max(0.0, float(raw_ms) / 1000)
        except ValueError:
            pass
    raw = headers.get("retry-after")
    if not raw:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
