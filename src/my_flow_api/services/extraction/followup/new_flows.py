"""Which of a follow-up turn's candidate clauses may become new flows.

On a turn with open flows, much of what the user says is about those flows: a change
("scratch the cake order"), its reason ("die haben mich grad angerufen"), a plan for it
("je vais passer à la pharmacie"), a detail ("still from the same bakery"). The clause
classifier was trained on chats with nothing open, so it reads many such clauses as new
tasks. A candidate is left out when the sentence it stands in is about an open flow:

- the sentence is the evidence of a change the turn makes (`operations`);
- the sentence names an open flow (`linking.coverage` of the whole sentence), unless the
  clause itself names none and leads with a verb (`another_task`);
- the sentence names none and points back at the one before it, which is about an open
  flow (`binding.points_back`: "sempre per sabato però" after the correction).

A clause that carries its own task cue ("need to", "tengo que"), names no open flow, does
not point back and names a thing of its own keeps its chance even in such a sentence
("sent the invoice, and I need to call the bank", `own_task`): the classifier decides
it, and `restated` whether it is an open flow again.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from my_flow_api.models.conversation import MessageRole
from my_flow_api.models.flow import FlowCreate
from my_flow_api.services.ai.base import ChatMessage
from my_flow_api.services.extraction.clauses import lines, sentences
from my_flow_api.services.extraction.cues import find_cue
from my_flow_api.services.extraction.followup import binding, guards
from my_flow_api.services.extraction.followup.agency import FIRST_PERSON_SINGULAR
from my_flow_api.services.extraction.followup.linking import (
    LETTERS,
    MIN_COVERAGE,
    content_words,
    coverage,
)
from my_flow_api.services.extraction.followup.operations import OpenFlow, Operation
from my_flow_api.services.extraction.learned.spans import Span
from my_flow_api.services.extraction.lexicon import EN_VERBS, ROMANCE_INFINITIVE, imperative
from my_flow_api.services.extraction.text import fold
from my_flow_api.services.extraction.voice import user_voice


def _key(text: str) -> str:
    return " ".join(fold(text).strip(" .!?…,;:").split())


def names_open_flow(text: str, flows: Sequence[OpenFlow]) -> bool:
    """Whether the text names an open flow (covers at least half of its object)."""
    return any(coverage(text, f) >= MIN_COVERAGE for f in flows)


def about_open_flows(
    chat: Sequence[ChatMessage], flows: Sequence[OpenFlow], operations: Sequence[Operation]
) -> dict[str, bool]:
    """The user's sentences (normalised) that are about an open flow, each with whether
    it is (or points back at) the evidence of a change the turn makes."""
    evidence = [_key(op.evidence) for op in operations]
    about: dict[str, bool] = {}
    for message in chat:
        if message.role is not MessageRole.USER:
            continue
        said = [s for line in lines(user_voice(message.content)) for s in sentences(line.text)]
        before: bool | None = None
        for sentence in said:
            key = _key(sentence)
            changed = any(key and (key in e or e in key) for e in evidence if e)
            now: bool | None = None
            if changed or names_open_flow(sentence, flows):
                now = changed
            elif before is not None and binding.points_back(sentence, flows):
                now = before
            if now is not None:
                about[key] = now or about.get(key, False)
            before = now
    return about


_NO_THING = frozenset(
    """
    still again also too yet mine yours hers ours theirs lui leur eux elle le la les mien
    mienne miens miennes toujours encore aussi bien mal todavía todavia aún aun también
    tambien mío mio mía mia míos mios suyo suya ancora anche sempre ainda também tambem
    meu minha dele dela noch wieder auch meins ihm ihr ihn es
    """.split()
)
"""Words that name no thing: adverbs of "still" and "again", pronouns, possessives."""


_GERMAN_PRONOUN_OBJECT = re.compile(
    r"^(?:die|der|das|den|dem)\s+(?:im|am|in|an|auf|aus|bei|beim|mit|für|nach|vor|zu|zum|zur)\b",
    re.IGNORECASE,
)
"""A German title opening with "die"/"das" and then a preposition: the word is a pronoun
("Die im Keller suchen"); an article would be followed by its noun."""


def names_a_thing(title: str) -> bool:
    """Whether a title names something besides its verb ("Toujours lui envoyer le mien"
    names only pronouns, "Die im Keller suchen" a pronoun and a place: what it acts on is
    said elsewhere)."""
    if _GERMAN_PRONOUN_OBJECT.match(title):
        return False
    words = [w for w in content_words(title) if w not in _NO_THING]
    return len(words) > 1 or (len(words) == 1 and not holds_verb(words[0]))


def own_task(span: Span, flows: Sequence[OpenFlow]) -> bool:
    """A clause with its own task cue ("now I have to book the vet" after "got the
    paint"), or the clause a cue of its sentence leads into ("muss noch dran denken, |
    morgen die Rücksendung ... abzugeben"): another task, unless the clause names an open
    flow itself, points back, or its task names no thing of its own ("je dois toujours lui
    envoyer le mien"). Whether its title restates an open flow is `restated`'s to say."""
    clause = span.clause
    if find_cue(clause, span.language) is None:
        cue = find_cue(span.context, span.language)
        head = _key(clause)[:24]
        if cue is None or not head or head not in _key(cue.task):
            return False
    if names_open_flow(clause, flows) or not names_a_thing(span.title):
        return False
    first = binding.segments(clause)[:1]
    return not (first and binding.ANAPHOR.search(first[0]))


def new_flow_filter(
    chat: Sequence[ChatMessage], flows: Sequence[OpenFlow], operations: Sequence[Operation]
) -> Callable[[Span], bool]:
    """A predicate: whether a candidate is left out as being about an open flow."""
    about = about_open_flows(chat, flows, operations)

    def skip(span: Span) -> bool:
        key = _key(span.context)
        if key not in about or own_task(span, flows):
            return False
        # A hedge leaves a change to an open flow undecided; elsewhere it would drop a
        # decided task only because the context has open flows ("pay the rent, maybe on
        # the 3rd" beside an unrelated one)
        if about[key] or guards.hedged(span.context):
            return True
        return not another_task(span, flows)

    return skip


def another_task(span: Span, flows: Sequence[OpenFlow]) -> bool:
    """In a sentence that names an open flow but changes none, a clause whose first part
    names none and leads with a verb ("..., morgen die Rücksendung an Zalando abzugeben"; "que
    je prenne rendez-vous chez le dermato, rien à voir avec l'ophtalmo"): another task
    said beside it."""
    if not (span.flags.get("phrase_verb_first") or imperative(span.clause, span.language)):
        return False
    first = binding.segments(span.clause)[:1]
    return bool(first) and not names_open_flow(first[0], flows)


_NOT_VERBS = frozenset(
    "sempre siempre entre contre notre votre autre mentre oltre pure sobre padre madre".split()
)
"""Words shaped like a Romance infinitive that are not verbs."""
_FIRST_PERSON = FIRST_PERSON_SINGULAR - {"i"}
"""The word after a first-person subject is its verb ("i" only as the capital "I": not
Italian's article in "i documenti")."""
_GERMAN_INFINITIVE = re.compile(r"^[a-zäöüß]{3,}(?:en|ern|eln)$")
_INFINITIVE_BEFORE = frozenset("para pra de a ao sem até por".split())
_PERSONAL_INFINITIVE = re.compile(r"^[a-zà-ÿ]{2,}(?:ar|er|ir)(?:mos|em)$")
"""Portuguese inflects its infinitive for the subject ("pediu para *marcarmos* uma
reunião", "para *fazerem*"): a verb, as the plain infinitive is."""


def holds_verb(title: str) -> bool:
    """Whether a title has a word that reads as a verb: an English verb, a Romance or
    German infinitive, the word after "I", "je", "yo", "eu", "io", "ich" (not "i
    documenti"). "Sempre però", "From the same bakery, still", "Doce euros al mes que me
    ahorro" have none: a remark about an open flow, not a task."""
    tokens = LETTERS.findall(title)
    for i, token in enumerate(tokens):
        word = fold(token)
        before = tokens[i - 1] if i else ""
        if before == "I" or fold(before) in _FIRST_PERSON:  # "Je prenne rendez-vous ..."
            return True
        english = word in EN_VERBS or (word.startswith("re") and word[2:] in EN_VERBS)
        if english and (i == 0 or len(word) > 2):  # not "do" in "a história do cartão"
            return True
        if word in _NOT_VERBS:
            continue
        if ROMANCE_INFINITIVE.match(word) or _GERMAN_INFINITIVE.match(word):
            return True
        if fold(before) in _INFINITIVE_BEFORE and _PERSONAL_INFINITIVE.match(word):
            return True
    return False


def acted(flows: Sequence[FlowCreate]) -> list[FlowCreate]:
    """The new flows whose titles hold a verb (`holds_verb`) and name a thing
    (`names_a_thing`): on a follow-up turn a title without a verb is a remark about what
    is open, one without a thing acts on something said elsewhere ("Toujours lui envoyer
    le mien")."""
    return [f for f in flows if holds_verb(f.title) and names_a_thing(f.title)]
