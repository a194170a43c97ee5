"""Who made the change: the subject of the verb that carries it.

A user reports their own act with no subject or a first-person one ("booked the flight",
"I cancelled the gym", "el vuelo lo reservé"), or names the flow's thing as the subject
of a passive ("the flight is booked", "la cita fue cancelada"). A noun phrase in front
of an active done-verb or change cue that is neither the flow's thing nor a time is the
one who acted ("*the airline* cancelled the flight", "*the cleaner* did the kitchen",
"*die Airline* hat den Flug gestrichen", "*la compagnie* a annulé le vol"): the user's
task is not therefore done, dropped or moved. One rule for every operation, instead of
one list per agent ("by the clinic", "cancelled on me", "my sister ...").
"""

from __future__ import annotations

import re

from my_flow_api.services.extraction.followup.linking import FILLER, GENERIC_OBJECTS, STOP
from my_flow_api.services.extraction.followup.when import DATEISH
from my_flow_api.services.extraction.text import fold, shares, stem

_WORD = re.compile(r"[^\W_]+")

DETERMINERS = frozenset(
    """
    the a an this that these those el la los las un una le les une der die das den dem des
    ein eine einen einem il lo gli uno o os as um uma
    """.split()
)
"""Articles and demonstratives that open a noun phrase (possessives are
`guards.OTHER_PERSON`'s: "my sister", "his")."""
PREPOSITIONS = frozenset(
    """
    at in on with for from to after before by of about into via de del en a al con para por
    sin dans pour avec sur chez du au aux mit bei zu nach von vor seit im am zum zur vom di
    da per su tra fra nel nella sul sulla em no na com pelo pela ao
    """.split()
)
"""A noun phrase after one of these is a complement ("at the airport"), no subject."""
FIRST_PERSON_SINGULAR = frozenset("i yo je ich io eu".split())
"""The user as the subject, in six languages ("i" is also Italian's article: callers that
read Italian take it only as the capital "I")."""
FIRST_PERSON = FIRST_PERSON_SINGULAR | frozenset(
    """
    we me us nosotros nosotras j nous wir noi nos
    """.split()
)
"""A first-person subject after the noun phrase makes it a topic or time, not the agent
("the flight I booked", "den Flug hab ich gebucht")."""
PASSIVE = frozenset(
    """
    is are was were be been being got get gets getting has have had ist sind wurde wurden
    worden war est sont ete etait es esta estan fue fueron sido ha han e sono stato stata
    stati state era foi foram ficou ficaram
    """.split()
)
"""An auxiliary right before the verb: a passive or a state, whose subject is the thing
changed ("the flight *is* booked", "the appointment *got* moved"), not the agent."""
TIME_NOUNS = frozenset(
    stem(w)
    for w in """
    morning afternoon evening night day week weekend month year time moment minute hour
    manana tarde noche dia semana mes ano rato matin soir soiree nuit jour semaine mois
    annee fois abend nacht tag woche monat jahr mal mattina pomeriggio sera notte giorno
    settimana mese anno volta manha noite vez
    """.split()
)
_ADVERBS = frozenset(
    "finally already just also actually then so ok okay oh well yes yeah anyway".split()
)


def _words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def other_subject(
    before: list[str],
    title_stems: set[str],
    after: list[str] | None = None,
) -> bool:
    """Whether the words before an active verb hold its subject as a noun phrase that is
    someone or something else than the user and the flow's thing. A title word with
    another title word as the verb's object (`after`: the words after the verb) is an
    agent too ("*the gym* cancelled my membership" for "Cancel the gym membership")."""
    if not before or before[-1] in PASSIVE:
        return False
    for i, token in enumerate(before):
        if token not in DETERMINERS or i + 1 >= len(before):
            continue
        if i and before[i - 1] in PREPOSITIONS:
            continue  # "at the airport": a complement
        if any(t in FIRST_PERSON for t in before[i + 1 :]):
            return False  # "the flight I booked": the user is the subject
        noun = before[i + 1]
        if after is not None and _agent_in_title(noun, title_stems, after):
            return True
        if _thing_or_time(noun, title_stems):
            continue
        between = before[i + 2 :]
        if any(t in PASSIVE for t in between):
            continue  # "the thing the clinic was ...": too tangled to read, not a subject
        return True
    return False


def _agent_in_title(noun: str, title_stems: set[str], after: list[str]) -> bool:
    """A subject that is a title word while another title word is the verb's object; a
    title word after a preposition is a complement, not the object ("el deck se lo mandé
    *a Laura*": the deck is what was sent, to Laura)."""
    root = stem(noun)
    if after is None or not shares(root, title_stems):
        return False
    for t in after[:3]:
        if t in PREPOSITIONS:
            return False
        if t not in STOP and stem(t) != root and shares(stem(t), title_stems):
            return True
    return False


def _thing_or_time(noun: str, title_stems: set[str]) -> bool:
    if len(noun) < 3 or noun in STOP or noun in _ADVERBS:
        return True
    root = stem(noun)
    if shares(root, title_stems) or root in GENERIC_OBJECTS or root in TIME_NOUNS:
        return True
    return DATEISH.fullmatch(noun) is not None or DATEISH.match(noun) is not None


def is_time(word: str) -> bool:
    """A folded word naming a time ("morning", "soir", "friday", "week")."""
    return stem(word) in TIME_NOUNS or DATEISH.match(word) is not None


def acted_by_other(clause: str, starts: list[int], title: str) -> bool:
    """Whether every cue of the clause (character offsets `starts`) has another subject."""
    if not starts:
        return False
    title_stems = {stem(w) for w in _words(title)}
    return all(other_subject(_words(clause[:a]), title_stems) for a in starts)


def acted_by_other_at(tokens: list[str], positions: list[int], title: str) -> bool:
    """`acted_by_other` with the cues as token positions of the folded clause."""
    if not positions:
        return False
    title_stems = {stem(w) for w in _words(title)}
    return all(other_subject(tokens[:i], title_stems) for i in positions)


_AFTER_HEAD_OK = frozenset(
    """
    back online offline myself ourselves again already too early late finally yet lol haha
    yay woohoo btw anyway ok okay earlier today yesterday tonight now yesterday thanks off
    out over up down away home first last done sorted thx pls please asap fine well
    """.split()
)


def compound(tail: list[str], title_stems: set[str]) -> bool:
    """An English noun right after the flow's head makes a compound, another thing
    ("cancelled the flight *alert*", "renewed the passport *photo*"): a word that is no
    small word, adverb, time, interjection or title word, followed by nothing or a small
    word."""
    word = tail[0]
    if word in _AFTER_HEAD_OK or word in FILLER or is_time(word):
        return False
    if not word.isascii() or word.isdigit() or word.endswith(("ly", "ed", "ing")):
        return False
    foreign = not (word in STOP or len(word) < 3 or shares(stem(word), title_stems))
    return foreign and stem(word) not in GENERIC_OBJECTS and (len(tail) < 2 or tail[1] in STOP)
