"""Assistant suggestions that the user accepted in the next turn.

"You could book the table for Friday" followed by "yes, do that" is the user's task; the
same suggestion ignored, or answered "no thanks", is not. A reply may pick ("the first
one", "yes to the dentist") or leave some out ("but not the gym").
"""

from __future__ import annotations

import re

from my_flow_api.services.extraction.clauses import clauses, lines, sentences
from my_flow_api.services.extraction.datewords import number
from my_flow_api.services.extraction.lexicon import (
    ASSISTANT_VERBS,
    ROMANCE_INFINITIVE,
    starts_with_verb,
)
from my_flow_api.services.extraction.text import content_words, fold, shares

_I = re.IGNORECASE
_ACCEPT = re.compile(
    r"^\W*(?:yes|yeah|yep|yup|ya|sure|sounds\s+(?:good|great|perfect|like\s+a\s+plan)|"
    r"good\s+idea|great\s+idea|perfect|please\s+do|do\s+it|let['’]?s\s+do|go\s+ahead|"
    r"absolutely|definitely|that\s+works|deal|love\s+(?:it|that)|add\s+(?:it|that|them|those|"
    r"both|all|the)|put\s+(?:it|that|them)|(?:please\s+)?remind\s+me|(?:ok|okay|great|cool|"
    r"alright|perfect)[\s,!.]+(?:add|do|let['’]?s|remind|put|go|yes|sounds)|sí|si\b|vale|"
    r"claro|de\s+acuerdo|perfecto|buena\s+idea|hazlo|dale|ja\b|jawohl|gerne|klingt\s+gut|"
    r"gute\s+idee|mach\s+das|passt|einverstanden|oui|d['’]accord|bonne\s+idée|parfait|"
    r"vas-y|volontiers|ça\s+marche|carrément)",
    _I,
)
_YES_INSIDE = re.compile(r"\b(?:yes|yeah|yep|please|pls|ja|sí|si|oui|vale|gerne)\b", _I)
_DECLINE = re.compile(
    r"^\W*(?:no|nah|nope|not\s+(?:now|really|today)|no\s+thanks|i['’]ll\s+pass|maybe\s+later|"
    r"nein|non|no\s+gracias|pas\s+maintenant)\b",
    _I,
)
_OFFER = re.compile(
    r"(?:\b(?:you\s+(?:could|should|might|may\s+want\s+to|can|need\s+to|ought\s+to)|"
    r"i(?:['’]d|\s+would)\s+(?:suggest|recommend)(?:\s+that\s+you)?|i\s+suggest(?:\s+that\s+you)?|"
    r"how\s+about|what\s+about|why\s+not|consider|maybe|perhaps|it\s+might\s+help\s+to|"
    r"(?:would|do)\s+you\s+(?:like|want)(?:\s+me)?\s+to|shall\s+i|want\s+me\s+to|should\s+i|"
    r"podr[ií]as|deber[ií]as|te\s+sugiero(?:\s+que)?|te\s+recomiendo|qu[eé]\s+tal\s+si|"
    r"quieres\s+que|du\s+könntest|du\s+solltest|ich\s+würde\s+(?:vorschlagen|empfehlen),?|"
    r"wie\s+wäre\s+es\s+(?:mit|wenn\s+du)|soll\s+ich|tu\s+pourrais|tu\s+devrais|"
    r"vous\s+pourriez|vous\s+devriez|je\s+(?:te|vous)\s+sugg[eè]re\s+de|pourquoi\s+ne\s+pas|"
    r"veux-tu\s+que\s+j['’]|voulez-vous\s+que\s+j['’])\s+)(?P<task>.+)",
    _I,
)
_ADD_WRAPPER = re.compile(
    r"^(?:(?:add|set(?:\s+up)?|create|put|schedule|make)\s+(?:a\s+|an\s+)?(?:reminder|task|"
    r"to-?do|note|flow)?\s*(?:to|for|:)?\s*|(?:a[nñ]ad[ae]|agregue|apunte|ajoute|"
    r"eine\s+erinnerung)\s+)",
    _I,
)
_QUOTED = re.compile(r"[\"“‘'«„]([^\"”’'»“]{3,80})[\"”’'»“]")
_OPTIONS = re.compile(
    r"\b(?:options?|ideas?|suggestions?|things?|steps?|plan|could|might|opciones|ideas|"
    r"sugerencias|vorschläge|ideen|möglichkeiten|options|idées|suggestions)\b",
    _I,
)
_OPTION_SPLIT = re.compile(r"\s*[,;]\s*(?:or\s+|and\s+|o\s+|y\s+|oder\s+|und\s+|ou\s+|et\s+)?|"
                           r"\s+(?:or|and|o|y|oder|und|ou|et)\s+", _I)  # fmt: skip
_GERUND_QUESTION = re.compile(r"^\W*(?P<task>[A-Za-z]+ing\s+.+?)(?:\s+too|\s+as\s+well)?\s*\?$")
_GENERIC = frozenset(
    """
    task tasks thing things item items those these them any some one ones those option
    options alguna algunas esas esos tarea tareas diese aufgab aufgaben ces tâches tach
    """.split()
)
_ACCEPT_WORDS = "yes yeah sure please add that list remind great idea good sounds perfect ok"
_ORDINALS = {"first": 0, "1st": 0, "second": 1, "2nd": 1, "third": 2, "3rd": 2, "last": -1,
             "primera": 0, "primero": 0, "segunda": 1, "erste": 0, "zweite": 1,
             "premier": 0, "première": 0, "deuxième": 1}  # fmt: skip
_FIRST_N = re.compile(r"\b(?:first|primer[oa]s|ersten|premi[eè]re?s)\s+(\w+)", _I)
_ALL = re.compile(r"\b(?:all|both|everything|todo|todas?|beide|alle|tous|toutes)\b", _I)
_EXCEPT = re.compile(
    r"\b(?:but\s+not|not|except|skip|without|no\s+to|pero\s+no|excepto|sauf|aber\s+nicht|"
    r"nicht|außer|mais\s+pas|pas)\s+(?:the\s+|el\s+|la\s+|le\s+|den\s+|die\s+|das\s+)?(?P<x>.+)",
    _I,
)


def accepts(reply: str) -> bool:
    """Whether a user's reply opens by accepting what the assistant proposed."""
    return bool(_ACCEPT.match(reply)) and not _DECLINE.match(reply)


def accepted_offers(assistant_text: str, reply: str, language: str) -> list[str]:
    """The task phrases of the assistant's turn that the user's reply takes."""
    if accepts(reply):
        return chosen(offered(assistant_text, language), reply)
    if picks_some(reply):
        return chosen(offered(assistant_text, language), reply, named_only=True)
    return []


def picks_some(reply: str) -> bool:
    """Whether the reply's first sentence says yes inside it ("flowers yes", "1 and 3
    please", "Lebenslauf ja"): it then takes only the proposals it names or numbers."""
    first = sentences(reply)[0] if reply.strip() else ""
    return bool(_YES_INSIDE.search(first)) and not _DECLINE.match(reply)


def offered(assistant_text: str, language: str) -> list[str]:
    """The task phrases the assistant proposed, in order."""
    phrases: list[str] = []
    introduced = False
    for line in lines(assistant_text):
        if line.listed and introduced:
            phrases.append(line.text)
            continue
        introduced = not line.listed and line.text.endswith(":")
        for sentence in sentences(line.text):
            for phrase in _offers(sentence, language, line.listed):
                if content_words(phrase) - _GENERIC:
                    phrases.append(phrase)
    return phrases


def _offers(sentence: str, language: str, listed: bool) -> list[str]:
    quoted = _QUOTED.search(sentence)
    if quoted and re.search(r"\b(?:add|remind|task|list|reminder|flow)\b", sentence, _I):
        return [quoted.group(1)]
    head, colon, tail = sentence.partition(":")
    if colon and tail.strip() and _OPTIONS.search(head):
        return [i for i in _OPTION_SPLIT.split(tail.strip(" .")) if content_words(i) - _GENERIC]
    gerund = _GERUND_QUESTION.match(sentence)
    if gerund:
        return [gerund["task"]]
    match = _OFFER.search(sentence)
    if match:
        first, *rest = clauses(_ADD_WRAPPER.sub("", match.group("task").rstrip("?.! ")), language)
        return [first] + [c for c in rest if starts_with_verb(c, language)]
    first_word = fold(sentence.split()[0]) if sentence.split() else ""
    plain = listed or (language == "en" and sentence.endswith((".", "!")))
    asks = sentence.rstrip().endswith("?")
    if plain and first_word not in ASSISTANT_VERBS and not asks and _verb_first(sentence, language):
        return [sentence]
    return []


def _verb_first(sentence: str, language: str) -> bool:
    if language in ("en", "de"):
        return starts_with_verb(sentence, language)
    return bool(ROMANCE_INFINITIVE.match(fold(sentence.split()[0])))


def chosen(phrases: list[str], reply: str, *, named_only: bool = False) -> list[str]:
    """The proposals the reply takes: the ones it names or numbers, else all (none when
    `named_only`), less the ones it turns down. Only the reply's first sentence counts."""
    first = sentences(reply)[0] if reply.strip() else ""
    folded = fold(first)
    excluded = _EXCEPT.search(first)
    keep = list(phrases)
    if excluded:
        words = content_words(excluded.group("x"))
        keep = [p for p in keep if not words & content_words(p)]
        folded = fold(first[: excluded.start()])
    leading = _FIRST_N.search(folded)
    if leading:
        return keep[: number(leading.group(1)) or 1]
    numbered = [int(n) - 1 for n in re.findall(r"(?<![\d:./])\b([1-9])\b(?![\d:./])", folded)]
    if numbered:
        return [keep[i] for i in numbered if i < len(keep)]
    picks = [keep[i] for word, i in _ORDINALS.items() if re.search(rf"\b{word}\b", folded)
             if -len(keep) <= i < len(keep)]  # fmt: skip
    if picks and not _ALL.search(folded):
        return picks
    named = content_words(folded) - content_words(_ACCEPT_WORDS)
    mentioned = [p for p in keep if any(shares(w, named) for w in content_words(p))]
    return mentioned or ([] if named_only else keep)
