"""A yes to the assistant's explicit proposal: the user stating that proposal.

"Should I mark 'Send the quarterly report to Dana' as done?" — "yep, go ahead": the
user's reply names nothing, the assistant's words are never evidence on their own. When
the assistant's last question proposes one change (a completion or a removal) on one
open flow it names, and the user's next message opens with a plain yes (no "but", no
negation, no doubt), the reply is judged as the user's own statement of that change, in
a fixed wording ("<title> is done", "remove <title> from the list") that goes through
every check like any sentence. Anything else (a question offering two things, "keep it
on the list?", "yeah obviously, it's nowhere near finished") proposes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import pairwise

from my_flow_api.models.conversation import MessageRole
from my_flow_api.services.ai.base import ChatMessage
from my_flow_api.services.extraction.clauses import sentences
from my_flow_api.services.extraction.followup import guards
from my_flow_api.services.extraction.followup.linking import link
from my_flow_api.services.extraction.followup.operations import OpenFlow

_I = re.IGNORECASE

AFFIRM = re.compile(
    r"^\W*(?:yes|yep|yeah|yup|yea|sure|ok(?:ay)?|please do|do it|go ahead|correct|exactly|"
    r"s[ií]|s[iì]|claro|vale|dale|por favor|ja|jap|jawohl|genau|gerne?|bitte|oui|ouais|"
    r"d['’]accord|vas-y|carr[ée]ment|certo|certamente|va bene|sim|isso|pode)\b",
    _I,
)
"""A reply that opens with a plain yes."""
HEDGE = re.compile(
    r"\b(?:but|pero|mais|aber|ma|mas|however|except|only|just not|wait|actually|"
    r"sinon|sauf|au fait|doch|eigentlich|però|invece|aunque|embora|still|not|nowhere|"
    r"keep|lass|laisse|deja|lascia|deixa|maybe|later|tomorrow|luego|despu[eé]s|ma[nñ]ana|"
    r"dopo|domani|pi[uù] tardi|sp[aä]ter|morgen|vielleicht|demain|plus tard|peut-[eê]tre|"
    r"depois|amanh[aã]|talvez|forse|quiz[aá]s?|tal vez)\b",
    _I,
)
"""Words that make a yes something else ("ja gern, aber ...", "yeah, keep it", "ok,
maybe later", "yes, tomorrow")."""
TAKEN_BACK = re.compile(
    r"^\W*(?:wait|no|nope|actually|hold on|scratch that|never ?mind|espera|aspetta|"
    r"warte|attends|n[aã]o|nein|non|en fait|eigentlich|anzi|mejor no)\b",
    _I,
)
"""A next user message that takes the yes back ("wait no, not yet")."""
THANKS = re.compile(
    r"^\W*(?:thanks?(?: you)?|thx|ty|cheers|grazie(?: mille)?|gracias|merci(?: beaucoup)?|"
    r"danke(?: sch[oö]n)?|obrigad[oa]|perfect|great|cool|perfetto|perfecto|parfait|"
    r"perfeito|super)\W*$",
    _I,
)
"""A sentence of thanks after the yes ("Yes. Thanks!")."""
MAX_REPLY_WORDS = 10
COMPLETE_ASK = re.compile(
    r"\b(?:mark|tick|check|cross|segno|segnare|segnarlo|segnarla|marco|marcar|marcarlo|"
    r"marque|marquer|coche|cocher|markier\w*|abhaken|hake)\b.*\b(?:done|complete\w*|"
    r"finished|fatt[oaie]|complet\w*|hech[oa]|terminad[oa]|fait|termin[ée]e?|erledigt|"
    r"feit[oa]|conclu[ií]d[oa])\b|\b(?:tick|check|cross) (?:it |that |\w+ )?off\b|\babhaken\b",
    _I,
)
CANCEL_ASK = re.compile(
    r"\b(?:remove|delete|drop|take (?:it|that|this|\w+) off|quit[oa]|quitar\w*|borr[oa]|"
    r"borrar\w*|elimin\w*|tolg[oa]|togli\w*|rimuov\w*|supprim\w*|enl[èe]v\w*|retir\w*|"
    r"l[öo]sch\w*|streich\w*|entfern\w*|tir[oa]|tirar|remov\w*|apag[oa]|apagar)\b",
    _I,
)
_ALTERNATIVE = re.compile(r"\b(?:or|o|ou|oder|oppure)\b", _I)
_QUOTES = re.compile(r"[\"'‘’“”«»„]")


def confirmed(chat: Sequence[ChatMessage], flows: Sequence[OpenFlow]) -> list[tuple[str, str]]:
    """Each user yes to an assistant's proposal, with the statement it stands for."""
    out: list[tuple[str, str]] = []
    for at, (before, reply) in enumerate(pairwise(chat)):
        if before.role is not MessageRole.ASSISTANT or reply.role is not MessageRole.USER:
            continue
        said = [s for s in sentences(reply.content) if s.strip()]
        if not said or not _only_yes(said, reply.content) or _taken_back(chat[at + 2 :]):
            continue
        statement = _proposal(before.content, flows)
        if statement is not None:
            out.append((said[0], statement))
    return out


def _only_yes(said: list[str], reply: str) -> bool:
    """The whole reply is a yes: every sentence a plain one ("Yes. Actually I haven't sent
    it yet." is not), short, and not laughed off ("yes lol no", "yes. jk")."""
    return (
        len(reply.split()) <= MAX_REPLY_WORDS
        and _plain_yes(said[0])
        and all(_plain_yes(s) or THANKS.match(s) is not None for s in said[1:])
        and not guards.mocked(reply)
    )


def _taken_back(later: Sequence[ChatMessage]) -> bool:
    """The user's next message takes the yes back."""
    nxt = next((m for m in later if m.role is MessageRole.USER), None)
    return nxt is not None and TAKEN_BACK.match(nxt.content) is not None


def _plain_yes(sentence: str) -> bool:
    return (
        AFFIRM.match(sentence) is not None
        and len(sentence.split()) <= MAX_REPLY_WORDS
        and not HEDGE.search(sentence)
        and not guards.is_question(sentence)
        and not guards.NEGATED.search(sentence)
    )


def _proposal(text: str, flows: Sequence[OpenFlow]) -> str | None:
    """The fixed wording of the change the assistant's last question proposes, or None."""
    asked = [s for s in sentences(text) if "?" in s]
    if not asked:
        return None
    question = _QUOTES.sub(" ", asked[-1])
    if _ALTERNATIVE.search(question):
        return None
    flow = link(question, flows)
    if flow is None:
        return None
    if COMPLETE_ASK.search(question):
        return f"{flow.title} is done"
    if CANCEL_ASK.search(question):
        return f"remove {flow.title} from the list"
    return None


def proposes_change(text: str) -> bool:
    """Whether the assistant's last question proposes marking a flow done or removing it,
    whichever flow it names ("Shall I mark it as done?")."""
    asked = [s for s in sentences(text) if "?" in s]
    return bool(asked) and bool(COMPLETE_ASK.search(asked[-1]) or CANCEL_ASK.search(asked[-1]))
