"""What change a user sentence states, by language-independent patterns over six
languages (en, es, de, fr, it, pt). A cue only proposes: linking and vetting decide."""

from __future__ import annotations

import re

from my_flow_api.models.flow import FlowPriority
from my_flow_api.services.extraction.followup.operations import Op
from my_flow_api.services.extraction.priority import stated_priority

_I = re.IGNORECASE

DONE = re.compile(
    # en: "I (already) booked", a report without subject ("sent the invoice"), "X is done"
    r"\b(?:i|i['’]ve|ive|we|we['’]ve)\s+(?:(?:already|just|finally|actually|also|"
    r"went and|have)\s+)*(?:\w+ed|sent|paid|bought|got|made|did|went|took|gave|wrote|"
    r"put|sold|brought|found|rang|spoke|met|picked|sorted|done|finished)\b|"
    r"^\W*(?:(?:ok|okay|so|also|and|oh|yeah|well|finally|already|just|hey|hi|btw|"
    r"update|news|quick update)\W+)*"
    r"(?:\w+ed|sent|paid|bought|got|grabbed|took|gave|wrote|sold|dropped off|picked up)\b|"
    r"\b(?:is|are|was|['’]s)\s+(?:(?:finally|now|all|already)\s+)?(?:done|sorted|finished|"
    r"booked|cancell?ed|submitted|paid|sent|fixed|renewed|handled|taken care of|"
    r"off my (?:plate|list)|in)\b|\b(?:done with|finished|off my (?:plate|list)|"
    r"that['’]?s done|all done|sorted|ticked off|crossed off)\b|"
    # es: "ya reservé", "he llamado", "ya está"
    r"\b(?:ya\s+)?\w{3,}(?:é|í)\b(?<!aré)(?<!eré)(?<!iré)|\bhe\s+\w+(?:ado|ido|cho|to)\b|"
    r"\bya\s+est[áa]\b|\bhecho\b|"
    # pt: "já liguei", "tá feito"
    r"\b\w{3,}ei\b|\bj[áa]\s+\w+(?:i|ei)\b|\bfeito\b|\bresolvido\b|\bpront[oa]\b|"
    # it: "ho già prenotato", "fatto"
    r"\bho\s+(?:(?:già|appena|finalmente|anche)\s+)*\w+(?:ato|ito|uto|tto|sto|so)\b|"
    r"\bfatt[oaie]\b|\bsistemat[oaie]\b|"
    # a bare participle after the thing: "preventivo mandato", "proposta enviada", "pago"
    r"\b\w{3,}\s+\w{3,}(?:at[oa]|it[oa]|ad[oa]s?|id[oa]s?)\b|\bpag[oa]\b|"
    # fr: "j'ai appelé", "c'est fait", "livres rendus"
    r"\bj['’]ai\s+(?:(?:déjà|enfin|bien|finalement|aussi)\s+)*\w+(?:é|i|is|it|u|ert)s?\b|"
    r"\bje\s+(?:lui|leur|l['’])\s*ai\s+\w+\b|\bc['’]est\s+fait\b|\bréglé[es]?\b|"
    r"\b\w{3,}(?:é|ée|és|ées|us|ue|ues|is|ise)\s+(?:ce matin|hier|en ligne|aujourd)|"
    # de: "hab ich gebucht", "erledigt"
    r"\b(?:hab(?:e)?\s+ich|ich\s+hab(?:e)?)\b.*\b\w+(?:iert|t|en)\b|\berledigt\b|"
    r"\b(?:ist|sind)\b(?:\s+\w+){0,4}\s+\w*ge\w+(?:t|en)\b|\bbezahlt\b",
    _I,
)
CANCEL = re.compile(
    r"\b(?:forget (?:about )?|never ?mind|scratch|scrap|drop|take .{1,40}off (?:the|my) list|"
    r"no (?:longer|need)|don['’]?t need|not needed|no (?:\w+ ){1,2}needed|doesn['’]t need|"
    r"cancel (?:the|my)|"
    r"remove|skip|no hace falta|ya no|olv[ií]da\w*|qu[ií]ta\w*|no necesito|"
    r"b[oó]rra(?:r|lo|la|los|las|do|da|mos|ste|d)?|b[oó]rr[eé]|"  # not "borrador" (a draft)
    r"cancel(?:l?ed|l?ing|a|ar|é|ado|ada|alo|ala|lo|la|lato|lata|lare|ei|ou)?|"
    r"vergiss|streich\w*|abgesagt|absag\w*|brauch\w* (?:ich )?(?:nicht|kein)|nicht mehr|"
    r"fällt weg|entfällt|"
    r"lösch\w*|oublie|laisse tomber|plus besoin|pas besoin|annul\w*|enlève|supprime|"
    r"lascia perdere|non serve|non c['’]è bisogno|togli\w*|lasciamo stare|"
    r"esquece|deixa (?:pra|para) lá|não (?:precisa|preciso)|já não|pode tirar|tira|"
    r"remove|apaga|cancela)\b",
    _I,
)
MOVE = re.compile(
    r"\b(?:move[ds]?|moving|push(?:ed)?|postpone[ds]?|reschedule[ds]?|shift(?:ed)?|"
    r"bump(?:ed)?|now (?:on|for|due)|instead|changed to|pushed back|"
    r"(?:bring|brought|bringing) (?:\w+ ){0,4}forward|"
    r"au lieu d\w*|al posto d\w*|en lugar de|en vez de|anstatt|mov\w*|muev\w*|pasó|cambi\w*|"
    r"aplaz\w*|retras\w*|adelant\w*|ahora es|"
    r"verschieb\w*|verschob\w*|verlegt|vorgezogen|vorzieh\w*|vorverleg\w*|jetzt|statt|décal\w*|repouss\w*|"
    r"report(?:e|é|ée|és|er|ons|ez)|ahora|agora|adesso|"
    r"avancé\w*|déplac\w*|maintenant|plutôt|spost\w*|rimand\w*|anticip\w*|invece|"
    r"adi\w*|passou|mud\w*|remarc\w*|em vez|mets|pon|metti|põe|deixa|"
    r"jog(?:a|ar|ue|uei|ou)(?=\s+(?:\w+\s+){0,4}?(?:pr[ao]|para)\b))\b",
    _I,
)
MEDIUM = re.compile(
    r"\b(?:normal|medium|regular|not (?:that|so) (?:urgent|important)|"
    r"nicht so (?:wichtig|dringend)|normale|media|moyenne?|pas si (?:urgent|important)|"
    r"no es tan|non è (?:così|cosi)|não é tão)\b",
    _I,
)
EXTRA_HIGH = re.compile(
    r"\b(?:urgente|urgentissim\w*|prioridade|priorità|prima cosa|top of the list|"
    r"first thing|can['’]t wait|mustn['’]t slip|darf ich .* nicht|dringend|wichtig)\b",
    _I,
)
EXTRA_LOW = re.compile(
    r"\b(?:can wait|no rush|not urgent|low priority|não tem pressa|sem pressa|"
    r"pode esperar|può aspettare|nessuna fretta|non è urgente|peut attendre|"
    r"pas pressé|pas urgent|puede esperar|no corre prisa|kann warten|hat zeit|"
    r"keine eile|senza fretta|quando capita|con calma|sin prisa|sem pressa|"
    r"rien ne presse|aucune urgence|pas d['’]urgence|sin urgencia|ninguna urgencia|"
    r"nessuna urgenza|sem urg[êe]ncia|nenhuma urg[êe]ncia|no urgency|keine dringlichkeit|"
    r"non c['’]è fretta|non c['’]è nessuna fretta|no hay prisa|não há pressa)\b",
    _I,
)
REFINE = re.compile(
    r"\b(?:not|no|non|pas|nicht|não|nao)\b[^.!?]{0,40}\b(?:but|it['’]s|es|(?<!c['’])è|é|c['’]est|"
    r"sondern|ma|mais|pero|mas)\b|\b(?:correction|actually it['’]s|i meant|corrección|"
    r"correzione|correção|errei|me equivoqué|errore mio|je voulais dire|ich meinte)\b",
    _I,
)
"""A correction: a contrast ("not the flight but the train", "non è X, è Y") or a word
saying so; Italian "c'è" (there is: "non c'è fretta") is no contrast."""


def stated_ops(sentence: str) -> list[Op]:
    """The operations whose cue occurs in the sentence, most specific first."""
    ops: list[Op] = []
    if REFINE.search(sentence):
        ops.append(Op.REFINE)
    if MOVE.search(sentence):
        ops.append(Op.RESCHEDULE)
    if new_priority(sentence) is not None:
        ops.append(Op.REPRIORITISE)
    if CANCEL.search(sentence):
        ops.append(Op.CANCEL)
    if DONE.search(sentence):
        ops.append(Op.COMPLETE)
    return ops


def new_priority(sentence: str) -> FlowPriority | None:
    """The urgency a sentence states for a task, or None."""
    if MEDIUM.search(sentence):
        return FlowPriority.MEDIUM
    if EXTRA_LOW.search(sentence):
        return FlowPriority.LOW
    stated = stated_priority(sentence)
    if stated is not None:
        return stated
    return FlowPriority.HIGH if EXTRA_HIGH.search(sentence) else None
