"""The frames of the chat WebSocket: the AI SDK's `WebSocketChatTransport` protocol.

Client frames: `send` (a turn), `resume` (a chat's running turn, replayed), `abort` (stop).
Server frames: `start`, `chunk` (a UI message chunk with its `sequence`, and the `eventId`
of the log event it comes from), `end`, `error` (`errorText`, and a machine `code`),
`no-active` (nothing running for that chat).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, NonNegativeInt

from my_flow_api.models.chat import MAX_MESSAGES
from my_flow_api.models.text import StorableText
from my_flow_api.models.ui_chat import ChatId, Trigger, UIMessage

RequestId = Annotated[str, Field(min_length=1, max_length=128)]


class FrameBody(BaseModel):
    """The transport's `body`: where the turn happens."""

    model_config = ConfigDict(extra="allow")

    context_id: StorableText = Field(min_length=1, max_length=64)


class SendFrame(BaseModel):
    model_config = ConfigDict(extra="allow")

    type: Literal["send"]
    requestId: RequestId  # noqa: N815 (the protocol's names)
    id: ChatId
    messages: list[UIMessage] = Field(min_length=1, max_length=MAX_MESSAGES)
    trigger: Trigger = "submit-message"
    messageId: str | None = Field(default=None, max_length=256)  # noqa: N815
    headers: dict[str, str] = Field(default_factory=dict)
    body: FrameBody
    metadata: Any = None


class ResumeFrame(BaseModel):
    model_config = ConfigDict(extra="allow")

    type: Literal["resume"]
    requestId: RequestId  # noqa: N815
    id: ChatId
    lastSequence: int | None = Field(default=None, ge=-1)  # noqa: N815
    lastEventId: NonNegativeInt | None = None  # noqa: N815 (ours: the SSE `Last-Event-ID`)
    headers: dict[str, str] = Field(default_factory=dict)
    body: FrameBody
    metadata: Any = None


class AbortFrame(BaseModel):
    model_config = ConfigDict(extra="allow")

    type: Literal["abort"]
    requestId: RequestId  # noqa: N815


ClientFrame = Annotated[SendFrame | ResumeFrame | AbortFrame, Field(discriminator="type")]
