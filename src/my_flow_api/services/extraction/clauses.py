"""Sentences, list items and clauses.

A message is cut into lines (list markers dropped), lines into sentences, sentences into
clauses at "and", "but", commas and their equivalents in the other five languages, but
only where a new predicate starts: "book a flight and call the client" is two clauses,
"buy milk, eggs and bread" one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from my_flow_api.services.extraction.cues import find_cue
from my_flow_api.services.extraction.lexicon import starts_with_verb

_LIST_MARK = re.compile(r"^\s*(?:[-*•·–—>]+|\d{1,2}[.)]|[a-z][.)]|\[[ xX✓]?\])\s+")
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"')\]]*\s+(?=\S)|\s+[-–—]\s+(?=[A-Z])")
_ABBREVIATION = re.compile(
    r"\b(?:dr|mr|mrs|ms|st|sr|jr|vs|etc|e\.g|i\.e|approx|no|nr|ca|z\.b|bzw|sra|srta|mme|"
    r"a\.m|p\.m|[a-z])\.$",
    re.IGNORECASE,
)
_JOINERS = (
    r"and or but also then o oder ou and\s+then and\s+also as\s+well\s+as oh\s+and & y pero "
    r"también luego además und aber außerdem dann sowie et mais puis aussi ensuite"
).split()


def _splitter(joiners: list[str]) -> re.Pattern[str]:
    """Where a sentence may split: punctuation, or a run of joining words."""
    words = "|".join(joiners)
    return re.compile(rf"\s*[,;:]\s*(?:(?:{words})\s+)*|\s+(?:(?:{words})\s+)+", re.I)


_ITALIAN = r"e ma poi e\s+poi anche e\s+anche inoltre oppure però".split()
_PORTUGUESE = r"e mas depois e\s+depois também e\s+também além\s+disso".split()
"""Italian's and Portuguese's own joiners ("e" is their "and"): without them "levar o gato
ao veterinário e comprar ração" stayed one clause, and a title held two tasks."""
_SPLIT = _splitter(_JOINERS)
_SPLITS = {
    "it": _splitter(_JOINERS + _ITALIAN),
    "pt": _splitter([w for w in _JOINERS if w != "o"] + _PORTUGUESE),
}
"""Portuguese "o" is the article, not "or" (Spanish, Italian): "pagar o IPVA" is one
clause (it was cut into "pagar" and "IPVA", and neither made the user's task)."""
_SUBJECT = re.compile(
    r"^(?:i|i['’](?:ll|m|ve|d)|we|we['’](?:ll|re)|my|yo|ich|wir|je|j['’]|nous|on|"
    r"don['’]?t|remind|please|no|hab|habe|bin|muss|will|kann|soll|werde)\b|"
    r"^(?:\S+\s+){1,4}(?:i|ich|je|yo)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Line:
    """A line of a message: its text, whether it was a list item, and whether it was one
    nested under another item (a detail of its parent, not a task of its own)."""

    text: str
    listed: bool
    nested: bool = False


def lines(text: str) -> list[Line]:
    """The non-blank lines of `text`, list markers removed."""
    out: list[Line] = []
    top: int | None = None
    for raw in text.splitlines():
        stripped = _LIST_MARK.sub("", raw, count=1)
        if not stripped.strip():
            continue
        listed = stripped != raw
        indent = len(raw) - len(raw.lstrip())
        if listed and top is None:
            top = indent
        nested = listed and top is not None and indent > top
        out.append(Line(stripped.strip(), listed, nested))
    return out


MAX_SENTENCE_CHARS = 400
"""A longer run without an end mark is cut at spaces into pieces of at most this size:
nobody dictates a task in one 400-character breath, and the sentence patterns, which may
try every start within a sentence, then cost time in proportion to the text, not its square."""


def sentences(line: str) -> list[str]:
    """The sentences of a line (abbreviations such as "Dr." do not end one)."""
    parts: list[str] = []
    pos = 0
    for match in _SENTENCE_END.finditer(line):
        piece = line[pos : match.start()]
        ordinal = piece[-2:-1].isdigit() and line[match.end() : match.end() + 1].islower()
        if len(piece) <= MAX_SENTENCE_CHARS and (_ABBREVIATION.search(piece) or ordinal):
            continue
        parts.extend(_bounded(piece))
        pos = match.end()
    parts.extend(_bounded(line[pos:]))
    return [p.strip() for p in parts if p.strip()]


def _bounded(text: str) -> list[str]:
    """`text` in pieces of at most MAX_SENTENCE_CHARS, cut at the last space that fits."""
    pieces: list[str] = []
    while len(text) > MAX_SENTENCE_CHARS:
        cut = text.rfind(" ", 0, MAX_SENTENCE_CHARS)
        cut = cut if cut > 0 else MAX_SENTENCE_CHARS
        pieces.append(text[:cut])
        text = text[cut:]
    pieces.append(text)
    return pieces


def clauses(sentence: str, language: str) -> list[str]:
    """The clauses of a sentence, split only where a new predicate starts."""
    pieces: list[str] = []
    pos = 0
    split = _SPLITS.get(language, _SPLIT)
    for match in split.finditer(sentence):
        left, right = sentence[pos : match.start()], sentence[match.end() :]
        if left.strip() and _starts_predicate(left, right, language, split):
            pieces.append(left.strip())
            pos = match.end()
    pieces.append(sentence[pos:].strip())
    return [p for p in pieces if p]


def _starts_predicate(left: str, right: str, language: str, split: re.Pattern[str]) -> bool:
    head = _next_piece(right, split)
    if _SUBJECT.match(head) or find_cue(head, language) is not None:
        return True
    if language == "de":
        both = starts_with_verb(head, "de") and starts_with_verb(left, "de")
        return both and len(head.split()) > 1
    # Italian and Portuguese: an infinitive, not any word ("comprare pane e latte" is one
    # item list; "latte" passed the lenient reading meant for Spanish and French forms).
    return starts_with_verb(head, language, lenient=language not in ("it", "pt"))


def _next_piece(text: str, split: re.Pattern[str]) -> str:
    found = split.search(text)
    return text[: found.start()] if found else text
