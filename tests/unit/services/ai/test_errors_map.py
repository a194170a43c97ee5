"""SDK and transport exceptions mapped onto the AIServiceError hierarchy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import anthropic
import httpx2
import openai
import pytest

from my_flow_api.services.ai import anthropic_provider, openai_provider
from my_flow_api.services.ai.errors import (
    AIBadOutputError,
    AIConfigurationError,
    AIRateLimitedError,
    AIServiceError,
    AITimeoutError,
    AIUnavailableError,
)
from my_flow_api.services.ai.errors_map import (
    ProviderStatusError,
    error_type,
    map_error,
    parse_retry_after,
)

pytestmark = pytest.mark.unit

REQUEST = httpx2.Request("POST", "http://127.0.0.1/v1/chat/completions")
SECRET = "sk-live-0123456789abcdef"


def _response(status: int, headers: dict[str, str] | None = None) -> httpx2.Response:
    return httpx2.Response(status, headers=headers, request=REQUEST)


def _openai_status(status: int, headers: dict[str, str] | None = None) -> openai.APIStatusError:
    client = openai.AsyncOpenAI(api_key="k", base_url="http://127.0.0.1")
    body = {"error": {"message": f"Incorrect API key provided: {SECRET}", "type": "x"}}
    return client._make_status_error(
        f"Error: {SECRET}", body=body, response=_response(status, headers)
    )


def _anthropic_status(status: int, body: object = None) -> anthropic.APIStatusError:
    return anthropic.APIStatusError(f"Error: {SECRET}", response=_response(status), body=body)


@pytest.mark.parametrize(
    ("status", "expected"),
    [
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
    for exc, kinds in [
        (_openai_status(status), openai_provider.KINDS),
        (_anthropic_status(status), anthropic_provider.KINDS),
    ]:
        mapped = map_error(exc, kinds, produced_text=False)
        assert type(mapped) is expected
        assert mapped.produced_text is False
        assert SECRET not in mapped.message
        assert str(status) in mapped.message


def test_status_codes_for_the_endpoint() -> None:
    assert AIConfigurationError("x").status_code == 502
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
    mapped = map_error(_openai_status(429, headers), openai_provider.KINDS, produced_text=False)
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
        (openai.APITimeoutError(request=REQUEST), AITimeoutError),
        (openai.APIConnectionError(request=REQUEST), AIUnavailableError),
        (anthropic.APITimeoutError(request=REQUEST), AITimeoutError),
        (anthropic.APIConnectionError(request=REQUEST), AIUnavailableError),
        (httpx2.ReadTimeout("slow", request=REQUEST), AITimeoutError),
        (httpx2.ConnectTimeout("slow", request=REQUEST), AITimeoutError),
        (httpx2.RemoteProtocolError("peer closed", request=REQUEST), AIUnavailableError),
        (httpx2.ReadError("reset", request=REQUEST), AIUnavailableError),
        (ConnectionResetError(), AIUnavailableError),
        (ValueError("bad json"), AIBadOutputError),
        (KeyError("delta"), AIBadOutputError),
        (TypeError("not a dict"), AIBadOutputError),
        (openai.OpenAIError("no key"), AIConfigurationError),
        (anthropic.AnthropicError("no key"), AIConfigurationError),
    ],
)
def test_transport_and_client_errors(exc: Exception, expected: type[AIServiceError]) -> None:
    kinds = (
        anthropic_provider.KINDS if "anthropic" in type(exc).__module__ else openai_provider.KINDS
    )
    assert type(map_error(exc, kinds, produced_text=True)) is expected
    assert map_error(exc, kinds, produced_text=True).produced_text is True


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
    body = {"type": "error", "error": {"type": kind, "message": SECRET}}
    mapped = map_error(_anthropic_status(200, body), anthropic_provider.KINDS, produced_text=True)
    assert type(mapped) is expected
    assert mapped.produced_text is True
    assert SECRET not in mapped.message
    in_stream = openai.APIError(SECRET, REQUEST, body={"message": SECRET, "type": kind})
    assert type(map_error(in_stream, openai_provider.KINDS, produced_text=True)) is expected


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


def test_an_ai_error_passes_through_keeping_produced_text() -> None:
    original = AIUnavailableError("gone", produced_text=False)
    mapped = map_error(original, openai_provider.KINDS, produced_text=True)
    assert mapped is original
    assert mapped.produced_text is True


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (400, AIConfigurationError),
        (401, AIConfigurationError),
        (404, AIConfigurationError),
        (408, AITimeoutError),
        (409, AIUnavailableError),
        (429, AIRateLimitedError),
        (500, AIUnavailableError),
        (503, AIUnavailableError),
        (504, AITimeoutError),
    ],
)
def test_direct_status_errors_map_like_the_sdks_and_hide_the_body(
    status: int, expected: type[AIServiceError]
) -> None:
    body = {"error": {"message": f"Incorrect API key provided: {SECRET}", "type": "x"}}
    error = ProviderStatusError(status, {"retry-after": "7"}, body)
    assert error.message == f"Incorrect API key provided: {SECRET}"
    mapped = map_error(error, openai_provider.KINDS, produced_text=True)
    assert type(mapped) is expected
    assert mapped.produced_text
    assert SECRET not in str(mapped)
    assert f"HTTP {status}" in str(mapped)
    if status == 429:
        assert isinstance(mapped, AIRateLimitedError)
        assert mapped.retry_after == 7.0


def test_a_status_error_without_a_json_body_has_no_message() -> None:
    assert ProviderStatusError(502, {}, None).message == ""
    assert ProviderStatusError(502, {}, {"error": "plain"}).message == ""
