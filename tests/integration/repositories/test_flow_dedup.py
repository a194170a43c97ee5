"""Contract: `create_unique` skips a flow whose normalised title an open flow already has."""

from __future__ import annotations

import asyncio

import pytest

from my_flow_api.errors import NotFoundError
from my_flow_api.models.common import PageParams
from my_flow_api.models.context import Context, ContextCreate
from my_flow_api.models.flow import FlowCreate, FlowUpdate
from my_flow_api.repositories.protocols import Store

pytestmark = pytest.mark.integration

ALICE = "user-alice"
BOB = "user-bob"
FULLWIDTH_BUY_MILK = "\uff22\uff55\uff59 \uff4d\uff49\uff4c\uff4b"


async def context_of(store: Store, user: str = ALICE) -> Context:
    return await store.contexts.create(user, ContextCreate(name="Work"))


async def total(store: Store, ctx: Context) -> int:
    return (await store.flows.list_by_context(ctx.user_id, ctx.id, PageParams())).total


async def test_first_is_created_and_a_normalised_duplicate_is_skipped(store: Store) -> None:
    ctx = await context_of(store)
    first = await store.flows.create_unique(ALICE, ctx.id, FlowCreate(title="Buy milk"))
    assert first is not None
    assert first.title == "Buy milk"
    for variant in ("buy milk", "  BUY   MILK!! ", "Buy milk.", FULLWIDTH_BUY_MILK):
        assert await store.flows.create_unique(ALICE, ctx.id, FlowCreate(title=variant)) is None
    assert await total(store, ctx) == 1


async def test_a_different_title_is_created(store: Store) -> None:
    ctx = await context_of(store)
    await store.flows.create_unique(ALICE, ctx.id, FlowCreate(title="Buy milk"))
    other = await store.flows.create_unique(ALICE, ctx.id, FlowCreate(title="Buy bread"))
    assert other is not None
    assert await total(store, ctx) == 2


async def test_a_completed_flow_does_not_block(store: Store) -> None:
    ctx = await context_of(store)
    first = await store.flows.create_unique(ALICE, ctx.id, FlowCreate(title="Buy milk"))
    assert first is not None
    await store.flows.update(first.id, ALICE, FlowUpdate(is_completed=True))
    again = await store.flows.create_unique(ALICE, ctx.id, FlowCreate(title="buy milk"))
    assert again is not None
    assert again.id != first.id
    assert await total(store, ctx) == 2


async def test_a_renamed_flow_blocks_its_new_title_only(store: Store) -> None:
    ctx = await context_of(store)
    first = await store.flows.create_unique(ALICE, ctx.id, FlowCreate(title="Draft"))
    assert first is not None
    await store.flows.update(first.id, ALICE, FlowUpdate(title="Final"))
    assert await store.flows.create_unique(ALICE, ctx.id, FlowCreate(title="final")) is None
    assert await store.flows.create_unique(ALICE, ctx.id, FlowCreate(title="draft")) is not None


async def test_the_same_title_in_another_context_or_user_is_created(store: Store) -> None:
    ctx, other = await context_of(store), await context_of(store)
    bobs = await context_of(store, user=BOB)
    data = FlowCreate(title="Buy milk")
    assert await store.flows.create_unique(ALICE, ctx.id, data) is not None
    assert await store.flows.create_unique(ALICE, other.id, data) is not None
    assert await store.flows.create_unique(BOB, bobs.id, data) is not None


async def test_a_foreign_or_missing_context_is_not_found(store: Store) -> None:
    bobs = await context_of(store, user=BOB)
    with pytest.raises(NotFoundError):
        await store.flows.create_unique(ALICE, bobs.id, FlowCreate(title="x"))
    with pytest.raises(NotFoundError):
        await store.flows.create_unique(ALICE, "no-such-context", FlowCreate(title="x"))
    assert await total(store, bobs) == 0


async def test_concurrent_calls_with_one_title_create_one_flow(store: Store) -> None:
    ctx = await context_of(store)
    titles = ["Plan trip", "plan trip", "PLAN TRIP", "Plan trip!", "plan  trip", "Plan Trip"]
    results = await asyncio.gather(
        *(store.flows.create_unique(ALICE, ctx.id, FlowCreate(title=t)) for t in titles)
    )
    assert sum(result is not None for result in results) == 1
    assert await total(store, ctx) == 1


async def test_concurrent_calls_with_distinct_titles_all_succeed(store: Store) -> None:
    ctx = await context_of(store)
    results = await asyncio.gather(
        *(store.flows.create_unique(ALICE, ctx.id, FlowCreate(title=f"task {i}")) for i in range(6))
    )
    assert all(result is not None for result in results)
    assert await total(store, ctx) == 6
