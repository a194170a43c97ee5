"""Verbs that do the same act as a title's verb, per language.

A completion must be said with the flow's own verb in a done form (`completion`), but
people report the act with the everyday verb of their language, not the title's: "mandé
el presupuesto" for "Enviar el presupuesto", "grabbed the dry cleaning" for "Pick up dry
cleaning", "ho spedito il pacco" for "Inviare il pacco". The groups are closed and small
(same act, same object, in the same language), so a done form of a synonym is held to
every check the title's own verb is (tense, agent, object, part).

A verb with a particle does the act only with it: "pick" collects only as "pick up"
("Pick a colour" is a choice, and "grabbed a colour" does not make it), so it joins the
collect group only when the title says "pick ... up", and stands for a collect title's
verb only when the clause says "picked ... up".
"""

from __future__ import annotations

from collections.abc import Sequence

from my_flow_api.services.extraction.text import fold

_GROUPS: tuple[frozenset[str], ...] = tuple(
    frozenset(fold(w) for w in line.split())
    for line in (
        "send ship",
        "enviar mandar",
        "envoyer expédier renvoyer",
        "inviare mandare spedire",
        "schicken senden verschicken abschicken",
        "bringen abgeben",
        "pick grab collect fetch",
        "book reserve",
        "prenotare riservare",
        "buchen reservieren",
    )
)


_SEND_HEADS = frozenset("send enviar envoyer inviare schicken".split())
SEND: frozenset[str] = frozenset(w for g in _GROUPS if g & _SEND_HEADS for w in g)
"""The verbs of sending, in the six languages: their act is done when the thing has gone
("le devis est parti", "das Paket ist raus")."""

_ACT_NOUNS: tuple[tuple[frozenset[str], frozenset[str]], ...] = tuple(
    (frozenset(fold(w) for w in verbs.split()), frozenset(fold(w) for w in nouns.split()))
    for verbs, nouns in (
        (
            "pay pagar payer pagare zahlen bezahlen überweisen",
            "payment transfer pago transferencia bizum paiement virement pagamento bonifico "
            "transferência pix zahlung überweisung",
        ),
        (
            "book reserve reservar réserver prenotare riservare buchen reservieren",
            "booking reservation reserva réservation prenotazione buchung reservierung",
        ),
        (
            "call llamar appeler chiamare telefonare anrufen ligar telefonieren",
            "call llamada appel chiamata telefonata anruf ligação",
        ),
    )
)
LIGHT_DONE = frozenset(fold(w) for w in "made did hice fait fiz fizemos fatto gemacht".split())
"""The done forms of "do / make" that carry an act named by its noun ("*made* the
transfer", "*hice* la transferencia", "j'ai *fait* le virement", "*fiz* o pix")."""


def act_nouns(verb: str) -> frozenset[str]:
    """The nouns that name the act of a title's verb (folded): the act itself or its
    everyday means ("payment", "bonifico", "virement", "pix" for "pay"; "booking" for
    "book"; "llamada" for "llamar"). A done "do / make" with one of them as its object
    is the act done ("fatto il bonifico per l'affitto")."""
    for verbs, nouns in _ACT_NOUNS:
        if verb in verbs:
            return nouns
    return frozenset()


PARTICLE = {"pick": "up"}
"""Verbs of a group that do its act only with their particle."""
_PARTICLE_REACH = 4
"""How far after the verb its particle may stand ("picked the kids *up*")."""


def with_particle(words: Sequence[str], i: int, verb: str) -> bool:
    """Whether the word at i (a form of `verb`) has the particle its sense in the group
    needs within reach after it ("pick *up*", "picked Leo *up*"); always, for a verb
    without one."""
    particle = PARTICLE.get(verb)
    return particle is None or particle in words[i + 1 : i + 1 + _PARTICLE_REACH]


def same_act(verb: str, title_words: Sequence[str] | None = None) -> tuple[str, ...]:
    """The title's verb (folded) and the verbs of its group, the title's first; none but
    itself when the title uses it without the particle its group's sense needs ("Pick a
    colour"). `title_words`: the title's folded words (unread when None)."""
    if title_words is not None and verb in PARTICLE:
        at = [i for i, w in enumerate(title_words) if w == verb]
        if not any(with_particle(title_words, i, verb) for i in at):
            return (verb,)
    for group in _GROUPS:
        if verb in group:
            return (verb, *sorted(group - {verb}))
    return (verb,)
