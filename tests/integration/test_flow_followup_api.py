"""Issue 22 end to end: a chat turn changes open flows through the real endpoint, the
`metadata` event announces the changes, the API lists and undoes them; the embedded
rules on every store, and a model provider (the fake upstream) whose wrong proposals the
safety checks block."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from my_flow_api.config import Settings
from tests.fakes.openai_server import FakeOpenAI
from tests.integration.test_conversations_api import assert_well_formed, chat, stream
from tests.support.app import Api, make_settings

pytestmark = pytest.mark.integration


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(tokens=["Noted", "."], extraction={"flows": [], "operations": []}) as f:
        yield f


@pytest.fixture
def api_settings(tmp_path: Path, fake: FakeOpenAI, store_overrides: dict[str, Any]) -> Settings:
    # The answer streams from the fake upstream; flows are extracted by the embedded rules.
    return make_settings(
        tmp_path, **fake.settings_overrides(), **store_overrides, FLOW_EXTRACTOR="rules"
    )


async def seed(client: httpx.AsyncClient, **flow: Any) -> tuple[str, dict[str, Any]]:
    context_id = (await client.post("/api/v1/contexts", json={"name": "Trip"})).json()["id"]
    created = await client.post(f"/api/v1/contexts/{context_id}/flows", json=flow)
    assert created.status_code == 201
    return context_id, created.json()


CASES = [
    ("complete", "I already booked the flight to Lisbon yesterday.", {"is_completed": True}),
    ("cancel", "Forget the flight to Lisbon, we are not going.", None),
    (
        "reschedule",
        "Move the flight to Lisbon to 2030-03-12 please.",
        {"due_date": "2030-03-12T00:00:00Z"},
    ),
    ("reprioritise", "The Lisbon flight is urgent now.", {"priority": "high"}),
    (
        "refine",
        "Correction: it's the train to Lisbon, not a flight.",
        {"title": "Book a train to Lisbon"},
    ),
]


@pytest.mark.parametrize(("op", "said", "expected"), CASES, ids=[c[0] for c in CASES])
async def test_a_chat_turn_changes_the_flow_and_undo_restores_it(
    api: Api, op: str, said: str, expected: dict[str, Any] | None
) -> None:
    alice = api.client("alice")
    context_id, flow = await seed(alice, title="Book a flight to Lisbon", due_date="2030-03-10")
    result = await stream(alice, chat(context_id, said))
    assert_well_formed(result)
    [metadata] = result.named("metadata")
    assert metadata["flows"] == []
    [change] = metadata["changes"]
    assert change["op"] == op
    assert change["flow_id"] == flow["id"]
    assert change["before"] == flow
    assert change["evidence"] in said
    now = await alice.get(f"/api/v1/flows/{flow['id']}")
    if expected is None:
        assert now.status_code == 404
        assert change["after"] is None
    else:
        assert now.json() == change["after"]
        assert now.json() == {**now.json(), **expected}
    listed = (await alice.get(f"/api/v1/contexts/{context_id}/flow-changes")).json()
    assert [c["id"] for c in listed["items"]] == [change["id"]]
    undo = await alice.post(f"/api/v1/flow-changes/{change['id']}/undo")
    assert undo.status_code == 200
    assert undo.json()["undone_at"] is not None
    assert (await alice.get(f"/api/v1/flows/{flow['id']}")).json() == flow
    again = await alice.post(f"/api/v1/flow-changes/{change['id']}/undo")
    assert again.json() == undo.json()
    assert (await alice.get(f"/api/v1/flows/{flow['id']}")).json() == flow


async def test_undo_of_an_unknown_or_foreign_change_is_404(api: Api) -> None:
    alice, bob = api.client("alice"), api.client("bob")
    context_id, flow = await seed(alice, title="Book a flight to Lisbon")
    result = await stream(alice, chat(context_id, "I booked the flight to Lisbon."))
    [change] = result.named("metadata")[0]["changes"]
    for client, change_id in ((alice, "unknown"), (bob, change["id"])):
        response = await client.post(f"/api/v1/flow-changes/{change_id}/undo")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    foreign = await bob.get(f"/api/v1/contexts/{context_id}/flow-changes")
    assert foreign.status_code == 404
    assert (await alice.get(f"/api/v1/flows/{flow['id']}")).json()["is_completed"] is True


SAFE = [
    "I booked the hotel in Lisbon, nice place.",  # a different object, similar words
    "Marco booked his flight to Lisbon already.",  # someone else's action
    "If I book the flight to Lisbon today it is cheaper.",  # hypothetical
    "Should I book the flight to Lisbon now?",  # a question
    "I'll book the flight to Lisbon tonight.",  # a plan
    "Started looking at flights to Lisbon.",  # partial progress
]


@pytest.mark.parametrize("said", SAFE)
async def test_the_embedded_rules_change_nothing_on_traps(api: Api, said: str) -> None:
    alice = api.client("alice")
    context_id, flow = await seed(alice, title="Book a flight to Lisbon")
    result = await stream(alice, chat(context_id, said))
    assert result.named("metadata")[0]["changes"] == []
    assert (await alice.get(f"/api/v1/flows/{flow['id']}")).json() == flow
