"""Grounding: a model's flow is kept only when the user's own words support it.

The support is what the user said in their own voice (injected material removed, see
`voice`), the proposals of an assistant turn the user answers by taking some of them
("all of them except the pharmacy one", "apúntame la 1 y la 2"), and the items of pasted
text the user claims ("only the second is mine", "my action items from this"), each item
read on its own so that planted orders (role lines, overrides, comments) still support
nothing. A title that repeats a prompt's example, the assistant's unanswered advice, or
text planted in a pasted mail the user does not claim finds no support and is dropped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from my_flow_api.models.conversation import MessageRole
from my_flow_api.models.flow import FlowCreate
from my_flow_api.services.ai.base import ChatMessage
from my_flow_api.services.extraction.clauses import lines
from my_flow_api.services.extraction.learned.spans import CLAIM
from my_flow_api.services.extraction.lexicon import ROMANCE_INFINITIVE, things
from my_flow_api.services.extraction.suggestions import accepted_offers, offered
from my_flow_api.services.extraction.text import (
    STOPWORDS,
    content_words,
    guess_language,
    shares,
    words,
)
from my_flow_api.services.extraction.voice import user_voice

_TAKES = re.compile(
    r"\b(?:all|both|every|except|add|yes|yeah|ok|okay|sure|please|todas?|todos|ambos|menos|"
    r"salvo|excepto|sí|si|vale|apunta|apúntame|alle|beide|außer|ja|tous|toutes|les\s+deux|"
    r"sauf|oui|ajoute|tutt[ei]|entrambi|tranne|sì|aggiungi|segna|sim|ambas|exceto|menos|"
    r"anota|adiciona|pode)\b|(?<![\d:./])\b[1-9]\b(?![\d:./])",
    re.IGNORECASE,
)
_GERMAN_LAST = re.compile(r"^[a-z]{3,}(?:en|ern|eln)$")
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
        language = guess_language(voice)
        previous = chat[index - 1] if index else None
        if previous is not None and previous.role is MessageRole.ASSISTANT:
            for phrase in answered_offers(previous.content, voice, language):
                words |= content_words(phrase)
        for item in claimed_items(message.content, voice):
            words |= content_words(item)
    return words


def answered_offers(assistant_text: str, reply: str, language: str) -> list[str]:
    """The assistant's proposals, when the reply takes any of them (by yes, number or
    name); which ones it took is the extractor's call, grounding only needs the words."""
    if accepted_offers(assistant_text, reply, language) or _TAKES.search(reply):
        return offered(assistant_text, language)
    return []


def claimed_items(content: str, voice: str) -> list[str]:
    """The lines of pasted text in `content` when the user claims some of it, each one
    that on its own is still plain text (no role line, override or comment)."""
    if not CLAIM.search(voice):
        return []
    own = {line.text for line in lines(voice)}
    return [
        line.text
        for line in lines(content)
        if line.text not in own and user_voice(line.text).strip() == line.text.strip()
    ]


def is_grounded(title: str, support: set[str]) -> bool:
    """Whether enough of what the title is about occurs in the support: "Call the dentist"
    needs "dentist"; "Pay rent" is grounded by "ugh rent", whatever the verb."""
    about = _about(title)
    if not about:
        return False
    return sum(1 for word in about if shares(word, support)) / len(about) >= SUPPORTED


def _about(title: str) -> set[str]:
    """What a title is about: its content words less the verb that opens it (English
    to-do verbs, a Romance infinitive) or closes it (a German infinitive)."""
    content = [w for w in words(title) if w not in STOPWORDS and len(w) > 1]
    if len(content) > 1 and ROMANCE_INFINITIVE.match(content[0]):
        content = content[1:]
    if len(content) > 1 and _GERMAN_LAST.match(content[-1]) and title.split()[-1].islower():
        content = content[:-1]
    return things(" ".join(content)) or content_words(title)


def keep_grounded(flows: Sequence[FlowCreate], chat: Sequence[ChatMessage]) -> list[FlowCreate]:
    """The flows whose titles the conversation's user side supports, order kept."""
    if not flows:
        return []
    support = support_words(chat)
    return [flow for flow in flows if is_grounded(flow.title, support)]
