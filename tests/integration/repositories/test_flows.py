"""Contract: flows (create, get, list, partial update, completion, delete, isolation)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from my_flow_api.errors import NotFoundError
from my_flow_api.models.common import PageParams
from my_flow_api.models.context import Context, ContextCreate
from my_flow_api.models.flow import Flow, FlowCreate, FlowPriority, FlowUpdate
from my_flow_api.repositories.protocols import Store

pytestmark = pytest.mark.integration

ALICE = "user-alice"
BOB = "user-bob"


async def context_of(store: Store, user: str = ALICE, name: str = "Work") -> Context:
    return await store.contexts.create(user, ContextCreate(name=name))


async def flow_in(store: Store, context: Context, title: str = "Write report") -> Flow:
    return await store.flows.create(context.user_id, context.id, FlowCreate(title=title))


async def test_create_stores_every_field_with_defaults(store: Store) -> None:
    ctx = await context_of(store)
    flow = await flow_in(store, ctx)
    assert (flow.title, flow.description, flow.priority) == ("Write report", None, "medium")
    assert (flow.reminder_enabled, flow.is_completed, flow.completed_at) == (True, False, None)
    assert (flow.user_id, flow.context_id, flow.due_date) == (ALICE, ctx.id, None)
    assert flow.created_at.tzinfo is not None
    assert flow.created_at.utcoffset() == timedelta(0)
    assert await store.flows.get_by_id(flow.id, ALICE) == flow


async def test_due_date_round_trips_as_aware_utc(store: Store) -> None:
    ctx = await context_of(store)
    due = datetime(2030, 5, 17, 9, 30, 15, 123456, tzinfo=timezone(timedelta(hours=2)))
    data = FlowCreate(
        title="Call",
        description="d",
        priority=FlowPriority.HIGH,
        due_date=due,
        reminder_enabled=False,
    )
    created = await store.flows.create(ALICE, ctx.id, data)
    fetched = await store.flows.get_by_id(created.id, ALICE)
    assert fetched is not None
    assert fetched.due_date == due
    assert fetched.due_date is not None
    assert fetched.due_date.tzinfo is not None
    assert fetched.due_date.utcoffset() == timedelta(0)
    assert (fetched.priority, fetched.description, fetched.reminder_enabled) == ("high", "d", False)


async def test_create_in_a_missing_or_foreign_context_is_not_found(store: Store) -> None:
    theirs = await context_of(store, user=BOB)
    with pytest.raises(NotFoundError):
        await store.flows.create(ALICE, theirs.id, FlowCreate(title="x"))
    with pytest.raises(NotFoundError, match=r"^Context not found$"):
        await store.flows.create(ALICE, "no-such-context", FlowCreate(title="x"))
    assert (await store.flows.list_by_context(BOB, theirs.id, PageParams())).total == 0


async def test_list_is_newest_first_paginated_and_scoped_to_the_context(store: Store) -> None:
    ctx, other = await context_of(store), await context_of(store, name="Home")
    made = [await flow_in(store, ctx, f"task {i}") for i in range(5)]
    await flow_in(store, other, "elsewhere")
    page = await store.flows.list_by_context(ALICE, ctx.id, PageParams(limit=3))
    assert (page.total, page.limit, page.offset) == (5, 3, 0)
    assert [f.title for f in page.items] == ["task 4", "task 3", "task 2"]
    rest = await store.flows.list_by_context(ALICE, ctx.id, PageParams(limit=3, offset=3))
    assert [f.title for f in rest.items] == ["task 1", "task 0"]
    assert {f.id for f in page.items + rest.items} == {f.id for f in made}


async def test_list_filters_by_completion(store: Store) -> None:
    ctx = await context_of(store)
    done, _open = await flow_in(store, ctx, "done"), await flow_in(store, ctx, "open")
    await store.flows.update(done.id, ALICE, FlowUpdate(is_completed=True))
    completed = await store.flows.list_by_context(ALICE, ctx.id, PageParams(), completed=True)
    pending = await store.flows.list_by_context(ALICE, ctx.id, PageParams(), completed=False)
    every = await store.flows.list_by_context(ALICE, ctx.id, PageParams(), completed=None)
    assert ([f.title for f in completed.items], completed.total) == (["done"], 1)
    assert ([f.title for f in pending.items], pending.total) == (["open"], 1)
    assert every.total == 2


async def test_list_of_a_foreign_or_missing_context_is_not_found(store: Store) -> None:
    theirs = await context_of(store, user=BOB)
    await flow_in(store, theirs)
    with pytest.raises(NotFoundError):
        await store.flows.list_by_context(ALICE, theirs.id, PageParams())
    with pytest.raises(NotFoundError):
        await store.flows.list_by_context(ALICE, "no-such-context", PageParams())


async def test_list_open_is_the_newest_open_flows_of_the_users_context(store: Store) -> None:
    ctx, other = await context_of(store), await context_of(store, name="Home")
    made = [await flow_in(store, ctx, f"task {i}") for i in range(4)]
    await store.flows.update(made[2].id, ALICE, FlowUpdate(is_completed=True))
    await flow_in(store, other, "elsewhere")
    listed = await store.flows.list_open(ALICE, ctx.id, 2)
    assert [f.title for f in listed] == ["task 3", "task 1"]
    assert listed[0] == await store.flows.get_by_id(made[3].id, ALICE)
    every = await store.flows.list_open(ALICE, ctx.id, 200)
    assert [f.title for f in every] == ["task 3", "task 1", "task 0"]


async def test_list_open_of_a_foreign_or_missing_context_is_empty(store: Store) -> None:
    theirs = await context_of(store, user=BOB)
    await flow_in(store, theirs)
    assert await store.flows.list_open(ALICE, theirs.id, 200) == []
    assert await store.flows.list_open(ALICE, "no-such-context", 200) == []
    assert len(await store.flows.list_open(BOB, theirs.id, 200)) == 1


async def test_update_changes_only_the_fields_sent(store: Store) -> None:
    ctx = await context_of(store)
    flow = await store.flows.create(ALICE, ctx.id, FlowCreate(title="Old", description="keep"))
    updated = await store.flows.update(flow.id, ALICE, FlowUpdate(title="New"))
    assert updated is not None
    assert (updated.title, updated.description, updated.priority) == ("New", "keep", "medium")
    assert (updated.created_at, updated.is_completed) == (flow.created_at, False)
    assert updated.updated_at > flow.updated_at
    cleared = await store.flows.update(flow.id, ALICE, FlowUpdate(description=None))
    assert cleared is not None
    assert (cleared.title, cleared.description) == ("New", None)
    assert await store.flows.get_by_id(flow.id, ALICE) == cleared


async def test_completion_sets_keeps_and_clears_completed_at(store: Store) -> None:
    ctx = await context_of(store)
    flow = await flow_in(store, ctx)
    before = datetime.now(UTC)
    done = await store.flows.update(flow.id, ALICE, FlowUpdate(is_completed=True))
    assert done is not None
    assert done.is_completed is True
    assert done.completed_at is not None
    assert done.completed_at >= before - timedelta(seconds=1)
    assert done.completed_at.utcoffset() == timedelta(0)
    again = await store.flows.update(flow.id, ALICE, FlowUpdate(is_completed=True))
    assert again is not None
    assert (again.completed_at, again.is_completed) == (done.completed_at, True)
    assert again.updated_at > done.updated_at
    reopened = await store.flows.update(flow.id, ALICE, FlowUpdate(is_completed=False))
    assert reopened is not None
    assert (reopened.is_completed, reopened.completed_at) == (False, None)


async def test_update_or_delete_of_a_missing_flow(store: Store) -> None:
    assert await store.flows.update("no-such-flow", ALICE, FlowUpdate(title="x")) is None
    assert await store.flows.delete("no-such-flow", ALICE) is False
    assert await store.flows.get_by_id("no-such-flow", ALICE) is None


async def test_delete_removes_the_flow_once(store: Store) -> None:
    ctx = await context_of(store)
    flow, kept = await flow_in(store, ctx, "gone"), await flow_in(store, ctx, "kept")
    assert await store.flows.delete(flow.id, ALICE) is True
    assert await store.flows.get_by_id(flow.id, ALICE) is None
    assert await store.flows.delete(flow.id, ALICE) is False
    assert [
        f.id for f in (await store.flows.list_by_context(ALICE, ctx.id, PageParams())).items
    ] == [kept.id]


async def test_another_user_never_sees_updates_or_deletes_a_flow(store: Store) -> None:
    ctx = await context_of(store)
    flow = await flow_in(store, ctx)
    assert await store.flows.get_by_id(flow.id, BOB) is None
    assert await store.flows.update(flow.id, BOB, FlowUpdate(is_completed=True)) is None
    assert await store.flows.delete(flow.id, BOB) is False
    with pytest.raises(NotFoundError):
        await store.flows.list_by_context(BOB, ctx.id, PageParams())
    assert await store.flows.get_by_id(flow.id, ALICE) == flow
