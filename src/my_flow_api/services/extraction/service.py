"""The flows in a conversation, for any provider: the one entry point of extraction.

`rules` extraction is deterministic and local; `model` extraction asks the provider and
keeps only the flows grounded in what the user said (or accepted).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import Any

import structlog

from my_flow_api.config import Settings
from my_flow_api.models.conversation import Message, MessageRole
from my_flow_api.models.flow import FlowCreate
from my_flow_api.services.ai.base import ChatMessage, ChatProvider
from my_flow_api.services.ai.conversion import to_chat_messages
from my_flow_api.services.ai.errors import AIBadOutputError, AIServiceError
from my_flow_api.services.extraction.conversation import bounded_conversation, transcript
from my_flow_api.services.extraction.grounding import keep_grounded
from my_flow_api.services.extraction.learned.extract import extract_learned
from my_flow_api.services.extraction.learned.spans import Span
from my_flow_api.services.extraction.mode import FlowExtractor, default_extractor
from my_flow_api.services.extraction.model_output import (
    SCHEMA_NAME,
    extraction_schema,
    parse_flows,
)
from my_flow_api.services.extraction.prompt import (
    EXTRACTION_SYSTEM_PROMPT,
    extraction_user_message,
)
from my_flow_api.services.extraction.titlegate import gate_title

log = structlog.get_logger(__name__)

EXTRACTION_TEMPERATURE = 0.3
EXTRACTION_MAX_TOKENS = 1500
_REQUEST_SCHEMA = extraction_schema()
"""One copy for every request: providers only read it (or copy it), never change it, and
a deep copy per turn cost as much as parsing the answer."""


class FlowExtraction:
    """Extracts flows with `extractor` (by default: rules for `local`, else the model)."""

    def __init__(self, provider: ChatProvider, extractor: FlowExtractor | None = None) -> None:
        self.provider = provider
        self.extractor = extractor or default_extractor(provider.name)

    @classmethod
    def for_settings(cls, provider: ChatProvider, settings: Settings) -> FlowExtraction:
        """`FLOW_EXTRACTOR` applied to `provider` (`auto` picks by provider)."""
        choice = settings.FLOW_EXTRACTOR
        return cls(provider, None if choice == "auto" else FlowExtractor(choice))

    @property
    def before_answer(self) -> bool:
        """Whether a turn extracts before its answer: the embedded default, whose small
        model then only acknowledges what was saved (hosted models answer first)."""
        return self.extractor is FlowExtractor.RULES and self.provider.name == "local"

    async def extract(
        self,
        messages: Sequence[Message | ChatMessage],
        context_id: str | None,
        *,
        today: date | None = None,
        skip: Callable[[Span], bool] | None = None,
    ) -> list[FlowCreate]:
        """The user's actionable tasks in a conversation, validated (at most 10).

        `skip` leaves the rules' candidates out before they are scored (a follow-up turn's
        clauses about open flows); a model provider is not asked about candidates.

        A provider failure raises `AIServiceError` (the caller treats it as non-fatal);
        output that is not usable JSON, or items that fail validation, give fewer or no flows.
        """
        chat = bounded_conversation(to_chat_messages(messages))
        if not any(m.role is MessageRole.USER and m.content.strip() for m in chat):
            return []
        day = today or datetime.now(UTC).date()
        if self.extractor is FlowExtractor.RULES:
            return await _by_rules(chat, day, context_id, skip)
        return await self._by_model(chat, day, context_id)

    async def ask_model(self, prompt: str, system: str, schema: dict[str, Any]) -> str:
        """The provider's raw JSON answer to an extraction prompt (the one way both the
        flows and a turn's operations are asked for); `AIServiceError` when it fails."""
        try:
            return await self.provider.complete_json(
                [ChatMessage(MessageRole.USER, prompt)],
                system=system,
                schema=schema,
                schema_name=SCHEMA_NAME,
                max_tokens=EXTRACTION_MAX_TOKENS,
                temperature=EXTRACTION_TEMPERATURE,
            )
        except AIServiceError:
            raise
        except Exception as exc:
            log.warning("flow extraction failed unexpectedly", error_type=type(exc).__name__)
            raise AIBadOutputError("Flow extraction failed") from exc

    async def _by_model(
        self, chat: list[ChatMessage], day: date, context_id: str | None
    ) -> list[FlowCreate]:
        prompt = extraction_user_message(transcript(chat), today=day)
        raw = await self.ask_model(prompt, EXTRACTION_SYSTEM_PROMPT, _REQUEST_SCHEMA)
        proposed = gated(parse_flows(raw, context_id))
        flows = await asyncio.to_thread(keep_grounded, proposed, chat) if proposed else []
        log.debug(
            "flows extracted", provider=self.provider.name, count=len(flows), proposed=len(proposed)
        )
        return flows


def gated(flows: list[FlowCreate]) -> list[FlowCreate]:
    """The flows whose titles pass the title gate, repaired where it repairs them."""
    out = []
    for flow in flows:
        title = gate_title(flow.title)
        if title:
            out.append(flow.model_copy(update={"title": title}))
    return out


async def _by_rules(
    chat: list[ChatMessage],
    day: date,
    context_id: str | None,
    skip: Callable[[Span], bool] | None = None,
) -> list[FlowCreate]:
    try:
        # Pure-Python work in proportion to the conversation: in a thread, so the event
        # loop keeps relaying other streams' tokens meanwhile.
        return await asyncio.to_thread(extract_learned, chat, day, context_id, skip)
    except Exception as exc:  # a rule bug must cost the flows, never the answer
        log.warning("rule extraction failed", error_type=type(exc).__name__)
        raise AIBadOutputError("Flow extraction failed") from exc
