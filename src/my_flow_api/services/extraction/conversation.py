"""The conversation extraction reads: bounded, and as a transcript for a model."""

from __future__ import annotations

from collections.abc import Sequence

from my_flow_api.services.ai.base import ChatMessage

INPUT_MAX_CHARS = 24_000
"""Extraction reads at most this much of a conversation: its most recent turns."""


def bounded_conversation(
    chat: Sequence[ChatMessage], limit: int = INPUT_MAX_CHARS
) -> list[ChatMessage]:
    """The most recent messages that fit in `limit` characters (the oldest one that does
    not fit is kept by its end), in order."""
    kept: list[ChatMessage] = []
    room = limit
    for message in reversed(chat):
        if room <= 0:
            break
        content = message.content if len(message.content) <= room else message.content[-room:]
        kept.append(ChatMessage(message.role, content))
        room -= len(content)
    kept.reverse()
    return kept


def transcript(chat: Sequence[ChatMessage]) -> str:
    """`role: content` paragraphs, in order."""
    return "\n\n".join(f"{m.role.value}: {m.content}" for m in chat)
