"""A model in-process: a `ChatProvider` that answers from a script, for `create_app(ai=…)`."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from my_flow_api.models.conversation import Usage
from my_flow_api.services.ai.base import ChatChunk, ChatMessage


@dataclass
class ScriptedProvider:
    """Streams `tokens` (with `delay` between them); extraction answers `flows`."""

    tokens: Sequence[str]
    flows: Sequence[dict[str, Any]] = ()
    delay: float = 0.0
    name: str = "scripted"
    model: str = "script-1"
    seen: list[list[ChatMessage]] = field(default_factory=list)
    closed: bool = False

    async def stream_chat(
        self,
        messages: Sequence[ChatMessage],
        *,
        system: str,
        max_tokens: int,
        temperature: float,
    ) -> AsyncIterator[ChatChunk]:
        self.seen.append(list(messages))
        for token in self.tokens:
            if self.delay:
                await asyncio.sleep(self.delay)
            yield ChatChunk(text=token)
        usage = Usage(input_tokens=1, output_tokens=len(self.tokens))
        yield ChatChunk(usage=usage, finish_reason="stop")

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
        return json.dumps({"flows": list(self.flows)})

    async def aclose(self) -> None:
        self.closed = True
