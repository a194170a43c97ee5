"""Contract: a turn's edits of open flows, their record, and undo (issue 22), per store."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from my_flow_api.errors import NotFoundError
from my_flow_api.models.common import PageParams
from my_flow_api.models.context import Context, ContextCreate
from my_flow_api.models.flow import Flow, FlowCreate, FlowPriority
from my_flow_api.models.flow_change import FlowChangeOp, FlowEdit, TurnPlan, TurnWrite
from my_flow_api.repositories.protocols import Store

pytestmark = pytest.mark.integration

ALICE = "user-alice"
BOB = "user-bob"
DUE = datetime(2026, 3, 10, tzinfo=UTC)
FRIDAY = datetime(2026, 3, 13, tzinfo=UTC)


async def seeded(store: Store, user: str = ALICE) -> tuple[Context, Flow]:
    ctx = await store.contexts.create(user, ContextCreate(name="Work"))
    flow = await store.flows.create(
        user, ctx.id, FlowCreate(title="Book a flight", due_date=DUE, description="TAP")
    )
    return ctx, flow


def edit(op: FlowChangeOp, flow: Flow, **fields: Any) -> FlowEdit:
    return FlowEdit(op=op, flow_id=flow.id, evidence="I booked the flight", **fields)


async def apply(store: Store, ctx: Context, *edits: FlowEdit, user: str = ALICE) -> TurnWrite:
    return await store.flows.apply_turn(user, ctx.id, TurnPlan(edits=list(edits)))


@pytest.mark.parametrize(
    ("op", "fields", "expected"),
    [
        (FlowChangeOp.COMPLETE, {}, {"is_completed": True}),
        (FlowChangeOp.RESCHEDULE, {"due_date": FRIDAY}, {"due_date": FRIDAY}),
        (FlowChangeOp.REPRIORITISE, {"priority": "high"}, {"priority": FlowPriority.HIGH}),
        (FlowChangeOp.REFINE, {"title": "Book a train"}, {"title": "Book a train"}),
    ],
)
async def test_an_edit_changes_the_flow_and_undo_restores_it_exactly(
    store: Store, op: FlowChangeOp, fields: dict[str, Any], expected: dict[str, object]
) -> None:
    ctx, flow = await seeded(store)
    done = await apply(store, ctx, edit(op, flow, **fields))
    [change] = done.changes
    assert change.op is op
    assert change.before == flow
    assert change.evidence
    stored = await store.flows.get_by_id(flow.id, ALICE)
    assert stored is not None
    assert change.after == stored
    for key, value in expected.items():
        assert getattr(stored, key) == value
    if op is FlowChangeOp.COMPLETE:
        assert stored.completed_at is not None
    undone = await store.flows.undo_change(change.id, ALICE)
    assert undone is not None
    assert undone.undone_at is not None
    assert await store.flows.get_by_id(flow.id, ALICE) == flow
    again = await store.flows.undo_change(change.id, ALICE)
    assert again is not None
    assert again.undone_at == undone.undone_at


async def test_cancel_removes_the_flow_and_undo_brings_it_back(store: Store) -> None:
    ctx, flow = await seeded(store)
    [change] = (await apply(store, ctx, edit(FlowChangeOp.CANCEL, flow))).changes
    assert change.after is None
    assert await store.flows.get_by_id(flow.id, ALICE) is None
    open_page = await store.flows.list_by_context(ALICE, ctx.id, PageParams(), completed=False)
    assert open_page.total == 0
    await store.flows.undo_change(change.id, ALICE)
    assert await store.flows.get_by_id(flow.id, ALICE) == flow


async def test_an_edit_of_an_unknown_foreign_or_closed_flow_is_dropped(store: Store) -> None:
    ctx, flow = await seeded(store)
    bob_ctx, bob_flow = await seeded(store, BOB)
    other_ctx = await store.contexts.create(ALICE, ContextCreate(name="Home"))
    elsewhere = await store.flows.create(ALICE, other_ctx.id, FlowCreate(title="Call mum"))
    unknown = FlowEdit(op=FlowChangeOp.COMPLETE, flow_id="nope", evidence="done")
    plan = [unknown, edit(FlowChangeOp.COMPLETE, bob_flow), edit(FlowChangeOp.CANCEL, elsewhere)]
    assert (await apply(store, ctx, *plan)).changes == []
    assert await store.flows.get_by_id(bob_flow.id, BOB) == bob_flow
    assert await store.flows.get_by_id(elsewhere.id, ALICE) == elsewhere
    await apply(store, ctx, edit(FlowChangeOp.CANCEL, flow))
    assert (await apply(store, ctx, edit(FlowChangeOp.COMPLETE, flow))).changes == []
    with pytest.raises(NotFoundError):
        await apply(store, bob_ctx, edit(FlowChangeOp.COMPLETE, bob_flow))


async def test_new_flows_come_with_the_edits_and_skip_open_titles(store: Store) -> None:
    ctx, flow = await seeded(store)
    plan = TurnPlan(
        create=[FlowCreate(title="book a flight"), FlowCreate(title="Book a hotel")],
        edits=[edit(FlowChangeOp.REPRIORITISE, flow, priority="low")],
    )
    done = await store.flows.apply_turn(ALICE, ctx.id, plan)
    assert [f.title for f in done.created] == ["Book a hotel"]
    assert len(done.changes) == 1


async def test_changes_are_listed_newest_first_and_undo_is_scoped(store: Store) -> None:
    ctx, flow = await seeded(store)
    first = await apply(store, ctx, edit(FlowChangeOp.REPRIORITISE, flow, priority="high"))
    second = await apply(store, ctx, edit(FlowChangeOp.COMPLETE, flow))
    page = await store.flows.list_changes(ALICE, ctx.id, PageParams())
    assert [c.id for c in page.items] == [second.changes[0].id, first.changes[0].id]
    assert page.total == 2
    assert await store.flows.undo_change(second.changes[0].id, BOB) is None
    assert await store.flows.undo_change("unknown", ALICE) is None
    with pytest.raises(NotFoundError):
        await store.flows.list_changes(BOB, ctx.id, PageParams())
