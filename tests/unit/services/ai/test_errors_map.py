"""Provider statuses, transport failures and unreadable answers mapped onto AIServiceError."""

from __future__ import annotations

import ssl
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import aiohttp
import pytest
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from my_flow_api.services.ai.errors import (
    AIBadOutputError,
    AIConfigurationError,
    AIRateLimitedError,
    AIServiceError,
    AITimeoutError,
    AITLSError,
    AIUnavailableError,
)
from my_flow_api.services.ai.errors_map import (
    ProviderStatusError,
    error_type,
    from_error_body,
    map_error,
    parse_retry_after,
)

pytestmark = pytest.mark.unit

URL_ = URL("http://127.0.0.1/v1/chat/completions")
REQUEST = aiohttp.RequestInfo(URL_, "POST", CIMultiDictProxy(CIMultiDict()), URL_)
SECRET = "sk-live-0123456789abcdef"


BODY = {"error": {"message": f"Incorrect API key provided: {SECRET}", "type": "x"}}


def _status(status: int, headers: dict[str, str] | None = None) -> ProviderStatusError:
    return ProviderStatusError(status, headers or {}, BODY)


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (301, AIConfigurationError),
        (307, AIConfigurationError),
        (400, AIConfigurationError),
        (401, AIConfigurationError),
        (403, AIConfigurationError),
        (404, AIConfigurationError),
        (422, AIConfigurationError),
        (429, AIRateLimitedError),
        (408, AITimeoutError),
        (504, AITimeoutError),
        (409, AIUnavailableError),
        (500, AIUnavailableError),
        (503, AIUnavailableError),
        (529, AIUnavailableError),
    ],
)
def test_http_statuses(status: int, expected: type[AIServiceError]) -> None:
    assert _status(status).message == f"Incorrect API key provided: {SECRET}"
    for provider in ("openai", "anthropic"):
        mapped = map_error(_status(status), provider, produced_text=False)
        assert type(mapped) is expected
        assert provider in mapped.message
        assert mapped.produced_text is False
        assert SECRET not in mapped.message
        assert str(status) in mapped.message


def test_status_codes_for_the_endpoint() -> None:
    assert AIConfigurationError("x").status_code == 502
    assert (AITLSError("x").status_code, AITLSError("x").code) == (502, "provider_tls_error")
    assert AIRateLimitedError("x").status_code == 503
    assert AIUnavailableError("x").status_code == 503
    assert AITimeoutError("x").status_code == 504


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after": "7"}, 7.0),
        ({"retry-after": "1.5"}, 1.5),
        ({"retry-after-ms": "250", "retry-after": "9"}, 0.25),
        ({"retry-after": "-3"}, 0.0),
        ({"retry-after": "soon"}, None),
        ({}, None),
    ],
)
def test_retry_after_from_headers(headers: dict[str, str], expected: float | None) -> None:
    assert parse_retry_after(headers) == expected
    mapped = map_error(_status(429, headers), "openai", produced_text=False)
    assert isinstance(mapped, AIRateLimitedError)
    assert mapped.retry_after == expected


def test_retry_after_as_an_http_date() -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    seconds = parse_retry_after({"retry-after": when})
    assert seconds is not None
    assert 25 <= seconds <= 31


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (TimeoutError(), AITimeoutError),
        (aiohttp.ConnectionTimeoutError("connect"), AITimeoutError),
        (aiohttp.SocketTimeoutError("read"), AITimeoutError),
        (aiohttp.ServerDisconnectedError(), AIUnavailableError),
        (aiohttp.ClientOSError(104, "reset"), AIUnavailableError),
        (aiohttp.ClientPayloadError("cut short"), AIUnavailableError),
        (aiohttp.ClientHttpProxyError(REQUEST, (), status=407), AIUnavailableError),
        (ssl.SSLError("bad record mac"), AIUnavailableError),
        (ConnectionResetError(), AIUnavailableError),
        (ssl.SSLCertVerificationError("unable to get local issuer certificate"), AITLSError),
        (ValueError("bad json"), AIBadOutputError),
        (KeyError("delta"), AIBadOutputError),
        (TypeError("not a dict"), AIBadOutputError),
        (aiohttp.InvalidURL("nope/chat"), AIConfigurationError),
        (aiohttp.NonHttpUrlClientError("ftp://x/chat"), AIConfigurationError),
        (aiohttp.TooManyRedirects(REQUEST, ()), AIConfigurationError),
        (RuntimeError("anything else"), AIConfigurationError),
    ],
)
def test_transport_and_client_errors(exc: Exception, expected: type[AIServiceError]) -> None:
    assert type(map_error(exc, "openai", produced_text=True)) is expected
    assert map_error(exc, "openai", produced_text=True).produced_text is True


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("overloaded_error", AIUnavailableError),
        ("api_error", AIUnavailableError),
        ("rate_limit_error", AIRateLimitedError),
        ("timeout_error", AITimeoutError),
        ("invalid_request_error", AIConfigurationError),
        ("something_new", AIUnavailableError),
    ],
)
def test_errors_reported_inside_a_stream(kind: str, expected: type[AIServiceError]) -> None:
    anthropic_body = {"type": "error", "error": {"type": kind, "message": SECRET}}
    openai_body = {"error": {"message": SECRET, "type": kind}}
    for body, provider in ((anthropic_body, "anthropic"), (openai_body, "openai")):
        mapped = from_error_body(body, provider=provider, produced_text=True)
        assert type(mapped) is expected
        assert mapped.produced_text is True
        assert SECRET not in mapped.message


def test_error_type_reads_both_layouts() -> None:
    assert (
        error_type({"type": "error", "error": {"type": "overloaded_error"}}) == "overloaded_error"
    )
    assert (
        error_type({"error": {"code": "rate_limit_exceeded", "type": None}})
        == "rate_limit_exceeded"
    )
    assert error_type({"type": "server_error"}) == "server_error"
    assert error_type("oops") is None
    assert error_type(None) is None


def test_a_status_error_after_the_first_token_says_so() -> None:
    mapped = map_error(_status(503), "anthropic", produced_text=True)
    assert type(mapped) is AIUnavailableError
    assert mapped.produced_text is True


def test_an_ai_error_passes_through_keeping_produced_text() -> None:
    original = AIUnavailableError("gone", produced_text=False)
    mapped = map_error(original, "openai", produced_text=True)
    assert mapped is original
    assert mapped.produced_text is True


def test_a_status_error_without_a_json_body_has_no_message() -> None:
    assert ProviderStatusError(502, {}, None).message == ""
    assert ProviderStatusError(502, {}, {"error": "plain"}).message == ""
