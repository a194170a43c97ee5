"""A small closed lexicon of common to-do nouns across the user's languages.

People mix languages ("necesito sacar la basura tonight", "die Invoice an Zalando
schicken") and a model writes the title in one of them ("Take out the trash", "Rechnung
an Zalando schicken"). Grounding then matches a title's word with the user's word for
the same thing: each group below is one everyday thing named in English, Spanish,
German, French, Italian and Portuguese. Only household, errand and office nouns that
to-do lists are made of, never a verb of transfer or a word planted orders live by
(account, password, payment), so a planted order finds no more support than before.
"""

from __future__ import annotations

from my_flow_api.services.extraction.text import stem, words

_GROUPS = (
    "trash garbage rubbish basura lixo müll muell poubelle poubelles spazzatura",
    "birthday bday cumple cumpleaños geburtstag anniversaire compleanno aniversário",
    "gift gifts regalo regali geschenk cadeau",
    "invoice invoices bill factura facturas rechnung facture fattura fatura",
    "rent alquiler miete loyer affitto aluguel aluguer",
    "landlord casero vermieter propriétaire padrone senhorio",
    "report informe bericht relazione relatório",
    "mother mom mum mãe madre mamá mutter mère mamma",
    "boss jefe jefa chefin chefe",
    "flight flights vuelo flug volo voo",
    "meeting reunión meeting besprechung réunion riunione reunião",
    "groceries grocery shopping compra compras einkauf einkaufen spesa",
    "bike bicycle bici bicicleta fahrrad vélo",
    "car coche voiture macchina carro",
    "doctor médico arzt ärztin médecin medico",
    "dentist dentista zahnarzt dentiste",
    "heating calefacción heizung chauffage riscaldamento aquecimento",
    "gym gimnasio fitnessstudio palestra ginásio",
    "hire contratado contratada neueinstellung recrue",
    "class clase klasse classe turma",
    "invitation invitations invitación invitaciones einladung einladungen invito inviti "
    "convite convites",
    "appointment cita termin rdv rendez appuntamento consulta marcação",
    "insurance versicherung assurance assicurazione",
    "school escuela colegio schule école scuola escola",
    "tyres tires neumáticos reifen pneus",
    "annual anual jährlich annuel annuale",
    "secret secreto segreto geheim",
    "laptop portátil portatil ordinateur portatile",
    "chair silla stuhl chaise sedia cadeira",
    "room sala raum salle",
    "form formulario formular formulaire formulário",
    "pricing prices precios preise tarifs prezzi preços tarifaire tarifário",
)


AMBIGUOUS = frozenset(
    """
    auto vol chef capo presente present presents prenda chat pass luz velo rad wagen
    seguro renda rapport academia gomme stanza modulo
    """.split()
)
"""Words that name another thing in another of the six languages, or a common other
word in their own ("o auto de infração" is a fine, "un vol" a theft, "the chef" a cook,
"seguro" also "sure", "velo" a veil, "gomme" an eraser): no word of their stem counts in
a group ("volo" is "vol", "chefe" is "chef"), here or in the follow-up's equivalents
(`followup.linking`), so none grounds or links a thing."""


_AMBIGUOUS_STEMS = frozenset(stem(w) for w in AMBIGUOUS)


def _index() -> dict[str, str]:
    out: dict[str, str] = {}
    for group in _GROUPS:
        names = group.split()
        for name in names:
            for word in words(name):
                if not ambiguous(word):
                    out.setdefault(stem(word), names[0])
    return out


def ambiguous(word: str) -> bool:
    """Whether `word` is one of `AMBIGUOUS` in any form ("volo" and "vol" are one stem)."""
    return stem(word) in _AMBIGUOUS_STEMS


CONCEPTS = _index()
"""Stem of each word of the lexicon to its group's English name."""


def concept(word_stem: str) -> str | None:
    """The group a stemmed word belongs to, if any."""
    return CONCEPTS.get(word_stem)
