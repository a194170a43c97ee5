"""Session 12 (agents): another's act changes nothing, in the six languages. A third-person
subject before a third-person auxiliary or verb ("le vendeur *a* envoyé le colis", "Marco
already resent the invoice"), the impersonal "on m'a", and a passive with the user as its
recipient ("le colis m'a été envoyé", "wurde mir geschickt") report someone else's act; the
user's own report still completes its flow."""

from __future__ import annotations

import pytest

from tests.support.followup import detected, flow

OTHERS = [
    ("Envoyer le colis", "le vendeur a envoyé le colis"),
    ("Envoyer le colis", "on m'a envoyé le colis"),
    ("Envoyer le colis", "le colis m'a été envoyé"),
    ("Envoyer le colis", "les vendeurs ont envoyé le colis"),
    ("Payer la facture", "le vendeur a payé la facture"),
    ("Resend the invoice", "Marco already resent the invoice"),
    ("Send the package", "Marco sent the package"),
    ("Enviar el paquete", "el vendedor ha enviado el paquete"),
    ("Enviar el paquete", "me lo enviaron ayer"),
    ("Pagar la factura", "los vendedores han pagado la factura"),
    ("Spedire il pacco", "il venditore ha spedito il pacco"),
    ("Spedire il pacco", "il pacco mi è stato spedito"),
    ("Pagare la fattura", "i venditori hanno pagato la fattura"),
    ("Enviar o pacote", "o vendedor já enviou o pacote"),
    ("Enviar o pacote", "o vendedor tem enviado o pacote"),
    ("Das Paket schicken", "der Verkäufer hat das Paket geschickt"),
    ("Envoyer le colis", "le colis, le vendeur l'a envoyé"),
    ("Envoyer le colis", "il a envoyé le colis"),
    ("Pay the invoice", "Marco paid the invoice"),
    ("Das Paket schicken", "das Paket wurde mir geschickt"),
    ("Die Rechnung bezahlen", "die Verkäufer haben die Rechnung bezahlt"),
]

OWN = [
    ("Envoyer le colis", "j'ai envoyé le colis"),
    ("Envoyer le colis", "le colis, je l'ai envoyé"),
    ("Pagar la factura", "la factura, la pagué"),
    ("Spedire il pacco", "il pacco, l'ho spedito"),
    ("Enviar o pacote", "o pacote, eu o enviei"),
    ("Payer la facture", "j'ai payé la facture"),
    ("Pagar la factura", "ya pagué la factura"),
    ("Spedire il pacco", "ho spedito il pacco"),
    ("Das Paket abschicken", "hab das Paket abgeschickt"),
    ("Resend the invoice", "I resent the invoice"),
    ("Resend the invoice", "resent the invoice"),
    ("Enviar o pacote", "enviei o pacote"),
    ("Enviar el paquete", "envié el paquete"),
]


@pytest.mark.parametrize(("title", "said"), OTHERS)
def test_someone_elses_act_changes_nothing(title: str, said: str) -> None:
    assert detected([flow(title)], said) == []


@pytest.mark.parametrize(("title", "said"), OWN)
def test_own_report_completes(title: str, said: str) -> None:
    assert detected([flow(title)], said) == [("complete", "f1")]
