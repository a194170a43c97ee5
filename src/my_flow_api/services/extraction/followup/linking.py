"""Which open flow a sentence is about: the words of its object, not its verb.

A flow's object is its title's content words without the verb ("Book a flight to
Lisbon" is about {flight, lisbon}). A sentence names the flow when it covers at least
half of the object and no other open flow as well; a sentence that puts another
qualifier on the shared noun ("paid the *gas* bill" against "Pay the electricity bill")
names a different thing unless it covers the whole object.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date

from my_flow_api.services.extraction.crosslex import ambiguous
from my_flow_api.services.extraction.followup.operations import OpenFlow
from my_flow_api.services.extraction.followup.when import days_in
from my_flow_api.services.extraction.lexicon import EN_VERBS, ROMANCE_INFINITIVE
from my_flow_api.services.extraction.text import STOPWORDS, fold, guess_language, shares, stem

MIN_COVERAGE = 0.5
_GERMAN_VERB_END = re.compile(r"^[a-zäöüß]{3,}(?:en|ern|eln)$")
FILLER = _FILLER = frozenset(
    """
    today yesterday tonight morning tomorrow week weekend monday tuesday wednesday thursday
    friday saturday sunday thing finally already ago last next night hoy ayer mañana heute
    gestern morgen aujourd hier demain oggi ieri domani hoje ontem amanhã amanha lol haha
    """.split()
)
_MORE_STOPWORDS = frozenset(
    """
    per il lo gli della delle dello alla alle all dal dei degli nel nella sul sulla con una
    dos das do da no na os as um uma com pra pro pelo pela ao aos di e i y o en em im zu
    au aux ne ni se si ce ca beim zum zur vom ins chez
    sobre re col coi nei sui ai agli dagli negli sugli dalla dalle dallo nello nelle sullo sulle
    """.split()
)  # the Italian articled prepositions too: "col commercialista" is "with the" + it
_WORD = re.compile(r"[^\W_]+")
_RAW_WORD = re.compile(r"[^\W_]+")
_OF = frozenset("of de di da do del della dell des du dos das".split())
STOP = STOPWORDS | _MORE_STOPWORDS


def _content(text: str) -> list[str]:
    return [w for w in _tokens(text) if w not in STOP and len(w) > 1]


LETTERS = re.compile(r"[^\W\d_]+")
"""A word of letters only (no digits, no underscore)."""


def title_words(title: str) -> set[str]:
    """A title's words as written, case-folded (a capitalized title word is its thing,
    not a name: `guards._named_subject`, `guards.speaker_line`)."""
    return {w.casefold() for w in LETTERS.findall(title)}


def title_stems(title: str) -> set[str]:
    """The stems of a title's words (an owner or party the title names is the flow's)."""
    return {stem(fold(w)) for w in LETTERS.findall(title)}


def content_words(text: str) -> list[str]:
    """The folded content words of a text (stopwords left out)."""
    return _content(text)


def _verb_last(title: str) -> bool:
    """A German title ends with its verb, in lower case ("Termin beim Bürgeramt machen";
    not "Répondre à l'email de Julien")."""
    raw = _RAW_WORD.findall(title)
    return len(raw) > 1 and raw[-1].islower() and bool(_GERMAN_VERB_END.match(fold(raw[-1])))


_SHORT_VERBS = frozenset(
    "dar ir ver ser vir por pôr fare dire approve invoice expense".split()
)  # infinitives the patterns below miss


def verbless(title: str) -> bool:
    """A title that names a thing, not an act ("Haircut at Studio 9", "Cita con el
    dentista", "Impftermin beim Tropenmediziner"): no verb first (nor last in German)."""
    if _verb_last(title):
        return False
    raw = _RAW_WORD.findall(title)
    if not raw:
        return False
    first = fold(raw[0])
    return not (
        first in EN_VERBS
        or (first.startswith("re") and first[2:] in EN_VERBS)
        or first in _SHORT_VERBS
        or ROMANCE_INFINITIVE.match(first)
        or first.endswith(("rsi", "rse", "rse"))
    )


def object_words(title: str) -> set[str]:
    """The stems of what a flow is about: its title's content words without its verb
    (all of them when it has none)."""
    tokens = _content(title)
    if len(tokens) > 1 and not verbless(title):
        tokens = tokens[:-1] if _verb_last(title) else tokens[1:]
    return {stem(w) for w in tokens}


def title_verb(title: str) -> str | None:
    """The stem of a title's verb: its first word (or a German title's last infinitive)."""
    tokens = _content(title)
    if not tokens or verbless(title):
        return None
    return stem(tokens[-1] if _verb_last(title) else tokens[0])


GENERIC_OBJECTS = frozenset(
    stem(w)
    for w in """
    appointment meeting call email mail message thing stuff report document documents form
    paper papers bill list task tasks note notes stuff info details file files
    termin sitzung besprechung anruf dokument dokumente unterlagen rechnung liste sache
    cita reunion reunión llamada correo documento documentos factura lista cosa tarea
    rdv rendez vous reunion réunion appel courriel document documents facture liste truc chose
    appuntamento riunione chiamata documento documenti fattura lista cosa
    consulta reunião reuniao ligação ligacao documento documentos fatura lista coisa tarefa
    """.split()
)
"""Object words that fit many tasks: naming only these does not say which flow."""


_EQUIVALENT_ROWS = (
    "bank banco banque banca",
    "cat gato katze gatto",
    "dog perro chien hund cachorro",
    "car coche voiture macchina carro",
    "insurance seguro assurance versicherung assicurazione",
    "bike bicycle bicicleta bici velo fahrrad bicicletta",
    "documents docs documentos unterlagen documenti",
    "vet veterinario veterinaire tierarzt veterinaria",
    "dentist dentista dentiste zahnarzt",
    "rent alquiler loyer miete affitto aluguel",
    "passport pasaporte passeport reisepass passaporto passaporte",
    "flight vuelo flug volo voo",
    "plumber fontanero plombier klempner idraulico encanador",
    "hairdresser peluqueria coiffeur friseur parrucchiere cabeleireiro",
)
EQUIVALENTS: dict[str, frozenset[str]] = {
    word: frozenset(stem(w) for w in row.split() if w != word and not ambiguous(w))
    for row in _EQUIVALENT_ROWS
    for word in row.split()
    if not ambiguous(word)
}
"""Everyday things named in another language or by their short form ("el banco" for
"Call the bank", "il gatto" for "Take the cat to the vet", "the visa docs" for "Gather
the documents for the visa application", "a bike" for "a bicicleta"): one closed row per
thing, folded, no word that means something else in another of the six languages ("chat",
"vol", "pass", "auto", "luz", "presente" are left out: `crosslex.AMBIGUOUS`, the one list
both lexicons keep out; "velo" of the bike row is one of them)."""


def _with_equivalents(pool: set[str], words: list[str]) -> set[str]:
    return pool.union(*(EQUIVALENTS.get(w, frozenset()) for w in words))


def title_verb_word(title: str) -> str | None:
    """A title's verb as written (folded, not stemmed): its first content word, or a
    German title's last infinitive."""
    tokens = _content(title)
    if not tokens or verbless(title):
        return None
    return tokens[-1] if _verb_last(title) else tokens[0]


def coverage(sentence: str, flow: OpenFlow) -> float:
    """The share of the flow's object the sentence names; 0 when it names at most half of
    it and puts another thing on what it names."""
    wanted = object_words(flow.title)
    if not wanted:
        return 0.0
    content = _content(sentence)
    pool = _with_equivalents({stem(w) for w in content}, content)
    if guess_language(flow.title, "") == "de":  # "die Karte" names "Abschiedskarte"
        pool |= {w for w in wanted if any(compound_tail(w, p) for p in pool)}
    named = {w for w in wanted if shares(w, pool)}
    distinctive = wanted - GENERIC_OBJECTS
    if distinctive and not named & distinctive:
        return 0.0  # "the appointment" alone does not say which of the appointments
    covered = len(named) / len(wanted)
    if distinctive and distinctive <= named:  # "l'ophtalmo" names "rendez-vous chez l'ophtalmo"
        covered = max(covered, MIN_COVERAGE)
    head = head_words(flow.title) - GENERIC_OBJECTS  # "rendez-vous chez l'ophtalmo": ophtalmo
    if head and head <= named:  # "scratch the cake" names "Order the cake for Leo's party"
        covered = max(covered, MIN_COVERAGE)
    pointed = any(shares(w, matter_of(sentence)) for w in distinctive)
    if pointed:  # "lo del taller" is the matter of "Llevar el coche al taller"
        covered = max(covered, MIN_COVERAGE)
    if covered < 1 and head and not pointed and not any(shares(w, pool) for w in head):
        return 0.0  # "booked the hotel in Lisbon" is not "Book a flight to Lisbon"
    if 0 < covered <= MIN_COVERAGE and _other_qualifier(_tokens(sentence), flow.title):
        return 0.0
    return covered


MATTER = re.compile(
    r"\b(?:lo|eso|todo lo) del?\s+(?:la\s+|las\s+|los\s+)?([^\W\d_]{3,})|"
    r"\b(?:o|a) (?:lance|neg[óo]cio|assunto|coisa|hist[óo]ria) d[aoe]s?\s+([^\W\d_]{3,})|"
    r"\bla (?:cosa|storia|faccenda) (?:d[ei]l?|dell['’]|della|dello)\s*([^\W\d_]{3,})|"
    r"\ble (?:truc|coup|plan|dossier) (?:d[eu]s?|de la|de l['’])\s*([^\W\d_]{3,})|"
    r"\bdas mit (?:dem|der|den)\s+([^\W\d_]{3,})|"
    r"\bthe ([^\W\d_]{3,}) (?:thing|stuff|business)\b|"
    r"\bthe (?:thing|stuff|business) (?:with|about) (?:the\s+)?([^\W\d_]{3,})",
    re.IGNORECASE,
)
"""The matter of a thing, said by a word of it ("lo del taller", "o lance da academia",
"das mit dem Fitnessstudio", "the gym thing"): the speaker points at a task by any word
of it, not only by the thing its verb acts on."""


def matter_of(sentence: str) -> set[str]:
    """The stems of the words a `MATTER` pointer names in the sentence."""
    return {stem(fold(word)) for m in MATTER.finditer(sentence) for word in m.groups() if word}


MIN_TAIL = 4


def compound_tail(word: str, tail: str) -> bool:
    """Whether `tail` (a stem) ends the German compound `word` (a stem) as its own noun,
    after at least three letters of another ("Abschieds|karte", "Weihnachts|geschenk"):
    a compound is a kind of its last noun, so "die Karte für Jens" names
    "Abschiedskarte für Jens unterschreiben"."""
    return len(tail) >= MIN_TAIL and len(word) - len(tail) >= 3 and word.endswith(tail)


def head_words(title: str) -> set[str]:
    """The stems of the thing the title's verb acts on: the words right after the verb up
    to the first small word ("flight" in "Book a flight to Lisbon", "electricity bill" in
    "Pay the electricity bill"; a German title's words before its final verb); when those
    are only names ("Inscrire Lucas au judo"), the next run of words too."""
    raw = _RAW_WORD.findall(title)
    if _verb_last(title):
        raw = [raw[-1], *raw[:-1]]
    elif verbless(title):
        raw = ["", *raw]  # no verb to skip: the thing comes first
    runs: list[list[str]] = [[]]
    for token in raw[1:]:
        word = fold(token)
        if word in STOP or len(word) < 2:
            if runs[-1]:
                runs.append([])
            continue
        runs[-1].append(token)
    runs = [run for run in runs if run]
    head: set[str] = set()
    for run in runs:
        head |= {stem(fold(t)) for t in run}
        if not all(t[:1].isupper() for t in run) or _verb_last(title):
            break
    return head


def _tokens(text: str) -> list[str]:
    """Every folded word, short ones included (articles separate words here)."""
    return _WORD.findall(fold(text))


def _other_qualifier(tokens: list[str], title: str) -> bool:
    """A named object word with another thing on it: the word just before it ("the *gas*
    bill"), after "of/de/di" ("la facture *de gaz*"), or, where the title uses the word as
    a modifier, after it ("Christmas *tree*" against "Order Christmas cards")."""
    title_tokens = _tokens(title)
    title_stems = {stem(w) for w in title_tokens}
    # A German title's final verb is no noun the word before it qualifies ("Tanzkurs
    # abschicken" does not make "Tanzkurs" a modifier, as "Christmas cards" does).
    nouns = title_tokens[:-1] if _verb_last(title) else title_tokens
    modifiers = {
        stem(w) for i, w in enumerate(nouns[:-1]) if w not in STOP and nouns[i + 1] not in STOP
    }
    wanted = object_words(title)

    def foreign(word: str) -> bool:
        return not (
            word in STOP or word in _FILLER or word in _AFTER_OK or word.isdigit()
            or len(word) < 3 or shares(stem(word), title_stems)
        )  # fmt: skip

    for i, token in enumerate(tokens):
        if not shares(stem(token), wanted):
            continue
        before = tokens[i - 1] if i > 0 else ""
        after = tokens[i + 1 : i + 3]
        if before and foreign(before) and not before.endswith("ed"):
            return True
        if len(after) == 2 and after[0] in _OF and foreign(after[1]):
            return True
        if after and stem(token) in modifiers and foreign(after[0]) and not _ok_after(after[0]):
            return True
        if _other_complement(tokens, i, title_tokens, foreign):
            return True
    return False


_PREPOSITIONS = frozenset(
    "to for with at con com mit avec para pour per al à au zum zur nach en bei beim chez "
    "pra pro".split()
)  # not "a" or "in": articles and compounds ("check-in back a week") too


def _complement(tokens: list[str], i: int) -> tuple[str, str] | None:
    """The preposition right after tokens[i] and the first content word after it."""
    if i + 1 >= len(tokens) or tokens[i + 1] not in _PREPOSITIONS:
        return None
    rest = [w for w in tokens[i + 2 : i + 5] if w not in STOP and len(w) > 1]
    return (tokens[i + 1], rest[0]) if rest else None


def _other_complement(
    tokens: list[str], i: int, title_tokens: list[str], foreign: Callable[[str], bool]
) -> bool:
    """The named word with the title's preposition but another thing after it ("the
    flight to *Porto*" against "Book a flight to Lisbon", "la cena con i *colleghi*"
    against "Cena con i suoceri")."""
    said = _complement(tokens, i)
    if said is None:
        return False
    for j, word in enumerate(title_tokens):
        if stem(word) != stem(tokens[i]):
            continue
        titled = _complement(title_tokens, j)
        if titled is not None and titled[0] == said[0] and foreign(said[1]):
            return not days_in(said[1], _ANY_DAY)  # "le cadeau pour vendredi": a day
    return False


_ANY_DAY = date(2026, 1, 7)


_AFTER_OK = frozenset(
    """
    done sorted finished booked paid sent fixed hab habe ist sind est fatto fatta fatti
    feito feita pronto listo hecho erledigt gebucht thing stuff while yet today finally
    this that esta este ese esa ce cette cet questa questo stamattina stasera essa esse
    morning
    """.split()
)


def _ok_after(word: str) -> bool:
    """A word that may follow a named object without being another thing ("the flight
    *booked*", "termin *hab* ich")."""
    return word in _AFTER_OK or word.endswith(("ed", "ly", "ing", "ato", "ado", "ido", "ito"))


def link(sentence: str, flows: Sequence[OpenFlow]) -> OpenFlow | None:
    """The one open flow the sentence names, or None (none, or two equally)."""
    scored = sorted(((coverage(sentence, f), i) for i, f in enumerate(flows)), reverse=True)
    if not scored or scored[0][0] < MIN_COVERAGE:
        return None
    if len(scored) > 1 and scored[1][0] >= scored[0][0]:
        return None
    return flows[scored[0][1]]
