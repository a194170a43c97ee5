"""The title gate, for every provider: what a person would write on their to-do list.

A stored title is a verb phrase of 2-10 words naming what the user named: never a
quantifier or pronoun ("Those three", "Do the first two"), an acceptance ("Yes please"),
chit-chat ("Anything else"), and without stray quotes, emoji or trailing emotion. A title
that fails is repaired (trimmed) when it can be, else dropped (None).
"""

from __future__ import annotations

import re

from my_flow_api.services.extraction.text import STOPWORDS, fold, words

MIN_WORDS = 2
_LEAD_FILLER = re.compile(
    r"^(?:(?:so|and|also|then|ok|okay|oh|um+|uh+|well|plus|but|y|e|und|et|poi|pues|bueno|"
    r"então|allora|alors|dann|also|luego)\b[\s,]*)+",
    re.IGNORECASE,
)
MAX_WORDS = 10
_EDGE = re.compile(
    r"^[\s\"'“”‘’«»„`*_~#>\-–—•·:;,.!?¡¿]+|[\s\"'“”‘’«»„`*_~#>\-–—•·:;,(]+$"
    r"|[\s\U0001F000-\U0001FAFF\u2600-\u27BF\uFE0F]+$"
)
_EMOTION_TAIL = re.compile(
    r"(?:[\s,.;:!?-]+(?:ugh|argh|lol|haha+|omg|sigh|yay|ok|okay|pls|plz|please|thanks|"
    r"por\s+favor|bitte|merci|s['’]il\s+te\s+pla[iî]t|per\s+favore|grazie|obrigad[oa]|"
    r"gracias|danke|[:;]-?[()DP]|x+d|!+|\?+|\.\.+|…))+\s*$",
    re.IGNORECASE,
)
_NOT_A_TASK_START = frozenset(
    """
    those these this that it them they he she we you i the a an both all any anything
    everything something nothing none yes yeah yep yup ok okay sure thanks thank please hi
    hello hey first second third last rest other others either neither also and but or so
    eso esto estos estas esos esas ese esa los las el la todo todos todas nada algo si
    vale gracias hola ambos ambas dies diese dieser dieses das der die den alle alles
    beide etwas nichts ja danke hallo ce ces cela ca tout tous toutes rien quelque oui
    merci bonjour les le questo questa questi queste quello quella quelli tutto tutti
    tutte niente qualcosa grazie ciao isso isto esse essa esses essas aquilo tudo todos
    nada algo sim obrigado obrigada ola
    """.split()
)
_EMPTY_WORDS = _NOT_A_TASK_START | frozenset(
    """
    do make get one two three four five six ones else more item items thing things stuff
    task tasks reminder reminders list those these them it of to as for with
    hacer uno dos tres cosa cosas tarea tareas machen eins zwei drei sache sachen aufgabe
    faire un deux trois chose choses tâche tache fare uno due tre cosa cose fazer um dois
    três tres coisa coisas tarefa tarefas
    """.split()
)


def gate_title(title: str) -> str | None:
    """`title` repaired to pass the gate, or None when it names no task."""
    text = " ".join(title.split())
    if _DONE_MARK.match(text):
        return None
    text = _BOLD_END.sub("", text)
    previous = None
    while previous != text:
        previous = text
        text = _EDGE.sub("", _EMOTION_TAIL.sub("", text)).strip()
    text = _LEAD_FILLER.sub("", _without_stray_quote(text))
    tokens = text.split()
    if len(tokens) > MAX_WORDS:
        tokens = tokens[:MAX_WORDS]
        while tokens and fold(tokens[-1]) in _EMPTY_WORDS | _DANGLING:
            tokens.pop()
    while tokens and fold(tokens[-1]) in _DANGLING - _PARTICLES:
        tokens.pop()
    text = _EDGE.sub("", " ".join(tokens))
    folded = words(text)
    if len(text.split()) < MIN_WORDS or not folded:
        return None
    first = fold(text.split()[0]).strip(",.!")
    if first in _NOT_A_TASK_START and not _german_object_first(text):
        return None
    if _pronoun_object(text):
        return None
    if all(w in _EMPTY_WORDS or w.isdigit() for w in folded):
        return None
    return text[0].upper() + text[1:]


_DOUBLE_QUOTE = re.compile(r"(?<!\d)\"|[“”„«»]")
"""A straight quote after a digit is an inch mark ('a 27" monitor'), no quote."""


def _without_stray_quote(text: str) -> str:
    """A title with an odd number of double quotes: the user quoted the task's name and
    went on ('"book the venue" is on me' left 'Book the venue" is on me' once the edge
    quote was trimmed). What precedes the stray quote is the title when it has words
    enough; else the quote alone goes. Paired quotes ('Call “Mario”') stay."""
    marks = list(_DOUBLE_QUOTE.finditer(text))
    if len(marks) % 2 == 0:
        return text
    head = text[: marks[0].start()].strip()
    if len(head.split()) >= MIN_WORDS:
        return head
    return text[: marks[0].start()] + text[marks[0].end() :]


_GERMAN_ARTICLES = frozenset("der die das den dem des".split())
_GERMAN_INFINITIVE = re.compile(r"^[a-zäöüß]{3,}(?:en|ern|eln)$")


def _german_object_first(text: str) -> bool:
    """ "Die Steuererklärung abgeben": a German title names its object first, article
    included, and closes with the infinitive."""
    tokens = text.split()
    return (
        len(tokens) >= 3
        and fold(tokens[0]) in _GERMAN_ARTICLES
        and bool(_GERMAN_INFINITIVE.match(tokens[-1].strip(".,!")))
    )


_DANGLING = frozenset(
    """
    a an the and or but to of for with at in on by from my your our el la los las y o de
    del con en por para mi der die das und oder zu mit für von im am le les et ou du des
    pour avec dans il lo gli e di da per con o os as do da dos das com em para
    """.split()
)


_PARTICLES = frozenset("in on by am im".split())
"""Trailing words that may end a phrasal verb ("where rabbits get in"): kept."""
_DONE_MARK = re.compile(r"^\s*(?:[✅✔☑✓]|\[[xX]\])")
"""A ticked item is done, not a task."""
_BOLD_END = re.compile(r"(?<=\w)(?:\*\*|__)(?:\s|[:.,;]).*$")
"""A list item in bold followed by its explanation ("**Buy a monitor** so you don't
hunch"): the title is the bold part."""
_PRONOUNS = frozenset(
    """
    it them him eso esto ello es ihn ihm ça ca cela isso isto
    """.split()
)


_CLITIC_VERB = re.compile(
    r"(?:l['’][^\W\d_]+(?:er|ir|re)|[^\W\d_]{3,}(?:ar|er|ir|ár|ér|ír)(?:se|me|te|ce)?"
    r"(?:lo|la|los|las|li|ne)|[^\W\d_]{2,}(?:á|ê|ô|ar|er|ir)-(?:lo|la|los|las|o|a|os|as))",
    re.IGNORECASE,
)
"""A Romance verb whose object is a pronoun joined to it: "L'envoyer pour les trois",
"Comprarlas", "Enviá-lo". Such a title names nothing unless the rest of it does
("Recogerlo en la oficina de Correos" still says where). Not "le"/"les"/"gli", which
double a person the title names ("Pedirle a Lucía las facturas")."""


def _pronoun_object(text: str) -> bool:
    """ "Renew it regardless", "Open one", "L'envoyer pour les trois": the verb's object is
    a pronoun pointing at something said elsewhere, so the title does not name the task."""
    tokens = [fold(t).strip(",.!") if not t.isupper() else "" for t in text.split()]
    if len(tokens) == MIN_WORDS and tokens[1] == "one":
        return True
    if _CLITIC_VERB.fullmatch(text.split()[0].strip(",.!")):
        rest = words(" ".join(text.split()[1:]))
        return all(w in _EMPTY_WORDS or w in STOPWORDS or w.isdigit() for w in rest)
    return len(tokens) >= MIN_WORDS and tokens[1] in _PRONOUNS
