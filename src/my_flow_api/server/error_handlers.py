"""The one place where domain errors become HTTP responses."""

from __future__ import annotations

import math
import re
from http import HTTPStatus
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import iter_route_contexts
from starlette.exceptions import HTTPException
from starlette.routing import Match

from my_flow_api.errors import (
    AuthenticationError,
    ConversationBusyError,
    DomainError,
    PayloadTooLargeError,
    RateLimitedError,
)
from my_flow_api.server.body_limit import BodyTooLargeError

log = structlog.get_logger(__name__)

VALIDATION_ERROR = "validation_error"
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def error_body(exc: DomainError) -> dict[str, str]:
    """The JSON body of an error: a human message and a machine-readable code (and, for a
    busy conversation, the stream to resume instead)."""
    body = {"detail": exc.message, "code": exc.code}
    if isinstance(exc, ConversationBusyError) and exc.stream_id is not None:
        body["stream_id"] = exc.stream_id
    return body


def error_headers(exc: DomainError) -> dict[str, str]:
    """Headers an error response carries (`WWW-Authenticate`, `Retry-After`)."""
    if isinstance(exc, AuthenticationError):
        if exc.code == "missing_token":
            return {"WWW-Authenticate": "Bearer"}
        return {"WWW-Authenticate": 'Bearer error="invalid_token"'}
    retry_after = getattr(exc, "retry_after", None)
    if isinstance(exc, RateLimitedError) or retry_after:
        return {"Retry-After": str(max(1, math.ceil(float(retry_after or 1))))}
    return {}


async def _domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    if exc.status_code >= 500:
        log.error("request failed", code=exc.code, status=exc.status_code, path=request.url.path)
    return JSONResponse(error_body(exc), status_code=exc.status_code, headers=error_headers(exc))


def printable(value: Any) -> Any:
    """`value` with every lone surrogate (a JSON `\\ud800` escape) replaced by U+FFFD, in
    keys too: UTF-8 cannot encode one, so an echo of the input would fail as a 500."""
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {printable(key): printable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [printable(item) for item in value]
    return value


async def _invalid_request(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    detail = printable(jsonable_encoder(exc.errors()))
    return JSONResponse({"detail": detail, "code": VALIDATION_ERROR}, status_code=422)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    """Starlette's own refusals (unknown route, wrong method …) in the one error shape."""
    assert isinstance(exc, HTTPException)
    phrase = HTTPStatus(exc.status_code).phrase  # "Method Not Allowed"
    detail = exc.detail if isinstance(exc.detail, str) and exc.detail != phrase else None
    body = {
        "detail": detail or phrase.capitalize(),
        "code": "_".join(re.findall("[a-z]+", phrase.lower())),
    }
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = ", ".join(sorted(allowed_methods(request)))
    return JSONResponse(body, status_code=exc.status_code, headers=headers)


def allowed_methods(request: Request) -> set[str]:
    """Every method of the most specific routes on the request's path: the router stops
    at the first route whose path matches, so its `Allow` names one method of several.

    Most specific: with the fewest path parameters. `/conversations/stream` also fits
    `/conversations/{conversation_id}`, but a client reads it as the stream's path (POST
    only), as the spec does; a GET there only finds no conversation called "stream"."""
    by_params: dict[int, set[str]] = {}
    for route in iter_route_contexts(request.app.routes):
        match, _ = route.matches(request.scope)
        if match is not Match.NONE:
            params = (route.path_format or "").count("{")
            by_params.setdefault(params, set()).update(route.methods or set())
    return by_params[min(by_params)] if by_params else set()


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    """The last resort (the exception is still logged by the server): JSON, not plain text."""
    return JSONResponse({"detail": "Internal server error", "code": "internal_error"}, 500)


async def _body_too_large(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, BodyTooLargeError)
    return await _domain_error(request, PayloadTooLargeError(str(exc.detail)))


def install_error_handlers(app: FastAPI) -> None:
    """Map every DomainError to its status code, JSON body and headers, and every other
    refusal to the same `{"detail", "code"}` shape."""
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
    app.add_exception_handler(BodyTooLargeError, _body_too_large)
