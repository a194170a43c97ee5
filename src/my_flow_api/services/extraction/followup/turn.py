"""One turn's extraction with follow-up: the new flows and the operations on open flows.

With no open flows this is plain `FlowExtraction.extract`. With some, the embedded
rules extract as before and `detect` proposes operations in-process; a model provider
is asked once, with the open flows in the request and `operations` in the structured
answer. Every proposal then goes through `vetting`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import ParamSpec, TypeVar

import structlog

from my_flow_api.models.conversation import Message, MessageRole
from my_flow_api.models.flow import FlowCreate
from my_flow_api.services.ai.base import ChatMessage
from my_flow_api.services.ai.conversion import to_chat_messages
from my_flow_api.services.ai.errors import AIBadOutputError
from my_flow_api.services.extraction.conversation import bounded_conversation, transcript
from my_flow_api.services.extraction.followup.detect import detect_operations
from my_flow_api.services.extraction.followup.model_io import (
    OPERATIONS_RULES,
    open_flows_block,
    parse_operations,
    turn_schema,
)
from my_flow_api.services.extraction.followup.new_flows import acted, new_flow_filter
from my_flow_api.services.extraction.followup.operations import OpenFlow, Operation
from my_flow_api.services.extraction.followup.restated import not_restating
from my_flow_api.services.extraction.followup.vetting import vet
from my_flow_api.services.extraction.grounding import keep_grounded
from my_flow_api.services.extraction.learned.spans import Span
from my_flow_api.services.extraction.mode import FlowExtractor
from my_flow_api.services.extraction.model_output import parse_flows
from my_flow_api.services.extraction.prompt import (
    EXTRACTION_SYSTEM_PROMPT,
    extraction_user_message,
)
from my_flow_api.services.extraction.service import FlowExtraction, gated

log = structlog.get_logger(__name__)
P = ParamSpec("P")
R = TypeVar("R")

TURN_SYSTEM_PROMPT = EXTRACTION_SYSTEM_PROMPT + OPERATIONS_RULES


@dataclass
class TurnExtraction:
    """What a turn proposes: new flows and vetted operations on open flows."""

    flows: list[FlowCreate] = field(default_factory=list)
    operations: list[Operation] = field(default_factory=list)


async def extract_turn(
    extraction: FlowExtraction,
    messages: Sequence[Message | ChatMessage],
    context_id: str | None,
    open_flows: Sequence[OpenFlow],
    *,
    today: date | None = None,
) -> TurnExtraction:
    """New flows and vetted operations; a provider failure raises `AIServiceError`."""
    day = today or datetime.now(UTC).date()
    if not open_flows:
        return TurnExtraction(await extraction.extract(messages, context_id, today=day))
    chat = bounded_conversation(to_chat_messages(messages))
    if not any(m.role is MessageRole.USER and m.content.strip() for m in chat):
        return TurnExtraction()
    if extraction.extractor is FlowExtractor.RULES:
        # The detection, the filter's reading of the chat and the new flows' checks are
        # pure Python in proportion to the chat and the open flows (~0.1 s on a 24k-char
        # chat with 200 open): in threads, so the loop keeps relaying other streams.
        operations, skip = await _rule_step(_rules_operations, chat, open_flows, day)
        flows = await extraction.extract(messages, context_id, today=day, skip=skip)
        if flows:
            flows = await _rule_step(_new_only, flows, open_flows)
        return TurnExtraction(flows, operations)
    return await _by_model(extraction, chat, context_id, open_flows, day)


async def _rule_step(step: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """`step` in a thread; a rule bug costs the turn's flows and changes (like one in the
    extractor: `AIBadOutputError`), never the answer."""
    try:
        return await asyncio.to_thread(step, *args, **kwargs)
    except Exception as exc:
        log.warning("follow-up rules failed", error_type=type(exc).__name__)
        raise AIBadOutputError("Flow extraction failed") from exc


def _rules_operations(
    chat: list[ChatMessage], open_flows: Sequence[OpenFlow], day: date
) -> tuple[list[Operation], Callable[[Span], bool]]:
    """The vetted operations, and the filter of the new-flow candidates they imply."""
    operations = vet(detect_operations(chat, open_flows, day), chat, open_flows, day)
    return operations, new_flow_filter(chat, open_flows, operations)


def _new_only(flows: list[FlowCreate], open_flows: Sequence[OpenFlow]) -> list[FlowCreate]:
    return acted(not_restating(flows, open_flows))


async def _by_model(
    extraction: FlowExtraction,
    chat: list[ChatMessage],
    context_id: str | None,
    open_flows: Sequence[OpenFlow],
    day: date,
) -> TurnExtraction:
    prompt = extraction_user_message(transcript(chat), today=day)
    prompt += "\n" + open_flows_block(open_flows)
    raw = await extraction.ask_model(prompt, TURN_SYSTEM_PROMPT, turn_schema())
    proposed = gated(parse_flows(raw, context_id))
    flows = await asyncio.to_thread(keep_grounded, proposed, chat) if proposed else []
    operations = await asyncio.to_thread(vet, parse_operations(raw), chat, open_flows, day)
    return TurnExtraction(flows, operations)
