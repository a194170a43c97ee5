"""Hostile input over HTTP: every refusal is JSON that encodes, in the one error shape."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests.support.app import Api

JSON = {"content-type": "application/json"}
SURROGATES = range(0xD800, 0xE000)


async def _ids(client: httpx.AsyncClient) -> tuple[str, str]:
    context = await client.post("/api/v1/contexts", json={"name": "Work"})
    flow = await client.post(f"/api/v1/contexts/{context.json()['id']}/flows", json={"title": "t"})
    return context.json()["id"], flow.json()["id"]


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*_strings(k), *_strings(v))]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


# Bodies written as JSON text: `\ud800` is the escape itself, which JSON allows and
# Python decodes to a lone surrogate that UTF-8 cannot encode.
LONE_SURROGATES = [
    ("POST", "/api/v1/contexts", rb'{"name": "a\ud800b"}', "name"),
    ("POST", "/api/v1/contexts", rb'{"name": "a", "\udfff": 1}', "body"),  # a key
    ("POST", "/api/v1/contexts/{context}/flows", rb'{"title": "\udc00"}', "title"),
    ("PATCH", "/api/v1/flows/{flow}", rb'{"description": "x\ud800"}', "description"),
    (
        "POST",
        "/api/v1/conversations/stream",
        rb'{"context_id": "c", "messages": [{"role": "user", "content": "hi \ud83d"}]}',
        "content",
    ),
    (
        "POST",
        "/api/v1/conversations/stream",
        rb'{"context_id": "\ud800", "messages": [{"role": "user", "content": "hi"}]}',
        "context_id",
    ),
]


@pytest.mark.parametrize(("method", "url", "body", "loc"), LONE_SURROGATES)
async def test_a_lone_surrogate_is_a_422_that_encodes(
    api: Api, method: str, url: str, body: bytes, loc: str
) -> None:
    alice = api.client("alice")
    context, flow = await _ids(alice)
    target = url.format(context=context, flow=flow)
    response = await alice.request(method, target, content=body, headers=JSON)
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert detail[0]["loc"][-1] == loc
    assert not [s for s in _strings(detail) if any(ord(c) in SURROGATES for c in s)]
    json.loads(response.content.decode("utf-8"))  # strict UTF-8 all the way
