"""Month, weekday and number words of English, Spanish, German, French, Italian and
Portuguese."""

from __future__ import annotations

from my_flow_api.services.extraction.alternation import by_first_letter
from my_flow_api.services.extraction.text import fold

_MONTHS = [
    "january enero januar janvier jan gennaio janeiro gen",
    "february febrero februar fevrier feb febbraio fevereiro fev",
    "march marzo marz maerz mars mar marco",
    "april abril avril apr aprile abr",
    "may mayo mai maggio maio mag",
    "june junio juni juin jun giugno junho giu",
    "july julio juli juillet jul luglio julho lug",
    "august agosto aout aug",
    "september septiembre setiembre septembre sept sep settembre setembro",
    "october octubre oktober octobre oct ottobre outubro ott",
    "november noviembre novembre nov novembro",
    "december diciembre dezember decembre dec dicembre dezembro dic",
]
_WEEKDAYS = [
    "monday lunes montag lundi lunedi segunda-feira",
    "tuesday martes dienstag mardi tues martedi terca-feira",
    "wednesday miercoles mittwoch mercredi weds mercoledi quarta-feira",
    "thursday jueves donnerstag jeudi thurs giovedi quinta-feira",
    "friday viernes freitag vendredi venerdi sexta-feira",
    "saturday sabado samstag sonnabend samedi sabato",
    "sunday domingo sonntag dimanche domenica",
]
_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "ten": 10, "couple": 2, "un": 1, "una": 1, "uno": 1, "dos": 2, "tres": 3,
    "cuatro": 4, "cinco": 5, "ein": 1, "einer": 1, "einem": 1, "zwei": 2, "drei": 3,
    "vier": 4, "fünf": 5, "funf": 5, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5,
    "due": 2, "tre": 3, "quattro": 4, "cinque": 5, "um": 1, "dois": 2, "duas": 2, "três": 3,
    "quatro": 4,
}  # fmt: skip

MONTH_INDEX = {fold(w): i for i, names in enumerate(_MONTHS, 1) for w in names.split()}
WEEKDAY_INDEX = {fold(w): i for i, names in enumerate(_WEEKDAYS) for w in names.split()}
WEEKDAY_INDEX |= {"segunda": 0, "terca": 1, "quarta": 2, "quinta": 3, "sexta": 4}
"""Portuguese weekdays without "-feira" are also ordinals ("a sexta temporada", "a terça
parte"): read only after "na", "até"..."""

_DAY_FIRST_ONLY = {"gen", "fev", "mag", "giu", "lug", "ott", "dic", "marco"}
"""Month words that are also names or words ("Marco", "gen 2", "mag"): a month only after a
day number ("20 marco", "5 mag"), never leading one ("pay Marco 20 euros")."""


def _forms(words: list[str]) -> list[str]:
    forms = {w for names in words for w in names.split()}
    accented = {"marz": "märz", "fevrier": "février", "aout": "août", "decembre": "décembre",
                "miercoles": "miércoles", "sabado": "sábado", "marco": "março",
                "lunedi": "lunedì", "martedi": "martedì", "mercoledi": "mercoledì",
                "giovedi": "giovedì", "venerdi": "venerdì", "terca-feira": "terça-feira",
                "terca": "terça"}  # fmt: skip
    forms |= {accented[w] for w in forms if w in accented}
    return sorted(forms, key=len, reverse=True)


_MONTH_FORMS = _forms(_MONTHS)
MONTHS = by_first_letter(_MONTH_FORMS)
LEADING_MONTHS = by_first_letter([w for w in _MONTH_FORMS if w not in _DAY_FIRST_ONLY])
"""The month words that may come before the day, or stand alone ("before April")."""
WEEKDAYS = by_first_letter(_forms(_WEEKDAYS))
NUMBERS = by_first_letter([*sorted(_NUMBERS, key=len, reverse=True), r"a\s+couple\s+of"])
"""Each an alternation grouped by first letter (`alternation`), for IGNORECASE patterns."""


def month_number(word: str) -> int | None:
    """1-12 for a month name or abbreviation in any of the four languages."""
    return MONTH_INDEX.get(fold(word))


def weekday_number(word: str) -> int | None:
    """0 (Monday) - 6 for a weekday name."""
    return WEEKDAY_INDEX.get(fold(word))


_MAX_DIGITS = 6


def number(word: str) -> int | None:
    """The value of a small number written in digits or words."""
    key = fold(word)
    if key.isdigit():
        # A run of thousands of digits is no count (and past 4,300 `int` refuses it).
        return int(key) if len(key) <= _MAX_DIGITS else None
    return 2 if key.startswith("a couple") else _NUMBERS.get(key)
