"""Conversations and their messages."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from my_flow_api.models.common import InputDateTime, UTCDateTime
from my_flow_api.models.text import StorableText

MESSAGE_MAX = 10_000


class MessageRole(StrEnum):
    USER = "user"
    ASSISTANT = "assistant"
    SYSTEM = "system"


class Message(BaseModel):
    """One chat message as a client sends it."""

    model_config = ConfigDict(extra="forbid")

    role: MessageRole
    content: StorableText = Field(min_length=1, max_length=MESSAGE_MAX)
    timestamp: InputDateTime | None = None


class ConversationStatus(StrEnum):
    STREAMING = "streaming"
    COMPLETE = "complete"
    FAILED = "failed"
    INTERRUPTED = "interrupted"
    CANCELLED = "cancelled"


class Usage(BaseModel):
    """Token counts, when the provider reports them."""

    input_tokens: int | None = Field(default=None, ge=0)
    output_tokens: int | None = Field(default=None, ge=0)


class StoredMessage(BaseModel):
    """A message as stored, in conversation order."""

    id: str
    seq: int = Field(ge=0)
    role: MessageRole
    content: str
    created_at: UTCDateTime


class ConversationSummary(BaseModel):
    """A conversation without its messages, for lists."""

    id: str
    user_id: str
    context_id: str
    status: ConversationStatus
    provider: str | None = None
    model: str | None = None
    usage: Usage = Field(default_factory=Usage)
    error_code: str | None = None
    first_token_ms: int | None = None
    duration_ms: int | None = None
    created_at: UTCDateTime
    updated_at: UTCDateTime


class Conversation(ConversationSummary):
    """A conversation with all its messages."""

    messages: list[StoredMessage] = Field(default_factory=list)


class ConversationOutcome(BaseModel):
    """What a finished turn records on its conversation."""

    status: ConversationStatus
    answer: str | None = None
    usage: Usage = Field(default_factory=Usage)
    error_code: str | None = None
    first_token_ms: int | None = None
    duration_ms: int | None = None
    answer_message_id: str | None = None
    """The assistant message a checkpoint already stored: `answer` replaces its text."""


@dataclass(frozen=True, slots=True)
class CheckpointWrite:
    """One streaming turn's answer so far, for `ConversationRepository.checkpoint_many`."""

    conversation_id: str
    user_id: str
    answer: str
    message_id: str | None
    """The assistant message an earlier checkpoint stored (rewritten), None: a new one."""


@dataclass(frozen=True, slots=True)
class StartedConversation:
    """A conversation just recorded for a new stream, with its context's name (for the prompt)."""

    id: str
    context_name: str
    open_flows: bool = True
    """Whether the context had open flows when the conversation was recorded (True when
    the store does not say): without any, the turn's flow capture need not read them."""
