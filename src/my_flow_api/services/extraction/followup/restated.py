"""A new flow that restates an open one is not new: "Call the agency right after my
meeting" while "Call the agency about the claim" is open names the same task. Stricter
than `dedup.not_open` (titles as wholes): the candidate only has to name what the open
flow's verb acts on (`linking.coverage`), which a different task with the same place or
person does not ("Book a hotel in Lisbon" beside "Book a flight to Lisbon").

On a follow-up turn the user also restates an open flow under other words: the flow's
own verb, with one of the distinctive things it names ("Reservo el italiano ... para el
aniversario" for "Reservar restaurante para el aniversario", "Drop the donations off
instead" for "Drop off donations at the charity shop"). That is the same act on the same
thing said again (`same_act`); a new flow costs more trust than a missed one.

Applied to the rules' candidates, whose titles come from any sentence that mentions a
task; a model provider is sent the open flows and told not to restate them, and its
flows still pass `dedup.not_open`."""

from __future__ import annotations

from collections.abc import Sequence

from my_flow_api.models.flow import FlowCreate
from my_flow_api.services.extraction.followup.aspect import fits, verb_root
from my_flow_api.services.extraction.followup.linking import (
    GENERIC_OBJECTS,
    content_words,
    coverage,
    object_words,
    title_verb_word,
)
from my_flow_api.services.extraction.followup.operations import OpenFlow
from my_flow_api.services.extraction.text import fold, shares, stem

RESTATES = 0.5


def same_act(title: str, flow: OpenFlow) -> bool:
    """Whether the title opens with a form of the flow's verb and names a distinctive
    thing of the flow's object ("Reservo el italiano para el aniversario" and "Reservar
    restaurante para el aniversario")."""
    verb = title_verb_word(flow.title)
    words = content_words(title)
    if verb is None or not words or not fits(words[0], verb_root(verb)):
        return False
    distinctive = object_words(flow.title) - GENERIC_OBJECTS
    said = {stem(w) for w in words[1:]}
    return any(shares(w, said) for w in distinctive)


GOING = frozenset(
    """
    go head stop pop swing pass visit nip run drop ir pasar pasarme acercarme ir passer
    aller faire andare passare fare passar dar gehen fahren vorbeigehen vorbeifahren
    vorbei
    """.split()
)
"""Verbs of going somewhere: an errand, not a task of its own."""


def errand_for(title: str, flow: OpenFlow) -> bool:
    """Whether the title is a trip to where the open flow is done: a verb of going and a
    distinctive thing of the flow ("Passer à la pharmacie en rentrant" while "Récupérer
    l'ordonnance à la pharmacie" is open): a plan for that flow."""
    words = content_words(title)
    if not words or fold(words[0]) not in GOING:
        return False
    distinctive = object_words(flow.title) - GENERIC_OBJECTS
    said = {stem(w) for w in words[1:]}
    return any(shares(w, said) for w in distinctive)


def restates(title: str, flow: OpenFlow) -> bool:
    """Whether a candidate's title names the open flow's task again: by its object
    (`coverage`), by its own verb on its thing (`same_act`), or as a trip to where it is
    done (`errand_for`)."""
    return coverage(title, flow) >= RESTATES or same_act(title, flow) or errand_for(title, flow)


def not_restating(candidates: Sequence[FlowCreate], flows: Sequence[OpenFlow]) -> list[FlowCreate]:
    """The candidates that name no open flow's task."""
    return [c for c in candidates if not any(restates(c.title, f) for f in flows)]
