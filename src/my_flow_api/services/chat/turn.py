"""One chat turn as a server-side task: stream the answer into the log, persist it,
extract flows, announce them, end with exactly one terminal event."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
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
from my_flow_api.models.flow_change import TurnWrite
from my_flow_api.repositories.protocols import Store
from my_flow_api.services.ai.base import ChatMessage
from my_flow_api.services.ai.errors import AIServiceError, AITimeoutError
from my_flow_api.services.ai.service import AIService
from my_flow_api.services.chat.checkpoints import Checkpoints, CheckpointWriter
from my_flow_api.services.chat.flow_capture import capture_turn
from my_flow_api.services.chat.metrics import StreamMetrics
from my_flow_api.services.extraction.service import FlowExtraction
from my_flow_api.services.streams.events import (
    DONE,
    ERROR,
    METADATA,
    TOKEN,
    done_data,
    error_data,
    metadata_data,
)
from my_flow_api.services.streams.registry import ActiveStream, StopReason

log = structlog.get_logger(__name__)

NO_FLOWS = metadata_data([])
EMPTY_AT_CAP_CODE = AITimeoutError.code


@dataclass
class _Answer:
    parts: list[str] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    finish_reason: str | None = None
    first_token_ms: int | None = None

    @property
    def text(self) -> str:
        return "".join(self.parts)


@dataclass(frozen=True)
class TurnLimits:
    """Bounds of one turn."""

    max_duration_seconds: float = 300.0
    checkpoint_seconds: float = 1.0
    """How often the answer so far is saved while it streams (0: only at the end)."""


class ChatTurn:
    """Runs one turn for one stream; `run()` is the body of the generation task."""

    def __init__(
        self,
        stream: ActiveStream,
        messages: Sequence[Message],
        ai: AIService,
        extraction: FlowExtraction,
        store: Store,
        metrics: StreamMetrics,
        *,
        context_name: str | None = None,
        limits: TurnLimits | None = None,
        open_flows: bool = True,
        checkpoint_writer: CheckpointWriter | None = None,
    ) -> None:
        """`checkpoint_writer`: the process's (its saves commit with other turns'); by
        default one of the turn's own."""
        self.stream = stream
        self.messages = list(messages)
        self.ai = ai
        self.extraction = extraction
        self.store = store
        self.early_failure: AIServiceError | None = None
        self.metrics = metrics
        self.context_name = context_name
        self.limits = limits or TurnLimits()
        self.open_flows = open_flows
        """False: the context had no open flows as the turn began; capture reads none."""
        self.answer = _Answer()
        self.started_at = time.monotonic()
        self.outcome = "error"
        self._announced = False
        self._flow_count = 0
        self._early: TurnWrite | None = None
        self._persisting: asyncio.Task[object] | None = None
        self._log = log.bind(user_id=stream.user_id, context_id=stream.context_id)
        writer = checkpoint_writer or CheckpointWriter(
            store.conversations, self.limits.checkpoint_seconds
        )
        self.checkpoints = Checkpoints(
            writer, stream.conversation_id, stream.user_id, lambda: self.answer.parts
        )

    def _elapsed_ms(self) -> int:
        return int((time.monotonic() - self.started_at) * 1000)

    async def launch(self, header_wait_seconds: float, on_end: Callable[[], None]) -> None:
        """Run as a task that outlives the request (`on_end` when it is over, which frees
        the stream's slot); return once the answer has begun, or after
        `header_wait_seconds`. A provider failure before any token is raised here (an HTTP
        status); a later one reaches readers as an `error` event."""
        stream = self.stream
        stream.task = asyncio.create_task(self.run(), name=f"chat-stream-{stream.id}")
        stream.task.add_done_callback(lambda _: on_end())
        await stream.wait_started(header_wait_seconds)
        if self.early_failure is not None:
            raise self.early_failure

    async def run(self) -> None:
        """Generate the turn; every path, cancellation included, ends the log exactly once."""
        self.metrics.stream_started()
        self.checkpoints.start()
        try:
            await self._generate()
        except asyncio.CancelledError:
            await asyncio.shield(self._stopped())
            if self.stream.stop_reason is None:
                raise
        except Exception:
            self._log.exception("Unexpected error during streaming")
            await self._fail("internal_error", "Internal server error")
        finally:
            self.metrics.stream_ended(self.outcome, len(self.answer.parts))
            self.stream.mark_started()
            self._log_ended()

    def _log_ended(self) -> None:
        """One line per turn with everything about it (no message content): cheaper and
        easier to query than a line per step."""
        answer = self.answer
        self._log.info(
            "Chat stream ended",
            stream_id=self.stream.id,
            conversation_id=self.stream.conversation_id,
            message_count=len(self.messages),
            outcome=self.outcome,
            stop_reason=self.stream.stop_reason.value if self.stream.stop_reason else None,
            finish_reason=answer.finish_reason,
            first_token_ms=answer.first_token_ms,
            duration_ms=self._elapsed_ms(),
            response_length=sum(len(part) for part in answer.parts),
            output_tokens=answer.usage.output_tokens,
            flow_count=self._flow_count,
        )

    async def _generate(self) -> None:
        try:
            async with asyncio.timeout(self.limits.max_duration_seconds):
                await self._stream_answer()
        except TimeoutError:
            self.answer.finish_reason = "max_duration"
            if not self.answer.parts:  # a turn that produced nothing is no success
                self.metrics.provider_errors.labels(code=EMPTY_AT_CAP_CODE).inc()
                seconds = self.limits.max_duration_seconds
                self.early_failure = AITimeoutError(f"The model wrote nothing within {seconds:g} s")
                await self._fail(EMPTY_AT_CAP_CODE, self.early_failure.message)
                return
        except AIServiceError as exc:
            self.metrics.provider_errors.labels(code=exc.code).inc()
            self._log.error("AI service error during streaming", code=exc.code)
            if not self.answer.parts:
                self.early_failure = exc
            await self._fail(exc.code, exc.message)
            return
        if not await self._persist(ConversationStatus.COMPLETE):
            return
        await self._announce_flows()
        await self._done(self.answer.finish_reason)

    async def _stream_answer(self) -> None:
        append, answer, stream = self.stream.log.append, self.answer, self.stream
        if self.extraction.before_answer:  # issue 20: the local model acknowledges them
            self._early = await self._capture(list(self.messages))
        chunks = self.ai.stream_chat(
            self.messages,
            stream.context_id,
            context_name=self.context_name,
            captured=[flow.title for flow in self._early.created] if self._early else [],
        )
        async with aclosing(chunks):
            async for chunk in chunks:
                if chunk.text:
                    if answer.first_token_ms is None:
                        answer.first_token_ms = self._elapsed_ms()
                        self.metrics.ttft.observe(answer.first_token_ms / 1000)
                        stream.mark_started()
                    answer.parts.append(chunk.text)
                    await append(TOKEN, chunk.text)
                if chunk.usage is not None:
                    answer.usage = chunk.usage
                if chunk.finish_reason is not None:
                    answer.finish_reason = chunk.finish_reason

    async def _stopped(self) -> None:
        """Record a stop: cancelled by the owner, or interrupted (disconnect, shutdown)."""
        reason = self.stream.stop_reason or StopReason.SHUTDOWN
        cancelled = reason is StopReason.CANCELLED
        status = ConversationStatus.CANCELLED if cancelled else ConversationStatus.INTERRUPTED
        if self._persisting is None:
            await self._persist(status, error_code=None if cancelled else reason.value)
        else:  # a write was under way when the stop came: let it land, never write twice
            await asyncio.gather(self._persisting, return_exceptions=True)
        if self.stream.log.closed:
            return
        self.outcome = status.value
        if cancelled:
            if not self._announced:
                early = self._early
                metadata = metadata_data(early.created, early.changes) if early else NO_FLOWS
                await self.stream.log.append(METADATA, metadata)
            await self._done("cancelled")
        else:
            message = "The stream was interrupted before the answer was complete"
            await self.stream.log.append(ERROR, error_data(reason.value, message))

    async def _fail(self, code: str, message: str) -> None:
        if self._persisting is None:
            await self._persist(ConversationStatus.FAILED, error_code=code)
        if not self.stream.log.closed:
            await self.stream.log.append(ERROR, error_data(code, message))
        self.outcome = "error"

    async def _persist(self, status: ConversationStatus, error_code: str | None = None) -> bool:
        checkpointed = await self.checkpoints.stop()
        outcome = ConversationOutcome(
            status=status,
            answer=self.answer.text or None,
            usage=self.answer.usage,
            error_code=error_code,
            first_token_ms=self.answer.first_token_ms,
            duration_ms=self._elapsed_ms(),
            answer_message_id=checkpointed,
        )
        finish = self.store.conversations.finish
        self._persisting = asyncio.ensure_future(
            finish(self.stream.conversation_id, self.stream.user_id, outcome)
        )
        try:
            await asyncio.shield(self._persisting)
        except DomainError as exc:
            self._log.error("Could not record the conversation", code=exc.code)
            if status is ConversationStatus.COMPLETE:
                await self._fail(exc.code, "The answer could not be saved")
            return False
        return True

    async def _announce_flows(self) -> None:
        conversation: list[Message | ChatMessage] = list(self.messages)
        if self.answer.text:
            conversation.append(ChatMessage(MessageRole.ASSISTANT, self.answer.text))
        written = self._early if self._early is not None else await self._capture(conversation)
        flows = written.created
        self._announced = True
        self._flow_count = len(flows)
        await self.stream.log.append(METADATA, metadata_data(flows, written.changes))
        if flows:
            self.metrics.flows.inc(len(flows))

    async def _capture(self, conversation: list[Message | ChatMessage]) -> TurnWrite:
        stream = self.stream
        return await capture_turn(
            self.extraction,
            self.store.flows,
            stream.user_id,
            stream.context_id,
            conversation,
            read_open=self.open_flows,
        )

    async def _done(self, finish_reason: str | None) -> None:
        done = StreamDone(
            conversation_id=self.stream.conversation_id,
            stream_id=self.stream.id,
            finish_reason=finish_reason,
            usage=self.answer.usage,
            response_length=len(self.answer.text),
        )
        await self.stream.log.append(DONE, done_data(done))
        if finish_reason != "cancelled":
            self.outcome = "done"
