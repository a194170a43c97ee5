"""How a request's messages join a stored conversation."""

from __future__ import annotations

from my_flow_api.models.conversation import Message, MessageRole
from my_flow_api.services.chat.service import new_messages

U, A, S = MessageRole.USER, MessageRole.ASSISTANT, MessageRole.SYSTEM


def _m(role: MessageRole, content: str) -> Message:
    return Message(role=role, content=content)


def test_full_history_resent_adds_only_the_new_turn() -> None:
    stored = [_m(U, "hi"), _m(A, "hello")]
    incoming = [*stored, _m(U, "book a flight")]
    assert new_messages(stored, incoming) == [_m(U, "book a flight")]


def test_only_the_new_turn_sent_is_added_as_is() -> None:
    stored = [_m(U, "hi"), _m(A, "hello")]
    assert new_messages(stored, [_m(U, "next")]) == [_m(U, "next")]


def test_a_different_history_is_taken_as_new_messages() -> None:
    stored = [_m(U, "hi"), _m(A, "hello")]
    incoming = [_m(U, "hi"), _m(A, "edited"), _m(U, "next")]
    assert new_messages(stored, incoming) == incoming
