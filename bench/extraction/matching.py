"""When two flow titles name the same task, and how predictions pair up with gold flows.

Titles vary in length and wording ("Call client" against "Call the client about the Q3
renewal"), so they are compared as sets of content tokens:

1. normalise: NFKC, casefold, strip accents (NFKD without combining marks);
2. split on anything that is not a letter or digit;
3. drop stopwords (articles, pronouns, possessives, prepositions, conjunctions and
   auxiliaries of en, es, de and fr; see `STOPWORDS`), unless that leaves nothing;
4. stem each token lightly, removing at most one suffix: ``-ies`` becomes ``-y``; ``-ing``,
   ``-ed``, ``-es`` (after s, x, z, ch, sh) and ``-s`` (not after s, u, i) keep a stem of at
   least 3 characters; the infinitive-like ``-er``, ``-ar``, ``-ir``, ``-en``, ``-re`` keep at
   least 4.

Two tokens are *shared* when they are equal, or when one is a prefix of the other and the
shorter has at least 4 characters ("renew" / "renewal"); each token is shared at most once.
The *overlap* of two titles is shared / min(|A|, |B|), their *Dice* 2 * shared / (|A| + |B|).
Titles **match** when overlap >= 0.6. Predictions and gold flows are paired one to one,
greedily by descending overlap, ties by descending Dice, then by position.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

MATCH_THRESHOLD = 0.6
MIN_PREFIX = 4

_STOPWORDS_RAW = {
    "en": "a an the to for about of in on at by with from into onto up off out over before "
    "after until and or my our your his her their its me i we you he she they it him them us "
    "this that these those be is are was were am been do does did have has had will would "
    "shall should can could must might some any please re",
    "es": "el la los las lo un una unos unas de del al a en con por para sobre y o u mi mis tu "
    "tus su sus nuestro nuestra nuestros nuestras yo ella ellos ellas usted me te se le les nos "
    "que es son antes",
    "de": "der die das den dem des ein eine einen einem einer eines zu zum zur fur mit von vom "
    "an am auf aus im in ins bei nach uber und oder mein meine meinen meinem meiner dein "
    "deine deinen sein seine seinen ihr ihre ihren unser unsere ich du er sie es wir mich mir "
    "dich dir uns ihm ihn ihnen bis um noch vor",
    "fr": "le la les l un une des de du d au aux a en pour avec sur dans par chez et ou mon ma "
    "mes ton ta tes sa ses notre nos votre vos leur leurs je j tu il elle on nous vous ils "
    "elles eux me m te t se s lui y ce cet cette ces qu que avant",
}
_WORD = re.compile(r"[^\W_]+")
_SHORT_SUFFIXES = ("ing", "ed")
_INFINITIVE_SUFFIXES = ("er", "ar", "ir", "en", "re")


def normalize(text: str) -> str:
    """NFKC, casefolded, accents stripped."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    decomposed = unicodedata.normalize("NFKD", folded)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


STOPWORDS: frozenset[str] = frozenset(
    normalize(word) for words in _STOPWORDS_RAW.values() for word in words.split()
)


def stem(token: str) -> str:
    """The token with at most one light suffix removed (see the module docstring)."""
    if token.endswith("ies") and len(token) - 3 >= 2:
        return token[:-3] + "y"
    for suffix in _SHORT_SUFFIXES:
        if token.endswith(suffix) and len(token) - len(suffix) >= 3:
            return token[: -len(suffix)]
    sibilant = token[:-2].endswith(("s", "x", "z", "ch", "sh"))
    if token.endswith("es") and sibilant and len(token) - 2 >= 3:
        return token[:-2]
    if token.endswith("s") and not token.endswith(("ss", "us", "is")) and len(token) - 1 >= 3:
        return token[:-1]
    for suffix in _INFINITIVE_SUFFIXES:
        if token.endswith(suffix) and len(token) - len(suffix) >= 4:
            return token[: -len(suffix)]
    return token


@lru_cache(maxsize=4096)
def tokens(title: str) -> frozenset[str]:
    """The title's stemmed content tokens (all tokens when every one is a stopword)."""
    words = _WORD.findall(normalize(title))
    content = [w for w in words if w not in STOPWORDS] or words
    return frozenset(stem(w) for w in content)


def _same(a: str, b: str) -> bool:
    if a == b:
        return True
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    return len(short) >= MIN_PREFIX and long_.startswith(short)


def shared_count(a: frozenset[str], b: frozenset[str]) -> int:
    """Tokens shared one to one: exact equals first, then prefixes."""
    common = a & b
    rest_a, rest_b = sorted(a - common), sorted(b - common)
    used: set[str] = set()
    shared = len(common)
    for x in rest_a:
        partner = next((y for y in rest_b if y not in used and _same(x, y)), None)
        if partner is not None:
            used.add(partner)
            shared += 1
    return shared


@dataclass(frozen=True, slots=True)
class Similarity:
    """How alike two titles are."""

    overlap: float
    dice: float

    @property
    def matches(self) -> bool:
        """True when the titles name the same task (overlap >= `MATCH_THRESHOLD`)."""
        return self.overlap >= MATCH_THRESHOLD


def similarity(a: str, b: str) -> Similarity:
    """Overlap coefficient and Dice of the two titles' token sets."""
    ta, tb = tokens(a), tokens(b)
    if not ta or not tb:
        return Similarity(0.0, 0.0)
    shared = shared_count(ta, tb)
    return Similarity(shared / min(len(ta), len(tb)), 2 * shared / (len(ta) + len(tb)))


def titles_match(a: str, b: str) -> bool:
    """True when the two titles name the same task."""
    return similarity(a, b).matches


def pair(predicted: Sequence[str], gold: Sequence[str]) -> list[tuple[int, int]]:
    """One-to-one (prediction index, gold index) pairs of matching titles.

    Greedy: the candidate pairs that match are taken by descending overlap, then
    descending Dice, then by position, skipping any whose prediction or gold is taken.
    """
    candidates: list[tuple[float, float, int, int]] = []
    for i, p in enumerate(predicted):
        for j, g in enumerate(gold):
            sim = similarity(p, g)
            if sim.matches:
                candidates.append((-sim.overlap, -sim.dice, i, j))
    candidates.sort()
    taken_p: set[int] = set()
    taken_g: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for _, _, i, j in candidates:
        if i not in taken_p and j not in taken_g:
            taken_p.add(i)
            taken_g.add(j)
            pairs.append((i, j))
    return sorted(pairs)
