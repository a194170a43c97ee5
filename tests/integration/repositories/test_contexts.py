"""Contract: contexts (create, get, list, update, delete, isolation)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from my_flow_api.models.common import PageParams
from my_flow_api.models.context import Context, ContextCreate, ContextUpdate
from my_flow_api.repositories.protocols import Store

pytestmark = pytest.mark.integration

ALICE = "user-alice"
BOB = "user-bob"


def assert_utc(value: datetime | None) -> None:
    assert value is not None
    assert value.tzinfo is not None
    assert value.utcoffset() == UTC.utcoffset(value)


async def make(store: Store, name: str = "Work", user: str = ALICE) -> Context:
    return await store.contexts.create(user, ContextCreate(name=name, color="#10B981", icon="💼"))


async def test_create_then_get_returns_the_same_context(store: Store) -> None:
    created = await make(store)
    assert (created.name, created.color, created.icon, created.user_id) == (
        "Work",
        "#10B981",
        "💼",
        ALICE,
    )
    assert isinstance(created.id, str)
    assert created.id
    assert_utc(created.created_at)
    assert created.updated_at == created.created_at
    fetched = await store.contexts.get_by_id(created.id, ALICE)
    assert fetched == created
    assert fetched is not None
    assert_utc(fetched.created_at)
    assert_utc(fetched.updated_at)


async def test_create_uses_model_defaults(store: Store) -> None:
    created = await store.contexts.create(ALICE, ContextCreate(name="Personal"))
    assert (created.color, created.icon) == ("#3B82F6", "📁")


async def test_missing_context_is_none(store: Store) -> None:
    assert await store.contexts.get_by_id("no-such-id", ALICE) is None


async def test_list_is_newest_first_paginated_with_total(store: Store) -> None:
    made = [await make(store, f"ctx {i}") for i in range(5)]
    await make(store, "someone else's", user=BOB)
    first = await store.contexts.list(ALICE, PageParams(limit=2, offset=0))
    assert (first.total, first.limit, first.offset) == (5, 2, 0)
    assert [c.name for c in first.items] == ["ctx 4", "ctx 3"]
    rest = await store.contexts.list(ALICE, PageParams(limit=2, offset=2))
    last = await store.contexts.list(ALICE, PageParams(limit=2, offset=4))
    beyond = await store.contexts.list(ALICE, PageParams(limit=2, offset=10))
    assert [c.name for c in rest.items] == ["ctx 2", "ctx 1"]
    assert [c.name for c in last.items] == ["ctx 0"]
    assert (beyond.items, beyond.total) == ([], 5)
    every = first.items + rest.items + last.items
    assert {c.id for c in every} == {c.id for c in made}
    assert [c.created_at for c in every] == sorted((c.created_at for c in every), reverse=True)


async def test_update_changes_only_the_fields_sent(store: Store) -> None:
    created = await make(store)
    updated = await store.contexts.update(created.id, ALICE, ContextUpdate(name="Job"))
    assert updated is not None
    assert (updated.name, updated.color, updated.icon) == ("Job", created.color, created.icon)
    assert updated.created_at == created.created_at
    assert updated.updated_at > created.updated_at
    assert_utc(updated.updated_at)
    assert await store.contexts.get_by_id(created.id, ALICE) == updated


async def test_empty_update_still_moves_updated_at(store: Store) -> None:
    created = await make(store)
    updated = await store.contexts.update(created.id, ALICE, ContextUpdate())
    assert updated is not None
    assert updated.name == created.name
    assert updated.updated_at > created.updated_at


async def test_update_of_missing_context_is_none(store: Store) -> None:
    assert await store.contexts.update("no-such-id", ALICE, ContextUpdate(name="x")) is None


async def test_delete_removes_the_context_once(store: Store) -> None:
    created = await make(store)
    assert await store.contexts.delete(created.id, ALICE) is True
    assert await store.contexts.get_by_id(created.id, ALICE) is None
    assert await store.contexts.delete(created.id, ALICE) is False
    assert (await store.contexts.list(ALICE, PageParams())).total == 0


async def test_another_user_never_sees_updates_or_deletes_it(store: Store) -> None:
    mine = await make(store)
    assert await store.contexts.get_by_id(mine.id, BOB) is None
    listed = await store.contexts.list(BOB, PageParams())
    assert (listed.items, listed.total) == ([], 0)
    assert await store.contexts.update(mine.id, BOB, ContextUpdate(name="stolen")) is None
    assert await store.contexts.delete(mine.id, BOB) is False
    assert await store.contexts.get_by_id(mine.id, ALICE) == mine
