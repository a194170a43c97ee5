"""Words, their folded and stemmed forms, and a guess at a text's language.

Grounding and de-duplication compare titles with what the user wrote by their content
words: case, accents and light inflection are folded away ("Booking" ~ "book",
"Llamar" ~ "llamé"), and short function words in English, Spanish, German and French
carry no weight.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

LANGUAGES = ("en", "es", "de", "fr", "it", "pt")
_SHAPES = {
    "de": re.compile(r"[äöüß]|\b[A-ZÄÖÜ][a-zäöüß]+\s+[a-zäöüß]{2,}(?:en|ern|eln)\b"),
    "es": re.compile(r"[ñ¿¡]"),
    "fr": re.compile(r"[çèêàùœ]|\b[ldjmnst]['’][aeiouhé]", re.IGNORECASE),
    "pt": re.compile(r"[ãõ]|ção\b|ções\b|\blh|nh[aoe]\b", re.IGNORECASE),
    "it": re.compile(r"\b(?:gli|della|dello|perché|cioè)\b|zione\b|\bc['’]è", re.IGNORECASE),
}
"""Letters and shapes only one of the languages has: umlauts, a capitalised noun before a
lower-case infinitive ("Auto waschen"), "ñ" and "¿", "ç" and elisions ("l'ami")."""
MIN_MARKERS = 2
PREFIX_MIN = 5
WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")

_MARKERS: dict[str, frozenset[str]] = {
    "en": frozenset(
        """
    the and to i my is are you it of for that this have need with be on at me what how
    can will should
    """.split()
    ),
    "es": frozenset(
        """
    el la los las que y de en un una por para con tengo necesito mi es no lo hay al del
    muy pero como
    """.split()
    ),
    "de": frozenset(
        """
    der die das und ich nicht ist mit den ein eine zu muss für auf dem auch noch bis
    mich mir wir
    """.split()
    ),
    "fr": frozenset(
        """
    le la les et je de des un une pour pas est que dois il faut mon ma avec au du ce sur
    """.split()
    ),
    "it": frozenset(
        """
    il lo gli della delle di che non per sono devo mi ho una con anche poi alla allora
    perché questo sono cosa
    """.split()
    ),
    "pt": frozenset(
        """
    o os as um uma não para com tenho preciso meu minha é do da dos das que isso também
    então mas vou ao
    """.split()
    ),
}

_MARKED_IN: dict[str, tuple[str, ...]] = {
    word: tuple(lang for lang in LANGUAGES if word in _MARKERS[lang])
    for word in set().union(*_MARKERS.values())
}
"""Each common word's languages, in `LANGUAGES` order: one look-up per word of a long
text, not one per language."""

STOPWORDS = frozenset(
    """
    a an the to of for in on at by with from into onto about as and or but so if then
    him her them his their hers he she they it my
    me i we our us you your it its this that these those some any all also just really
    still please up out off be is are am was were been do does did have has had will
    would shall should can could may might must need needs get got make sure there here
    now very too again more most other another thing things stuff one el la los las lo
    un una unos unas de del al a en y o que por para con sin mi mis tu su sus es son ser
    estar muy mas ya no se me te le les nos der die das den dem des ein eine einen einem
    einer und oder zu im in am an auf aus mit von vom fur für bei ich mich mir wir uns
    du dich dir ist sind sein noch auch mal bitte muss musst sollte soll will werde le
    la les l un une des de du d au aux et ou que qu pour par avec sans en dans sur mon
    ma mes ton ta tes son sa ses je j me m moi nous il elle on ne pas plus tres
    """.split()
)

_SUFFIXES = (
    "ations", "ation", "ments", "ment", "ungen", "ung", "ings", "ing", "ions", "ion", "edly",
    "ed", "ern", "eln",
    "ies", "es", "s", "ar", "er", "ir", "en", "re", "e", "é", "ée", "és", "ado", "ada",
    "ido", "ida", "o", "a",
)  # fmt: skip


@lru_cache(maxsize=16384)
def fold(text: str) -> str:
    """Lower-case, width-folded text without accents."""
    if text.isascii():  # most text: casefolded ASCII is its own NFKD, with no accents
        return text.casefold()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """The folded words of `text`, in order; elisions and possessives split off
    ("l'attestation" is "attestation", "Acme's" is "acme")."""
    out = []
    for token in WORD.findall(fold(text)):
        # Most tokens hold no apostrophe: split only those (a regex call per token was a
        # fifth of this function's cost).
        parts = _APOSTROPHE.split(token) if "'" in token or "’" in token else (token,)
        out += [part for part in parts if len(part) > 2 or part.isdigit()]
    return out


_APOSTROPHE = re.compile(r"['’]")


_SYNONYMS = {"ring": "call", "phone": "call", "purchase": "buy"}


@lru_cache(maxsize=8192)
def stem(word: str) -> str:
    """A light, language-blind stem: one common suffix off, keeping at least 3 letters
    (and a few to-do synonyms folded: "ring" and "phone" are "call")."""
    word = _SYNONYMS.get(word, word)
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def content_words(text: str) -> set[str]:
    """Stems of the words that carry meaning (no stopwords, no single letters)."""
    return {stem(w) for w in words(text) if w not in STOPWORDS and len(w) > 1}


def shares(word: str, pool: set[str] | frozenset[str]) -> bool:
    """Whether `word` is in `pool`, or one is a prefix of the other (5+ letters: "renew"
    and "renewal" share, "book" and "bookmark" do not)."""
    if word in pool:
        return True
    if len(word) < PREFIX_MIN:
        return False
    return any(len(p) >= PREFIX_MIN and (p.startswith(word) or word.startswith(p)) for p in pool)


def overlap(a: set[str], b: set[str]) -> float:
    """|a ∩ b| / min(|a|, |b|) with prefix sharing; 0 when either is empty."""
    if not a or not b:
        return 0.0
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    return sum(1 for w in small if shares(w, large)) / len(small)


def guess_language(text: str, fallback: str = "en") -> str:
    """`en`, `es`, `de` or `fr`: the language whose common words occur most; `fallback`
    when the text has too few of them to tell (a short "To-do: Auto waschen")."""
    counts = dict.fromkeys(LANGUAGES, 0)
    for word in WORD.findall(text.casefold()):
        for lang in _MARKED_IN.get(word, ()):
            counts[lang] += 1
    for lang, pattern in _SHAPES.items():
        counts[lang] += len(pattern.findall(text))
    best = max(LANGUAGES, key=lambda lang: (counts[lang], lang == fallback))
    return best if counts[best] >= MIN_MARKERS else fallback
