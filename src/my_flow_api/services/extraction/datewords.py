"""Month, weekday and number words of English, Spanish, German and French."""

from __future__ import annotations

from my_flow_api.services.extraction.text import fold

_MONTHS = [
    "january enero januar janvier jan",
    "february febrero februar fevrier feb",
    "march marzo marz maerz mars mar",
    "april abril avril apr",
    "may mayo mai",
    "june junio juni juin jun",
    "july julio juli juillet jul",
    "august agosto aout aug",
    "september septiembre setiembre septembre sept sep",
    "october octubre oktober octobre oct",
    "november noviembre novembre nov",
    "december diciembre dezember decembre dec",
]
_WEEKDAYS = [
    "monday lunes montag lundi",
    "tuesday martes dienstag mardi tues",
    "wednesday miercoles mittwoch mercredi weds",
    "thursday jueves donnerstag jeudi thurs",
    "friday viernes freitag vendredi",
    "saturday sabado samstag sonnabend samedi",
    "sunday domingo sonntag dimanche",
]
_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "ten": 10, "couple": 2, "un": 1, "una": 1, "uno": 1, "dos": 2, "tres": 3,
    "cuatro": 4, "cinco": 5, "ein": 1, "einer": 1, "einem": 1, "zwei": 2, "drei": 3,
    "vier": 4, "fünf": 5, "funf": 5, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5,
}  # fmt: skip

MONTH_INDEX = {fold(w): i for i, names in enumerate(_MONTHS, 1) for w in names.split()}
WEEKDAY_INDEX = {fold(w): i for i, names in enumerate(_WEEKDAYS) for w in names.split()}


def _alternation(words: list[str]) -> str:
    forms = {w for names in words for w in names.split()}
    accented = {"marz": "märz", "fevrier": "février", "aout": "août", "decembre": "décembre",
                "miercoles": "miércoles", "sabado": "sábado"}  # fmt: skip
    forms |= {accented[w] for w in forms if w in accented}
    return "|".join(sorted(forms, key=len, reverse=True))


MONTHS = _alternation(_MONTHS)
WEEKDAYS = _alternation(_WEEKDAYS)
NUMBERS = "|".join(sorted(_NUMBERS, key=len, reverse=True)) + r"|a\s+couple\s+of"


def month_number(word: str) -> int | None:
    """1-12 for a month name or abbreviation in any of the four languages."""
    return MONTH_INDEX.get(fold(word))


def weekday_number(word: str) -> int | None:
    """0 (Monday) - 6 for a weekday name."""
    return WEEKDAY_INDEX.get(fold(word))


def number(word: str) -> int | None:
    """The value of a small number written in digits or words."""
    key = fold(word)
    if key.isdigit():
        return int(key)
    return 2 if key.startswith("a couple") else _NUMBERS.get(key)
