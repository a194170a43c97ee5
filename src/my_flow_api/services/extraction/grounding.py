"""Grounding: a model's flow is kept only when the user's own words support it.

The support is what the user said in their own voice (injected material removed, see
`voice`) plus the assistant suggestions they accepted. A title that repeats a prompt's
example, the assistant's unaccepted advice, or text planted in a pasted mail finds no
support and is dropped.
"""

from __future__ import annotations

from collections.abc import Sequence

from my_flow_api.models.conversation import MessageRole
from my_flow_api.models.flow import FlowCreate
from my_flow_api.services.ai.base import ChatMessage
from my_flow_api.services.extraction.lexicon import things
from my_flow_api.services.extraction.suggestions import accepted_offers
from my_flow_api.services.extraction.text import content_words, guess_language, shares
from my_flow_api.services.extraction.voice import user_voice

SUPPORTED = 0.6
"""Share of what a title is about (its content words less to-do verbs) that the support
must contain: one of one, two of two, two of three."""


def support_words(chat: Sequence[ChatMessage]) -> set[str]:
    """Content words of the user's own voice and of the suggestions they accepted."""
    words: set[str] = set()
    for index, message in enumerate(chat):
        if message.role is not MessageRole.USER:
            continue
        voice = user_voice(message.content)
        words |= content_words(voice)
        previous = chat[index - 1] if index else None
        if previous is not None and previous.role is MessageRole.ASSISTANT:
            for phrase in accepted_offers(previous.content, voice, guess_language(voice)):
                words |= content_words(phrase)
    return words


def is_grounded(title: str, support: set[str]) -> bool:
    """Whether enough of what the title is about occurs in the support: "Call the dentist"
    needs "dentist"; "Pay rent" is grounded by "ugh rent", whatever the verb."""
    about = things(title) or content_words(title)
    if not about:
        return False
    return sum(1 for word in about if shares(word, support)) / len(about) >= SUPPORTED


def keep_grounded(flows: Sequence[FlowCreate], chat: Sequence[ChatMessage]) -> list[FlowCreate]:
    """The flows whose titles the conversation's user side supports, order kept."""
    if not flows:
        return []
    support = support_words(chat)
    return [flow for flow in flows if is_grounded(flow.title, support)]
