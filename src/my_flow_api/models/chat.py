"""The body of `POST /conversations/stream` and the payloads of its events."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from my_flow_api.models.conversation import Message, Usage
from my_flow_api.models.flow import Flow
from my_flow_api.models.flow_change import FlowChange
from my_flow_api.models.text import StorableText

MAX_MESSAGES = 200


class ChatRequest(BaseModel):
    """A chat turn: the context, the history including the new user message, and optionally
    the conversation it continues."""

    model_config = ConfigDict(extra="forbid")

    context_id: StorableText = Field(min_length=1, max_length=64, description="Context of the chat")
    messages: list[Message] = Field(
        min_length=1,
        max_length=MAX_MESSAGES,
        description="Conversation history including the new user message",
    )
    conversation_id: StorableText | None = Field(
        default=None, min_length=1, max_length=64, description="Continue this conversation"
    )


class FlowsExtracted(BaseModel):
    """Data of the `metadata` event."""

    event: str = "flows_extracted"
    flows: list[Flow] = Field(default_factory=list, description="The flows this turn created")
    extracted_flows: list[str] = Field(default_factory=list, description="Their ids")
    changes: list[FlowChange] = Field(
        default_factory=list,
        description="Open flows this turn completed, cancelled, rescheduled, re-prioritised "
        "or refined, each undoable (`POST /api/v1/flow-changes/{id}/undo`)",
    )


class StreamDone(BaseModel):
    """Data of the `done` event."""

    conversation_id: str
    stream_id: str
    finish_reason: str | None = None
    usage: Usage = Field(default_factory=Usage)
    response_length: int = 0


class StreamState(BaseModel):
    """What `POST /conversations/streams/{id}/cancel` answers."""

    stream_id: str
    conversation_id: str
    finished: bool
    stop_requested: bool


class StreamError(BaseModel):
    """Data of the `error` event: the stream failed after its first token."""

    error: str = Field(description="A sentence for the reader")
    code: str = Field(description="Machine-readable: `provider_error`, `shutting_down`, …")
