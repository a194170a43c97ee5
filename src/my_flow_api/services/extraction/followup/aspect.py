"""Principled checks for an automatic completion, added after the detector's patterns,
fit to one corpus's wording, changed flows on unseen wording (dev2, frozen):

- *verb fit*: the clause naming the flow says it is done with a generic done-word
  ("done", "erledigt", "fatto", "c'est fait") or with the flow's own verb ("booked"
  for "Book a flight", "llamé" for "Llamar al banco", "gebucht" for "Flug buchen").
  "I went to Denver, the flight was awful" names the flight but completes nothing;
- *in progress*: the present progressive ("I'm booking it", "estoy llamando",
  "sto prenotando", "je suis en train de") is not a thing done;
- *quoted*: a passage in quotation marks of several words is someone's speech or pasted
  text ("« j'ai payé la cantine »"), never the user's own report.

Where a sentence cannot be read safely, nothing changes: a missed completion costs far
less than a wrong one.
"""

from __future__ import annotations

import re

from my_flow_api.services.extraction.text import fold

_I = re.IGNORECASE

GENERIC_DONE = re.compile(
    r"\b(?:done|finished|sorted|all set|taken care of|handled|dealt with|completed?|"
    r"off my (?:plate|list)|ticked off|crossed off|out of the way|"
    r"hecho|listo|ya est[aá]|terminad[oa]|termin[eé]|resuelto|completad[oa]|"
    r"feito|pront[oa]|resolvido|conclu[ií]d[oa]|finalizad[oa]|"
    r"fatt[oaie]|sistemat[oaie]|finit[oaie]|completat[oaie]|risolt[oaie]|a posto|"
    r"c['’]est fait|c['’]est bon|r[ée]gl[ée]e?s?|fini[es]?|termin[ée]e?s?|boucl[ée]e?s?|"
    r"erledigt|fertig|geschafft|abgehakt|gemacht)\b",
    _I,
)
"""A done-word that fits any task."""

_IRREGULAR = {
    "sent": "send", "paid": "pay", "bought": "buy", "got": "get", "made": "make",
    "did": "do", "took": "take", "gave": "give", "wrote": "write", "written": "write",
    "sold": "sell", "brought": "bring", "found": "find", "rang": "call", "rung": "call",
    "phoned": "call", "spoke": "speak", "met": "meet", "left": "leave", "ran": "run",
    "drove": "drive", "picked": "pick", "hung": "hang", "read": "read", "put": "put",
    "set": "set", "cut": "cut", "won": "win", "told": "tell", "kept": "keep",
    "dropped": "drop", "renewed": "renew", "fed": "feed", "swept": "sweep",
    # German strong participles whose stem changes ("Paket zur Post *gebracht*")
    "gebracht": "bringen", "mitgebracht": "bringen", "weggebracht": "bringen",
    "geschrieben": "schreiben", "gesandt": "senden", "genommen": "nehmen",
    "getroffen": "treffen", "gesprochen": "sprechen", "abgeschlossen": "abschliessen",
}  # fmt: skip
_INFINITIVE = re.compile(r"(?:are|ere|ire|ar|er|ir|re|en|n)$")
_WORD = re.compile(r"[^\W\d_]+")

PROGRESSIVE = re.compile(
    r"\b(?:i['’]?m|i am|we['’]re|we are|currently)\s+(?:(?:still|just|now|busy)\s+)?"
    r"\w+ing\b|\b(?:estoy|estamos|estou|estamos|sto|stiamo)\s+\w+(?:ando|endo|iendo|indo)\b|"
    r"\ben train de\b|\b(?:bin|sind) (?:gerade )?dabei\b|\bgerade am\b",
    _I,
)
"""The present progressive: an action under way, not done."""

_QUOTED = re.compile(
    r"[«“„\"]([^«»“”„\"]{3,}?)[»”“\"]|(?:^|\s)['‘]([^'‘’\n]{3,}?)['’](?=\s|$|[.,!?])"
)
MIN_QUOTED_WORDS = 3


def unquoted(text: str) -> str:
    """The text without passages of three or more words in quotation marks (a short
    quoted name, "the 'Q3 report'", stays)."""

    def drop(m: re.Match[str]) -> str:
        inner = m.group(1) or m.group(2) or ""
        return " " if len(inner.split()) >= MIN_QUOTED_WORDS else m.group(0)

    return _QUOTED.sub(drop, text)


def verb_root(title_verb_word: str) -> str:
    """The root of a title's verb ("book", "llam", "prenot", "buch")."""
    word = fold(title_verb_word)
    root = _INFINITIVE.sub("", word) if len(word) > 4 else word
    return root if len(root) >= 3 else word


_PARTICLE = re.compile(
    r"^(?:zuruck|zusammen|weg|ab|an|auf|aus|ein|mit|vor|zu|nach|her|hin)(?=\w{3})"
)


def bare(word: str) -> str:
    """A German verb form without its separable particle and "ge-" ("abgegeben" and
    "zurückgeben" are both "geb(en)"), so a participle meets its infinitive."""
    word = _PARTICLE.sub("", word)
    return word[2:] if word.startswith("ge") and len(word) > 5 else word


def fits(token: str, root: str) -> bool:
    """Whether a (folded) word is a form of the verb with this root."""
    token = _IRREGULAR.get(token, token)
    candidates = {token, token[2:] if token.startswith("ge") and len(token) > 5 else token}
    candidates.add(token.replace("qu", "c"))  # "marquei", "busqué": Romance spelling of c
    roots = {root, bare(root)}
    for r in roots:
        prefix = r[: max(3, min(len(r), 5))]
        if len(prefix) >= 3 and any(
            c.startswith(prefix) or bare(c).startswith(prefix) for c in candidates
        ):
            return True
    return False


OPENING_DONE = re.compile(
    r"^\W*(?:(?:ok(?:ay)?|so|and|y|e|et|und)\W+)?" + GENERIC_DONE.pattern + r"\W*[,:;!.–—-]", _I
)
"""A sentence that opens with a done-word as its report ("Listo, le mandé el deck")."""


def completion_fits(clause: str, title_verb_word: str | None) -> bool:
    """Whether the clause says done with a generic done-word or the flow's own verb."""
    if GENERIC_DONE.search(clause):
        return True
    if not title_verb_word:
        return False
    root = verb_root(title_verb_word)
    return any(fits(t, root) for t in words(clause))


def words(text: str) -> list[str]:
    """The folded words of a text."""
    return _WORD.findall(fold(text))


def in_progress(clause: str) -> bool:
    """See `PROGRESSIVE`."""
    return PROGRESSIVE.search(clause) is not None
