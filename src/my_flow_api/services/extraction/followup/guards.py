"""Sentences that state no decided change: questions, hypotheticals, plans, partial
progress, another person's action. Checked before any operation is believed."""

from __future__ import annotations

import re

_I = re.IGNORECASE

QUESTION = re.compile(
    r"\?|^\W*(?:should|shall|could|can|do|does|did|is|are|was|have|has|what|when|which|"
    r"debo|debería|deberia|puedo|devo|dovrei|devrais|dois-je|est-ce|soll|sollte|muss ich|"
    r"ist|hab ich)\b",
    _I,
)
HYPOTHETICAL = re.compile(
    r"\b(?:if|unless|maybe|perhaps|might|would|could|wondering|thinking (?:of|about)|"
    r"not sure|in case|si|sinon|peut-être|peut-etre|quizá|quizás|tal vez|a lo mejor|"
    r"wenn|falls|vielleicht|eventuell|se|forse|magari|talvez|caso|será que|on verra|"
    r"à voir|mal sehen|vediamo|ya veremos|vamos ver|ou pas|oder nicht|o no|ou não|"
    r"should i|shall i|supposed)\b",
    _I,
)
PLAN = re.compile(
    r"\b(?:i['’]?ll|i will|i['’]m (?:going|gonna|about|planning|hoping|trying)|going to|"
    r"gonna|planning|plan to|about to|later|tonight|tomorrow i|need to|have to|gotta|"
    r"want to|voy a|vamos a|tengo que|pienso|voy|vou|vamos|tenho que|preciso|je vais|"
    r"on va|je dois|il faut|ich werde|ich will|ich muss|ich sollte|vado a|devo|sto per|"
    r"ho intenzione|penso di|ainda não|still not|not yet|no todavía|todavía no|"
    r"pas encore|noch nicht|non ancora|ancora|todavia|nothing booked|nada)\b",
    _I,
)
PARTIAL = re.compile(
    r"\b(?:start(?:ed|ing)|began|begun|half|halfway|half-way|partly|partially|mostly|"
    r"looked (?:at|into)|working on|in progress|almost|nearly|\d+ ?%|empecé|empezado|"
    r"comencé|mitad|medio|casi|angefangen|begonnen|halb|fast|commencé|moitié|presque|"
    r"à moitié|iniziato|cominciato|metà|quasi|comecei|começado|metade|quase)\b",
    _I,
)
OTHER_PERSON = re.compile(
    r"^\W*(?:(?:and|also|but|y|e|et|und|pero|mais|aber|ma|mas)\s+)?(?:he|she|they|"
    r"my (?:sister|brother|wife|husband|mom|mum|dad|boss|colleague|partner|friend|"
    r"neighbou?r|son|daughter)|él|ella|ellos|mi (?:hermana|hermano|jefe|mujer|marido)|"
    r"il|elle|ils|elles|ma (?:sœur|soeur)|mon (?:frère|frere|chef|mari)|er|sie|mein |"
    r"meine |lui|lei|loro|mia |mio |ele|ela|eles|minha|meu)\b|"
    r"\b(?:his|her|their|seine?[mnrs]?|ihre?[mnrs]?|sua|suo|seu|sa|son)\b",
    _I,
)
"""A sentence whose subject is someone else ("Marco booked his flight", "my sister
renewed her passport"): the user's own task is not therefore done."""
NAMED_SUBJECT = re.compile(r"^\W*([A-ZÁÉÍÓÚÀÈÌÒÙÂÊÎÔÛÄÖÜ][a-záéíóúàèìòùâêîôûäöüßç]+)\s+(\w+)")


def states_decided_change(sentence: str) -> bool:
    """False for a question, a hypothetical, a plan, partial progress or someone else's act."""
    for pattern in (QUESTION, HYPOTHETICAL, PARTIAL, OTHER_PERSON):
        if pattern.search(sentence):
            return False
    return not _named_subject(sentence)


def _named_subject(sentence: str) -> bool:
    """A sentence that opens with a name then a verb in the third person past
    ("Marco booked ...", "Thomas schreibt ..."), which the user's own report never does."""
    m = NAMED_SUBJECT.match(sentence)
    if m is None:
        return False
    verb = m.group(2).casefold()
    return bool(re.fullmatch(r"\w+(?:ed|ó|ou|a|t|te|é|ha|hat|ist)", verb)) and verb not in {
        "ha",
        "a",
    }


def is_plan(sentence: str) -> bool:
    """A statement of intent rather than of a thing done ("I'll book it tonight")."""
    return PLAN.search(sentence) is not None
