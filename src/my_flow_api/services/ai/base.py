"""The interface every AI provider implements."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from my_flow_api.models.conversation import MessageRole, Usage


@dataclass(frozen=True, slots=True)
class ChatMessage:
    """A message in the provider-neutral form the providers convert from."""

    role: MessageRole
    content: str


@dataclass(frozen=True, slots=True)
class ChatChunk:
    """One piece of a streamed answer: text, and at the end usage and the finish reason."""

    text: str = ""
    usage: Usage | None = None
    finish_reason: str | None = None


class ChatProvider(Protocol):
    """A model that streams chat answers and returns JSON matching a schema."""

    name: str
    model: str

    def stream_chat(
        self,
        messages: Sequence[ChatMessage],
        *,
        system: str,
        max_tokens: int,
        temperature: float,
    ) -> AsyncIterator[ChatChunk]:
        """Stream the answer; raises AIServiceError subclasses (with produced_text set)."""
        ...

    async def complete_json(
        self,
        messages: Sequence[ChatMessage],
        *,
        system: str,
        schema: dict[str, Any],
        schema_name: str,
        max_tokens: int,
        temperature: float,
    ) -> str:
        """Return the model's raw JSON text, constrained to the schema where the provider can."""
        ...

    async def aclose(self) -> None:
        """Release connections and models."""
        ...
