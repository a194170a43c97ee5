"""The principled checks on automatic completions (followup/aspect.py and the distinctive
object words of linking): good and bad sentences in several languages, each through the
embedded detection and the vetting a model's proposal also goes through."""

from __future__ import annotations

from datetime import date

import pytest

from my_flow_api.models.conversation import MessageRole
from my_flow_api.models.flow import FlowPriority
from my_flow_api.services.ai.base import ChatMessage
from my_flow_api.services.extraction.followup import aspect
from my_flow_api.services.extraction.followup.detect import detect_operations, user_sentences
from my_flow_api.services.extraction.followup.linking import coverage
from my_flow_api.services.extraction.followup.operations import Op, OpenFlow, Operation
from my_flow_api.services.extraction.followup.vetting import vet

TODAY = date(2026, 3, 4)


def flow(title: str, fid: str = "f1") -> OpenFlow:
    return OpenFlow(fid, title, None, FlowPriority.MEDIUM)


def detected(flows: list[OpenFlow], *texts: str) -> list[Operation]:
    chat = [ChatMessage(MessageRole.USER, t) for t in texts]
    return vet(detect_operations(chat, flows, TODAY), chat, flows, TODAY)


def proposal_kept(flows: list[OpenFlow], text: str, evidence: str) -> bool:
    chat = [ChatMessage(MessageRole.USER, text)]
    return bool(vet([Operation(Op.COMPLETE, flows[0].id, evidence)], chat, flows))


# -- verb fit: the flow's own verb or a generic done-word ---------------------------------


@pytest.mark.parametrize(
    ("title", "said"),
    [
        ("Book flight to Denver", "I booked the flight to Denver this morning"),
        ("Send invoice to Hartley", "sent the Hartley invoice, finally"),
        ("Llamar al banco por la comisión", "Por fin llamé al banco por la comisión"),
        ("Prenotare il ristorante", "ho prenotato il ristorante per sabato"),
        ("Appeler le plombier", "j'ai appelé le plombier ce matin"),
        ("Laptop an die IT zurückgeben", "so, laptop ist bei der IT abgegeben"),
        ("Ligar para o cliente", "já liguei para o cliente"),
        ("Renew car insurance", "the car insurance is done"),
        ("Steuererklärung abgeben", "Steuererklärung hab ich gestern abgegeben"),
    ],
)
def test_a_completion_with_its_own_verb_or_a_done_word_completes(title: str, said: str) -> None:
    assert [(o.op, o.flow_id) for o in detected([flow(title)], said)] == [(Op.COMPLETE, "f1")]


@pytest.mark.parametrize(
    ("title", "said"),
    [
        ("Book flight to Denver", "ugh the flight was awful last time I went to Denver"),
        ("Comprar el regalo de mamá", "Ya vi el regalo de mamá en la tienda"),
        ("Prenotare il volo per Atene", "ho guardato il volo per Atene, costa troppo"),
        ("Réserver le train pour Lyon", "j'ai raté le train pour Lyon la dernière fois"),
        ("Flug nach Wien buchen", "Ich hab den Flug nach Wien verglichen"),
    ],
)
def test_a_past_verb_that_is_not_the_tasks_changes_nothing(title: str, said: str) -> None:
    assert detected([flow(title)], said) == []


def test_a_models_completion_needs_the_verb_fit_too() -> None:
    flows = [flow("Book flight to Denver")]
    said = "I went to Denver last year, the flight was awful"
    assert not proposal_kept(flows, said, said)
    good = "I booked the flight to Denver"
    assert proposal_kept(flows, good, good)


@pytest.mark.parametrize(
    ("verb", "word", "fits"),
    [
        ("book", "booked", True),
        ("send", "sent", True),
        ("pay", "paid", True),
        ("llamar", "llamé", True),
        ("buchen", "gebucht", True),
        ("zurückgeben", "abgegeben", True),
        ("book", "went", False),
        ("comprar", "vi", False),
        ("pagare", "guardato", False),
    ],
)
def test_verb_fit(verb: str, word: str, fits: bool) -> None:
    assert aspect.completion_fits(f"the thing {word}", verb) is fits


@pytest.mark.parametrize(
    "said",
    [
        "Listo, le mandé el deck a Carlos",
        "Fatto, ho mandato il deck a Carlos",
        "Erledigt, ich hab Carlos das Deck geschickt",
    ],
)
def test_an_opening_done_word_reports_the_sentence(said: str) -> None:
    flows = [flow("Send the slide deck to Carlos")]
    assert [o.op for o in detected(flows, said)] == [Op.COMPLETE]


# -- under way is not done ---------------------------------------------------------------


@pytest.mark.parametrize(
    "said",
    [
        "I'm booking the flight to Denver right now, done in a minute",
        "estoy reservando el vuelo a Denver, ya casi está hecho",
        "sto prenotando il volo per Denver, fatto tra poco",
        "je suis en train de réserver le vol pour Denver, c'est fait bientôt",
        "bin gerade dabei, den Flug nach Denver zu buchen, gleich erledigt",
    ],
)
def test_the_present_progressive_completes_nothing(said: str) -> None:
    assert aspect.in_progress(said)
    flows = [flow("Book flight to Denver")]
    assert detected(flows, said) == []


@pytest.mark.parametrize(
    "said", ["I booked the flight", "he reservado el vuelo", "ho prenotato il volo"]
)
def test_a_thing_done_is_not_under_way(said: str) -> None:
    assert not aspect.in_progress(said)


# -- quoted passages are nobody's report -------------------------------------------------


@pytest.mark.parametrize(
    "said",
    [
        "regarde ce que Claire a écrit : « c'est bon j'ai payé la cantine pour Jules »",
        'my sister texted "I booked the flight to Denver already" lol',
        "Marta schrieb „hab den Flug nach Denver gebucht“ in die Gruppe",
        "mi ha scritto “ho prenotato il volo per Denver” stamattina",
    ],
)
def test_a_quoted_report_changes_nothing(said: str) -> None:
    flows = [flow("Payer la cantine de Léo"), flow("Book flight to Denver", "f2")]
    assert detected(flows, said) == []
    assert all("payé" not in s and "booked" not in s for s in user_sentences(
        [ChatMessage(MessageRole.USER, said)]
    ))  # fmt: skip


def test_a_short_quoted_name_stays() -> None:
    assert aspect.unquoted("sent the 'Q3 report' to Ana") == "sent the 'Q3 report' to Ana"
    flows = [flow("Send the Q3 report to Ana")]
    assert [o.op for o in detected(flows, 'I sent the "Q3 report" to Ana')] == [Op.COMPLETE]


# -- a distinctive object word must be named ---------------------------------------------


@pytest.mark.parametrize(
    ("title", "said"),
    [
        ("Dentist appointment on Friday", "the appointment is done"),
        ("Termin beim Bürgeramt machen", "Termin hab ich gemacht"),
        ("Cita con el dentista", "la cita ya está hecha"),
        ("Rdv chez le coiffeur", "le rdv est réglé"),
    ],
)
def test_generic_object_words_alone_name_no_flow(title: str, said: str) -> None:
    assert coverage(said, flow(title)) == 0.0
    assert detected([flow(title)], said) == []


@pytest.mark.parametrize(
    ("title", "said"),
    [
        ("Termin beim Bürgeramt machen", "Bürgeramt-Termin hab ich gemacht, erledigt"),
        ("Cita con el dentista", "lo del dentista ya está hecho"),
        ("Pay the electricity bill", "paid the electricity bill"),
    ],
)
def test_a_distinctive_word_names_the_flow(title: str, said: str) -> None:
    assert coverage(said, flow(title)) >= 0.5
