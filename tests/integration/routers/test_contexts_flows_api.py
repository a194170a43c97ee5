"""Contexts and flows over HTTP: CRUD, paging, cascade, and user isolation on every route."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.support.app import Api

CONTEXT = {"name": "Work", "color": "#112233", "icon": "💼"}
FLOW = {"title": "Book a flight", "description": "to Lisbon", "priority": "high"}


async def _context(client: httpx.AsyncClient, **fields: Any) -> dict[str, Any]:
    response = await client.post("/api/v1/contexts", json={**CONTEXT, **fields})
    assert response.status_code == 201, response.text
    return dict(response.json())


async def _flow(client: httpx.AsyncClient, context_id: str, **fields: Any) -> dict[str, Any]:
    response = await client.post(f"/api/v1/contexts/{context_id}/flows", json={**FLOW, **fields})
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_context_lifecycle(api: Api) -> None:
    alice = api.client("alice")
    created = await _context(alice)
    assert created["name"] == "Work"
    assert created["user_id"] == "alice"
    got = await alice.get(f"/api/v1/contexts/{created['id']}")
    assert got.json() == created
    patched = await alice.patch(f"/api/v1/contexts/{created['id']}", json={"name": "Job"})
    assert patched.status_code == 200
    assert patched.json()["name"] == "Job"
    assert patched.json()["color"] == "#112233"
    assert patched.json()["updated_at"] >= created["updated_at"]
    listed = await alice.get("/api/v1/contexts")
    assert [c["id"] for c in listed.json()["items"]] == [created["id"]]
    deleted = await alice.delete(f"/api/v1/contexts/{created['id']}")
    assert deleted.status_code == 204
    assert (await alice.get(f"/api/v1/contexts/{created['id']}")).status_code == 404


async def test_lists_are_paginated_newest_first(api: Api) -> None:
    alice = api.client("alice")
    ids = [(await _context(alice, name=f"c{i}"))["id"] for i in range(5)]
    first = (await alice.get("/api/v1/contexts", params={"limit": 2})).json()
    second = (await alice.get("/api/v1/contexts", params={"limit": 2, "offset": 2})).json()
    assert first["total"] == second["total"] == 5
    assert [c["id"] for c in first["items"] + second["items"]] == ids[::-1][:4]
    assert (await alice.get("/api/v1/contexts", params={"limit": 0})).status_code == 422
    assert (await alice.get("/api/v1/contexts", params={"limit": 201})).status_code == 422


async def test_flow_lifecycle_and_completion(api: Api) -> None:
    alice = api.client("alice")
    ctx = await _context(alice)
    flow = await _flow(alice, ctx["id"])
    assert flow["context_id"] == ctx["id"]
    assert flow["is_completed"] is False
    done = await alice.patch(f"/api/v1/flows/{flow['id']}", json={"is_completed": True})
    assert done.json()["is_completed"] is True
    assert done.json()["completed_at"] is not None
    open_flows = await alice.get(f"/api/v1/contexts/{ctx['id']}/flows?completed=false")
    assert open_flows.json()["total"] == 0
    reopened = await alice.patch(f"/api/v1/flows/{flow['id']}", json={"is_completed": False})
    assert reopened.json()["completed_at"] is None
    assert (await alice.get(f"/api/v1/flows/{flow['id']}")).json()["title"] == "Book a flight"
    assert (await alice.delete(f"/api/v1/flows/{flow['id']}")).status_code == 204
    assert (await alice.get(f"/api/v1/flows/{flow['id']}")).status_code == 404


async def test_deleting_a_context_deletes_its_flows(api: Api) -> None:
    alice = api.client("alice")
    ctx = await _context(alice)
    flow = await _flow(alice, ctx["id"])
    await alice.delete(f"/api/v1/contexts/{ctx['id']}")
    assert (await alice.get(f"/api/v1/flows/{flow['id']}")).status_code == 404


async def test_every_route_hides_other_users_data(api: Api) -> None:
    alice, bob = api.client("alice"), api.client("bob")
    ctx = await _context(alice)
    flow = await _flow(alice, ctx["id"])
    c, f = ctx["id"], flow["id"]
    attempts = [
        ("GET", f"/api/v1/contexts/{c}", None),
        ("PATCH", f"/api/v1/contexts/{c}", {"name": "mine now"}),
        ("DELETE", f"/api/v1/contexts/{c}", None),
        ("GET", f"/api/v1/contexts/{c}/flows", None),
        ("POST", f"/api/v1/contexts/{c}/flows", FLOW),
        ("GET", f"/api/v1/flows/{f}", None),
        ("PATCH", f"/api/v1/flows/{f}", {"title": "mine now"}),
        ("DELETE", f"/api/v1/flows/{f}", None),
        ("GET", f"/api/v1/contexts/{c}/conversations", None),
    ]
    for method, url, body in attempts:
        response = await bob.request(method, url, json=body)
        assert response.status_code == 404, (method, url, response.text)
        missing = await bob.request(method, url.replace(c, "nope").replace(f, "nope"), json=body)
        assert missing.json() == response.json(), (
            "a foreign id must look exactly like a missing one"
        )
    assert (await bob.get("/api/v1/contexts")).json()["total"] == 0
    assert (await alice.get(f"/api/v1/contexts/{c}")).json() == ctx
    assert (await alice.get(f"/api/v1/flows/{f}")).json() == flow
    assert (await alice.get(f"/api/v1/contexts/{c}/flows")).json()["total"] == 1


BAD_CONTEXTS = [
    ({"name": ""}, "name"),
    ({"name": "x" * 101}, "name"),
    ({"color": "blue"}, "color"),
    ({"icon": ""}, "icon"),
    ({"icon": "x" * 33}, "icon"),
    ({"extra": 1}, "extra"),
]
BAD_FLOWS = [
    ({"title": ""}, "title"),
    ({"title": "x" * 201}, "title"),
    ({"description": "x" * 2001}, "description"),
    ({"priority": "urgent"}, "priority"),
    ({"due_date": "tomorrow"}, "due_date"),
    ({"reminder_enabled": "maybe"}, "reminder_enabled"),
]


@pytest.mark.parametrize(
    ("due", "held_to"),
    [
        ("0001-01-01T00:00:00+00:03", "0001-01-01T00:00:00Z"),  # before year 1 in UTC
        ("9999-12-31T23:59:59-01:00", "9999-12-31T23:59:59.999999Z"),  # after year 9999
    ],
)
async def test_a_due_date_past_the_calendar_in_utc_is_held_to_its_end(
    api: Api, due: str, held_to: str
) -> None:
    alice = api.client("alice")
    ctx = await _context(alice)
    response = await alice.post(
        f"/api/v1/contexts/{ctx['id']}/flows", json={"title": "Edge", "due_date": due}
    )
    assert response.status_code == 201, response.text
    assert response.json()["due_date"] == held_to


@pytest.mark.parametrize(("fields", "loc"), BAD_CONTEXTS)
async def test_context_validation_names_the_field(
    api: Api, fields: dict[str, Any], loc: str
) -> None:
    alice = api.client("alice")
    response = await alice.post("/api/v1/contexts", json={**CONTEXT, **fields})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == loc
    assert (await alice.get("/api/v1/contexts")).json()["total"] == 0


@pytest.mark.parametrize(("fields", "loc"), BAD_FLOWS)
async def test_flow_validation_names_the_field_and_writes_nothing(
    api: Api, fields: dict[str, Any], loc: str
) -> None:
    alice = api.client("alice")
    ctx = await _context(alice)
    flow = await _flow(alice, ctx["id"])
    created = await alice.post(f"/api/v1/contexts/{ctx['id']}/flows", json={**FLOW, **fields})
    assert created.status_code == 422
    assert created.json()["detail"][0]["loc"][-1] == loc
    patched = await alice.patch(f"/api/v1/flows/{flow['id']}", json=fields)
    assert patched.status_code == 422
    assert (await alice.get(f"/api/v1/flows/{flow['id']}")).json() == flow
    assert (await alice.get(f"/api/v1/contexts/{ctx['id']}/flows")).json()["total"] == 1


async def test_malformed_json_is_422(api: Api) -> None:
    alice = api.client("alice")
    response = await alice.post(
        "/api/v1/contexts", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422


async def test_oversized_body_is_413_and_writes_nothing(api: Api) -> None:
    alice = api.client("alice")
    huge = {"name": "x", "icon": "y" * (api.settings.MAX_BODY_BYTES + 1)}
    response = await alice.post("/api/v1/contexts", json=huge)
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
    assert (await alice.get("/api/v1/contexts")).json()["total"] == 0


async def test_routes_need_a_token(api: Api) -> None:
    anonymous = api.client()
    for method, url in [("GET", "/api/v1/contexts"), ("POST", "/api/v1/contexts")]:
        response = await anonymous.request(method, url, json=CONTEXT)
        assert response.status_code == 401
        assert response.headers["www-authenticate"].startswith("Bearer")


async def test_health_reports_the_store(api: Api) -> None:
    response = await api.client().get("/api/v1/health")
    assert response.status_code == 200
    assert response.json()["store"] == "ok"
