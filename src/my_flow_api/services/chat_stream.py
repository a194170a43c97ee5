"""One chat turn as a server-side task: stream the answer into the log, persist it,
extract flows, announce them, end with exactly one terminal event."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from contextlib import aclosing
from dataclasses import dataclass, field

import structlog

from my_flow_api.errors import DomainError
from my_flow_api.models.chat import StreamDone
from my_flow_api.models.conversation import (
    ConversationOutcome,
    ConversationStatus,
    Message,
    MessageRole,
    Usage,
)
from my_flow_api.repositories.protocols import Store
from my_flow_api.services.ai.errors import AIServiceError
from my_flow_api.services.ai_service import AIService
from my_flow_api.services.flow_capture import capture_flows
from my_flow_api.services.streams.events import DONE, ERROR, METADATA, TOKEN, json_data
from my_flow_api.services.streams.registry import ActiveStream

log = structlog.get_logger(__name__)


@dataclass
class _Answer:
    parts: list[str] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    finish_reason: str | None = None
    first_token_ms: int | None = None

    @property
    def text(self) -> str:
        return "".join(self.parts)


class ChatTurn:
    """Runs one turn for one stream; `run()` is the body of the generation task."""

    def __init__(
        self,
        stream: ActiveStream,
        messages: Sequence[Message],
        ai: AIService,
        store: Store,
        *,
        context_name: str | None = None,
    ) -> None:
        self.stream = stream
        self.context_name = context_name
        self.messages = list(messages)
        self.ai = ai
        self.store = store
        self.answer = _Answer()
        self.started_at = time.monotonic()
        self._log = log.bind(user_id=stream.user_id, context_id=stream.context_id)

    def _elapsed_ms(self) -> int:
        return int((time.monotonic() - self.started_at) * 1000)

    async def run(self) -> None:
        """Stream, persist, extract, announce; every path ends the log exactly once."""
        try:
            await self._stream_answer()
        except AIServiceError as exc:
            await self._fail(exc.code, exc.message, exc)
            return
        except asyncio.CancelledError:
            await asyncio.shield(self._interrupted())
            raise
        except Exception:
            self._log.exception("unexpected error during streaming")
            await self._fail("internal_error", "Internal server error", None)
            return
        self._log.info("chat stream completed", response_length=len(self.answer.text))
        if not await self._persist(ConversationStatus.COMPLETE):
            return
        await self._announce_flows()
        await self._done(self.answer.finish_reason)

    async def _stream_answer(self) -> None:
        append = self.stream.log.append
        answer = self.answer
        chunks = self.ai.stream_chat(
            self.messages, self.stream.context_id, context_name=self.context_name
        )
        async with aclosing(chunks):
            async for chunk in chunks:
                if chunk.text:
                    if answer.first_token_ms is None:
                        answer.first_token_ms = self._elapsed_ms()
                    answer.parts.append(chunk.text)
                    await append(TOKEN, chunk.text)
                    self.stream.mark_started()
                if chunk.usage is not None:
                    answer.usage = chunk.usage
                if chunk.finish_reason is not None:
                    answer.finish_reason = chunk.finish_reason

    async def _fail(self, code: str, message: str, exc: AIServiceError | None) -> None:
        if exc is not None:
            self._log.error("AI service error during streaming", code=code)
            if not self.answer.parts:
                self.stream.early_failure = exc
        await self._persist(ConversationStatus.FAILED, error_code=code)
        await self.stream.log.append(ERROR, json_data({"error": message, "code": code}))
        self.stream.mark_started()

    async def _interrupted(self) -> None:
        await self._persist(ConversationStatus.INTERRUPTED, error_code="interrupted")
        if not self.stream.log.closed:
            payload = {"error": "The stream was interrupted", "code": "shutting_down"}
            await self.stream.log.append(ERROR, json_data(payload))
        self.stream.mark_started()

    async def _persist(self, status: ConversationStatus, error_code: str | None = None) -> bool:
        outcome = ConversationOutcome(
            status=status,
            answer=self.answer.text or None,
            usage=self.answer.usage,
            error_code=error_code,
            first_token_ms=self.answer.first_token_ms,
            duration_ms=self._elapsed_ms(),
        )
        try:
            await self.store.conversations.finish(
                self.stream.conversation_id, self.stream.user_id, outcome
            )
        except DomainError as exc:
            self._log.error("could not record the conversation", code=exc.code)
            if status is ConversationStatus.COMPLETE:
                payload = {"error": "The answer could not be saved", "code": exc.code}
                await self.stream.log.append(ERROR, json_data(payload))
            return False
        return True

    async def _announce_flows(self) -> None:
        transcript = conversation_text(self.messages, self.answer.text)
        flows = await capture_flows(
            self.ai, self.store.flows, self.stream.user_id, self.stream.context_id, transcript
        )
        payload = {
            "event": "flows_extracted",
            "flows": [f.model_dump(mode="json") for f in flows],
            "extracted_flows": [f.id for f in flows],
        }
        await self.stream.log.append(METADATA, json_data(payload))

    async def _done(self, finish_reason: str | None) -> None:
        done = StreamDone(
            conversation_id=self.stream.conversation_id,
            stream_id=self.stream.id,
            finish_reason=finish_reason,
            usage=self.answer.usage,
            response_length=len(self.answer.text),
        )
        await self.stream.log.append(DONE, done.model_dump_json())
        self.stream.mark_started()


def conversation_text(messages: Sequence[Message], answer: str) -> str:
    """The transcript flow extraction reads: every message, then the new answer."""
    lines = [f"{m.role.value}: {m.content}" for m in messages]
    if answer:
        lines.append(f"{MessageRole.ASSISTANT.value}: {answer}")
    return "\n\n".join(lines)
