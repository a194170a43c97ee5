"""Header parsing, scopes and context ownership."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import structlog

from my_flow_api.auth.verifier import (
    Principal,
    bearer_token,
    parse_scopes,
    require_scopes,
)
from my_flow_api.errors import AuthenticationError, NotFoundError, PermissionDeniedError
from my_flow_api.models.common import Page, PageParams
from my_flow_api.models.context import Context, ContextCreate, ContextUpdate
from my_flow_api.services.chat.ownership import owned_context


@pytest.mark.parametrize(
    ("header", "token"),
    [("Bearer abc.def.ghi", "abc.def.ghi"), ("bearer  xyz ", "xyz"), (" BEARER t", "t")],
)
def test_bearer_token_is_extracted(header: str, token: str) -> None:
    assert bearer_token(header) == token


@pytest.mark.parametrize(
    ("header", "code"),
    [
        (None, "missing_token"),
        ("", "missing_token"),
        ("   ", "missing_token"),
        ("Bearer", "invalid_token"),
        ("Bearer   ", "invalid_token"),
        ("Basic dXNlcjpwYXNz", "invalid_token"),
        ("Token abc", "invalid_token"),
    ],
)
def test_bad_authorization_headers(header: str | None, code: str) -> None:
    with pytest.raises(AuthenticationError) as caught:
        bearer_token(header)
    assert caught.value.code == code


@pytest.mark.parametrize(
    ("claim", "scopes"),
    [
        ("openid  read:flows ", {"openid", "read:flows"}),
        (["a", "b", 3, ""], {"a", "b"}),
        (None, set()),
        (42, set()),
    ],
)
def test_parse_scopes(claim: object, scopes: set[str]) -> None:
    assert parse_scopes(claim) == scopes


def test_require_scopes_names_the_missing_ones() -> None:
    principal = Principal("u1", frozenset({"read"}), {"sub": "u1"})
    require_scopes(principal, [])
    require_scopes(principal, ["read"])
    with pytest.raises(PermissionDeniedError, match="write"):
        require_scopes(principal, ["read", "write"])


def test_principal_repr_hides_claims() -> None:
    principal = Principal("u1", frozenset(), {"sub": "u1", "secret": "x"})
    assert "secret" not in repr(principal)


class InMemoryContexts:
    """Just enough of a ContextRepository: rows keyed by id, scoped by user."""

    def __init__(self, *contexts: Context) -> None:
        self.rows = {c.id: c for c in contexts}

    async def get_by_id(self, context_id: str, user_id: str) -> Context | None:
        row = self.rows.get(context_id)
        return row if row is not None and row.user_id == user_id else None

    async def create(self, user_id: str, data: ContextCreate) -> Context:
        raise NotImplementedError

    async def list(self, user_id: str, page: PageParams) -> Page[Context]:
        raise NotImplementedError

    async def update(self, context_id: str, user_id: str, data: ContextUpdate) -> Context | None:
        raise NotImplementedError

    async def delete(self, context_id: str, user_id: str) -> bool:
        raise NotImplementedError


def _context(context_id: str, user_id: str) -> Context:
    now = datetime.now(UTC)
    return Context(id=context_id, user_id=user_id, name="Work", created_at=now, updated_at=now)


async def test_owner_gets_the_context_and_context_id_is_bound() -> None:
    structlog.contextvars.clear_contextvars()
    repo = InMemoryContexts(_context("c1", "alice"))
    context = await owned_context("c1", "alice", repo)
    assert context.id == "c1"
    assert structlog.contextvars.get_contextvars()["context_id"] == "c1"


@pytest.mark.parametrize(("context_id", "user_id"), [("missing", "alice"), ("c1", "bob")])
async def test_missing_and_foreign_contexts_look_the_same(context_id: str, user_id: str) -> None:
    repo = InMemoryContexts(_context("c1", "alice"))
    with pytest.raises(NotFoundError) as caught:
        await owned_context(context_id, user_id, repo)
    assert caught.value.message == "Context not found"
