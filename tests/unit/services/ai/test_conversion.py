"""Message conversion to the neutral form and to each provider's."""

from __future__ import annotations

import pytest

from my_flow_api.models.conversation import Message, MessageRole
from my_flow_api.services.ai.base import ChatMessage
from my_flow_api.services.ai.conversion import (
    PLACEHOLDER_USER_TURN,
    to_anthropic_messages,
    to_chat_messages,
    to_openai_messages,
)

pytestmark = pytest.mark.unit

U, A, S = MessageRole.USER, MessageRole.ASSISTANT, MessageRole.SYSTEM


def _m(role: MessageRole, content: str) -> ChatMessage:
    return ChatMessage(role=role, content=content)


def test_api_messages_become_chat_messages_in_order() -> None:
    given: list[Message | ChatMessage] = [
        Message(role=U, content="hi"),
        _m(A, "hello"),
        Message(role=S, content="be brief"),
    ]
    assert to_chat_messages(given) == [_m(U, "hi"), _m(A, "hello"), _m(S, "be brief")]


def test_openai_gets_our_system_prompt_first_and_everything_else_verbatim() -> None:
    messages = [_m(S, "Be brief."), _m(U, " hi\r\n"), _m(A, "hello"), _m(U, "🎉")]
    assert to_openai_messages(messages, "SYSTEM") == [
        {"role": "system", "content": "SYSTEM"},
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": " hi\r\n"},
        {"role": "assistant", "content": "hello"},
        {"role": "user", "content": "🎉"},
    ]


def test_openai_without_a_system_prompt() -> None:
    assert to_openai_messages([_m(U, "x")], "") == [{"role": "user", "content": "x"}]


def test_anthropic_folds_system_messages_into_system() -> None:
    system, messages = to_anthropic_messages([_m(S, "Be brief."), _m(U, "hi")], "SYSTEM")
    assert system == "SYSTEM\n\nBe brief."
    assert messages == [{"role": "user", "content": "hi"}]


def test_anthropic_merges_consecutive_turns_of_one_role() -> None:
    given = [_m(U, "a"), _m(U, "b"), _m(S, "x"), _m(U, "c"), _m(A, "d"), _m(A, "e"), _m(U, "f")]
    _, messages = to_anthropic_messages(given, "")
    assert messages == [
        {"role": "user", "content": "a\n\nb\n\nc"},
        {"role": "assistant", "content": "d\n\ne"},
        {"role": "user", "content": "f"},
    ]


def test_anthropic_starts_with_a_user_turn() -> None:
    _, messages = to_anthropic_messages([_m(A, "Welcome!"), _m(U, "thanks")], "")
    assert messages[0] == {"role": "user", "content": PLACEHOLDER_USER_TURN}
    assert [m["role"] for m in messages] == ["user", "assistant", "user"]


def test_anthropic_with_only_system_messages_still_has_a_user_turn() -> None:
    system, messages = to_anthropic_messages([_m(S, "rules")], "SYSTEM")
    assert system == "SYSTEM\n\nrules"
    assert messages == [{"role": "user", "content": PLACEHOLDER_USER_TURN}]


def test_anthropic_repairs_blank_turns_and_a_trailing_assistant_space() -> None:
    _, messages = to_anthropic_messages([_m(U, "   "), _m(A, "Sure, here is ")], "")
    assert messages == [
        {"role": "user", "content": PLACEHOLDER_USER_TURN},
        {"role": "assistant", "content": "Sure, here is"},
    ]


def test_anthropic_keeps_user_text_exactly() -> None:
    text = "  leading\r\nand trailing  \n"
    _, messages = to_anthropic_messages([_m(U, text)], "")
    assert messages == [{"role": "user", "content": text}]
