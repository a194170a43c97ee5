"""From a task phrase to a title: "really need to book a flight by Friday, it's urgent"
becomes "Book a flight". Dates, times, priorities, reasons and filler words go; the verb,
its object and the people involved stay, in the user's language."""

from __future__ import annotations

import re

from my_flow_api.services.extraction.alternation import alternatives, by_first_letter
from my_flow_api.services.extraction.dates import date_spans
from my_flow_api.services.extraction.lexicon import EN_VERBS, things
from my_flow_api.services.extraction.priority import priority_spans
from my_flow_api.services.extraction.text import fold

TITLE_LIMIT = 120
_I = re.IGNORECASE
_CUT = re.compile(
    r"\s*(?:[,;(—–]|\s-\s)\s*(?:because|since|as|so|which|who|that['’]s|it['’]s|he|she|they|"
    r"otherwise|though|although|before|after|when|while|if|or|but|ok|okay|porque|ya\s+que|"
    r"que|pero|weil|da|damit|sonst|denn|aber|parce\s+que|car|sinon|mais)\b.*$"
    r"|\s+(?:because|since|so\s+that|so\s+i|otherwise|before\s+i\s+forget|if\s+possible|"
    r"if\s+i\s+can|when\s+i\s+get|lol|haha|porque|para\s+que|weil|damit|parce\s+que|"
    r"pour\s+que|avant\s+que|or\s+(?:else\s+)?(?:they|it|i|you|we|he|she)\b)\b.*$|\s*\(.*$|\s*[:;]\s*$",
    _I,
)
_LEAD = re.compile(
    r"^(?:also|then|still|really|definitely|probably|finally|quickly|please|just|first|"
    r"actually|eventually|seriously|somehow|maybe|go\s+ahead\s+and|try\s+to|try\s+and|"
    r"get\s+around\s+to|remember\s+to|not\s+forget\s+to|to|and|oh|ok|so|that|i|"
    r"también|además|luego|primero|por\s+favor|que|de|noch|unbedingt|bitte|mal|endlich|"
    r"auch|dann|erst|zuerst|dass\s+ich|ich|aber|und|also|aussi|absolument|vraiment|bien|d['’]abord|de|"
    r"d['’](?=\w))\s*\b",
    _I,
)
_TRAIL_WORDS = alternatives(
    r"as\s+well|too|also|again|please|pls|plz|for\s+sure|soon|later|first\s+thing|"
    r"this\s+time|lol|haha|ok|okay|tbh|though|anyway|real\s+quick|then|now|"
    r"por\s+favor|también|bitte|auch|noch|s['’]il\s+te\s+pla[iî]t|aussi|muss|sollte|"
    r"möchte|will|werde|kann|müssen"
)
# Tried at every character of a phrase, again after each cut: the words grouped by first
# letter (`alternation`) find the same ending with fewer tries.
_TRAIL = re.compile(
    r"\s*\b(?:" + by_first_letter(_TRAIL_WORDS) + r")\s*$|[\s.,;:!?¡¿…\"'“”‘’*_~\-–—)]+$|"
    r"\s*[\U0001F000-\U0001FAFF\u2600-\u27BF\uFE0F]+\s*$",
    _I,
)
_LIST_END = re.compile(r"\b(?:and|or|y|o|und|oder|et|ou)\s+\S+(?:\s+\S+){0,2}\s*$", _I)
_GET_DONE = re.compile(
    r"^get\s+(?P<obj>(?:the|my|our|those|these|it|them|this|that)\b.*?)\s+"
    r"(?P<pp>booked|signed|fixed|renewed|checked|cleaned|serviced|printed|repaired|"
    r"replaced|sorted|done|sent|paid|made|written)\b",
    _I,
)
_IRREGULAR = {"done": "do", "sent": "send", "paid": "pay", "made": "make", "written": "write"}
_PRONOUN_TITLE = re.compile(
    r"^\S+\s+(?:that|it|this|those|these|them)(?:\s+(?:up|out|off|in|back|on|too|again|now|"
    r"later|before|after|by|first)\b.*)?$",
    _I,
)
_GERMAN_ZU = re.compile(r"\bzu\s+(\S+)$")


def make_title(phrase: str, language: str) -> str | None:
    """A short imperative title, or None when nothing meaningful is left."""
    text = drop_spans(phrase)
    text = _CUT.sub("", text)
    text = _cut_aside(text)
    text = _GET_DONE.sub(_undo_participle, text)
    text = " ".join(text.split())
    previous = None
    while previous != text:
        previous = text
        text = _LEAD.sub("", text, count=1).strip()
        text = _TRAIL.sub("", text).strip()
    if language == "de":
        text = _GERMAN_ZU.sub(r"\1", text)
    if not things(text) or _PRONOUN_TITLE.match(text) or fold(text) in EN_VERBS:
        return None
    if len(text) > TITLE_LIMIT:
        text = text[:TITLE_LIMIT].rsplit(" ", 1)[0]
    return text[0].upper() + text[1:]


def _undo_participle(match: re.Match[str]) -> str:
    participle = match["pp"].casefold()
    verb = _IRREGULAR.get(participle) or re.sub(r"(?<=[^aeiou])ed$|ed$", "", participle)
    return f"{verb} {match['obj']}"


def _cut_aside(text: str) -> str:
    """Cut at the first comma that starts an aside rather than continuing a list
    ("order the cake, the bakery needs notice"; but "buy milk, eggs and bread")."""
    head, comma, rest = text.partition(",")
    if not comma or len(rest.split()) < 3 or _LIST_END.search(rest):
        return text
    return head


def drop_spans(phrase: str) -> str:
    """`phrase` less its date and priority words ("— keine Eile", "by Friday")."""
    spans = date_spans(phrase)
    spans += priority_spans(phrase)
    for start, end in sorted(spans, reverse=True):
        phrase = phrase[:start] + " " + phrase[end:]
    return phrase
