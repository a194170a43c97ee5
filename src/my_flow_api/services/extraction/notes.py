"""Tasks said without a task cue: list headers ("todo: a, b, c"), terse notes ("ugh rent.
due friday", "dentist thursday 3pm"), obligations of a thing ("the visa paperwork has to
go in by Monday", "the car's MOT is due next week") and a pronoun that points back at the
clause before ("… the MOT is due, gotta sort that")."""

from __future__ import annotations

import re
from datetime import date

from my_flow_api.services.extraction.dates import find_dates
from my_flow_api.services.extraction.priority import priority_spans
from my_flow_api.services.extraction.text import content_words

TERSE_WORDS = 6
_I = re.IGNORECASE
_LIST_HEADER = re.compile(
    r"^\W*(?:to-?dos?|to\s+do|todo\s+list|tasks?|reminders?|things\s+to\s+do|deadlines?"
    r"(?:\s+\w+)?|[\w'’\s]{0,25}\b(?:list|prep|plan|errands)(?:\s+for\s+[\w\s]{1,20})?|"
    r"para\s+no\s+olvidarme|pendientes?|tareas?|por\s+hacer|aufgaben|erledigen|"
    r"à\s+faire|tâches?|ma\s+liste[\w\s]*|meine\s+liste[\w\s]*|mi\s+lista[\w\s]*)\s*:\s*"
    r"(?P<rest>.+)$",
    _I,
)
_ITEM_SPLIT = re.compile(r"\s*[,;]\s*(?:and\s+|y\s+|und\s+|et\s+)?|\s+(?:and|y|und|et)\s+", _I)
_THING = (
    r"(?P<np>(?:the|my|our|his|her|mum['’]s|dad['’]s|[\w'’-]+['’]s|el|la|mi|der|die|das|"
    r"den|meine?n?|le|la|mon|ma)\s+[\w'’\s-]{2,40}?)"
)
_OBLIGATIONS = [
    re.compile(rf"^\W*+{_THING}\s+(?:is|are|['’]s)\s+due\b", _I),
    re.compile(rf"^\W*+{_THING}\s+(?:is|are|['’]s)\s+(?:critical|urgent|important)\b", _I),
    re.compile(
        rf"^\W*+{_THING}\s+(?:has|have|needs?|must)\s+(?:to\s+)?(?:be\s+(?P<pp>\w+)|go\s+in|"
        r"go\s+out|get\s+(?P<get>\w+))\b",
        _I,
    ),
    re.compile(rf"^\W*+{_THING}\s+(?:muss|müssen)\b.*\b(?:sein|raus|weg|erledigt)\b", _I),
    re.compile(r"\bit['’]?s\s+on\s+me\s+to\s+(?P<task>.+)", _I),
]
_SUBJECT_THING = re.compile(rf"^\W*+{_THING}\s+(?:is|are|['’]s|has|have|needs?|must|will)\b", _I)
_PRONOUN_OBJECT = re.compile(r"^(?P<verb>\w+)(?:\s+(?:out|up))?\s+(?:that|it|this|them)\b", _I)
_IRREGULAR = {"done": "do", "sent": "send", "paid": "pay", "made": "make", "written": "write",
              "finished": "finish", "signed": "sign", "submitted": "submit"}  # fmt: skip


def list_items(sentence: str) -> list[str] | None:
    """The items of an inline list under a header ("todo: a, b and c"), or None."""
    match = _LIST_HEADER.match(sentence)
    if match is None:
        return None
    items = [i.strip(" .!") for i in _ITEM_SPLIT.split(match["rest"]) if i and i.strip(" .!")]
    return items if len(items) > 1 or content_words(match["rest"]) else None


def terse_note(sentence: str, today: date) -> str | None:
    """What a few words with a date or a priority are about ("dentist thursday 3pm")."""
    spans = [(m.start, m.end) for m in find_dates(sentence, today)]
    spans += priority_spans(sentence)
    if not spans or len(sentence.split()) > TERSE_WORDS or sentence.rstrip().endswith(":"):
        return None
    rest = sentence
    for start, end in sorted(spans, reverse=True):
        rest = rest[:start] + " " + rest[end:]
    rest = re.sub(r"^\W*(?:ugh|oh|ok|so|also|and|due|re:?)\b\W*", "", rest, flags=_I)
    rest = re.sub(r"\b(?:due|is|are|by|on)\W*$", "", rest.strip(" .,!-–:"), flags=_I)
    words = rest.split()
    return rest.strip(" .,!-–:") if 0 < len(words) <= 3 and content_words(rest) else None


def obligation(clause: str) -> str | None:
    """The task a thing's obligation states ("the grant draft has to be finished" is
    "finish the grant draft"), or None."""
    for pattern in _OBLIGATIONS:
        match = pattern.search(clause)
        if match is None:
            continue
        groups = match.groupdict()
        if groups.get("task"):
            return groups["task"]
        participle = groups.get("pp") or groups.get("get")
        if participle and participle.casefold() not in {"a", "the", "done", "in"}:
            return f"{_base(participle)} {groups['np']}"
        return str(groups["np"])
    return None


def pointing_back(phrase: str, previous: str) -> str | None:
    """ "sort that" after "the car's MOT is due next week" is "sort the car's MOT"."""
    match = _PRONOUN_OBJECT.match(phrase.strip())
    thing = _SUBJECT_THING.search(previous) if match else None
    if match is None or thing is None:
        return None
    return f"{match['verb']} {thing['np']}"


def _base(participle: str) -> str:
    word = participle.casefold()
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    return re.sub(r"(?<=[^aeiou][^aeiou])ed$|(?<=e)d$|ed$", "", word)
