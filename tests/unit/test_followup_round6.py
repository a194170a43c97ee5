"""Sixth-round checks of the follow-up detection (issue 22, session 8): who acted, the
verb's tense and object, a completion proposed by the flow's own verb, the target day
of a reschedule. Sentences written for the classes (not taken from a corpus) through the
embedded detection and through the vetting a model's proposal goes through."""

from __future__ import annotations

from datetime import date

import pytest

from my_flow_api.models.flow import FlowPriority
from my_flow_api.services.extraction.followup.detect import detect_operations
from my_flow_api.services.extraction.followup.operations import Op, OpenFlow, Operation
from my_flow_api.services.extraction.followup.vetting import vet
from tests.support.followup import TODAY, detected, kept, user
from tests.support.followup import flow as open_flow

DUE = date(2026, 3, 10)


def flow(title: str, fid: str = "f1") -> OpenFlow:
    return open_flow(title, fid, DUE)


def done(evidence: str) -> Operation:
    return Operation(Op.COMPLETE, "f1", evidence)


# -- someone else acted: the subject, the recipient, a passive's agent --------------------


@pytest.mark.parametrize(
    ("title", "said"),
    [
        ("Book a flight to Berlin", "the airline cancelled the flight to Berlin"),
        ("Flug nach Berlin buchen", "die Airline hat den Flug nach Berlin gestrichen"),
        ("Cancel the gym membership", "the gym cancelled my membership by mistake"),
        ("Send the report to Dana", "Dana sent me the report"),
        ("Call the dentist", "the dentist called me"),
        ("Call Grandma", "grandma talked to me about the party, I still have to call her"),
        ("Pay the rent", "Ana paid the rent"),
        ("Pay the rent", "rent paid by my flatmate"),
        ("Water the plants", "the plants got watered by the rain"),
        ("Book a flight to Berlin", "my assistant booked the flight"),
        ("Call the dentist", "the dentist called, I missed it"),
        ("Text mum", "mum texted this morning"),
    ],
)
def test_another_agent_changes_nothing(title: str, said: str) -> None:
    flows = [flow(title)]
    assert detected(flows, said) == []
    assert not kept(flows, said, done(said))


@pytest.mark.parametrize(
    ("title", "said"),
    [
        ("Book a table at Nonna's", "booked us a table at Nonna's"),
        ("Pay the Hansen & Co invoice", "the hansen invoice has been paid - by me, finally."),
        ("Pay the rent", "paid the rent by card this morning"),
        ("Steuererklärung abschicken", "Steuererklärung ist über Elster abgeschickt!!"),
    ],
)
def test_the_users_own_act_still_completes(title: str, said: str) -> None:
    assert detected([flow(title)], said) == [("complete", "f1")]


# -- the verb's tense and object -----------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "said"),
    [
        ("Hotel in Wien buchen", "ich buch das Hotel in Wien heute Abend"),
        ("Prenotare il treno", "prenoterò il treno"),
        ("Renew the passport", "don't cancel the passport renewal"),
        ("Reservar el hotel", "el hotel nos canceló la reserva, hay que buscar otro"),
        ("Envoyer le devis à M. Girard", "j'ai envoyé la facture de février à M. Girard"),
        ("Send the report to Dana", "sent the invoice to Dana"),
        ("Write the blog post on onboarding", "got 400 words of the onboarding post done"),
        ("Pack the boxes", "the kitchen boxes are packed"),
        ("Scrivere a Elena per la cena", "a Elena scrivo dopo"),
        ("Finish the grant application", "Grant application is basically done!!"),
        ("Book a flight to Berlin", "the flight is booked once Ana confirms"),
        ("Book a flight to Berlin", "I should have booked the flight"),
        ("Book my flight to Chicago", "Sarah: flight booked!!"),
        ("Renew the passport", "renewed the passport photo"),
        ("Book a flight to Berlin", "booked the flight in March for the other trip"),
    ],
)
def test_no_done_form_or_another_object_completes_nothing(title: str, said: str) -> None:
    flows = [flow(title)]
    assert detected(flows, said) == []
    assert not kept(flows, said, done(said))


@pytest.mark.parametrize(
    ("title", "said"),
    [
        ("Pagare la bolletta del gas", "la bolletta del gas l'ho pagata ieri sera"),
        ("Marcar consulta na dermatologista", "já marquei a consulta com a dermato!!"),
        ("Renovar el DNI", "renove el dni esta mañana"),
        ("Hotel in Wien reservieren", "Das Hotel hab ich gestern Abend schon reserviert"),
        ("Pagar o boleto do condomínio", "boleto do condomínio pago"),
        ("Répondre à l'email de Julien", "Julien je lui ai répondu hier soir"),
        ("Pagare il bollo auto", "ho pagato il bollo stamattina in tabaccheria"),
        ("Call the dentist", "called the dentist back"),
        ("Call the dentist", "the dentist I called this morning, all fine"),
    ],
)
def test_the_flows_own_verb_done_is_its_cue(title: str, said: str) -> None:
    assert detected([flow(title)], said) == [("complete", "f1")]


# -- a reschedule's new day: after its target preposition ----------------------------------


@pytest.mark.parametrize(
    ("title", "said", "day"),
    [
        ("Call Mom", "move call mom from saturday to sunday, shes at a wedding saturday", 8),
        ("Fare la revisione", "la revisione spostala al 20, venerdì non ce la faccio", 20),
        ("Go to the dentist", "push the dentist to the 14th, I have a meeting on friday", 14),
        ("Go to the dentist", "move the dentist to friday, no, the 14th", 14),
        ("Go to the dentist", "move the dentist to friday, no wait, to the 14th", 14),
        ("Go to the dentist", "move the dentist to friday... no, to the 14th", 14),
    ],
)
def test_the_new_day_is_the_target(title: str, said: str, day: int) -> None:
    flows = [flow(title)]
    chat = user(said)
    ops = vet(detect_operations(chat, flows, TODAY), chat, flows, TODAY)
    assert [(o.op, o.due) for o in ops] == [(Op.RESCHEDULE, date(2026, 3, day))]


def test_a_reason_after_the_change_is_not_its_mood() -> None:
    flows = [flow("Finish the quarterly report")]
    said = "push the quarterly report to next week, dana said friday was too tight anyway"
    assert detected(flows, said) == [("reschedule", "f1")]
    relayed = "scratch the quarterly report, dana said"
    assert detected(flows, relayed) == []


def test_a_models_superseded_day_is_refused() -> None:
    flows = [flow("Go to the dentist")]
    said = "move the dentist to friday, no, the 14th"
    friday = Operation(Op.RESCHEDULE, "f1", said, due=date(2026, 3, 6))
    assert not kept(flows, said, friday)
    assert kept(flows, said, Operation(Op.RESCHEDULE, "f1", said, due=date(2026, 3, 14)))


@pytest.mark.parametrize(
    ("title", "said", "op"),
    [
        ("Book a flight to Berlin", "cancelled the flight alert", Op.CANCEL),
        ("Pay the rent", "rent is high priority for the landlord", Op.REPRIORITISE),
    ],
)
def test_another_thing_or_party_changes_nothing(title: str, said: str, op: Op) -> None:
    flows = [flow(title)]
    assert detected(flows, said) == []
    priority = FlowPriority.HIGH if op is Op.REPRIORITISE else None
    assert not kept(flows, said, Operation(op, "f1", said, priority=priority))


def test_the_flows_own_cancel_and_priority_still_change() -> None:
    assert detected([flow("Book a flight to Berlin")], "cancel the flight") == [("cancel", "f1")]
    assert detected([flow("Pay the rent")], "rent is high priority now") == [("reprioritise", "f1")]
