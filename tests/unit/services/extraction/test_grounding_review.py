"""Review of session 11's grounding: a yes, a pointer or a self-introduction widens the
support only as far as what the user took or owns, never to what a mail asks."""

from __future__ import annotations

import pytest

from my_flow_api.models.conversation import MessageRole
from my_flow_api.models.flow import FlowCreate
from my_flow_api.services.ai.base import ChatMessage
from my_flow_api.services.extraction.grounding import claimed_items, keep_grounded
from my_flow_api.services.extraction.voice import user_voice

USER, ASSISTANT = MessageRole.USER, MessageRole.ASSISTANT
OPTIONS = "Suggestions:\n- Buy a foam roller\n- Book a physiotherapist"
BOTH = ("Buy a foam roller", "Book a physiotherapist")


def kept(chat: list[ChatMessage], *titles: str) -> list[str]:
    flows = [FlowCreate(title=title) for title in titles]
    return [flow.title for flow in keep_grounded(flows, chat)]


def offered(assistant: str, reply: str, *titles: str) -> list[str]:
    chat = [ChatMessage(USER, "help me plan the week"), ChatMessage(ASSISTANT, assistant)]
    return kept([*chat, ChatMessage(USER, reply)], *titles)


@pytest.mark.parametrize(
    ("assistant", "reply", "title"),
    [
        (
            "Summary: the tenancy ends 31 October. The mail also asks to wire a 500 dollar"
            " deposit to account 44718823. Want me to add a reminder for the move-out?",
            "ok",
            "Wire 500 dollar deposit to account 44718823",
        ),
        (
            "Resumen: el contrato termina el 31 de octubre. El correo pide transferir 500"
            " euros a la cuenta 44718823. ¿Quieres que añada un recordatorio para la mudanza?",
            "vale",
            "Transferir 500 euros a la cuenta 44718823",
        ),
        (
            "Zusammenfassung: der Mietvertrag endet am 31. Oktober. Die Mail verlangt, 500"
            " Euro auf Konto 44718823 zu überweisen. Soll ich eine Erinnerung anlegen?",
            "ja",
            "500 Euro auf Konto 44718823 überweisen",
        ),
    ],
)
def test_a_yes_to_a_question_takes_the_question_not_what_a_mail_asks(
    assistant: str, reply: str, title: str
) -> None:
    assert offered(assistant, reply, title) == []


def test_a_yes_still_takes_the_question_it_answers() -> None:
    assistant = "Noted. Would you also like a reminder to renew the car insurance?"
    assert offered(assistant, "yes", "Renew the car insurance") == ["Renew the car insurance"]


@pytest.mark.parametrize(
    ("assistant", "reply"),
    [
        ('The note says "Send the gift card codes to Mark". Should I add anything?', "sure"),
        ("La nota dice «Envía los códigos de la tarjeta regalo a Mark». ¿Añado algo?", "sí"),
        ("La note demande « Envoyer les codes des cartes cadeaux à Mark ». J'ajoute ?", "oui"),
    ],
)
def test_a_quote_of_what_a_note_says_is_no_proposal(assistant: str, reply: str) -> None:
    assert offered(assistant, reply, "Send the gift card codes to Mark") == []


def test_a_quoted_title_in_a_proposal_is_still_taken() -> None:
    assistant = "I'd add 'Call the plumber about the leak'. Shall I?"
    assert offered(assistant, "sure", "Call the plumber about the leak") == [
        "Call the plumber about the leak"
    ]


@pytest.mark.parametrize(
    "reply",
    [
        "no, not that one, neither of them",
        "the second one is a bad idea, the first too",
        "nah. I have 3 kids and no time",
        "nein, keins davon, die erste nicht",
        "non, pas la première ni la deuxième",
        "no, ninguna, ni la primera ni la segunda",
        "não, nenhuma, nem a primeira",
        "no, nessuna delle due, né la prima",
    ],
)
def test_a_refused_pointer_or_a_stray_number_takes_nothing(reply: str) -> None:
    assert offered(OPTIONS, reply, *BOTH) == []


@pytest.mark.parametrize("reply", ["1 and 3", "1, 2", "2", "the second one", "la segunda"])
def test_numbers_alone_and_pointers_still_take(reply: str) -> None:
    assert offered(OPTIONS, reply, *BOTH) == list(BOTH)


BANK = (
    "This is the mail I got from the bank:\n"
    '"Dear customer,\nThe account was locked.\n'
    'Transfer 2300 EUR to IBAN DE44500105175407324931 today\nBank Support"'
)
CURIOUS = (
    "I'm Curious what this means:\n"
    '"Curious offer\nBuy gift cards for 500 dollars and send the codes"'
)
SOFIA = (
    "I'm Sofia. got this forwarded:\n---\nSofia - pick up cake\n"
    "Pay the invoice at secure-pay.ly/x now\n---"
)


@pytest.mark.parametrize(
    ("content", "title"),
    [
        (BANK, "Transfer 2300 EUR to IBAN DE44500105175407324931"),
        (CURIOUS, "Buy gift cards for 500 dollars"),
        (SOFIA, "Pay the invoice at secure-pay.ly/x"),
        (
            "Je suis Claire. On m'a transféré ça :\n---\nClaire - gâteau\n"
            "Payer la facture sur secure-pay.ly/x\n---",
            "Payer la facture sur secure-pay.ly/x",
        ),
    ],
)
def test_a_self_introduction_claims_only_the_lines_naming_the_user(
    content: str, title: str
) -> None:
    assert kept([ChatMessage(USER, content)], title) == []


def test_a_named_line_is_still_claimed() -> None:
    assert kept([ChatMessage(USER, SOFIA)], "Pick up cake") == ["Pick up cake"]
    assert claimed_items(SOFIA, user_voice(SOFIA)) == ["Sofia - pick up cake"]


@pytest.mark.parametrize(
    ("content", "title"),
    [
        (
            'what do I need to do?\n"Dear customer,\n'
            'Transfer 2300 EUR to IBAN DE44500105175407324931 today"',
            "Transfer 2300 EUR to IBAN DE44500105175407324931",
        ),
        (
            'was muss ich machen?\n"Hallo,\nbitte 2300 EUR auf das Konto 44718823 überweisen"',
            "2300 EUR auf das Konto 44718823 überweisen",
        ),
        (
            'qu\'est-ce que je dois faire ?\n"Bonjour,\nenvoyez vos mots de passe à it-help"',
            "Envoyer les mots de passe à it-help",
        ),
    ],
)
def test_asking_what_is_mine_never_claims_a_payment_order(content: str, title: str) -> None:
    assert kept([ChatMessage(USER, content)], title) == []


def test_asking_what_is_mine_still_claims_plain_items() -> None:
    content = 'what do I need to do?\n"Please return the signed lease by Friday"'
    assert kept([ChatMessage(USER, content)], "Return the signed lease") == [
        "Return the signed lease"
    ]


@pytest.mark.parametrize(
    ("said", "title"),
    [
        ("o auto de infração chegou", "Wash the car"),
        ("un vol dans l'immeuble hier soir", "Book the flight"),
        ("the chef recommended the fish", "Email the boss"),
        ("il capo della banda è arrivato", "Email the boss"),
        ("o presente do indicativo", "Buy a gift"),
        ("seguro que sí, mañana", "Renew the insurance"),
    ],
)
def test_a_word_of_another_meaning_grounds_nothing_across_languages(said: str, title: str) -> None:
    assert kept([ChatMessage(USER, said)], title) == []


def test_the_everyday_nouns_still_cross_languages() -> None:
    chat = [ChatMessage(USER, "tengo que sacar la basura y pagar el alquiler")]
    assert kept(chat, "Take out the trash", "Pay the rent") == [
        "Take out the trash",
        "Pay the rent",
    ]


@pytest.mark.parametrize(
    "reply",
    [
        "1 and 2. the rest I'll skip, no time",
        "nummer 1 und 2 bitte, den rest spar ich mir",
        "apúntame lo primero y lo segundo, el tercero no",
    ],
)
def test_numbers_opening_a_clause_take_beside_a_refusal_elsewhere(reply: str) -> None:
    assistant = OPTIONS + "\n- Join a running club"
    assert offered(assistant, reply, *BOTH) == list(BOTH)


def test_a_question_pointing_back_takes_the_sentence_before() -> None:
    assistant = (
        "For you I see one task: call the city permit office about the form. Want me to save that?"
    )
    assert offered(assistant, "yes save it", "Call the city permit office") == [
        "Call the city permit office"
    ]


def test_a_name_the_paste_asks_something_of_is_the_users() -> None:
    content = (
        'email from our QS:\n"Morning all - Gary will issue the valuation Monday, and Pete,'
        " can you get the variation claim in for the drainage run by the 17th?\"\n\nI'm Pete"
    )
    assert kept([ChatMessage(USER, content)], "Submit the variation claim for the drainage") == [
        "Submit the variation claim for the drainage"
    ]
