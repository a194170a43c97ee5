"""The checks cancel, reschedule and reprioritise share with completion (followup/binding.py):
the operation's cue and value bound to the clause naming the flow, not the flow's own verb,
no negation but the cue's own, no condition, wish, plan or relayed words. Real sentences
through the embedded detection and through the vetting a model's proposal goes through."""

from __future__ import annotations

from datetime import date

import pytest

from my_flow_api.models.flow import FlowPriority
from my_flow_api.services.extraction.followup import binding
from my_flow_api.services.extraction.followup.detect import detect_operations
from my_flow_api.services.extraction.followup.linking import coverage
from my_flow_api.services.extraction.followup.operations import Op, Operation
from my_flow_api.services.extraction.followup.vetting import vet
from my_flow_api.services.extraction.followup.when import new_due
from tests.support.followup import TODAY, detected, flow, kept, user

FRIDAY = date(2026, 3, 6)
MONDAY = date(2026, 3, 9)


# -- bound clause: the cue and the value stand in the clause naming the flow -------------


def test_a_date_moved_in_another_clause_moves_nothing() -> None:
    flows = [flow("Go to the dentist", due=date(2026, 3, 10))]
    said = "I moved my haircut to Friday, the dentist is still on Tuesday"
    assert detected(flows, said) == []
    assert not kept(flows, said, Operation(Op.RESCHEDULE, "f1", said, due=FRIDAY))


def test_a_reschedule_takes_its_day_from_the_clause_naming_the_flow() -> None:
    flows = [flow("Book the flight", due=date(2026, 3, 10))]
    said = "the flight is on the 10th, and I moved the gym to Friday"
    assert detected(flows, said) == []
    assert not kept(flows, said, Operation(Op.RESCHEDULE, "f1", said, due=FRIDAY))


def test_a_models_reschedule_must_carry_the_day_the_clause_states() -> None:
    flows = [flow("Go to the dentist", due=date(2026, 3, 5))]
    said = "Move the dentist to Friday."
    assert kept(flows, said, Operation(Op.RESCHEDULE, "f1", said, due=FRIDAY))
    assert not kept(flows, said, Operation(Op.RESCHEDULE, "f1", said, due=MONDAY))


def test_a_models_reschedule_without_a_day_in_its_clause_is_dropped() -> None:
    flows = [flow("Go to the dentist", due=date(2026, 3, 5))]
    said = "move the dentist, the gym is on Friday"
    assert not kept(flows, said, Operation(Op.RESCHEDULE, "f1", said, due=FRIDAY))


def test_a_models_cancel_needs_a_cancel_cue_bound_to_the_flow() -> None:
    flows = [flow("Book a flight to Lisbon"), flow("Call the dentist", "f2")]
    said = "I booked the flight to Lisbon, forget the dentist"
    assert not kept(flows, said, Operation(Op.CANCEL, "f1", said))
    assert kept(flows, said, Operation(Op.CANCEL, "f2", said))


def test_a_priority_goes_to_the_flow_its_clause_names() -> None:
    flows = [flow("Submit the report"), flow("Pay the rent", "f2")]
    said = "The report is fine as it is, the rent is urgent now"
    assert detected(flows, said) == [("reprioritise", "f2")]
    high = FlowPriority.HIGH
    assert not kept(flows, said, Operation(Op.REPRIORITISE, "f1", said, priority=high))
    assert not kept(flows, said, Operation(Op.REPRIORITISE, "f2", said, priority=FlowPriority.LOW))


def test_a_clause_pointing_back_carries_the_change_of_the_one_before() -> None:
    flows = [flow("Renovar o cartão"), flow("Arrumar a despensa", "f2")]
    assert detected(flows, "a despensa fica para quando der, sem pressa nenhuma") == [
        ("reprioritise", "f2")
    ]


def test_a_clause_pointing_back_after_another_flow_is_about_that_one() -> None:
    flows = [flow("Keller ausmisten"), flow("Umzugskartons besorgen", "f2")]
    said = "Der Keller hat keine Eile, das mach ich irgendwann nach dem Umzug."
    assert ("reprioritise", "f2") not in detected(flows, said)


# -- the operation's own verb is the task, not a change of it ---------------------------


def test_the_flows_own_verb_is_no_reschedule_or_cancel() -> None:
    couch = [flow("Move the couch to the basement")]
    assert detected(couch, "I moved the couch to the basement on Friday") == [("complete", "f1")]
    package = [flow("Drop off the package at the post office")]
    assert detected(package, "I'll drop the package at the post office tomorrow") == []


def test_a_refusal_of_the_flows_own_verb_cancels_it() -> None:
    flows = [flow("Renew the gym membership")]
    assert detected(flows, "I'm not renewing the gym membership, total waste of money") == [
        ("cancel", "f1")
    ]
    assert detected(flows, "I haven't renewed the gym membership yet") == []


# -- negation: only the cue's own ------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "said"),
    [
        ("Call the plumber", "Don't forget to call the plumber"),
        ("Zahnarzttermin machen", "vergiss den Zahnarzttermin nicht"),
        ("Appeler le dentiste", "n'oublie pas d'appeler le dentiste"),
        ("Ligar para o dentista", "não esquece do dentista"),
        ("Call the dentist", "don't drop the dentist"),
    ],
)
def test_a_negated_cancel_cue_cancels_nothing(title: str, said: str) -> None:
    assert detected([flow(title)], said) == []


def test_a_negated_move_moves_nothing() -> None:
    flows = [flow("Submit the report")]
    assert detected(flows, "I didn't move the report to Friday") == []
    assert detected(flows, "I can't push the report to Friday, it stays") == []
    assert detected(flows, "push the report to Friday") == [("reschedule", "f1")]


@pytest.mark.parametrize(
    ("title", "said", "op"),
    [
        ("Call the plumber", "no need to call the plumber anymore", "cancel"),
        ("Andare in posta a ritirare il pacco", "non serve più andare in posta per il pacco",
         "cancel"),
        ("Pick up yen from the bank", "and obviously no yen needed lol", "cancel"),
        ("Fix the garage door", "the garage door can wait, no rush", "reprioritise"),
        ("Repeindre la chambre d'amis", "donc la chambre d'amis, aucune urgence",
         "reprioritise"),
    ],
)  # fmt: skip
def test_the_negation_inside_a_cue_is_the_cue(title: str, said: str, op: str) -> None:
    assert detected([flow(title)], said) == [(op, "f1")]


def test_no_urgency_is_low_not_high() -> None:
    flows = [flow("Repeindre la chambre d'amis")]
    chat = user("donc la chambre d'amis, aucune urgence")
    [operation] = vet(detect_operations(chat, flows, TODAY), chat, flows, TODAY)
    assert operation.priority is FlowPriority.LOW


# -- mood: condition, wish, thinking of, relayed words, question -----------------------


@pytest.mark.parametrize(
    "said",
    [
        "if the client agrees, push the report to Friday",
        "I'd rather move the report to Friday but it's not my call",
        "the report, I'm thinking of moving it to Friday",
        "push the report to Friday, Ana said",
        "should I push the report to Friday",
        "can you move the report to Friday?",
    ],
)
def test_an_undecided_reschedule_changes_nothing(said: str) -> None:
    flows = [flow("Submit the report", due=date(2026, 3, 5))]
    assert detected(flows, said) == []
    assert not kept(flows, said, Operation(Op.RESCHEDULE, "f1", said, due=FRIDAY))


def test_a_request_without_a_question_mark_is_an_instruction() -> None:
    flows = [flow("Go to the dentist", due=date(2026, 3, 5))]
    assert detected(flows, "can you move the dentist to Friday") == [("reschedule", "f1")]


def test_a_relayed_reason_in_another_clause_does_not_block_the_users_decision() -> None:
    flows = [flow("Comprare le tende per il soggiorno")]
    said = "lascia perdere le tende, alla fine teniamo quelle vecchie, Paolo dice che vanno bene"
    assert detected(flows, said) == [("cancel", "f1")]


# -- across a sentence end, shifts, joined objects -------------------------------------


def test_a_sentence_pointing_back_is_judged_with_the_one_before() -> None:
    flows = [flow("Submit quarterly VAT return", due=date(2026, 3, 6)), flow("Buy milk", "f2")]
    said = "the VAT return is def not happening this week. push it to the 16th pls"
    chat = user(said)
    [operation] = vet(detect_operations(chat, flows, TODAY), chat, flows, TODAY)
    assert (operation.op, operation.flow_id, operation.due) == (
        Op.RESCHEDULE,
        "f1",
        date(2026, 3, 16),
    )
    assert detected(flows, "I bought milk. Push it a week.") == [("complete", "f2")]


@pytest.mark.parametrize(
    ("said", "due"),
    [
        ("push the audit report back a week", date(2026, 3, 17)),
        ("they gave me an extra week on the audit report, so push it a week", date(2026, 3, 17)),
        ("bring the audit report forward two days", date(2026, 3, 8)),
    ],
)
def test_a_shift_moves_the_flows_own_due_day(said: str, due: date) -> None:
    flows = [flow("Hand in the audit report", due=date(2026, 3, 10))]
    chat = user(said)
    [operation] = vet(detect_operations(chat, flows, TODAY), chat, flows, TODAY)
    assert (operation.op, operation.due) == (Op.RESCHEDULE, due)


def test_a_condition_governs_a_shift_too() -> None:
    flows = [flow("Hand in the audit report", due=date(2026, 3, 10))]
    said = "if they give me an extra week on the audit report, push it a week"
    assert detected(flows, said) == []


def test_a_noun_phrase_joined_by_and_shares_the_verb() -> None:
    flows = [flow("Reservar hotel en Cartagena"), flow("Comprar protector solar", "f2")]
    said = "olvídate del hotel en Cartagena y del protector solar"
    assert detected(flows, said) == [("cancel", "f1"), ("cancel", "f2")]
    assert detected(flows, "no te olvides del hotel en Cartagena y del protector solar") == []
    other = [flow("Call the dentist"), flow("Book the flight to Rome", "f2")]
    assert detected(other, "forget the dentist and the flight to Rome is fine") == [
        ("cancel", "f1")
    ]
    assert binding.segments("forget the dentist and the flight to Rome is fine") == [
        "forget the dentist",
        "the flight to Rome is fine",
    ]


# -- dates and naming the follow-up needs ------------------------------------------------


@pytest.mark.parametrize(
    ("said", "due"),
    [
        ("o TCC agora é pra 12 de junho", date(2026, 6, 12)),
        ("la relazione la sposto a fine mese", date(2026, 3, 31)),
        ("adia a reunião para o fim do mês", date(2026, 3, 31)),
        ("spostiamo tutto al 3 giugno", date(2026, 6, 3)),
    ],
)
def test_italian_and_portuguese_days_are_read(said: str, due: date) -> None:
    assert new_due(said, TODAY) == due


def test_a_generic_head_does_not_hide_the_distinctive_object() -> None:
    ophtalmo = flow("Prendre rendez-vous chez l'ophtalmo")
    assert coverage("Par contre l'ophtalmo c'est important maintenant", ophtalmo) >= 0.5
    hotel = flow("Book a flight to Lisbon")
    assert coverage("booked the hotel in Lisbon", hotel) == 0.0


# -- deliberation, another time, the cue's own object ----------------------------------


@pytest.mark.parametrize(
    ("title", "said"),
    [
        ("Submit the report", "We talked about moving the report to Friday"),
        ("Submit the report", "remind me to move the report to Friday"),
        ("Submit the report", "try to move the report to Friday"),
        ("Zahnarzttermin machen", "Ich überlege, den Zahnarzttermin auf Freitag zu verschieben"),
        ("Ir al dentista", "hablamos de mover el dentista al viernes"),
    ],
)
def test_talking_about_a_move_is_not_moving(title: str, said: str) -> None:
    assert detected([flow(title, due=date(2026, 3, 5))], said) == []


@pytest.mark.parametrize(
    "said",
    [
        "the report will be urgent next week",
        "the report was urgent last month, now it's fine",
        "the report used to be urgent",
    ],
)
def test_a_priority_of_another_time_changes_nothing(said: str) -> None:
    assert detected([flow("Submit the report")], said) == []
    assert detected([flow("Submit the report")], "the report is urgent now") == [
        ("reprioritise", "f1")
    ]


def test_a_cue_acting_on_another_thing_is_not_the_flows() -> None:
    assert detected([flow("Call the dentist")], "you can skip the reminder for the dentist") == []
    gift = [flow("Comprar regalo para Marta")]
    assert detected(gift, "quita lo del regalo de Marta, al final lo compra Laura") == [
        ("cancel", "f1")
    ]


# -- someone else's thing, someone else's change ----------------------------------------


@pytest.mark.parametrize(
    ("title", "said"),
    [
        ("Renew the passport", "Ana's passport is urgent"),
        ("Renew the passport", "my sister's passport is urgent"),
        ("Ir ao dentista", "o dentista da minha mãe pode esperar"),
        ("Ir al dentista", "mi hermana movió su cita del dentista al viernes"),
        ("Book the flight to Rome", "the flight to Rome got cancelled by the airline, rebook it"),
    ],
)
def test_someone_elses_thing_or_change_is_not_the_users(title: str, said: str) -> None:
    assert detected([flow(title)], said) == []


@pytest.mark.parametrize(
    ("title", "said", "op"),
    [
        ("Renew the passport", "the passport is urgent", "reprioritise"),
        ("Buy birthday present for Mum", "Mum's birthday present can wait", "reprioritise"),
        ("Comprar regalo para Marta", "el regalo de Marta ya no hace falta", "cancel"),
        ("Submit the report", "the report of March is urgent", "reprioritise"),
        ("Rechnung bezahlen", "die Rechnung vom Handwerker ist dringend", "reprioritise"),
    ],
)
def test_an_owner_the_title_names_is_the_flows_own(title: str, said: str, op: str) -> None:
    assert detected([flow(title)], said) == [(op, "f1")]


def test_a_title_naming_a_thing_is_named_by_that_thing() -> None:
    haircut = flow("Haircut at Studio 9", due=date(2026, 3, 10))
    said = "can you move the haircut to the 14th, they had a cancellation slot"
    assert detected([haircut], said) == [("reschedule", "f1")]
    cita = flow("Cita con el dentista", due=date(2026, 3, 5))
    assert detected([cita], "mueve la cita del dentista al viernes") == [("reschedule", "f1")]
    assert detected([cita], "mueve la cita de la peluquería al viernes") == []


@pytest.mark.parametrize(
    ("title", "said"),
    [
        ("Book a flight to Lisbon", "the flight to Porto is moved to Friday"),
        ("Cena con i suoceri", "la cena con i colleghi è spostata a venerdì"),
    ],
)
def test_the_same_word_with_another_complement_is_another_thing(title: str, said: str) -> None:
    assert detected([flow(title)], said) == []


def test_a_day_or_a_compound_is_no_other_complement() -> None:
    gift = flow("Acheter un cadeau pour l'anniversaire de Nina", due=date(2026, 3, 10))
    said = "oui, le cadeau de Nina : mets le cadeau pour vendredi"
    assert detected([gift], said) == [("reschedule", "f1")]
    checkin = flow("Quarterly check-in with Amara", due=date(2026, 3, 10))
    said = "Amara's on holiday next week so push the check-in back a week"
    assert detected([checkin], said) == [("reschedule", "f1")]


@pytest.mark.parametrize(
    "said",
    [
        "an urgent email came in about the report",
        "the report was moved to Friday last year too",
        "drop the report by the office on Friday",
        "skip to the report part",
    ],
)
def test_a_cue_on_another_noun_occasion_or_phrasal_verb_changes_nothing(said: str) -> None:
    assert detected([flow("Submit the report", due=date(2026, 3, 5))], said) == []
    assert detected([flow("Submit the report")], "drop the report, it's not needed") == [
        ("cancel", "f1")
    ]
