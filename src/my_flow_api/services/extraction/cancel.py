"""Later words that take a task back: "scratch the plumber", "forget about the gym",
"the report is done", "I don't need to call Bob any more", "olvida lo del dentista",
"das mit dem Arzt hat sich erledigt", "laisse tomber le garage"."""

from __future__ import annotations

import re

from my_flow_api.services.extraction.filters import is_negated
from my_flow_api.services.extraction.lexicon import VERB_STEMS, things
from my_flow_api.services.extraction.text import content_words, shares

_I = re.IGNORECASE
_TAKE_BACK_PATTERNS = (
    r"(?<!n't\s)(?<!n’t\s)(?<!not\s)(?<!dont\s)\b(?:scratch|forget(?:\s+about)?|never\s*mind(?:\s+about)?|ignore|remove|delete|"
    r"strike|cancel)\s+(?:what\s+i\s+said\s+about\s+|the\s+(?:bit|part|thing|idea)\s+"
    r"(?:about|with)\s+)?(?P<what>that|it|this|the\s+.+?|my\s+.+?|\w+)?"
    r"(?:\s+(?:idea|task|one|reminder|thing|part|bit))?(?:\s+(?:off|from)\s+(?:my|the)\s+"
    r"(?:list|to-?do)\w*)?(?=[,.;!?]|\s+(?:i|my|we|he|she|they|it|since|because|as|"
    r"turns|actually)\b|$)",
    r"\btake\s+(?P<what>.+?)\s+off\s+(?:my|the)\s+(?:list|to-?do)",
    r"\b(?P<what>(?:the\s+|my\s+)?[\w\s]{2,40}?)\s+(?:is|are|was|has\s+been|got)\s+"
    r"(?:already\s+|all\s+)?(?:done|sorted|handled|taken\s+care\s+of|fixed|cancell?ed|"
    r"off|not\s+needed|no\s+longer\s+needed|covered|paid)\b",
    r"\bno\s+need\s+(?:for|to)\s+(?P<what>.+?)(?:\s+any\s*more)?(?=[,.;!?]|$)",
    r"\b(?:i|we)\s+already\s+(?!(?:put|said|mentioned|told|asked|added|wrote|noted)\b)"
    r"(?P<what>.+?)(?=[,.;!?]|\s+(?:but|and|though)\b|$)",
    r"\b(?P<what>.+?)\s*(?:[,;]\s*)?(?:so\s+)?(?:that(?:\s+one)?|it)?(?:['’]s|\s+is)\s+off\s+my\s+"
    r"plate",
    r"\b(?:[A-Z][\w'’]+|my\s+\w+|mum|mom|dad|he|she|they)(?:['’]s|\s+is|\s+will\s+be|\s+will|"
    r"\s+has|\s+already)\s+(?:doing|handling|taking\s+care\s+of|sorting|posting|booking|"
    r"buying|picking\s+up|covering|got|done|did|sorted|handled|paid)\s+(?P<what>.+?)"
    r"(?=[,.;!?]|\s+(?:with|for|tomorrow|today|so|and)\b|$)",
    r"\b(?P<what>(?:the\s+)?\w+(?:\s+\w+)?)\s+(?:came|come|turned\s+up|showed\s+up)\s+already",
    r"\b(?:olvida(?:te\s+de)?|olv[ií]dalo|borra|quita|elimina|descarta|cancela)\s+"
    r"(?:lo\s+del?\s+|eso\s+del?\s+)?(?P<what>.*)",
    r"\bya\s+no\s+(?:tengo\s+que|necesito|hace\s+falta)\s+(?P<what>.*)",
    r"\b(?P<what>.+?)\s+ya\s+est[aá]\s+(?:hecho|resuelto|listo)",
    r"\b(?:vergiss|streich|lösch|ignorier)e?\s+(?:das\s+mit\s+(?:dem|der|den)?\s*)?"
    r"(?P<what>.*)",
    r"\b(?P<what>.+?)\s+(?:hat\s+sich\s+erledigt|ist\s+(?:schon\s+)?erledigt|kann\s+weg|"
    r"brauche\s+ich\s+nicht\s+mehr)",
    r"\b(?:oublie|laisse\s+tomber|annule|supprime|efface)\s+(?:l['’]histoire\s+d[eu]\s+|"
    r"le\s+truc\s+d[eu]\s+)?(?P<what>.*)",
    r"\bplus\s+besoin\s+(?:de\s+|d['’])(?P<what>.*)",
    r"\b(?P<what>.+?)\s+c['’]est\s+(?:fait|réglé)",
)
_TAKE_BACK = [re.compile(p, _I) for p in _TAKE_BACK_PATTERNS]
_LEADING_WHAT = r"\b(?P<what>"


def _after_what(pattern: str) -> re.Pattern[str] | None:
    """What must follow a leading "what" group ("... is off my plate"), on its own.

    A pattern that opens with a lazy `(?P<what>.+?)` tries every word start and stretches
    to the sentence's end from each: quadratic (0.3 ms on one 85-character sentence, the
    largest share of a long turn's take-backs). A match of it holds a match of the rest
    at the same place, so when the rest is nowhere the pattern is skipped."""
    if not pattern.startswith(_LEADING_WHAT):
        return None
    depth = 0
    for end in range(_LEADING_WHAT.index("("), len(pattern)):
        depth += {"(": 1, ")": -1}.get(pattern[end], 0) if pattern[end - 1] != "\\" else 0
        if depth == 0:
            return re.compile(pattern[end + 1 :], _I)
    raise ValueError(f"unbalanced take-back pattern: {pattern}")


_NEEDED = [_after_what(p) for p in _TAKE_BACK_PATTERNS]
_LAST = frozenset("that it this lo eso esto das es ça cela le la".split())
_NOISE = frozenset(
    """
    scratch forget never mind ignore remove delete strike cancel idea task reminder part
    bit list todo done sorted handled fixed already anymore any more need longer
    """.split()
)
TAKES_BACK = 0.5
"""Share of what a take-back names (or of what the task is about) that must match."""
LAST_TASK = "<last>"
"""What a bare "scratch that" or "never mind" takes back: the latest task."""


def taken_back(sentence: str, language: str) -> list[str]:
    """What the sentence takes back: descriptions of earlier tasks, or `LAST_TASK`."""
    found: list[str] = []
    for pattern, needed in zip(_TAKE_BACK, _NEEDED, strict=True):
        if needed is not None and not needed.search(sentence):
            continue
        for match in pattern.finditer(sentence):
            what = (match.group("what") or "").strip()
            if not what or what.casefold() in _LAST:
                found.append(LAST_TASK)
            elif content_words(what) - _NOISE:
                found.append(what)
    if not found and is_negated(sentence, language):
        found.append(sentence)
    return found


def matches(description: str, task_words: frozenset[str]) -> bool:
    """Whether a take-back description names a task with these content words."""
    named = content_words(description) - _NOISE
    about = things(description) - _NOISE or named
    if not about:
        return False
    task_things = {w for w in task_words if w not in VERB_STEMS} or set(task_words)
    covered = sum(1 for w in about if shares(w, task_words)) / len(about)
    named_back = sum(1 for w in task_things if shares(w, about)) / len(task_things)
    return max(covered, named_back) >= TAKES_BACK
