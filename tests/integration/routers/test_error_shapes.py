"""Hostile input over HTTP: every refusal is JSON that encodes, in the one error shape."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest
from fastapi.routing import iter_route_contexts

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


def _body_routes(api: Api) -> list[tuple[str, str]]:
    """Every (method, path) of the app that reads a JSON body, path parameters filled."""
    routes = [r for r in iter_route_contexts(api.app.routes) if getattr(r, "body_field", None)]
    assert len(routes) >= 5
    return [
        (method, re.sub(r"\{[^}]+\}", "x", route.path))
        for route in routes
        for method in sorted(route.methods)
    ]


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="no-content-type"),
        pytest.param({"content-type": "text/plain"}, id="text-plain"),
        pytest.param({"content-type": "application/x-www-form-urlencoded"}, id="form"),
        pytest.param({"content-type": "application/json; charset=iso-8859-1"}, id="latin-1"),
    ],
)
async def test_a_body_that_is_not_utf8_json_is_415_on_every_route(
    api: Api, headers: dict[str, str]
) -> None:
    alice = api.client("alice")
    for method, path in _body_routes(api):
        response = await alice.request(method, path, content=b'{"name": "a"}', headers=headers)
        assert response.status_code == 415, (method, path, response.text)
        assert response.json() == {
            "detail": "The body must be JSON (Content-Type: application/json, UTF-8)",
            "code": "unsupported_media_type",
        }
    assert (await alice.get("/api/v1/contexts")).json()["total"] == 0


@pytest.mark.parametrize(
    "content_type", ["application/json", "application/json; charset=UTF-8", "application/x+json"]
)
async def test_json_in_utf8_is_accepted_however_it_is_labelled(api: Api, content_type: str) -> None:
    alice = api.client("alice")
    body = '{"name": "Café"}'.encode()
    response = await alice.post(
        "/api/v1/contexts", content=body, headers={"content-type": content_type}
    )
    assert response.status_code == 201, response.text
    assert response.json()["name"] == "Café"


async def test_bytes_that_are_not_utf8_are_malformed_json(api: Api) -> None:
    alice = api.client("alice")
    response = await alice.post("/api/v1/contexts", content=b'{"name": "caf\xe9"}', headers=JSON)
    assert response.status_code == 422, response.text
    [error] = response.json()["detail"]
    assert error["type"] == "json_invalid"
    assert error["loc"] == ["body", 13]  # the offset of the bad byte


ERRORS = [
    ("GET", "/api/v1/contexts", None, b"", 401),
    ("GET", "/api/v1/contexts/nope", "alice", b"", 404),
    ("GET", "/api/v1/no-such-route", "alice", b"", 404),
    ("PUT", "/api/v1/contexts", "alice", b"{}", 405),
    ("POST", "/api/v1/contexts", "alice", b'{"name": "' + b"x" * (2 << 20) + b'"}', 413),
    ("POST", "/api/v1/contexts", "alice", b"{not json", 422),
    ("POST", "/api/v1/contexts", "alice", b'{"name": ""}', 422),
    ("GET", "/api/v1/contexts?limit=0", "alice", b"", 422),
]


@pytest.mark.parametrize(("method", "url", "user", "body", "status"), ERRORS)
async def test_every_error_body_has_a_detail_and_a_code(
    api: Api, method: str, url: str, user: str | None, body: bytes, status: int
) -> None:
    response = await api.client(user).request(method, url, content=body, headers=JSON)
    assert response.status_code == status, response.text
    error = response.json()
    assert set(error) == {"detail", "code"}
    assert isinstance(error["code"], str)
    assert re.fullmatch(r"[a-z]+(_[a-z]+)*", error["code"])
    if status == 422:  # field-level detail
        assert error["code"] == "validation_error"
        assert {"loc", "msg", "type"} <= set(error["detail"][0])
    else:
        assert isinstance(error["detail"], str)


async def test_unknown_routes_and_methods_say_so_in_the_error_shape(api: Api) -> None:
    alice = api.client("alice")
    missing = await alice.get("/api/v1/no-such-route")
    assert missing.json() == {"detail": "Not found", "code": "not_found"}
    wrong = await alice.put("/api/v1/contexts", json={})
    assert wrong.json() == {"detail": "Method not allowed", "code": "method_not_allowed"}


async def test_an_unexpected_failure_is_a_json_500(api: Api) -> None:
    async def broken() -> None:
        raise RuntimeError("a bug")

    api.app.add_api_route("/api/v1/test-broken", broken)
    response = await api.client("alice").get("/api/v1/test-broken")
    assert response.status_code == 500
    assert response.json() == {"detail": "Internal server error", "code": "internal_error"}


async def test_a_missing_context_reads_the_same_on_every_route(api: Api) -> None:
    alice = api.client("alice")
    chat = {"context_id": "nope", "messages": [{"role": "user", "content": "hi"}]}
    responses = [
        await alice.get("/api/v1/contexts/nope"),
        await alice.patch("/api/v1/contexts/nope", json={"name": "x"}),
        await alice.delete("/api/v1/contexts/nope"),
        await alice.get("/api/v1/contexts/nope/flows"),
        await alice.post("/api/v1/contexts/nope/flows", json={"title": "x"}),
        await alice.post("/api/v1/conversations/stream", json=chat),
    ]
    for response in responses:
        assert response.status_code == 404, response.request.url
        assert response.json() == {"detail": "Context not found", "code": "not_found"}


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("/api/v1/contexts", {"GET", "POST"}),
        ("/api/v1/contexts/x", {"GET", "PATCH", "DELETE"}),
        ("/api/v1/contexts/x/flows", {"GET", "POST"}),
        ("/api/v1/flows/x", {"GET", "PATCH", "DELETE"}),
        ("/api/v1/conversations/streams/x/cancel", {"POST"}),
        # Also fits /conversations/{conversation_id}; the spec (and a client) read it as
        # the stream's own path.
        ("/api/v1/conversations/stream", {"POST"}),
    ],
)
async def test_a_405_allows_every_method_of_the_path(api: Api, url: str, allowed: set[str]) -> None:
    response = await api.client("alice").put(url, json={})
    assert response.status_code == 405
    assert set(response.headers["allow"].split(", ")) == allowed
