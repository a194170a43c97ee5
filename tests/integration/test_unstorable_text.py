"""Text no store can hold (issue 21): NUL becomes U+FFFD in every text field and path
id, on SQLite, PostgreSQL and MongoDB alike; a lone surrogate is a 422 in every body
field; other control characters are kept. The same status on every store, never a 500,
and the connection serves the next request."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from my_flow_api.config import Settings
from tests.fakes.openai_server import FakeOpenAI
from tests.support.app import Api, make_settings

pytestmark = pytest.mark.integration

NUL = "a\x00b"
SURROGATE = "a\ud800b"
CONTROLS = "a\x01\x08\x1b\x7f\x9fb"
KEPT = {NUL: "a\ufffdb", CONTROLS: CONTROLS}


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(tokens=["ok"], extraction={"flows": []}) as server:
        yield server


@pytest.fixture
def api_settings(tmp_path: Path, fake: FakeOpenAI, store_overrides: dict[str, Any]) -> Settings:
    return make_settings(tmp_path, **fake.settings_overrides(), **store_overrides)


async def send(
    client: httpx.AsyncClient, method: str, url: str, body: Any = None
) -> httpx.Response:
    """A request whose JSON keeps the escapes as sent (`\\u0000`, `\\ud800`)."""
    content = None if body is None else json.dumps(body).encode()
    headers = {"Content-Type": "application/json"} if body is not None else {}
    return await client.request(method, url, content=content, headers=headers)


@pytest.mark.parametrize("text", [NUL, CONTROLS], ids=["nul", "controls"])
async def test_every_text_field_is_stored_the_same_on_every_store(api: Api, text: str) -> None:
    alice = api.client("alice")
    made = await send(alice, "POST", "/api/v1/contexts", {"name": text, "icon": text})
    assert made.status_code == 201, made.text
    context = made.json()
    assert (context["name"], context["icon"]) == (KEPT[text], KEPT[text])
    renamed = await send(alice, "PATCH", f"/api/v1/contexts/{context['id']}", {"name": text})
    assert (renamed.status_code, renamed.json()["name"]) == (200, KEPT[text])

    flow = await send(
        alice,
        "POST",
        f"/api/v1/contexts/{context['id']}/flows",
        {"title": text, "description": text},
    )
    assert flow.status_code == 201, flow.text
    assert (flow.json()["title"], flow.json()["description"]) == (KEPT[text], KEPT[text])
    edited = await send(alice, "PATCH", f"/api/v1/flows/{flow.json()['id']}", {"title": text})
    assert (edited.status_code, edited.json()["title"]) == (200, KEPT[text])

    chat = {"context_id": context["id"], "messages": [{"role": "user", "content": text}]}
    answered = await send(alice, "POST", "/api/v1/conversations/stream", chat)
    assert answered.status_code == 200
    assert "event: done" in answered.text
    listed = (await alice.get(f"/api/v1/contexts/{context['id']}/conversations")).json()
    stored = (await alice.get(f"/api/v1/conversations/{listed['items'][0]['id']}")).json()
    assert stored["messages"][0]["content"] == KEPT[text]

    foreign = {**chat, "context_id": text}
    assert (await send(alice, "POST", "/api/v1/conversations/stream", foreign)).status_code == 404
    continued = {**chat, "conversation_id": text}
    assert (await send(alice, "POST", "/api/v1/conversations/stream", continued)).status_code == 404
    quoted = "a%00b" if text == NUL else "a%01%08%1B%7Fb"
    for url in (
        f"/api/v1/contexts/{quoted}",
        f"/api/v1/contexts/{quoted}/flows",
        f"/api/v1/contexts/{quoted}/conversations",
        f"/api/v1/flows/{quoted}",
        f"/api/v1/conversations/{quoted}",
        f"/api/v1/conversations/streams/{quoted}",
    ):
        assert (await alice.get(url)).status_code == 404, url
    assert (await alice.get("/api/v1/contexts")).status_code == 200  # the connection still serves


async def test_a_lone_surrogate_is_refused_in_every_body_field_on_every_store(api: Api) -> None:
    alice = api.client("alice")
    context = (await alice.post("/api/v1/contexts", json={"name": "Work"})).json()
    flow = await alice.post(f"/api/v1/contexts/{context['id']}/flows", json={"title": "t"})
    message = {"role": "user", "content": SURROGATE}
    stream = "/api/v1/conversations/stream"
    for method, url, body in (
        ("POST", "/api/v1/contexts", {"name": SURROGATE}),
        ("POST", "/api/v1/contexts", {"name": "n", "icon": SURROGATE}),
        ("PATCH", f"/api/v1/contexts/{context['id']}", {"name": SURROGATE}),
        ("POST", f"/api/v1/contexts/{context['id']}/flows", {"title": SURROGATE}),
        ("PATCH", f"/api/v1/flows/{flow.json()['id']}", {"description": SURROGATE}),
        ("POST", stream, {"context_id": context["id"], "messages": [message]}),
        ("POST", stream, {"context_id": SURROGATE, "messages": [{**message, "content": "hi"}]}),
    ):
        refused = await send(alice, method, url, body)
        assert (refused.status_code, refused.json()["code"]) == (422, "validation_error"), url
    assert (await alice.get("/api/v1/contexts")).status_code == 200


BODIES: dict[str, Any] = {
    "/api/v1/contexts/{context_id}": {"name": "n"},
    "/api/v1/contexts/{context_id}/flows": {"title": "t"},
    "/api/v1/flows/{flow_id}": {"title": "t"},
    "/api/v1/contexts/{context_id}/chat": {
        "id": "chat-1",
        "messages": [{"id": "m1", "role": "user", "parts": [{"type": "text", "text": "hi"}]}],
    },
}
"""A valid body for each route that takes one, so the NUL id is what reaches the store."""


async def test_a_nul_in_any_path_id_of_any_route_is_a_404_never_a_500(api: Api) -> None:
    """Every operation of the OpenAPI document with an id in its path, whatever its method:
    the id with a NUL is an unknown id (the document is walked, so a new route cannot be
    forgotten here)."""
    alice = api.client("alice")
    tried: dict[str, int] = {}
    for path, operations in api.app.openapi()["paths"].items():
        if "{" not in path:
            continue
        url = re.sub(r"\{\w+\}", "a%00b", path.replace("{chat_id}", "chat-1"))
        for method in sorted(m.upper() for m in operations if m != "parameters"):
            body = BODIES.get(path) if method in {"POST", "PATCH"} else None
            response = await send(alice, method, url, body)
            tried[f"{method} {path}"] = response.status_code
    assert len(tried) >= 15, tried
    assert all(status == 404 for status in tried.values()), tried
    assert (await alice.get("/api/v1/contexts")).status_code == 200
