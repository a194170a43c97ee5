"""Routes that read a JSON body: `415` unless it is labelled JSON in UTF-8, and bytes that
are not UTF-8 are malformed JSON (`422`) like any other (RFC 8259 allows only UTF-8)."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from email.message import Message
from functools import lru_cache
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute

from my_flow_api.errors import UnsupportedMediaTypeError

NOT_JSON = "The body must be JSON (Content-Type: application/json, UTF-8)"
UTF8 = ("utf-8", "utf8")

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


def is_json_media_type(content_type: str | None) -> bool:
    """`application/json` or `application/*+json`, with no charset other than UTF-8."""
    if not content_type:
        return False
    return _is_json(content_type)


@lru_cache(maxsize=64)
def _is_json(content_type: str) -> bool:
    # an email.message.Message parse per request cost ~25 us; clients send a handful of
    # distinct values, so the answers are kept (at most 64)
    header = Message()
    header["content-type"] = content_type
    media_type = header.get_content_type()
    if media_type != "application/json" and not (
        header.get_content_maintype() == "application" and media_type.endswith("+json")
    ):
        return False
    charset = header.get_param("charset")
    return charset is None or (isinstance(charset, str) and charset.lower() in UTF8)


async def check_json_body(request: Request) -> None:
    """Refuse a body that is not labelled JSON (`415`) or is not UTF-8 (`422`)."""
    if not is_json_media_type(request.headers.get("content-type")):
        raise UnsupportedMediaTypeError(NOT_JSON)
    try:
        (await request.body()).decode("utf-8")
    except UnicodeDecodeError as exc:
        error = {
            "type": "json_invalid",
            "loc": ("body", exc.start),
            "msg": "JSON decode error",
            "input": {},
            "ctx": {"error": "Invalid UTF-8"},
        }
        raise RequestValidationError([error]) from None


class JSONBodyRoute(APIRoute):
    """An APIRoute whose JSON body, if it takes one, is checked before FastAPI parses it."""

    def get_route_handler(self) -> Handler:
        handler = super().get_route_handler()
        if self.body_field is None:
            return handler

        async def checked(request: Request) -> Response:
            await check_json_body(request)
            return await handler(request)

        return checked
