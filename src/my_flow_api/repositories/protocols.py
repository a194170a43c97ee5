"""The storage contract. Every method is scoped by `user_id`: another user's row is absent."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from my_flow_api.models.common import Page, PageParams
from my_flow_api.models.context import Context, ContextCreate, ContextUpdate
from my_flow_api.models.conversation import (
    CheckpointWrite,
    Conversation,
    ConversationOutcome,
    ConversationSummary,
    Message,
    StartedConversation,
)
from my_flow_api.models.flow import Flow, FlowCreate, FlowUpdate
from my_flow_api.models.flow_change import FlowChange, TurnPlan, TurnWrite


class ContextRepository(Protocol):
    async def create(self, user_id: str, data: ContextCreate) -> Context: ...

    async def get_by_id(self, context_id: str, user_id: str) -> Context | None:
        """The context if it exists and belongs to the user, else None."""
        ...

    async def list(self, user_id: str, page: PageParams) -> Page[Context]: ...

    async def update(
        self, context_id: str, user_id: str, data: ContextUpdate
    ) -> Context | None: ...

    async def delete(self, context_id: str, user_id: str) -> bool:
        """Delete the context with its flows and conversations; False if it was not there."""
        ...


class FlowRepository(Protocol):
    async def create(self, user_id: str, context_id: str, data: FlowCreate) -> Flow:
        """Create a flow; raises NotFoundError if the context is not the user's."""
        ...

    async def create_unique(self, user_id: str, context_id: str, data: FlowCreate) -> Flow | None:
        """Create unless an open flow of the context has the same normalised title (None then)."""
        ...

    async def get_by_id(self, flow_id: str, user_id: str) -> Flow | None: ...

    async def list_by_context(
        self, user_id: str, context_id: str, page: PageParams, completed: bool | None = None
    ) -> Page[Flow]:
        """Flows of a context, newest first; raises NotFoundError for a foreign context."""
        ...

    async def list_open(self, user_id: str, context_id: str, limit: int) -> list[Flow]:
        """The newest `limit` open flows of the user's context, newest first: one query
        for every chat turn (no count, no ownership error: a foreign or missing context
        has none)."""
        ...

    async def update(self, flow_id: str, user_id: str, data: FlowUpdate) -> Flow | None: ...

    async def delete(self, flow_id: str, user_id: str) -> bool: ...

    async def apply_turn(self, user_id: str, context_id: str, plan: TurnPlan) -> TurnWrite:
        """A chat turn's edits of open flows and its new flows, together: an edit naming
        anything but an open flow of this user's context is dropped, a new flow with an
        open flow's normalised title is not created. NotFoundError for a foreign context."""
        ...

    async def list_changes(
        self, user_id: str, context_id: str, page: PageParams
    ) -> Page[FlowChange]:
        """Automatic changes of a context, newest first; NotFoundError for a foreign context."""
        ...

    async def undo_change(self, change_id: str, user_id: str) -> FlowChange | None:
        """Restore the changed flow exactly as it was before (re-created if it was removed);
        a change already undone is returned unchanged; None for an unknown or foreign id."""
        ...


class ConversationRepository(Protocol):
    async def start(
        self,
        user_id: str,
        context_id: str,
        messages: Sequence[Message],
        *,
        provider: str | None = None,
        model: str | None = None,
    ) -> StartedConversation | None:
        """Record a new conversation (status streaming), in one transaction with the ownership
        check, for a new stream.

        Returns the new id and the context's name, or None (nothing stored) when the
        context is missing or not the user's.
        """
        ...

    async def append_messages(
        self,
        conversation_id: str,
        user_id: str,
        messages: Sequence[Message],
        *,
        after: int | None = None,
    ) -> Conversation | None:
        """Add messages to the end and mark the conversation streaming again.

        Raises ConversationBusyError (nothing stored) while the conversation is streaming,
        else HistoryConflictError (nothing stored) when `after` is given and the
        conversation no longer has exactly that many messages (another turn came between
        the caller's read and this write). Checks and write are one atomic step, so of two
        concurrent turns one wins.
        """
        ...

    async def checkpoint(
        self, conversation_id: str, user_id: str, answer: str, message_id: str | None
    ) -> str | None:
        """Store a streaming turn's answer so far as its assistant message: a new message
        when `message_id` is None, else that message rewritten. Only while the conversation
        is streaming; returns the message id, or None (nothing stored) once it is not."""
        ...

    async def checkpoint_many(self, writes: Sequence[CheckpointWrite]) -> list[str | None]:
        """`checkpoint` for several turns at once: the group commit of a process's
        checkpoints (SQL: one transaction; a failure raises and stores none). Per write,
        in order: the message id, or None when nothing was stored for it (its turn is not
        streaming; Mongo, which writes one by one: also a write that failed, logged).
        Either way the caller tries that turn again at its next tick."""
        ...

    async def interrupt_stale(self, before: datetime, code: str) -> int:
        """Record every conversation, any user's, streaming and unchanged since before
        `before` as `interrupted` with `code` (its checkpointed answer stays); how many."""
        ...

    async def finish(
        self, conversation_id: str, user_id: str, outcome: ConversationOutcome
    ) -> bool:
        """Record how a turn ended; the answer, if any, is stored as an assistant message
        (rewriting `outcome.answer_message_id`, the message its checkpoints stored, if set).

        False (nothing stored) when the conversation is not the user's.
        """
        ...

    async def get_by_id(self, conversation_id: str, user_id: str) -> Conversation | None: ...

    async def list_by_context(
        self, user_id: str, context_id: str, page: PageParams
    ) -> Page[ConversationSummary]:
        """Conversations of a context, newest first; NotFoundError for a foreign context."""
        ...


class Store(Protocol):
    """One storage backend: its repositories and its lifecycle."""

    @property
    def contexts(self) -> ContextRepository: ...

    @property
    def flows(self) -> FlowRepository: ...

    @property
    def conversations(self) -> ConversationRepository: ...

    async def ping(self) -> bool:
        """True when the backend answers."""
        ...

    async def close(self) -> None: ...
