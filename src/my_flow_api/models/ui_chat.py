"""The body the AI SDK's `useChat` (DefaultChatTransport) sends, and what it maps to."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from my_flow_api.models.chat import MAX_MESSAGES
from my_flow_api.models.conversation import MESSAGE_MAX, MessageRole

ChatId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,128}$")]
"""The chat's id as the client names it (`useChat({id})`, or the SDK's generated one)."""

Trigger = Literal["submit-message", "regenerate-message"]


class UIPart(BaseModel):
    """One part of a UI message. Only `text` parts are read; the others (`data-flows`,
    `step-start`, files …) are accepted and ignored."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(min_length=1, max_length=128)
    text: str | None = Field(default=None, max_length=MESSAGE_MAX)


class UIMessage(BaseModel):
    """A message as `useChat` keeps it: an id, a role and parts."""

    model_config = ConfigDict(extra="allow")

    id: str = Field(default="", max_length=256)
    role: MessageRole
    parts: list[UIPart] = Field(max_length=1000)
    metadata: Any = None

    @property
    def text(self) -> str:
        return "".join(p.text or "" for p in self.parts if p.type == "text")


WITH_TEXT: dict[str, Any] = {
    "type": "object",
    "required": ["parts"],
    "properties": {
        "parts": {
            "type": "array",
            "contains": {
                "type": "object",
                "required": ["type", "text"],
                "properties": {
                    "type": {"const": "text"},
                    "text": {"type": "string", "minLength": 1},
                },
            },
        }
    },
}
"""A message with some text: a chat needs at least one (the others may have none)."""


class UIChatRequest(BaseModel):
    """What `DefaultChatTransport` posts: the chat's id, its whole history, the trigger.

    Other fields (the transport's `body` option) are ignored."""

    model_config = ConfigDict(extra="allow")

    id: ChatId
    messages: list[UIMessage] = Field(
        min_length=1, max_length=MAX_MESSAGES, json_schema_extra={"contains": WITH_TEXT}
    )
    trigger: Trigger = "submit-message"
    messageId: str | None = Field(default=None, max_length=256)  # noqa: N815 (the SDK's name)

    @model_validator(mode="after")
    def _some_text(self) -> UIChatRequest:
        if not any(message.text for message in self.messages):
            raise ValueError("at least one message needs a non-empty text part")
        return self
