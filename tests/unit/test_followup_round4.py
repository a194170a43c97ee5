"""Fourth-round checks of the follow-up detection (issue 22): claims taken back by a mock
("haha non", "jk"). Real sentences through the embedded detection and through the
vetting a model's proposal goes through."""

from __future__ import annotations

import pytest

from my_flow_api.models.conversation import MessageRole
from my_flow_api.models.flow import FlowPriority
from my_flow_api.services.ai.base import ChatMessage
from my_flow_api.services.extraction.followup.detect import detect_operations
from my_flow_api.services.extraction.followup.operations import Op, OpenFlow, Operation
from my_flow_api.services.extraction.followup.vetting import vet
from tests.support.followup import TODAY, detected, flow, kept, user

# -- a mocked claim: the clause or sentence after it takes it back ------------------------


@pytest.mark.parametrize(
    ("title", "said", "evidence"),
    [
        (
            "Faire les cartons pour le déménagement",
            "ah oui bien sûr, j'ai fini les cartons, haha non. il en reste genre quarante",
            "j'ai fini les cartons",
        ),
        ("Pay the rent", "paid the rent lol no", "paid the rent"),
        ("File the taxes", "Filed the taxes. Just kidding. Not even started.", "Filed the taxes"),
        (
            "Steuererklärung abgeben",
            "Steuererklärung abgegeben, nur Spaß",
            "Steuererklärung abgegeben",
        ),
        ("Pagar la luz", "Ya pagué la luz, es broma", "Ya pagué la luz"),
    ],
)
def test_a_mocked_claim_changes_nothing(title: str, said: str, evidence: str) -> None:
    flows = [flow(title)]
    assert detected(flows, said) == []
    assert not kept(flows, said, Operation(Op.COMPLETE, "f1", evidence))


@pytest.mark.parametrize(
    ("title", "said"),
    [
        ("Pay the rent", "haha no worries, I paid the rent"),
        ("Pay the rent", "No, I paid the rent this morning"),
    ],
)
def test_a_laugh_or_no_before_the_claim_does_not_take_it_back(title: str, said: str) -> None:
    assert detected([flow(title)], said) == [("complete", "f1")]


# -- a completion: the done-verb must act on the flow's own object, wholly, this time ----


@pytest.mark.parametrize(
    ("title", "said"),
    [
        # another object: the done-verb acts on a thing that only mentions the flow's
        ("Paint the garden fence", "Bought the paint for the fence, two big tins"),
        ("Paint the garden fence", "finally got the paint for the fence"),
        ("Fix the bike", "ordered the parts to fix the bike"),
        ("Clean the oven", "bought oven cleaner"),
        ("Write the quarterly report", "wrote the outline of the quarterly report"),
        ("Write the quarterly report", "finished the charts for the report"),
        ("Renew car registration", "sorted the paperwork for the car registration"),
        ("Email the landlord", "emailed the landlord's agent"),
        ("Buy a gift for Anna", "bought wrapping paper for Anna's gift"),
        # part of it
        ("Pack the boxes", "packed some boxes"),
        ("Pack the boxes", "packed ten of the boxes"),
        ("Pack the boxes", "packed the first few boxes"),
        # an attempt
        ("Call the plumber", "tried calling the plumber, no answer"),
        ("Call the bank", "called the bank, on hold for an hour, gave up"),
        ("Llamar al fontanero", "llamé al fontanero, no contestó"),
        # hearsay
        ("Submit the expense report", "you said I submitted the expense report"),
        ("Submit the expense report", "the assistant said the expense report was submitted"),
        ("Submit the expense report", "apparently the expense report is submitted"),
        # another occasion
        ("Call mum", "called mum last week"),
        ("Take out the bins", "took the bins out last Tuesday"),
        ("Submit the expense report", "submitted last month's expense report"),
        # still pending
        ("Water the plants", "watered the plants yesterday, need to do it again today"),
        ("Email the landlord", "wrote the email to the landlord, haven't sent it"),
        ("Pay the Brightline invoice", "paid the other invoice, brightline still pending"),
    ],
)
def test_a_completion_that_is_not_the_flows_task_done_changes_nothing(
    title: str, said: str
) -> None:
    flows = [flow(title)]
    assert detected(flows, said) == []
    assert not kept(flows, said, Operation(Op.COMPLETE, "f1", said))


@pytest.mark.parametrize(
    ("title", "said"),
    [
        ("Paint the garden fence", "painted the fence on Saturday, looks great"),
        ("Send the workshop slides to Priya", "sent Priya the slides"),
        ("Write the quarterly report", "wrote the quarterly report last night"),
        ("Call the plumber", "called the plumber, he's coming Friday"),
        ("Pack the boxes", "packed all the boxes"),
        ("Send the signed contract to Tom", "sent the signed contract to Tom"),
        ("Book a table at Nonna's", "booked us a table at Nonna's"),
        ("Buy a gift for Anna", "bought Anna's gift"),
        ("Get the car serviced", "got the car serviced"),
        ("Pagar la luz", "pagué la factura de la luz"),
        ("Comprare il regalo per Anna", "ho comprato il regalo per Anna"),
        ("Réserver un camion", "j'ai réservé le camion"),
    ],
)
def test_the_flows_own_task_done_still_completes(title: str, said: str) -> None:
    assert detected([flow(title)], said) == [("complete", "f1")]


# -- cancel and priority: someone else's act or someone else's priority -----------------


@pytest.mark.parametrize(
    ("title", "said"),
    [
        ("Book the dentist", "the dentist cancelled on me"),
        ("Book the dentist", "the dentist cancelled on me, need to rebook"),
        ("Go to the yoga class", "yoga class cancelled on us again"),
        ("Aller chez le coiffeur", "le coiffeur m'a annulé"),
    ],
)
def test_a_cancellation_on_the_user_cancels_nothing(title: str, said: str) -> None:
    flows = [flow(title)]
    assert detected(flows, said) == []
    assert not kept(flows, said, Operation(Op.CANCEL, "f1", said))


def test_a_cancel_with_a_rebooking_to_come_cancels_nothing() -> None:
    flows = [flow("Book the dentist")]
    said = "scratch the dentist for now, I'll rebook next month"
    assert not kept(flows, said, Operation(Op.CANCEL, "f1", said))


def test_a_priority_for_someone_else_changes_nothing() -> None:
    flows = [flow("Write the report")]
    said = "the report is low priority for Tom"
    assert detected(flows, said) == []
    proposal = Operation(Op.REPRIORITISE, "f1", said, priority=FlowPriority.LOW)
    assert not kept(flows, said, proposal)


def test_a_priority_for_a_day_is_still_the_users() -> None:
    flows = [flow("Write the report")]
    said = "the report is urgent for Friday"
    assert detected(flows, said) == [("reprioritise", "f1")]


# -- a plain yes to the assistant's proposal of a change ---------------------------------


def assistant(text: str) -> ChatMessage:
    return ChatMessage(MessageRole.ASSISTANT, text)


def detected_chat(flows: list[OpenFlow], chat: list[ChatMessage]) -> list[tuple[str, str]]:
    kept = vet(detect_operations(chat, flows, TODAY), chat, flows, TODAY)
    return sorted((o.op.value, o.flow_id) for o in kept)


REPORT = flow("Send the quarterly report to Dana")
GARAGE = flow("Clear out the garage", fid="f2")


@pytest.mark.parametrize(
    ("asked", "reply", "expected"),
    [
        (
            "Nice! Should I mark 'Send the quarterly report to Dana' as done?",
            "yep, go ahead and mark it",
            [("complete", "f1")],
        ),
        (
            "Want me to remove 'Clear out the garage' from your list?",
            "yes please",
            [("cancel", "f2")],
        ),
        (
            "Ottimo! Segno come fatto 'Send the quarterly report to Dana'?",
            "sì",
            [("complete", "f1")],
        ),
        # not a plain yes, or no single change proposed: nothing
        ("Should I mark 'Send the quarterly report to Dana' as done?", "not yet", []),
        ("Should I mark 'Send the quarterly report to Dana' as done?", "yes but tomorrow", []),
        ("Should I mark 'Send the quarterly report to Dana' as done?", "nah", []),
        ("Want me to keep the garage on your list for the rest?", "yeah obviously", []),
        ("Should I mark 'Send the quarterly report to Dana' as done or move it?", "yes", []),
        ("I've marked 'Send the quarterly report to Dana' as done.", "ok", []),
        ("Should I mark it as done?", "yes", []),
        # a yes with more than a yes in it: nothing
        ("Should I mark 'Send the quarterly report to Dana' as done?", "yes, tomorrow", []),
        ("Should I mark 'Send the quarterly report to Dana' as done?", "ok, maybe later", []),
        (
            "Should I mark 'Send the quarterly report to Dana' as done?",
            "Yes. Actually I haven't sent it yet.",
            [],
        ),
        ("Should I mark 'Send the quarterly report to Dana' as done?", "yes lol no", []),
        ("Should I mark 'Send the quarterly report to Dana' as done?", "yes. jk", []),
        (
            "Should I mark 'Send the quarterly report to Dana' as done?",
            "Yes. Thanks!",
            [("complete", "f1")],
        ),
    ],
)
def test_a_plain_yes_to_the_assistants_proposal_is_the_users_statement(
    asked: str, reply: str, expected: list[tuple[str, str]]
) -> None:
    chat = [*user("Dana replied, looks great"), assistant(asked), *user(reply)]
    assert detected_chat([REPORT, GARAGE], chat) == expected


def test_a_yes_the_next_message_takes_back_changes_nothing() -> None:
    asked = assistant("Should I mark 'Send the quarterly report to Dana' as done?")
    kept = [*user("Dana replied"), asked, *user("yes")]
    assert detected_chat([REPORT], kept) == [("complete", "f1")]
    taken_back = [*kept, assistant("Done!"), *user("wait no, I still have to attach the deck")]
    assert detected_chat([REPORT], taken_back) == []


def test_a_models_completion_quoting_the_yes_is_kept_only_after_a_proposal() -> None:
    flows = [REPORT]
    yes = "yep, go ahead and mark it"
    proposal = Operation(Op.COMPLETE, "f1", yes)
    asked = assistant("Should I mark 'Send the quarterly report to Dana' as done?")
    assert vet([proposal], [*user("Dana replied"), asked, *user(yes)], flows, TODAY)
    offered = assistant("Should I remind you about it tomorrow?")
    assert not vet([proposal], [*user("Dana replied"), offered, *user(yes)], flows, TODAY)


# -- a completion's own verb: spoken for a call, the verb before a German "lassen" -------


@pytest.mark.parametrize(
    ("title", "said"),
    [
        ("Call Grandma", "talked to grandma for like an hour on the drive home"),
        ("Call the landlord", "I spoke to the landlord this morning"),
        ("Reifen wechseln lassen", "Reifen sind gewechselt, finally"),
    ],
)
def test_a_call_done_by_talking_and_a_verb_before_lassen_complete(title: str, said: str) -> None:
    assert detected([flow(title)], said) == [("complete", "f1")]


@pytest.mark.parametrize(
    ("title", "said"),
    [
        ("Call Grandma", "talked to my sister about grandma"),
        ("Call Grandma", "grandma talked to me about the party, I still have to call her"),
        ("Email the landlord", "talked to the landlord"),
    ],
)
def test_talking_is_no_call_to_someone_else_nor_another_task(title: str, said: str) -> None:
    assert detected([flow(title)], said) == []


# -- the same classes in other languages; a noun of the verb's root is no done-verb ------


@pytest.mark.parametrize(
    ("title", "said"),
    [
        ("Pintar la valla", "compré la pintura para la valla"),
        ("Escribir el informe", "terminé el borrador del informe"),
        ("Pagar el alquiler", "pagué el alquiler del mes pasado"),
        ("Pagar a renda", "paguei a renda do mês passado"),
        ("Faire les cartons", "j'ai fini les cartons de la cuisine, il en reste plein"),
        ("Pay the phone bill", "paid the phone bill for my mum"),
        ("Appeler la banque", "j'ai essayé d'appeler la banque, pas de réponse"),
        ("Kartons packen", "ein paar Kartons gepackt"),
    ],
)
def test_a_completion_that_is_not_the_flows_task_done_in_any_language(
    title: str, said: str
) -> None:
    flows = [flow(title)]
    assert detected(flows, said) == []
    assert not kept(flows, said, Operation(Op.COMPLETE, "f1", said))


def test_a_draft_is_no_deletion() -> None:
    """ "borrador" (a draft) is not "borrar" (delete)."""
    said = "terminé el borrador del informe"
    assert detected([flow("Escribir el informe")], said) == []


@pytest.mark.parametrize(
    ("title", "said"),
    [
        ("Comprar pienso para el perro", "el pienso ya lo compré al volver del curro"),
        ("Pagar la luz", "la luz ya la pagué"),
    ],
)
def test_a_pronoun_before_the_done_verb_is_no_article(title: str, said: str) -> None:
    assert detected([flow(title)], said) == [("complete", "f1")]


@pytest.mark.parametrize(
    ("title", "said"),
    [
        ("Write the report", "the report is done. in my dreams"),
        ("Write the report", "report's done... not"),
        ("Pagar la luz", "sí claro, ya pagué la luz, ojalá"),
        ("Pagare l'affitto", "affitto pagato, magari"),
    ],
)
def test_a_wish_or_a_not_after_the_claim_mocks_it(title: str, said: str) -> None:
    assert detected([flow(title)], said) == []


@pytest.mark.parametrize(
    ("title", "said"),
    [
        ("Book the hotel", "the hotel cancelled our booking, need to find another"),
        ("Reservar el hotel", "el hotel nos canceló la reserva, hay que buscar otro"),
    ],
)
def test_a_booking_cancelled_by_the_other_side_cancels_nothing(title: str, said: str) -> None:
    flows = [flow(title)]
    assert detected(flows, said) == []
    assert not kept(flows, said, Operation(Op.CANCEL, "f1", said))


def test_a_completion_for_someone_the_title_does_not_name_changes_nothing() -> None:
    flows = [flow("Order a birthday cake")]
    said = "ordered a cake for Tom's party"
    assert detected(flows, said) == []
    assert not kept(flows, said, Operation(Op.COMPLETE, "f1", said))


@pytest.mark.parametrize(
    ("title", "said"),
    [
        ("Order a birthday cake", "ordered the birthday cake for Saturday"),
        ("Buy a gift for Anna", "bought a gift for Anna"),
    ],
)
def test_a_completion_for_a_day_or_the_titles_person_completes(title: str, said: str) -> None:
    assert detected([flow(title)], said) == [("complete", "f1")]
