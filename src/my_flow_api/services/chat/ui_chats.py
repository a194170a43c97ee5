"""Chats as the AI SDK names them: a client's chat id, mapped to a conversation in one
of the user's contexts, whose turns are ordinary streams of the chat service."""

from __future__ import annotations

from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from my_flow_api.errors import NotFoundError
from my_flow_api.models.chat import ChatRequest
from my_flow_api.models.conversation import Message, MessageRole
from my_flow_api.models.ui_chat import UIChatRequest, UIMessage
from my_flow_api.services.chat.admission import Gone, StartSlot
from my_flow_api.services.chat.ownership import owned_context
from my_flow_api.services.chat.service import ChatService
from my_flow_api.services.streams.chat_links import ChatLink, ChatLinks, chat_links_for
from my_flow_api.services.streams.registry import ActiveStream

NO_CHAT = "No stream for this chat"


def plain_messages(messages: list[UIMessage]) -> list[Message]:
    """The text of each message; a message without text (an answer stopped before its
    first token, a message of files only) is left out."""
    return [
        Message(role=message.role, content=message.text) for message in messages if message.text
    ]


def _since_last_answer(messages: list[Message]) -> list[Message]:
    """The messages after the last assistant message: what a continued chat adds."""
    for index in range(len(messages) - 1, -1, -1):
        if messages[index].role is MessageRole.ASSISTANT:
            return messages[index + 1 :]
    return messages


class UIChats:
    """Start, find and stop a chat's turns."""

    def __init__(self, chat: ChatService, links: ChatLinks | None = None) -> None:
        self.chat = chat
        self.links = links or chat_links_for(chat.registry)

    async def start(
        self,
        user_id: str,
        context_id: str,
        body: UIChatRequest,
        *,
        gone: Gone | None = None,
        slot: StartSlot | None = None,
    ) -> ActiveStream:
        """A new turn of the chat: it continues the chat's conversation when the service
        knows it (sending only the new messages), else starts one with the whole history
        (a first message, a regenerated answer, a chat id the service has forgotten).
        `gone`, `slot`: as for `ChatService.start`."""
        messages = plain_messages(body.messages)
        link = await self.links.get(user_id, body.id)
        stream: ActiveStream | None = None
        continued = _since_last_answer(messages)
        if (
            link is not None
            and link.context_id == context_id
            and body.trigger == "submit-message"
            and continued
        ):
            request = _request(context_id, continued, link.conversation_id)
            try:
                stream = await self.chat.start(user_id, request, gone=gone, slot=slot)
            except NotFoundError:
                stream = None  # the conversation was deleted: start a new one below
        if stream is None:
            request = _request(context_id, messages, None)
            stream = await self.chat.start(user_id, request, gone=gone, slot=slot)
        await self.links.put(
            user_id, body.id, ChatLink(context_id, stream.conversation_id, stream.id)
        )
        return stream

    async def latest(self, user_id: str, context_id: str, chat_id: str) -> ActiveStream | None:
        """The chat's latest stream while this replica or another can still read it."""
        link = await self.links.get(user_id, chat_id)
        if link is None or link.context_id != context_id:
            return None
        return await self.chat.registry.find(link.stream_id, user_id)

    async def active(self, user_id: str, context_id: str, chat_id: str) -> ActiveStream | None:
        """The chat's stream if it has not ended; None if nothing runs for the chat in
        the user's context, NotFoundError if the context is not the user's."""
        stream = await self.latest(user_id, context_id, chat_id)
        if stream is not None and not stream.log.closed:
            return stream
        await owned_context(context_id, user_id, self.chat.store.contexts)
        return None

    async def stop(self, user_id: str, context_id: str, chat_id: str) -> ActiveStream:
        """Stop the chat's latest stream (idempotent); NotFoundError when there is none."""
        stream = await self.latest(user_id, context_id, chat_id)
        if stream is None:
            raise NotFoundError(NO_CHAT)
        return await self.chat.cancel(stream.id, user_id)


def _request(context_id: str, messages: list[Message], conversation_id: str | None) -> ChatRequest:
    try:
        return ChatRequest(
            context_id=context_id, messages=messages, conversation_id=conversation_id
        )
    except ValidationError as exc:  # no text at all, an id out of range …
        raise RequestValidationError(exc.errors(include_url=False)) from None
