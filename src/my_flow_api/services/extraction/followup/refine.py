"""Corrections of what a task is: "it's the train, not a flight", "no es a Sevilla, es a
Córdoba". The corrected word must be a word of exactly one open flow's title."""

from __future__ import annotations

import re
from collections.abc import Sequence

from my_flow_api.services.extraction.followup.operations import OpenFlow
from my_flow_api.services.extraction.text import STOPWORDS, fold

_NEGATOR = r"\b(?:not|no|non|pas|nicht|não|nao)\s+(?:[^\W\d_]+\s+){0,2}?(?:[ldj]['’])?"
_MARK = re.compile(
    r"\b(?:it['’]s|its|it is|is|ist|es|è|é|e|c['’]est|sondern|but|mais|pero|mas)\s+"
    r"(?:[^\W\d_]+ing\s+)?"  # "so it's *booking* a train to Porto, not a flight"
    r"(?:(?:the|a|an|el|la|il|le|lo|o|per|pra|para|à|to|de|di|für|for|um|uma|un|una|at|in|"
    r"on|en|nel|no|na|der|die|das|den|dem|des|ein|eine|einen|nach|zum|zur)\s+)*"
    r"([^\W\d_]{3,})",
    re.IGNORECASE,
)
"""What a contrast says the task is instead: the word after "it's", "c'est", "sondern"
... (informal "its", German "ist" and articles, a gerund before the thing)."""


def correction(sentence: str, flows: Sequence[OpenFlow]) -> tuple[OpenFlow, str] | None:
    """The one flow a correction names and its corrected title, or None."""
    found: list[tuple[OpenFlow, str]] = []
    for flow in flows:
        for word in re.findall(r"[^\W\d_]{3,}", flow.title):
            if fold(word) in STOPWORDS or (len(word) == 3 and not word.isupper()):
                continue
            m = re.search(_NEGATOR + re.escape(word) + r"\b", sentence, re.IGNORECASE)
            if m is None:
                continue
            new = _replacement(sentence, m.start(), m.end(), flow.title)
            if new is not None:
                found.append((flow, _replace(flow.title, word, new)))
                break
    return found[0] if len(found) == 1 else None


def _replacement(sentence: str, start: int, end: int, title: str) -> str | None:
    after = _MARK.search(sentence, end)
    before = list(_MARK.finditer(sentence[:start]))
    for m in ([after] if after else []) + before[::-1]:
        word = m.group(1)
        if _new_word(word, title):
            return word
    return None


def _new_word(word: str, title: str) -> bool:
    """A word that can replace one of the title's: no small word, none of the title's, no
    gerund."""
    folded = fold(word)
    if folded in STOPWORDS or folded in _PRONOUNS or folded in fold(title):
        return False
    return not folded.endswith("ing")


_PRONOUNS = frozenset(
    "celle celui ceux celles cela ça one ones that this quella quello quelli esa ese eso esta "
    "este essa esse isso aquela aquele diese dieser dieses jene".split()
)
"""A pronoun standing for the thing ("c'est *celle* du gaz") is no new word for it."""


def _replace(title: str, old: str, new: str) -> str:
    if old[:1].isupper():
        new = new[:1].upper() + new[1:]
    elif new[:1].isupper() and not new.isupper():
        new = new[:1].lower() + new[1:] if old[:1].islower() and len(new) < 5 else new
    return re.sub(r"\b" + re.escape(old) + r"\b", new, title, count=1)
