"""Message conversion: API messages to the neutral form, and that to each provider's."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Literal, TypedDict

from my_flow_api.models.conversation import Message, MessageRole
from my_flow_api.services.ai.base import ChatMessage


class Turn(TypedDict):
    """One message as both providers' APIs take it."""

    role: Literal["system", "user", "assistant"]
    content: str


PLACEHOLDER_USER_TURN = "(continuing the conversation)"
"""Anthropic needs a user turn first and non-blank turns; this fills the gap when missing."""


def to_chat_messages(messages: Iterable[Message | ChatMessage]) -> list[ChatMessage]:
    """The provider-neutral form of the client's messages, order kept."""
    return [
        m if isinstance(m, ChatMessage) else ChatMessage(role=m.role, content=m.content)
        for m in messages
    ]


def to_openai_messages(messages: Sequence[ChatMessage], system: str) -> list[Turn]:
    """OpenAI chat messages: our system prompt first, then every message in order."""
    out: list[Turn] = []
    if system:
        out.append({"role": "system", "content": system})
    for m in messages:
        if m.role is MessageRole.USER:
            out.append({"role": "user", "content": m.content})
        elif m.role is MessageRole.ASSISTANT:
            out.append({"role": "assistant", "content": m.content})
        else:
            out.append({"role": "system", "content": m.content})
    return out


def to_anthropic_messages(messages: Sequence[ChatMessage], system: str) -> tuple[str, list[Turn]]:
    """Anthropic's `system` text and message list.

    System-role messages from the client are folded into the system text after ours;
    consecutive messages of one role are merged (Anthropic requires alternating turns);
    the list starts with a user turn; blank turns and trailing whitespace at the end of a
    final assistant turn (which Anthropic rejects) are repaired.
    """
    system_parts = [system] if system else []
    turns: list[tuple[MessageRole, list[str]]] = []
    for m in messages:
        if m.role is MessageRole.SYSTEM:
            system_parts.append(m.content)
        elif turns and turns[-1][0] is m.role:
            turns[-1][1].append(m.content)
        else:
            turns.append((m.role, [m.content]))
    if not turns or turns[0][0] is not MessageRole.USER:
        turns.insert(0, (MessageRole.USER, [PLACEHOLDER_USER_TURN]))
    out: list[Turn] = []
    last = len(turns) - 1
    for i, (role, parts) in enumerate(turns):
        text = "\n\n".join(parts)
        if i == last and role is MessageRole.ASSISTANT:
            text = text.rstrip()
        if not text.strip():
            text = PLACEHOLDER_USER_TURN
        if role is MessageRole.USER:
            out.append({"role": "user", "content": text})
        else:
            out.append({"role": "assistant", "content": text})
    return "\n\n".join(p for p in system_parts if p.strip()), out
