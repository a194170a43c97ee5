"""Conversations in MongoDB; their messages live in a collection of their own.

Why not an array inside the conversation: a conversation grows with every turn and a
document is capped at 16 MB (about 400 messages of the maximum size), lists of
conversations would carry every message, and appending would rewrite the array.
Each message is its own document instead, keyed by (conversation_id, seq) under a
unique index. Sequence numbers are reserved atomically with `$inc` on the
conversation's `message_count`, so concurrent appends get disjoint ranges without a
transaction; the messages are inserted afterwards. A crash in between leaves a gap in
`seq`, never a wrong order. Messages carry `user_id` and `context_id` for the cascade.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import structlog
from pymongo import ASCENDING, ReturnDocument
from pymongo.errors import BulkWriteError, PyMongoError

from my_flow_api.errors import ConversationBusyError, DomainError, HistoryConflictError
from my_flow_api.models.common import Page, PageParams, new_id
from my_flow_api.models.conversation import (
    CheckpointWrite,
    Conversation,
    ConversationOutcome,
    ConversationStatus,
    ConversationSummary,
    Message,
    MessageRole,
    StartedConversation,
    StoredMessage,
)
from my_flow_api.repositories.mongo.base import Collections, Doc, clock
from my_flow_api.repositories.mongo.errors import guarded

_Row = tuple[MessageRole, str, datetime]
log = structlog.get_logger(__name__)
STREAMING = ConversationStatus.STREAMING.value
BUSY = "A turn of this conversation is still being generated"
HISTORY_CONFLICT = "The conversation gained messages since the history was read"


def to_summary(doc: Doc) -> ConversationSummary:
    """The model of a stored conversation document, without messages."""
    return ConversationSummary.model_validate({**doc, "id": doc["_id"]})


def to_message(doc: Doc) -> StoredMessage:
    """The model of a stored message document."""
    return StoredMessage.model_validate({**doc, "id": doc["_id"]})


class MongoConversationRepository:
    """`ConversationRepository` on MongoDB."""

    def __init__(self, collections: Collections) -> None:
        self._c = collections

    @guarded
    async def start(
        self,
        user_id: str,
        context_id: str,
        messages: Sequence[Message],
        *,
        provider: str | None = None,
        model: str | None = None,
    ) -> StartedConversation | None:
        """Like `create` with the context's name, or None (nothing stored) for a foreign one."""
        name = await self._c.live_context_name(user_id, context_id)
        if name is None:
            return None
        doc, _ = await self._insert_new(user_id, context_id, messages, provider, model)
        return StartedConversation(id=doc["_id"], context_name=name)

    @guarded
    async def append_messages(
        self,
        conversation_id: str,
        user_id: str,
        messages: Sequence[Message],
        *,
        after: int | None = None,
    ) -> Conversation | None:
        """Add messages to the end and mark the conversation streaming again; raises
        ConversationBusyError while it is streaming already, HistoryConflictError when it
        does not hold `after` messages (nothing stored either way)."""
        doc = await self._visible(conversation_id, user_id)
        if doc is None:
            return None
        now = clock.now()
        update: Doc = {
            "$inc": {"message_count": len(messages)},
            "$set": {"status": STREAMING, "updated_at": now},
        }
        # in the same atomic update: one turn at a time, after the history the caller read
        idle: Doc = {"status": {"$ne": STREAMING}}
        if after is not None:
            idle["message_count"] = self._count_meaning(doc, after)
        before = await self._reserve(conversation_id, user_id, update, idle)
        if before is None:
            await self._refusal(conversation_id, user_id, after)
            return None
        rows = _rows(messages, now)
        await self._insert_messages(before, user_id, before["message_count"], rows)
        return await self._read(conversation_id, user_id)

    @guarded
    async def finish(
        self, conversation_id: str, user_id: str, outcome: ConversationOutcome
    ) -> bool:
        """Record how a turn ended; the answer, if any, is stored as an assistant message."""
        if await self._visible(conversation_id, user_id) is None:
            return False
        now = clock.now()
        fields = outcome.model_dump(mode="json", exclude={"answer", "answer_message_id"})
        update: Doc = {"$set": {**fields, "updated_at": now}}
        answer: list[_Row] = []
        checkpointed = outcome.answer_message_id
        if outcome.answer and checkpointed:
            await self._rewrite(checkpointed, user_id, outcome.answer)
        elif outcome.answer:
            answer.append((MessageRole.ASSISTANT, outcome.answer, now))
            update["$inc"] = {"message_count": 1}
        before = await self._reserve(conversation_id, user_id, update)
        if before is None:
            return False
        await self._insert_messages(before, user_id, before["message_count"], answer)
        return True

    @guarded
    async def checkpoint(
        self, conversation_id: str, user_id: str, answer: str, message_id: str | None
    ) -> str | None:
        """Store the answer so far as the turn's assistant message while the conversation
        is still streaming; its id, or None when the turn has already ended."""
        now = clock.now()
        streaming = {"status": STREAMING}
        if message_id is not None:
            update: Doc = {"$set": {"updated_at": now}}
            if await self._reserve(conversation_id, user_id, update, streaming) is None:
                return None
            await self._rewrite(message_id, user_id, answer)
            return message_id
        update = {"$set": {"updated_at": now}, "$inc": {"message_count": 1}}
        before = await self._reserve(conversation_id, user_id, update, streaming)
        if before is None:
            return None
        row = (MessageRole.ASSISTANT, answer, now)
        docs = await self._insert_messages(before, user_id, before["message_count"], [row])
        return str(docs[0]["_id"])

    async def checkpoint_many(self, writes: Sequence[CheckpointWrite]) -> list[str | None]:
        """`checkpoint` for each write in turn (no multi-document transaction here): a
        write that fails is logged and stands as None, nothing stored, so the others keep
        their ids and the caller tries it again at its next tick, as after a failure of
        `checkpoint` alone."""
        return [await self._checkpoint_or_none(write) for write in writes]

    async def _checkpoint_or_none(self, write: CheckpointWrite) -> str | None:
        try:
            return await self.checkpoint(
                write.conversation_id, write.user_id, write.answer, write.message_id
            )
        except Exception as exc:  # as `Checkpoints` logged a failed save: no content
            code = exc.code if isinstance(exc, DomainError) else type(exc).__name__
            log.warning("Could not checkpoint the answer", code=code)
            return None

    @guarded
    async def interrupt_stale(self, before: datetime, code: str) -> int:
        """Record every conversation (any user's) streaming unchanged since before `before`
        as interrupted with `code`, keeping what its checkpoints stored; returns how many.

        The age is compared here, not in the query: a date range in the filter matched
        nothing now and then on the wire server the tests run (nx-27017)."""
        cursor = self._c.conversations.find({"status": STREAMING}, {"updated_at": 1})
        stale = [doc["_id"] async for doc in cursor if _aware(doc["updated_at"]) < before]
        if not stale:
            return 0
        result = await self._c.conversations.update_many(
            {"_id": {"$in": stale}, "status": STREAMING},
            {
                "$set": {
                    "status": ConversationStatus.INTERRUPTED.value,
                    "error_code": code,
                    "updated_at": clock.now(),
                }
            },
        )
        return int(result.matched_count)  # each match changes (its status)

    async def _rewrite(self, message_id: str, user_id: str, content: str) -> None:
        await self._c.messages.update_one(
            {"_id": message_id, "user_id": user_id}, {"$set": {"content": content}}
        )

    @guarded
    async def get_by_id(self, conversation_id: str, user_id: str) -> Conversation | None:
        """The conversation with its messages in order, if visible to the user."""
        return await self._read(conversation_id, user_id)

    @guarded
    async def list_by_context(
        self, user_id: str, context_id: str, page: PageParams
    ) -> Page[ConversationSummary]:
        """Conversations of a context, newest first; NotFoundError for a foreign context."""
        await self._c.require_context(user_id, context_id)
        query: Doc = {"user_id": user_id, "context_id": context_id}
        return await self._c.page(self._c.conversations, query, page, to_summary)

    async def _visible(self, conversation_id: str, user_id: str) -> Doc | None:
        doc = await self._c.conversations.find_one({"_id": conversation_id, "user_id": user_id})
        if doc is None or not await self._c.context_is_live(user_id, doc["context_id"]):
            return None
        return doc

    async def _read(self, conversation_id: str, user_id: str) -> Conversation | None:
        doc = await self._visible(conversation_id, user_id)
        if doc is None:
            return None
        cursor = self._c.messages.find({"conversation_id": conversation_id, "user_id": user_id})
        stored = [to_message(m) async for m in cursor.sort("seq", ASCENDING)]
        return Conversation.model_validate({**doc, "id": doc["_id"], "messages": stored})

    async def _refusal(self, conversation_id: str, user_id: str, after: int | None) -> None:
        """Why an append matched nothing: busy, a changed history, else busy still (the
        turn that was running has ended since), or (returns) not visible."""
        doc = await self._visible(conversation_id, user_id)
        if doc is None:
            return
        changed = after is not None and doc.get("message_count") != self._count_meaning(doc, after)
        if changed and doc.get("status") != STREAMING:
            raise HistoryConflictError(HISTORY_CONFLICT)
        raise ConversationBusyError(BUSY)

    @staticmethod
    def _count_meaning(doc: Doc, stored: int) -> int:
        """The counter value that means "holds `stored` messages": the counter runs ahead
        of the messages by those whose insert failed after their reservation (a gap in
        `seq`, recorded in `missing_messages`); otherwise one failed insert would refuse
        every later whole-history turn as a conflict. Counted when the insert fails, not
        from the messages afterwards: a turn's end bumps the counter just before it
        inserts its answer, and a stale history must not pass in between."""
        return stored + int(doc.get("missing_messages", 0))

    async def _reserve(
        self, conversation_id: str, user_id: str, update: Doc, where: Doc | None = None
    ) -> Doc | None:
        """Apply `update` (if the document also matches `where`) and return the document as
        it was (its count is the first seq)."""
        return await self._c.conversations.find_one_and_update(
            {"_id": conversation_id, "user_id": user_id, **(where or {})},
            update,
            projection={"context_id": 1, "message_count": 1},
            return_document=ReturnDocument.BEFORE,
        )

    async def _insert_new(
        self,
        user_id: str,
        context_id: str,
        messages: Sequence[Message],
        provider: str | None,
        model: str | None,
    ) -> tuple[Doc, list[Doc]]:
        """Store a new conversation and its messages (the context is the caller's check)."""
        now = clock.now()
        doc: Doc = {
            "_id": new_id(),
            "user_id": user_id,
            "context_id": context_id,
            "status": ConversationStatus.STREAMING.value,
            "provider": provider,
            "model": model,
            "usage": {"input_tokens": None, "output_tokens": None},
            "error_code": None,
            "first_token_ms": None,
            "duration_ms": None,
            "message_count": len(messages),
            "created_at": now,
            "updated_at": now,
        }
        # Messages first: until the conversation exists they are invisible.
        stored = await self._insert_messages(doc, user_id, 0, _rows(messages, now))
        await self._c.conversations.insert_one(doc)
        return doc, stored

    async def _insert_messages(
        self, conversation: Doc, user_id: str, first_seq: int, rows: Sequence[_Row]
    ) -> list[Doc]:
        docs: list[Doc] = [
            {
                "_id": new_id(),
                "conversation_id": conversation["_id"],
                "user_id": user_id,
                "context_id": conversation["context_id"],
                "seq": first_seq + i,
                "role": role.value,
                "content": content,
                "created_at": created_at,
            }
            for i, (role, content, created_at) in enumerate(rows)
        ]
        if docs:
            try:
                await self._c.messages.insert_many(docs)
            except PyMongoError as exc:
                await self._record_missing(conversation["_id"], len(docs) - _inserted(exc))
                raise
        return docs

    async def _record_missing(self, conversation_id: str, missing: int) -> None:
        """Count reserved sequence numbers whose messages were never stored (best effort:
        the error that caused it is what the caller gets)."""
        try:
            await self._c.conversations.update_one(
                {"_id": conversation_id}, {"$inc": {"missing_messages": missing}}
            )
        except PyMongoError:
            log.warning("Could not record a failed message insert", conversation_id=conversation_id)


def _rows(messages: Sequence[Message], now: datetime) -> list[_Row]:
    """Messages as rows to store, stamped with the server's time (as every store does)."""
    return [(m.role, m.content, now) for m in messages]


def _inserted(exc: PyMongoError) -> int:
    """How many of an ordered `insert_many`'s documents were stored before it failed."""
    if isinstance(exc, BulkWriteError):
        return int(exc.details.get("nInserted", 0))
    return 0


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
