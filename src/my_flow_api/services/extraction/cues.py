"""Task cues: the words by which a user says they intend, need or want to remember to do
something, and where the task itself starts.

Every cue has the user (or "we") as its subject, or no subject at all at the start of a
clause ("need to call Bob", "todo: call Bob"): "Sarah needs to send the deck" is Sarah's
task, not the user's. Someone asking the user ("Anna wants me to send the deck") and the
user delegating ("remind Dave to sign the slip") are the user's tasks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from my_flow_api.services.extraction.clause_cache import clause_cached
from my_flow_api.services.extraction.dates import date_spans
from my_flow_api.services.extraction.lexicon import starts_with_verb

_ADV = (
    r"(?:\s+(?:really|still|also|definitely|seriously|probably|just|absolutely|urgently|"
    r"finally|then|totally|kinda|kind\s+of|actually|desperately|somehow|first|do|also))*"
)
_I = r"(?:i|we)"
_FLAGS = re.IGNORECASE

_ASKED_VERBS = r"(?:wants|asked|needs|told|expects|reminded|begged)"
_ASKED_ME = (
    r"\b(?!(?:i|we|you)\b)[\w'’]+(?:\s+[\w'’]+)?\s+" + _ASKED_VERBS + r"\s+me\s+to\s+(?P<task>.+)"
)
"""Someone asking the user ("Anna wants me to send the deck"). Tried at every word, its
one or two leading words cost the most of the cues: `_NEEDED` reads the clause once for
the part every match holds."""
_EN = [
    r"\b(?:add|put|pop|stick)\s+(?:(?:this|these|it)\s+)?(?:to|on|onto|in)\s+(?:my|the|our)\s+"
    r"(?:[\w-]+\s+)?(?:list|to-?dos?|to-?do\s+list|tasks?|agenda|reminders?)\s*[:,\-–]?\s+(?P<task>.+)",
    r"\b(?:can|could|would|will)\s+you\s+(?:please\s+)?(?:remind|help)\s+me\s+(?:to|about|of|"
    r"that\s+i\s+(?:need|have|must|should)\s+to)\s+(?P<task>.+)",
    r"\bremind\s+me\s+(?:again\s+)?(?:to|about|of|that\s+i\s+(?:need|have|must|should)\s+to)\s+"
    r"(?P<task>.+)",
    r"\b(?:don['’]?t|do\s+not)\s+let\s+me\s+forget\s+(?:to\s+|about\s+)?(?P<task>.+)",
    r"\b(?:make\s+sure|ensure)\s+(?:that\s+)?i\s+(?:remember\s+to\s+|don['’]?t\s+forget\s+"
    r"(?:to\s+)?|do\s+not\s+forget\s+(?:to\s+)?)?(?P<task>.+)",
    rf"\b{_I}{_ADV}\s+(?:must|need\s+to|have\s+to|should|gotta)\s+(?:remember|not\s+forget)\s+"
    r"(?:to\s+)?(?P<task>.+)",
    r"^(?:and\s+|oh\s+and\s+|also\s+)?(?:please\s+)?(?:don['’]?t|do\s+not)\s+forget\s+"
    r"(?:to\s+|about\s+)?(?P<task>.+)",
    r"^(?:and\s+|also\s+)?(?:please\s+)?remember\s+to\s+(?P<task>.+)",
    r"\b(?:add|put|pop|stick)\s+(?P<task>.+?)\s+(?:to|on|onto|in)\s+(?:my|the|our)\s+"
    r"(?:[\w-]+\s+)?(?:list|to-?dos?|to-?do\s+list|tasks?|agenda|reminders?|flows?)\b",
    r"\b(?:add|create|make|set)\s+(?:a\s+|an\s+)?(?:task|reminder|to-?do|note|flow)\s*"
    r"(?:to|for|:|-|that\s+i\s+(?:need|have)\s+to)\s*(?P<task>.+)",
    r"^(?:to-?do|task|reminder|note\s+to\s+self|reminder\s+for\s+me)\s*[:\-–]\s*(?P<task>.+)",
    rf"\b{_I}(?:['’]ve|\s+have)\s+been\s+meaning\s+to\s+(?P<task>.+)",
    rf"\b{_I}{_ADV}(?:\s+(?:need|have|got|want|plan|intend|mean|ought|hope)|"
    r"(?:['’]ve|\s+have)\s+got|(?:['’]m|\s+am|['’]re|\s+are)\s+(?:going|planning|supposed|"
    r"meant)|(?:['’]d|\s+would)\s+(?:like|love))\s+to\s+(?P<task>.+)",
    r"\b(?:the\s+)?first\s+(?:thing|step)\s+(?:is|will\s+be)\s+(?:to\s+)?(?P<task>.+)",
    rf"\b{_I}(?:['’]m|\s+am|['’]re|\s+are)\s+gonna\s+(?P<task>.+)",
    "!"
    rf"\b{_I}(?:['’]ll|\s+will|{_ADV}\s+(?:must|should|gotta))(?:\s+(?:have|need)\s+to)?"
    rf"{_ADV}\s+(?P<task>.+)",
    r"\bit['’]?s\s+(?:really\s+)?(?:important|urgent|essential|crucial)\s+(?:that\s+i\s+|"
    r"for\s+me\s+to\s+|to\s+|i\s+)(?P<task>.+)",
    "!"
    r"^(?:(?:and|also|oh|plus|then|ok|so|but|still|yeah|anyway|actually|really|i)\s+)*"
    r"(?:gotta|got\s+to|need\s+to|have\s+to|"
    r"must|should)\s+(?P<task>.+)",
    _ASKED_ME,
    r"\bi\s+promised\s+(?:\w+\s+){0,2}?(?:to\s+|i['’]?d\s+|i\s+would\s+)(?P<task>.+)",
    r"\b(?:can|could|would)\s+you\s+(?:please\s+)?(?P<task>remind\s+(?!me\b).+)",
    r"^(?:please\s+)?(?P<task>remind\s+(?!me\b)[\w'’-]+(?:\s+[\w'’-]+)?\s+(?:to|about)\s+.+)",
    r"\bwhat\s+(?:i|we)\s+(?:really\s+|actually\s+)?(?:need|have|want)\s+(?:to\s+do\s+)?"
    r"is\s+(?:to\s+)?(?P<task>.+)",
    "@"
    rf"\b{_I}(?:\s+have|['’]ve\s+got|\s+got)\s+(?:a|an|the|my|our)\s+"
    r"(?P<task>(?:[\w'’-]+\s+){0,3}(?:appointment|appt|interview|exam|check-?up)\b.*)",
]
_ES = [
    r"\b(?:a[nñ]ade|agrega|apunta|pon)(?:me)?\s+(?:en|a)\s+(?:mi|la)\s+lista\s*[:,\-–]?\s+(?P<task>.+)",
    r"\bap[uú]nta(?:me|nos)\s+(?:que\s+(?:tengo|tenemos)\s+que\s+)?(?P<task>.+)",
    r"\brecu[eé]rda(?:me|nos)\s+(?:que\s+(?:tengo\s+que\s+|debo\s+)?|de\s+)?(?P<task>.+)",
    r"\bno\s+(?:me\s+)?dejes\s+olvidar\s+(?:que\s+)?(?:de\s+)?(?P<task>.+)",
    r"\bno\s+(?:te\s+)?olvides\s+de\s+recordarme\s+(?:que\s+)?(?P<task>.+)",
    r"\b(?:a[nñ]ade|agrega|apunta|pon)\s+(?P<task>.+?)\s+(?:a|en)\s+(?:mi|la)\s+lista",
    r"^(?:pendiente|tarea|por\s+hacer|recordatorio)\s*[:\-–]\s*(?P<task>.+)",
    "!" r"\b(?:tengo|tenemos|tendr[eé]|tendremos)\s+(?:pendiente\s+|que\s+)(?P<task>.+)",
    "!"
    r"\b(?:necesito|necesitamos|debo|debemos|quiero|queremos|pienso|planeo|he\s+de|"
    r"me\s+toca|voy\s+a|vamos\s+a|tengo\s+ganas\s+de)\s+(?P<task>.+)",
    "!" r"\bhay\s+que\s+(?P<task>.+)",
    r"\bes\s+(?:muy\s+)?(?:urgente|importante|necesario)\s+que\s+(?:yo\s+)?(?P<task>.+)",
    r"\blo\s+primero\s+(?:es|será)\s+(?P<task>.+)",
    "!" r"\b(?:solo\s+)?me\s+(?:falta|faltan|queda|quedan)\s+(?:por\s+)?(?P<task>.+)",
    "@" r"\btengo\s+(?:una\s+|la\s+|mi\s+)?(?P<task>cita\b.+)",
    r"\b(?:\w+\s+)?(?:me\s+pidi[oó]|quiere\s+que)\s+(?:que\s+)?(?P<task>.+)",
]
_DE = [
    r"\bsetz(?:e|t)?\s+(?:mir\s+)?auf\s+(?:meine|die)\s+\w*liste\s*[:,\-–]?\s+(?P<task>.+)",
    r"\berinner(?:e|t)?\s+mich\s+(?:bitte\s+)?(?:daran,?\s+)?(?:dass\s+ich\s+|,\s*)?(?P<task>.+)",
    r"\bvergiss\s+nicht,?\s+mich\s+(?:daran\s+)?zu\s+erinnern,?\s+(?:dass\s+ich\s+)?(?P<task>.+)",
    r"\bich\s+darf\s+nicht\s+vergessen,?\s+(?:dass\s+ich\s+)?(?P<task>.+)",
    r"^(?:und\s+)?nicht\s+vergessen\s*[:,]?\s*(?P<task>.+)",
    r"\bsetz(?:e|t)?\s+(?P<task>.+?)\s+auf\s+(?:meine|die)\s+\w*liste",
    r"^(?:todo|aufgabe|erledigen|erinnerung)\s*[:\-–]\s*(?P<task>.+)",
    r"\b(?:ich|wir)\s+(?:habe|haben)\s+vor,?\s+(?P<task>.+)",
    r"\bes\s+ist\s+(?:sehr\s+)?(?:wichtig|dringend|nötig),?\s+dass\s+ich\s+(?P<task>.+)",
    "!"
    r"\b(?:ich|wir)\s+(?:muss|müssen|sollte|sollten|soll|sollen|will|wollen|möchte|möchten|"
    r"werde|werden)\s+(?P<task>.+)",
    "!<" r"\b(?:muss|müssen|sollte|sollten|soll|will|möchte|werde)\s+(?:ich|wir)\s+(?P<task>.+)",
    r"\b(?:\w+\s+)?(?:will|möchte|hat\s+mich\s+gebeten),?\s+dass\s+ich\s+(?P<task>.+)",
    "@"
    r"\b(?:ich\s+)?(?:hab|habe)\s+(?:ich\s+)?(?:einen|den|meinen)\s+"
    r"(?P<task>[\wäöüß\-\s.]*?termin\b.*)",
]
_FR = [
    r"\bajoute(?:-moi)?\s+(?:à|a|sur|dans)\s+(?:ma|la)\s+liste\s*[:,\-–]?\s+(?P<task>.+)",
    r"\brappelle[- ]moi\s+(?:de\s+|d['’]|qu['’]il\s+faut\s+|que\s+je\s+dois\s+)?(?P<task>.+)",
    r"\bn['’]oublie\s+pas\s+de\s+me\s+rappeler\s+(?:de\s+|d['’])?(?P<task>.+)",
    r"\bje\s+ne\s+dois\s+pas\s+oublier\s+(?:de\s+|d['’])(?P<task>.+)",
    r"\bpense\s+à\s+me\s+rappeler\s+(?:de\s+|d['’])(?P<task>.+)",
    r"^(?:et\s+)?n['’]oublie\s+pas\s+(?:de\s+|d['’])(?P<task>.+)",
    r"\bajoute\s+(?P<task>.+?)\s+(?:à|a|sur|dans)\s+(?:ma|la)\s+liste",
    r"^(?:à\s+faire|tâche|todo|rappel)\s*[:\-–]\s*(?P<task>.+)",
    "!"
    r"(?:\bil\s+|^)(?:faut|faudrait|faudra)\s+(?:absolument\s+|vraiment\s+)?(?:que\s+(?:je\s+|j['’]|nous\s+)|"
    r"qu['’]on\s+)?(?P<task>.+)",
    r"\bil\s+me\s+faut\s+(?P<task>.+)",
    r"\bil\s+est\s+(?:très\s+)?(?:urgent|important|essentiel)\s+(?:que\s+je\s+|que\s+j['’]|"
    r"de\s+|d['’])(?P<task>.+)",
    r"\bj['’]ai\s+besoin\s+(?:de\s+|d['’])(?P<task>.+)",
    r"\bj['’]ai\s+(?:à|a)\s+(?P<task>.+)",
    "!"
    r"\b(?:je|nous|on)\s+(?:dois|devons|doit|devrais|devrions|vais|allons|va|veux|voulons|"
    r"compte|comptons|pense|prévois|voudrais)\s+(?:absolument\s+|vraiment\s+|aussi\s+)?"
    r"(?P<task>.+)",
    r"\b(?:\w+\s+)?(?:m['’]a\s+demandé|veut\s+que\s+je)\s+(?:de\s+|d['’])?(?P<task>.+)",
    "@" r"\bj['’]ai\s+(?:un\s+|le\s+|mon\s+)?(?P<task>(?:rendez-vous|rdv|entretien)\b.+)",
]


_IT = [
    r"\b(?:aggiungi|metti|segna)(?:mi)?\s+(?:alla|nella|in)\s+(?:mia\s+)?lista\s*[:,\-–]?\s+(?P<task>.+)",
    r"\bsegna(?:mi|ci)\s+(?:di\s+|che\s+devo\s+)?(?P<task>.+)",
    r"\bricorda(?:mi|ci)\s+(?:di\s+|che\s+(?:devo\s+)?)?(?P<task>.+)",
    r"\bnon\s+(?:farmi\s+)?dimenticare\s+(?:di\s+)?(?P<task>.+)",
    r"\b(?:devo|dobbiamo)\s+ricordar(?:mi|ci)\s+(?:di\s+)?(?P<task>.+)",
    r"\b(?:aggiungi|metti|segna)\s+(?P<task>.+?)\s+(?:alla|nella|in)\s+(?:mia\s+)?lista",
    r"^(?:da\s+fare|promemoria|todo|cose\s+da\s+fare)\s*[:\-–]\s*(?P<task>.+)",
    "!"
    r"\b(?:devo|dobbiamo|dovrei|dovremmo|dovrò|voglio|vorrei|vogliamo|ho\s+bisogno\s+di|"
    r"mi\s+tocca|tocca\s+a\s+me|bisogna|pensavo\s+di|ho\s+intenzione\s+di|"
    r"sto\s+per|ho\s+da)\s+(?P<task>.+)",
    r"\b(?:\w+\s+)?(?:mi\s+ha\s+chiesto\s+di|vuole\s+che\s+io)\s+(?P<task>.+)",
]
_PT = [
    r"\b(?:adiciona|coloca|p[oõ]e|anota)(?:-me)?\s+(?:na|à|a)\s+(?:minha\s+)?lista\s*[:,\-–]?\s+(?P<task>.+)",
    r"\blembr(?:a|e)[- ]?me\s+(?:de\s+|que\s+(?:tenho\s+que\s+)?)?(?P<task>.+)",
    r"\bme\s+lembr(?:a|e)\s+(?:de\s+|que\s+(?:tenho\s+que\s+)?)?(?P<task>.+)",
    r"\bnão\s+(?:me\s+)?(?:deixe|deixa|posso)\s+esquecer\s+(?:de\s+)?(?P<task>.+)",
    r"\b(?:adiciona|coloca|p[oõ]e|anota)\s+(?P<task>.+?)\s+(?:na|à|a)\s+(?:minha\s+)?lista",
    r"^(?:a\s+fazer|tarefa|lembrete|pendente|todo)\s*[:\-–]\s*(?P<task>.+)",
    "!"
    r"\b(?:tenho|temos|terei)\s+(?:que|de)\s+(?P<task>.+)",
    "!"
    r"\b(?:preciso|precisamos|devo|devemos|quero|queremos|vou|vamos|gostaria\s+de|"
    r"pretendo|tenho\s+de)\s+(?:de\s+)?(?P<task>.+)",
    r"\b(?:\w+\s+)?(?:me\s+pediu\s+(?:para|pra)|quer\s+que\s+eu)\s+(?P<task>.+)",
]


_NEEDED = {_ASKED_ME: re.compile(r"\s" + _ASKED_VERBS + r"\s+me\s+to\s", _FLAGS)}
"""Text every match of a cue holds: a clause without it is not searched for that cue."""
Compiled = tuple[re.Pattern[str], str, re.Pattern[str] | None]


def _compiled(patterns: list[str]) -> list[Compiled]:
    marked = [(p.lstrip("!@<"), p[: len(p) - len(p.lstrip("!@<"))]) for p in patterns]
    return [(re.compile(body, _FLAGS), gate, _NEEDED.get(body)) for body, gate in marked]


PATTERNS: dict[str, list[Compiled]] = {
    lang: _compiled(patterns)
    for lang, patterns in {"en": _EN, "es": _ES, "de": _DE, "fr": _FR, "it": _IT, "pt": _PT}.items()
}
"""Each language's cues in order, with a gate and the text a match needs (`_NEEDED`), if
any. `!` marks a cue whose task must open with a verb (in German, close with one): "I'll
be there" and "quiero un café" are no tasks; `@` one that needs a date in the clause ("I
have a dentist appointment on Friday"); `<` one whose object may stand before it ("Den
Termin muss ich morgen bestätigen")."""


@dataclass(frozen=True, slots=True)
class Cue:
    """Where the cue starts in the clause, and the task phrase that follows it."""

    start: int
    task_start: int
    task: str


# A long chat asks about each clause several times (its task phrase, its flags, its
# sentence): ~30 pattern searches each, half of them repeats.
@clause_cached
def find_cue(clause: str, language: str) -> Cue | None:
    """The first cue of the clause's language (then English, which people mix in)."""
    if language not in PATTERNS:
        return None
    languages = [language] if language == "en" else [language, "en"]
    for lang in languages:
        for pattern, gate, needed in PATTERNS[lang]:
            if needed is not None and needed.search(clause) is None:
                continue
            match = pattern.search(clause)
            if match is None or not match.group("task").strip():
                continue
            task = match.group("task")
            if "!" in gate and not starts_with_verb(task.split(",")[0], lang):
                continue
            if "@" in gate and not date_spans(clause):
                continue
            if "<" in gate:
                task = f"{clause[: match.start()].strip()} {task}".strip()
            return Cue(match.start(), match.start("task"), task)
    return None
