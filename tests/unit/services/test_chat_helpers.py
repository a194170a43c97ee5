"""How a request's messages join a stored conversation."""

from __future__ import annotations

import pytest

from my_flow_api.errors import HistoryConflictError
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


def test_a_whole_history_that_does_not_continue_the_stored_one_is_refused() -> None:
    stored = [_m(U, "hi"), _m(A, "hello")]
    for incoming in (
        [_m(U, "hi"), _m(A, "edited"), _m(U, "next")],  # edited
        [_m(U, "hi"), _m(A, "hello")],  # nothing new
        [_m(U, "hi"), _m(U, "stale tab")],  # another turn came first
    ):
        with pytest.raises(HistoryConflictError):
            new_messages(stored, incoming)


def test_messages_not_starting_with_the_conversation_are_new_ones() -> None:
    stored = [_m(U, "hi"), _m(A, "hello")]
    assert new_messages(stored, [_m(U, "hi")]) == [_m(U, "hi")]  # one message is always new
    incoming = [_m(U, "also"), _m(U, "this")]
    assert new_messages(stored, incoming) == incoming
