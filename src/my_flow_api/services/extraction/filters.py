"""What turns a task-sounding clause into no task: negation, the past, a hypothetical, a
question to the assistant.

Each check reads the whole clause, cue included ("I don't need to", "I needed to", "if I
had time I'd"), in the clause's language and in English.
"""

from __future__ import annotations

import re

_F = re.IGNORECASE

_NEGATED = {
    "en": r"\b(?:i|we)\s+(?:really\s+)?(?:don['’]?t|do\s+not|no\s+longer|won['’]?t|will\s+not|"
    r"didn['’]?t|never|shouldn['’]?t|mustn['’]?t|can['’]?t|cannot)\s+(?:really\s+|even\s+)?"
    r"(?!forget\b|let\s+me\s+forget\b)|\bno\s+need\s+to\b|\b(?:don['’]?t|do\s+not)\s+(?:need|have)"
    r"\s+to\b|\b(?:i['’]m|i\s+am|we['’]re)\s+not\s+(?:going|planning|gonna)\b|\bnot\s+anymore\b|"
    r"\bany\s*more\b|\bno\s+longer\b",
    "es": r"\bno\s+(?:tengo|tenemos|necesito|debo|hace\s+falta|hay\s+que|voy\s+a|quiero|pienso)\b|"
    r"\bya\s+no\b|\bno\s+me\s+hace\s+falta\b|\bnunca\b",
    "de": r"\b(?:muss|müssen|brauche|brauchen|sollte|will|werde|möchte|darf|dürfen)\s+"
    r"(?:ich\s+|wir\s+)?(?:[\wäöüß]+\s+){0,4}?(?:nicht|nie|kein\w*)\b(?!\s+vergessen)|\bnicht\s+mehr\b|"
    r"\bnicht\s+(?:nötig|notwendig)\b|\bkein\w*\s+(?:bedarf|grund)\b",
    "fr": r"\bne\s+(?:dois|vais|veux|faut|compte)\s+(?:plus|pas|jamais)\b(?!\s+oublier)|"
    r"\bpas\s+besoin\b|\bplus\s+besoin\b|\bn['’]ai\s+(?:plus|pas)\s+(?:besoin|à)\b",
    "it": r"\bnon\s+(?:devo|dobbiamo|serve|c['’]è\s+bisogno|ho\s+bisogno|voglio|bisogna)\b|"
    r"\bnon\s+più\b|\bniente\b",
    "pt": r"\bnão\s+(?:tenho|temos|preciso|precisamos|devo|vou|quero|é\s+preciso)\b|"
    r"\bjá\s+não\b|\bnunca\b",
}
_PAST = {
    "en": r"\balready\b|\byesterday\b|\blast\s+(?:week|night|month|year|time)\b|\bago\b|"
    r"\b(?:i|we)\s+(?:needed|had|wanted|was\s+going|were\s+going|was\s+supposed|were\s+supposed|"
    r"was\s+planning|meant|used)\s+to\b|\b(?:i|we)\s+(?:should|could|would|might)\s+have\b|"
    r"\b(?:i|we)(?:['’]ve|\s+have)\s+(?:just\s+|finally\s+)?(?:done|finished|paid|sent|called|"
    r"booked|bought|sorted|handled|submitted|renewed|fixed|cancelled|canceled|emailed|"
    r"replied|returned|picked|taken|made|written|signed|ordered)\b|\bearlier\s+today\b",
    "es": r"\bya\b|\bayer\b|\b(?:tuve|ten[ií]a|necesitaba|deb[ií]a|quer[ií]a|iba)\s+(?:que|a)?\b|"
    r"\bhe\s+\w+(?:ado|ido)\b|\bla\s+semana\s+pasada\b",
    "de": r"\bschon\b|\bbereits\b|\bgestern\b|\b(?:musste|mussten|wollte|sollte\s+eigentlich)\b|"
    r"\bletzte\s+woche\b|\bhabe\s+(?:[\wäöüß]+\s+){0,4}ge[\wäöüß]+(?:t|en)\b",
    "fr": r"\bdéjà\b|\bhier\b|\bj['’]ai\s+(?:dû|déjà|\w+é)\b|\bje\s+devais\b|"
    r"\bla\s+semaine\s+dernière\b",
    "it": r"\bgià\b|\bieri\b|\b(?:ho|abbiamo)\s+(?:già\s+)?\w+(?:ato|uto|ito)\b|"
    r"\b(?:dovevo|volevo)\b|\bla\s+settimana\s+scorsa\b",
    "pt": r"\bjá\b|\bontem\b|\b(?:tinha|precisava|queria|ia)\s+(?:que|de)?\b|"
    r"\b(?:liguei|paguei|mandei|enviei|marquei|comprei|fiz)\b|\bsemana\s+passada\b",
}
_HYPOTHETICAL = {
    "en": r"\bif\s+(?:i|we)\s+(?:had|were|was|could|won|get\s+rich|ever)\b|\bi\s+wish\b|"
    r"\b(?:maybe|perhaps)\b.{0,40}\b(?:one\s+day|someday|some\s+day)\b|"
    r"\b(?:one\s+day|someday|some\s+day)\b.{0,20}\b(?:i|we)\s+(?:might|may|could|would)\b|"
    r"\b(?:i|we)\s+(?:might|may|could)\b|\b(?:i|we)(?:['’]d|\s+would)\s+(?:love|like)\s+to\b"
    r".*\b(?:one\s+day|someday|some\s+day|if|eventually)\b|\bin\s+an\s+ideal\s+world\b|"
    r"\bit\s+would\s+be\s+(?:nice|cool|great)\b|\bdream\s+(?:of|about)\b|\bwhat\s+if\b|"
    r"\bin\s+another\s+life\b|\bif\s+only\b",
    "es": r"\bsi\s+(?:tuviera|tuviese|fuera|pudiera|ganara|tuvi[eé]ramos)\b|\bojal[aá]\b|"
    r"\b(?:quiz[aá]s?|tal\s+vez)\b.{0,40}\balg[uú]n\s+d[ií]a\b|\bme\s+gustar[ií]a\b|"
    r"\bpodr[ií]a\b|\bser[ií]a\s+(?:bonito|genial)\b",
    "de": r"\bwenn\s+ich\b.{0,60}\b(?:hätte|wäre|könnte)\b|\b(?:hätte|wäre|würde|könnte)\b|"
    r"\bvielleicht\s+irgendwann\b|\birgendwann\s+vielleicht\b",
    "fr": r"\bsi\s+j['’](?:avais|étais)\b|\bsi\s+(?:nous\s+avions|on\s+avait)\b|"
    r"\bj['’]aimerais\b|\bpeut-être\b.{0,40}\bun\s+jour\b|\bun\s+jour\b.{0,40}\bpeut-être\b|"
    r"\b(?:je|on)\s+pourrais?\b|\bce\s+serait\s+(?:bien|cool|génial)\b",
    "it": r"\bse\s+(?:avessi|fossi|potessi|vincessi)\b|\bmagari\b|\bmi\s+piacerebbe\b|"
    r"\bsarebbe\s+(?:bello|bellissimo)\b|\bun\s+giorno\b",
    "pt": r"\bse\s+(?:eu\s+)?(?:tivesse|fosse|pudesse|ganhasse)\b|\bquem\s+me\s+dera\b|"
    r"\bgostaria\s+muito\b.{0,40}\bum\s+dia\b|\bseria\s+(?:bom|ótimo|legal)\b|\bum\s+dia\b",
}
_QUESTION_START = re.compile(
    r"^\s*(?:and\s+|so\s+|but\s+)?(?:how|what|why|where|which|who|whom|cómo|qué|"
    r"por\s+qué|dónde|wie|warum|comment|pourquoi|est-ce\s+que)\b",
    _F,
)
REQUEST = re.compile(
    r"\bremind\s+me\b|\bmake\s+sure\s+i\b|\badd\b|\bput\b|\bcan\s+you\s+(?:please\s+)?"
    r"remind\b|\brecu[eé]rda|\berinner|\brappelle",
    _F,
)
"""A request to remember or add a task ("remind me", "add", "recuérdame"): a question
or a hedge around it does not make its task one."""


def _compile(table: dict[str, str]) -> dict[str, re.Pattern[str]]:
    return {lang: re.compile(pattern, _F) for lang, pattern in table.items()}


NEGATED = _compile(_NEGATED)
PAST = _compile(_PAST)
HYPOTHETICAL = _compile(_HYPOTHETICAL)


def _hits(table: dict[str, re.Pattern[str]], text: str, language: str) -> bool:
    if table[language].search(text):
        return True
    return language != "en" and table["en"].search(text) is not None


def is_negated(text: str, language: str) -> bool:
    """ "I don't need to …", "no need to …", "… any more", "ya no …", "nicht mehr"."""
    return _hits(NEGATED, text, language)


def is_past(text: str, language: str) -> bool:
    """Done already, or a past obligation: "I already paid", "I had to", "ayer"."""
    return _hits(PAST, text, language)


def is_hypothetical(text: str, language: str) -> bool:
    """A wish or a maybe: "if I had time", "maybe one day", "ojalá", "wenn ich … hätte"."""
    return _hits(HYPOTHETICAL, text, language)


def is_question(sentence: str) -> bool:
    """A question to the assistant (a reminder request phrased as a question is not)."""
    stripped = sentence.rstrip()
    asks = stripped.endswith("?") or bool(_QUESTION_START.match(stripped))
    return asks and not REQUEST.search(stripped)


def rules_out(clause: str, language: str) -> str | None:
    """Why the clause is no task, or None."""
    if is_negated(clause, language):
        return "negated"
    if is_past(clause, language):
        return "past"
    if is_hypothetical(clause, language):
        return "hypothetical"
    return None
