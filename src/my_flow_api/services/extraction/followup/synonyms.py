"""Verbs that do the same act as a title's verb, per language.

A completion must be said with the flow's own verb in a done form (`completion`), but
people report the act with the everyday verb of their language, not the title's: "mandé
el presupuesto" for "Enviar el presupuesto", "grabbed the dry cleaning" for "Pick up dry
cleaning", "ho spedito il pacco" for "Inviare il pacco". The groups are closed and small
(same act, same object, in the same language), so a done form of a synonym is held to
every check the title's own verb is (tense, agent, object, part).
"""

from __future__ import annotations

from my_flow_api.services.extraction.text import fold

_GROUPS: tuple[frozenset[str], ...] = tuple(
    frozenset(fold(w) for w in line.split())
    for line in (
        "send ship",
        "enviar mandar",
        "envoyer expédier",
        "inviare mandare spedire",
        "schicken senden verschicken abschicken",
        "bringen abgeben",
        "pick grab collect fetch",
        "book reserve",
        "prenotare riservare",
        "buchen reservieren",
    )
)


def same_act(verb: str) -> tuple[str, ...]:
    """The title's verb (folded) and the verbs of its group, the title's first."""
    for group in _GROUPS:
        if verb in group:
            return (verb, *sorted(group - {verb}))
    return (verb,)
