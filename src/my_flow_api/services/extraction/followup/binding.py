"""Principled checks for cancel, reschedule and reprioritise, the operations that had
none of completion's (`aspect`): their cue and their value must be bound to the flow.

- *bound clause*: the operation's cue ("forget", "move", "urgent") stands in the clause
  that names the flow, or in the clause right after it when that one names nothing else
  ("the dentist: moved it to Friday", "la cita, pásala al viernes"). "I moved my haircut
  to Friday, the dentist is still on Tuesday" moves nothing: the cue is not the dentist's.
- *bound value*: the new due day and the new priority are read from that bound clause,
  never from elsewhere in the sentence; a model's value must be the one read there.
- *the operation's own verb*: a cue that is the flow's own verb is the task, not a change
  of it ("I moved the couch" for "Move the couch to the basement" is no reschedule, "I'll
  drop the package" for "Drop off the package" no cancellation).
- *negation*: a cue under a negation other than its own ("don't forget the plumber",
  "vergiss den Zahnarzt nicht", "I didn't move the report", "isn't urgent anymore") is
  no change; the negation inside a cue ("no need", "ya no", "not urgent") is the cue.
- *mood*: a preceding condition governs its clause ("if the client agrees, push the
  report to Friday"), and a sentence that reports someone's words ("scratch the flight,
  Ana said") is not the user's own decision.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, timedelta

from my_flow_api.models.flow import FlowPriority
from my_flow_api.services.extraction.dates import find_dates
from my_flow_api.services.extraction.datewords import MONTH_INDEX, WEEKDAY_INDEX
from my_flow_api.services.extraction.followup import agency, aspect, guards
from my_flow_api.services.extraction.followup.cues import (
    CANCEL,
    EXTRA_HIGH,
    EXTRA_LOW,
    MEDIUM,
    MOVE,
    new_priority,
)
from my_flow_api.services.extraction.followup.linking import (
    MIN_COVERAGE,
    content_words,
    coverage,
    link,
    matter_of,
    object_words,
    title_stems,
    title_verb_word,
)
from my_flow_api.services.extraction.followup.operations import Op, OpenFlow
from my_flow_api.services.extraction.followup.when import DATEISH, days_in
from my_flow_api.services.extraction.priority import priority_spans
from my_flow_api.services.extraction.text import STOPWORDS as STOP_WORDS
from my_flow_api.services.extraction.text import fold, guess_language, shares, stem

_I = re.IGNORECASE

BOUND_OPS = frozenset({Op.CANCEL, Op.RESCHEDULE, Op.REPRIORITISE})

ANAPHOR = re.compile(
    r"\b(?:it|it['’]s|its|that|that['’]s|thats|this|them|eso|esto|ello|es|das|ihn|ça|ca|cela|"
    r"c['’]est|isso|isto|esso|quello|ciò)\b|-(?:le|la|lo|les|los|las|lui)\b",
    _I,
)
"""A word that points back at the thing the previous clause named."""
MAX_LOOSE_WORDS = 2
"""A following clause with at most this many content words besides the operation's cue
and a date, and no noun phrase of its own, names no other thing ("Friday instead",
"franchement rien ne presse", "afinal é urgente"; not "I moved the gym to Friday")."""
NOUN_PHRASE = re.compile(
    r"\b(?:the|an|my|your|our|his|her|their|el|la|los|las|un|una|mi|mis|tu|su|sus|le|les|"
    r"une|mon|ma|mes|ton|ta|der|die|dem|den|ein|eine|einen|einem|mein|meine|il|lo|gli|uno|"
    r"mio|mia|o|os|as|um|uma|meu|minha|sa|son|ses|sus|seu|sua|suo|sein\w*|ihr\w*)\s+"
    r"[^\W\d_]{3,}",
    _I,
)
NEGATION = re.compile(
    guards.NEGATED.pattern + r"|\b(?:don['’]?t|do not|doesn['’]?t|does not|can['’]?t|cannot|"
    r"won['’]?t|shouldn['’]?t|mustn['’]?t|no|nie|nada|nessun\w*|niente)\b",
    _I,
)
CONDITION = re.compile(
    r"^\W*(?:if|unless|in case|provided|assuming|si|se|wenn|falls|sofern|caso|a menos|"
    r"a meno|sauf si|à moins|salvo que|solo si|só se|sólo si)\b",
    _I,
)
"""A clause that opens with a condition governs the clause after it."""
REPORTED = re.compile(
    r"\b(?:said|says|told me|tells me|according to|asked me|wants me|"
    r"dijo|dice que|me dijo|dicen que|seg[uú]n|"
    r"a dit|m['’]a dit|dit que|selon|d['’]apr[eè]s|"
    r"ha detto|dice che|mi ha detto|secondo|"
    r"disse|diz que|me disse|segundo|"
    r"sagt|sagte|meint|meinte|laut)\b",
    _I,
)
"""Someone else's words relayed: "Ana said to drop it", "il capo dice che è urgente"."""
FORMER_DAY = re.compile(
    r"\b(?:instead of|rather than|from|au lieu d[eu]?|plutôt que|en (?:vez|lugar) de|"
    r"(?:an)?statt|invece d\w*|al posto d\w*|em vez d[eo]?|no lugar d[eo]?)\s+"
    r"(?:(?:the|el|la|le|il|o|a|de|du|del|dem|den)\s+)?\S+",
    _I,
)
"""The day a change moves away from ("Tuesday instead of tomorrow", "mardi au lieu de
demain"): not the new one."""
REFUSAL = re.compile(
    r"\b(?:i['’]?m not|i am not|we['’]re not|we are not|i won['’]t|i will not|we won['’]t|"
    r"not going to|decided not to|no (?:voy|vamos) a|ya no (?:voy|vamos) a|"
    r"n[ãa]o (?:vou|vamos)|je ne vais pas|on ne va pas|nous n['’]allons pas|"
    r"non (?:ho intenzione di|vogliamo|voglio)|ich werde (?:\w+ ){0,3}nicht|"
    r"wir werden (?:\w+ ){0,3}nicht)\s+([^\W\d_]{3,})",
    _I,
)
"""A decided refusal: with the flow's own verb, a cancellation ("I'm not renewing the
gym", "no voy a renovar el gimnasio"); "I haven't renewed it" is no refusal."""
_COUNTS = {
    "a": 1, "an": 1, "one": 1, "un": 1, "una": 1, "une": 1, "uno": 1, "um": 1, "uma": 1,
    "ein": 1, "eine": 1, "einen": 1, "einem": 1, "two": 2, "dos": 2, "zwei": 2, "deux": 2,
    "due": 2, "dois": 2, "duas": 2, "three": 3, "tres": 3, "drei": 3, "trois": 3, "tre": 3,
}  # fmt: skip
SHIFT = re.compile(
    r"\b(a|an|one|two|three|\d{1,2}|un[ae]?|uno|una|um|uma|ein(?:e[mn]?)?|zwei|drei|deux|"
    r"trois|dos|tres|tr[eê]s|due|tre|dois|duas)\s+"
    r"(days?|weeks?|d[ií]as?|semanas?|tag(?:e|en)?|wochen?|jours?|semaines?|giorn[oi]|"
    r"settiman[ae])\b",
    _I,
)
"""A shift of the due day by days or weeks (read only when no day is named)."""
EARLIER = re.compile(
    r"\b(?:forward|earlier|sooner|up|adelant\w*|antecip\w*|anticip\w*|avanc\w*|vorzieh\w*|"
    r"vorverleg\w*|fr[üu]her|plus t[ôo]t|prima)\b",
    _I,
)
DELIBERATION = re.compile(
    r"\b(?:remind me|talk(?:ed)? about|discuss\w*|suggest\w*|propos\w*|consider\w*|"
    r"try(?:ing)? to|thought about|"
    r"recu[ée]rdame|hablamos de|habl[ée] de|pensando en|sugiri\w*|intenta\w*|"
    r"erinner\w* mich|[üu]berleg\w*|vorgeschlagen|versuch\w*|"
    r"rappelle-moi|on a parl[ée]|envisag\w*|sugg[ée]r\w*|essa(?:ie|yer)|"
    r"ricordami|abbiamo parlato|pensavo|suggerit\w*|prova(?:re)? a|"
    r"lembra-me|me lembra|falamos|pensando em|sugeri\w*|tenta\w*)\b",
    _I,
)
"""Talking about, considering or being reminded of a change is not deciding it."""
OTHER_TIME = re.compile(
    r"\b(?:will be|['’]ll be|going to be|gonna be|was|were|used to|had been|"
    r"ser[áa]|era|fue|wird|war|sera|[ée]tait|sar[àa]|foi)\b",
    _I,
)
"""A priority of another time ("will be urgent next week", "was urgent last month")."""
BY_OTHERS = re.compile(
    r"\b(?:cancell?ed|moved|postponed|rescheduled|pushed(?: back)?|called off|dropped|"
    r"cancelad[oa]|movid[oa]|aplazad[oa]|annul[ée]e?|d[ée]plac[ée]e?|report[ée]e?|"
    r"cancellat[oa]|spostat[oa]|rinviat[oa]|adiad[oa])\s+(?:by|por|pela|pelo|par|da|von)\s+"
    r"(?!(?:mon|tue|wed|thu|fri|sat|sun|tomorrow|tonight|next|end|noon|the end|\d)\w*)\w+",
    _I,
)
"""A change someone else made ("got cancelled by the airline"): not the user's decision."""
BY_AGENT = re.compile(
    r"\b(?:got|was|were|been|has been|have been)\s+(?:cancell?ed|moved|postponed|rescheduled|"
    r"pushed(?: back)?|called off|dropped|brought forward|changed|shifted)\b"
    r"(?:\s+[\w'’]+){0,6}?\s+by\s+(?:the|my|our|his|her|their|a|an)\s+"
    r"(?!(?:mon|tue|wed|thu|fri|sat|sun|tomorrow|tonight|next|end|noon|weekend|morning|"
    r"afternoon|evening|night|day|week|month|time|deadline|\d)\w*)[^\W\d_]{3,}",
    _I,
)
"""A change made by another party, named after the new day ("the appointment got moved
to Friday *by the clinic*"): the user decided nothing."""
MOVED_ME = re.compile(
    r"\b(?:moved|pushed|rescheduled|bumped|shifted|switched|put) (?:me|us)\b|"
    r"\b(?:me|nos) (?:cambi|movi|pas|aplaz|remarc|mud|adi|pass)\w*(?:ron|ó|ou|aram|eram)\b|"
    r"\bm['’](?:ont|a) (?:d[ée]plac|d[ée]cal|report|mis)\w*|"
    r"\b(?:hat|haben) (?:mich|uns)\b[^.;!?]{0,30}?\b(?:verschoben|verlegt|umgebucht)\b|"
    r"\b(?:mi|ci) (?:hanno|ha) (?:spostat|rimandat|anticipat|messo)\w*",
    _I,
)
"""A move made to the user by someone ("the passport office moved me to Friday", "me
cambiaron al viernes", "ils m'ont décalé", "die Praxis hat mich verschoben", "mi hanno
spostato", "me remarcaram"): the user decided nothing."""
NOT_NOW = re.compile(
    r"\b(?:but|pero|mais|aber|ma|mas)\s+(?:not|no|pas|nicht|non|n[ãa]o)\s+"
    r"(?:now|right now|yet|ahora|todav[ií]a|maintenant|encore|jetzt|gerade|ora|adesso|"
    r"ancora|agora|ainda)\b",
    _I,
)
"""A priority taken back in the same breath ("the passport renewal is important *but not
now*", "es importante pero no ahora", "wichtig, aber nicht jetzt"): no new priority."""
OBJECTION = re.compile(
    r"\b(?:but|pero|mais|aber|ma|mas)\b[^.;!?]{0,30}?\b(?:i can['’]?t|i cannot|i couldn['’]?t|"
    r"no puedo|no podr[eé]|je ne (?:peux|pourrai) pas|je peux pas|ich kann (?:\w+ )?nicht|"
    r"non posso|non potr[oò]|n[ãa]o posso|n[ãa]o consigo|n[ãa]o vou poder)\b",
    _I,
)
"""A change the user objects to ("lo movieron al viernes, *pero yo no puedo*"): another's
change the user cannot take, no decision of theirs."""
FOR_ANOTHER_PARTY = re.compile(
    r"\b(?:for|para|pour|f[üu]r|per)\s+(?:the\s+|el\s+|la\s+|los\s+|las\s+|l['’]|les\s+|"
    r"die\s+|den\s+|gli\s+|o\s+|os\s+|a\s+|as\s+)?(?:other|another|otr[oa]s?|autres?|"
    r"anderen?|altr[aeoi]|outr[oa]s?)\b",
    _I,
)
"""A new day for another party ("the deadline moved to Friday *for the other team*"):
it does not apply to the user's task."""
CANCELLED_ON = re.compile(
    r"\b(?:cancell?ed on (?:me|us)|called (?:it )?off on (?:me|us)|stood (?:me|us) up|"
    r"cancell?ed (?:my|our) (?:booking|reservation|appointment|order|membership|table|room)|"
    r"me cancel[oó]|nos cancel[oó]|me cancelaron|nos cancelaron|"
    r"m['’]a (?:annul[ée]|pos[ée] un lapin)|"
    r"hat (?:mir|uns) abgesagt|haben (?:mir|uns) abgesagt|mi ha(?:nno)? (?:disdetto|cancellato)|"
    r"me cancelou|nos cancelou|cancelaram)\b",
    _I,
)
"""Someone else called it off on the user ("the dentist cancelled on me"): the user's task
(to book, to go) is not therefore dropped."""
REBOOK = re.compile(
    r"\b(?:re-?book\w*|re-?schedule it|book (?:it |one )?again|find (?:another|a new)|"
    r"buscar otr[oa]|chercher (?:un )?autre|einen? (?:anderen?|neuen?) (?:suchen|finden)|"
    r"cercare un altr[oa]|procurar outr[oa]|"
    r"volver a (?:pedir|reservar)|otra cita|reprendre (?:un )?rendez-vous|r[ée]server [àa] nouveau|"
    r"neu (?:buchen|vereinbaren)|neuen termin|riprenotare|un altro appuntamento|"
    r"remarcar|marcar de novo|outra consulta)\b",
    _I,
)
"""The task is to be done again ("need to rebook"): a cancellation on the other side is
not the user dropping it."""
FOR_OTHER = re.compile(
    r"\b(?:for|para|pour|f[üu]r|per)\s+(him|her|them|él|ella|ellos|lui|elle|eux|ihn|sie|"
    r"lei|loro|ele|ela|eles|[A-ZÀ-Ý][a-zà-ÿ]+)\b"
)
"""A priority stated for someone else ("low priority for Tom", "urgente para ella")."""
ANOTHER_TIME = re.compile(
    r"\b(?:last (?:year|time|month|week)|the other day|a while ago|years ago|"
    r"el a[ñn]o pasado|la [uú]ltima vez|letzte[ns]? (?:jahr|mal|monat)|l['’]ann[ée]e derni[èe]re|"
    r"la derni[èe]re fois|l['’]anno scorso|l['’]ultima volta|o ano passado|da [uú]ltima vez)\b",
    _I,
)
"""A change on another occasion ("was moved to Friday last year too")."""
HYPOTHETICAL_WISH = re.compile(
    r"\b(?:i['’]d|we['’]d)\s+(?:rather|like|prefer|love|want)\b|\bwould rather\b|"
    r"\b(?:me gustar[ií]a|preferir[ií]a|je pr[ée]f[ée]rerais|j['’]aimerais|vorrei|"
    r"preferirei|gostaria|ich w[üu]rde|lieber)\b",
    _I,
)
"""A wish ("I'd rather move it"): not decided."""


_CONJUNCTION = re.compile(r"\s+(?:and|y|e|et|und|or|o|ou|oder|ni|nor|&)\s+", _I)
_DETERMINER = re.compile(
    r"^(?:also\s+|tambi[eé]n\s+|auch\s+|aussi\s+|anche\s+|tamb[eé]m\s+)?"
    r"(?:the|my|del|de la|de los|de las|de l['’]|du|des|de|la|el|los|las|le|les|l['’]|il|lo|"
    r"gli|os|as|do|da|dos|das|der|die|den|dem|mi|mis|mon|ma|mes|meine?n?)\b",
    _I,
)
_VERBISH = re.compile(
    r"\b(?:is|are|was|were|be|been|has|have|had|can|will|must|need|es|est[aá]|son|fue|ist|"
    r"sind|war|est|sont|était|è|sono|era|é|são|foi|hat|ha|han|hanno|ont|têm|tem)\b|"
    r"\b\w+(?:ed|ing)\b",
    _I,
)
MAX_NP_WORDS = 4


def segments(sentence: str) -> list[str]:
    """The clauses of a sentence (`guards.segments`), except that a noun phrase joined by
    "and" at the end of a clause shares that clause's verb ("olvídate del hotel en
    Cartagena y del protector solar": one clause, both objects forgotten; "forget the
    dentist and the flight is fine" stays two)."""
    out: list[str] = []
    pieces = re.split(r"([,;:.!?]+)", sentence)
    for piece in pieces:
        joined = piece
        for m in reversed(list(_CONJUNCTION.finditer(piece))):
            tail = joined[m.end() :].strip()
            words = tail.split()
            if (
                _DETERMINER.match(tail)
                and len(words) <= MAX_NP_WORDS + 1
                and not _VERBISH.search(tail)
            ):
                joined = joined[: m.start()] + " + " + joined[m.end() :]
        out.append(joined)
    return guards.segments("".join(out))


def objects(clause: str) -> list[str]:
    """The noun phrases a clause of `segments` joins ("olvídate del hotel + del protector
    solar"): each names its own flow."""
    return [part for part in clause.split(" + ") if part.strip()]


def points_back(sentence: str, flows: Sequence[OpenFlow]) -> bool:
    """A sentence that names no open flow and opens with a clause pointing back ("push it
    to the 16th pls", "so thats top priority now") or correcting the one before ("...
    no, to the 14th")."""
    if any(coverage(sentence, f) > 0 for f in flows):
        return False
    first = segments(sentence)[:1]
    if first and SELF_CORRECTION.match(first[0]) and days_in(sentence, _ANY_DAY):
        return True
    return bool(first) and ANAPHOR.search(first[0]) is not None


_KIN = (
    r"mum|mom|mother|dad|father|sister|brother|wife|husband|boss|friend|neighbou?r|colleague|"
    r"son|daughter|kids?|partner|m[ãa]e|pai|irm[ãa]o?|madre|padre|hermana?o?|mutter|vater|"
    r"schwester|bruder|frau|mann|chef|m[èe]re|p[èe]re|s[œo]e?ur|fr[èe]re|femme|mari|"
    r"sorella|fratello|moglie|marito|capo"
)
_OWNER_BEFORE = re.compile(
    r"\b([A-ZÀ-Ý][^\W\d_]*|" + _KIN + r")['’]s?\s+((?:[^\W\d_]+\s+){0,1}[^\W\d_]+)"
)
_OWNER_AFTER = re.compile(
    r"\b([^\W\d_]+)\s+(?:(?:of|de|del|da|do|di|della|dello|von|vom)\s+"
    r"(?:my|mi|mia|mio|minha|meu|ma|mon|meiner|meinem|meines)\s+(?:" + _KIN + r")\b|"
    r"(?:of|de|da|di)\s+(?!(?:[Ll]a|[Ll]e|[Ii]l|[Oo]|[Aa])\b)[A-ZÀ-Ý][^\W\d_]+)",
)
_CALENDAR = frozenset(MONTH_INDEX) | frozenset(WEEKDAY_INDEX)


def owned_by_other(clause: str, flow: OpenFlow) -> bool:
    """Whether the clause names the flow's object as someone else's ("Ana's passport",
    "o dentista da minha mãe"), an owner the flow's title does not name."""
    title = title_stems(flow.title)
    wanted = object_words(flow.title)
    for m in _OWNER_BEFORE.finditer(clause):
        owner = fold(m.group(1))
        named = {stem(w) for w in content_words(m.group(2))}
        if _foreign_owner({owner}, title) and any(shares(w, named) for w in wanted):
            return True
    for m in _OWNER_AFTER.finditer(clause):
        owners = set(content_words(clause[m.end(1) : m.end()]))
        if shares(stem(fold(m.group(1))), wanted) and _foreign_owner(owners, title):
            return True
    return False


def _foreign_owner(owners: set[str], title: set[str]) -> bool:
    """Owners (folded words) none of which the title names, nor a month or weekday."""
    owners = {w for w in owners if w not in _CALENDAR and content_words(w)}
    return bool(owners) and not any(shares(stem(w), title) for w in owners)


def _names_other(segment: str, flow: OpenFlow, flows: Sequence[OpenFlow]) -> bool:
    return any(coverage(segment, f) > 0 for f in flows if f.id != flow.id)


def continues(segment: str, op: Op, flow: OpenFlow, flows: Sequence[OpenFlow]) -> bool:
    """Whether a clause carries on about the thing the clause before it named: it names no
    open flow itself and points back ("moved it to Friday") or, its cue aside, has too few
    words to name anything else ("Friday instead", "franchement rien ne presse")."""
    if _names_other(segment, flow, flows):
        return False
    if ANAPHOR.search(segment) is not None:
        return True
    rest = _without(segment, _cue_spans(op, segment) + _date_spans(segment))
    return NOUN_PHRASE.search(rest) is None and len(content_words(rest)) <= MAX_LOOSE_WORDS


def _points_elsewhere(parts: list[str], i: int, flow: OpenFlow, flows: Sequence[OpenFlow]) -> bool:
    """A clause that opens by pointing back ("das mach ich irgendwann nach dem Umzug")
    after a clause naming another flow is about that one, whatever word it shares."""
    if i == 0 or not ANAPHOR.match(parts[i]):
        return False
    return any(coverage(parts[i - 1], f) >= MIN_COVERAGE for f in flows if f.id != flow.id)


def _naming(
    parts: list[str], sentence: str, flow: OpenFlow, flows: Sequence[OpenFlow]
) -> list[int]:
    """The clauses that name the flow: those covering its object; and, when the sentence
    names it, those that mention it again by part of it ("le cadeau de Nina : ... mets le
    cadeau pour vendredi") and name nothing else as much."""
    full = [i for i, part in enumerate(parts) if coverage(part, flow) >= MIN_COVERAGE]
    again: list[int] = []
    if coverage(sentence, flow) >= MIN_COVERAGE:
        again = [
            i
            for i, part in enumerate(parts)
            if i not in full
            and (share := coverage(part, flow)) > 0
            and all(coverage(part, f) < share for f in flows if f.id != flow.id)
        ]
    return sorted(full + again)


def _date_spans(text: str) -> list[tuple[int, int]]:
    return [(m.start, m.end) for m in find_dates(text, _ANY_DAY)]


def _has_value(op: Op, text: str) -> bool:
    if op is Op.RESCHEDULE:
        return bool(days_in(text, _ANY_DAY)) or SHIFT.search(text) is not None
    if op is Op.REPRIORITISE:
        return new_priority(text) is not None
    return True


_ANY_DAY = date(2026, 1, 7)  # only whether a day is named matters here


def _provides(op: Op, group: list[str], part: str, flow: OpenFlow) -> bool:
    """Whether the next clause brings what the group lacks: the cue or the value."""
    text = " ".join(group)
    if not cue_spans(op, text, flow) and cue_spans(op, part, flow):
        return True
    return not _has_value(op, text) and _has_value(op, part)


def bound_groups(
    sentence: str, flow: OpenFlow, op: Op, flows: Sequence[OpenFlow]
) -> list[list[str]]:
    """Per clause naming the flow: that clause, plus the next one or two when they
    `continue` it and bring the cue or value it lacks, plus a condition right before it;
    only the groups that then hold the operation's cue. When only the whole sentence names
    the flow (its words spread over clauses), the sentence is the one group."""
    return [group for group, _ in _groups(sentence, flow, op, flows)]


def _groups(
    sentence: str, flow: OpenFlow, op: Op, flows: Sequence[OpenFlow]
) -> list[tuple[list[str], str]]:
    """`bound_groups`, each with the clause right after it when that one names no other
    flow ("scratch the flight, Ana said": whose words they are), else ""."""
    parts = segments(sentence)
    named = _naming(parts, sentence, flow, flows)
    if not named and coverage(sentence, flow) >= MIN_COVERAGE:
        return [([sentence], "")] if cue_spans(op, sentence, flow) else []
    naming = [i for i in named if not _points_elsewhere(parts, i, flow, flows)]
    groups: list[tuple[list[str], str]] = []
    for i in naming:
        group = [parts[i]]
        j = i + 1
        while j < min(len(parts), i + 3) and j not in naming:
            if not continues(parts[j], op, flow, flows):
                break
            if not _provides(op, group, parts[j], flow):
                break
            group.append(parts[j])
            j += 1
        if not cue_spans(op, " ".join(group), flow):
            continue
        if i > 0 and _governs(parts[i - 1]):
            group.insert(0, parts[i - 1])  # "if the client agrees, ...", "Ich überlege, ..."
        after = parts[j] if j < len(parts) and not _names_other(parts[j], flow, flows) else ""
        groups.append((group, after))
    return groups


def _cue_spans(op: Op, text: str) -> list[tuple[int, int]]:
    if op is Op.CANCEL:
        return [m.span() for m in CANCEL.finditer(text)]
    if op is Op.RESCHEDULE:
        return [m.span() for m in MOVE.finditer(text)]
    if op is Op.REPRIORITISE:
        spans = priority_spans(text)
        for pattern in (MEDIUM, EXTRA_HIGH, EXTRA_LOW):
            spans += [m.span() for m in pattern.finditer(text)]
        return spans
    return []


def _own_verb(cue: str, flow: OpenFlow) -> bool:
    """Whether the cue word is the flow's own verb ("moved" for "Move the couch")."""
    verb = title_verb_word(flow.title)
    if not verb:
        return False
    root = aspect.verb_root(verb)
    return any(aspect.fits(word, root) for word in aspect.words(cue))


_CUE_OBJECT = re.compile(r"\s+(?:(?:about|of|with|de|di|von)\s+)?(" + NOUN_PHRASE.pattern + ")", _I)


def _acts_on_other(text: str, end: int, flow: OpenFlow) -> bool:
    """Whether the noun phrase right after a cue is another thing than the flow's ("skip
    the *reminder* for the dentist", "cancel the direct debit" against "Renew the gym"),
    or the flow's word as the first of an English compound ("cancelled the flight
    *alert*")."""
    m = _CUE_OBJECT.match(text, end)
    if m is None:
        return False
    noun = fold(m.group(1).split()[-1])
    if not content_words(noun):  # "quita lo *del* regalo": a small word says nothing
        return False
    title = {stem(w) for w in content_words(flow.title)}
    if not shares(stem(noun), title):
        # "tira *o lance da* academia": the matter of the flow's thing, not another thing
        return not any(shares(w, title) for w in matter_of(text[m.start(1) :]))
    tail = [fold(w) for w in re.findall(r"[^\W_]+", text[m.end() :])][:2]
    return bool(tail) and agency.compound(tail, title) and guess_language(text) == "en"


_PHRASAL = re.compile(r"^\W*(?:drop|skip)\b(?:\s+\S+){0,4}?\s+(?:off|by|at|in|to|over)\b", _I)
"""Not a cancel: "drop the report *by* the office", "drop it off", "skip *to* the end"."""
_ATTRIBUTIVE = re.compile(r"\b(?:a|an|the|this|that|some|one|another)\s+$", _I)
"""A priority word right after a determiner qualifies the noun after it ("an urgent
email about the report"), not the flow."""


def _not_the_flows(op: Op, text: str, a: int, b: int, flow: OpenFlow) -> bool:
    """A cue at text[a:b] that is not about the flow: its own verb, an object that is
    another thing, a phrasal verb, an adjective on another noun."""
    if _own_verb(text[a:b], flow) or _acts_on_other(text, b, flow):
        return True
    if op is Op.CANCEL and _PHRASAL.match(text[a:]):
        return True
    return op is Op.REPRIORITISE and _ATTRIBUTIVE.search(text[:a]) is not None


def cue_spans(op: Op, text: str, flow: OpenFlow) -> list[tuple[int, int]]:
    """Where the operation's cue stands in the text, leaving out the flow's own verb and a
    cue whose object is another thing; for a cancellation also a refusal of the flow's own
    verb ("I'm not renewing the gym")."""
    spans = [(a, b) for a, b in _cue_spans(op, text) if not _not_the_flows(op, text, a, b, flow)]
    if op is Op.CANCEL:
        spans += [m.span() for m in REFUSAL.finditer(text) if _own_verb(m.group(1), flow)]
    return spans


def _without(text: str, spans: list[tuple[int, int]]) -> str:
    out, last = [], 0
    for a, b in sorted(spans):
        if a >= last:
            out.append(text[last:a])
            last = b
    out.append(text[last:])
    return " ".join(out)


def _all_cue_spans(op: Op, clause: str, flow: OpenFlow) -> list[tuple[int, int]]:
    return _cue_spans(op, clause) + cue_spans(op, clause, flow)


def negated(op: Op, clause: str, flow: OpenFlow) -> bool:
    """A negation in the clause besides the one inside the operation's cue."""
    return NEGATION.search(_without(clause, _all_cue_spans(op, clause, flow))) is not None


def undecided(op: Op, clause: str, flow: OpenFlow) -> bool:
    """A clause that is no decided change: hypothetical, partial, another's act, a wish,
    a deliberation or reminder, a plan (the cue's own words aside: "no need to call Ana"
    is no plan), negated, or, for a priority, one of another time ("was urgent")."""
    if not guards.states_decided_change(clause, flow.title) or HYPOTHETICAL_WISH.search(clause):
        return True
    if DELIBERATION.search(clause) or BY_OTHERS.search(clause) or ANOTHER_TIME.search(clause):
        return True
    if op is Op.REPRIORITISE and (OTHER_TIME.search(clause) or for_other(clause, flow)):
        return True
    if op is Op.RESCHEDULE and any(
        p.search(clause) for p in (BY_AGENT, FOR_ANOTHER_PARTY, MOVED_ME)
    ):
        return True  # "moved to Friday by the clinic", "moved to Friday for the other team"
    if CANCELLED_ON.search(clause):
        return True
    starts = [a for a, _ in cue_spans(op, clause, flow)] if op is not Op.REPRIORITISE else []
    if agency.acted_by_other(clause, starts, flow.title):  # a priority is a state, no act
        return True  # "the airline cancelled the flight", "die Schule hat ... verschoben"
    rest = _without(clause, _all_cue_spans(op, clause, flow))
    if op is Op.RESCHEDULE and INSTEAD.search(clause) and _has_value(op, clause):
        return negated(op, clause, flow)  # "I'll drop the donations off tuesday instead"
    return guards.is_plan(rest) or negated(op, clause, flow)


INSTEAD = re.compile(
    r"\b(?:instead|au lieu|plut[ôo]t|en vez|en lugar|statt|anstatt|invece|al posto|em vez|"
    r"no lugar)\b",
    _I,
)
"""A new day said to replace the old one: the plan to do the flow's task then is the
decided move ("I'll drop the donations off *tuesday instead*"), not a plan to move it."""


FOR_ROLE = re.compile(
    r"\b(?:for|para|pour|f[üu]r|per)\s+(?:the|my|our|el|la|mi|le|mon|ma|der|die|den|"
    r"il|lo|o|a|meu|minha)\s+([^\W\d_]{3,})",
    _I,
)
"""A priority stated for a party named by its role ("high priority *for the landlord*")."""


def for_other(clause: str, flow: OpenFlow) -> bool:
    """See `FOR_OTHER` and `FOR_ROLE`: a person or party the title does not name (a day,
    month or other time is none)."""
    title = title_stems(flow.title)
    if any(_foreign_owner({fold(m.group(1))}, title) for m in FOR_OTHER.finditer(clause)):
        return True
    for m in FOR_ROLE.finditer(clause):
        word = fold(m.group(1))
        if not (agency.is_time(word) or shares(stem(word), title) or word in STOP_WORDS):
            return True
    return False


def states_bound(sentence: str, flow: OpenFlow, op: Op, flows: Sequence[OpenFlow]) -> bool:
    """Whether the sentence states `op` on the flow in a bound, decided clause group."""
    groups = _groups(sentence, flow, op, flows)
    return bool(groups) and all(
        not any(_undecided_part(op, part, flow) or REPORTED.search(part) for part in group)
        and not relays(after)
        for group, after in groups
    )


def relays(clause: str) -> bool:
    """A clause that relays the change before it as someone's words: the reporting verb
    ends it ("scratch the flight, *Ana said*"); one with its own report after the verb
    ("dana said friday was too tight") gives a reason, not the change."""
    m = REPORTED.search(clause)
    return m is not None and len(aspect.words(clause[m.end() :])) <= MAX_LOOSE_WORDS


def _governs(clause: str) -> bool:
    """A clause that puts the next one in doubt: a condition, a hypothetical, a
    deliberation ("if the client agrees", "not sure", "Ich überlege")."""
    return bool(
        CONDITION.match(clause) or guards.HYPOTHETICAL.search(clause) or DELIBERATION.search(clause)
    )


def _undecided_part(op: Op, part: str, flow: OpenFlow) -> bool:
    """`undecided` for the clause that carries the cue or value; a clause of the group that
    only names the flow ("the VAT return is not happening this week, push it to the 16th",
    "they gave me an extra week on the audit report, so push it a week") states the
    circumstance: only a doubt there (`_governs`) makes the change one."""
    if cue_spans(op, part, flow) or _has_value(op, part):
        return undecided(op, part, flow)
    return _governs(part) or HYPOTHETICAL_WISH.search(part) is not None


def bound_days(sentence: str, flow: OpenFlow, flows: Sequence[OpenFlow], today: date) -> list[date]:
    """Every day the bound clause groups name, in order (conditions left out); when they
    name none but shift the flow's due day ("push it a week", "retrasa dos días"), that."""
    parts = [
        part
        for group in bound_groups(sentence, flow, Op.RESCHEDULE, flows)
        for part in group
        if not CONDITION.match(part)
    ]
    days = [day for part in parts for day in _new_days(FORMER_DAY.sub(" ", part), today)]
    if days and parts:  # "to friday, no, the 14th": the corrected day only
        days = _corrected(sentence, parts[-1], flows, today) or days
    if days or flow.due is None:
        return days
    deltas = [delta for part in parts if (delta := shift(part)) is not None]
    return [day for delta in deltas if (day := _shifted(flow.due, delta)) is not None]


def _shifted(day: date, delta: timedelta) -> date | None:
    """`day` moved by `delta`, or None past the calendar's ends (a flow due 9999-12-31
    pushed a week)."""
    try:
        return day + delta
    except OverflowError:
        return None


CORRECTION_WORDS = (
    r"nope|wait|actually|sorry|i mean|rather|better|mejor|perd[oó]n|plut[ôo]t|pardon|nein|"
    r"doch|lieber|anzi|cio[eè]|ali[aá]s|melhor|quer dizer"
)
"""The words by which the user corrects what they just said, in six languages: the one
list `SELF_CORRECTION` (a clause opening with one) and `CORRECTION` (one between two
days) are built from."""
SELF_CORRECTION = re.compile(
    r"^\W*(?:no+|no wait|or rather|digo|enfin|ich meine|" + CORRECTION_WORDS + r")\b", _I
)


def _corrected(sentence: str, last: str, flows: Sequence[OpenFlow], today: date) -> list[date]:
    """The day a clause after the bound ones gives when it opens by correcting the day
    before it and names no flow ("move the dentist to friday, no, the 14th"): the
    change's day is that one, not the first."""
    at = sentence.find(last)
    if at < 0:
        return []
    out: list[date] = []
    for clause in guards.segments(sentence[at + len(last) :]):
        if link(clause, flows) is not None:
            break
        if SELF_CORRECTION.match(clause) or (out == [] and _follows_correction(sentence, clause)):
            found = _new_days(clause, today)
            if found:
                out = found[-1:]
    return out


def _follows_correction(sentence: str, clause: str) -> bool:
    """Whether the clause comes right after a bare correction word ("..., no, the 14th")."""
    at = sentence.find(clause)
    before = guards.segments(sentence[:at])
    return bool(before) and SELF_CORRECTION.fullmatch(before[-1].strip(" .…")) is not None


_TARGET_WORDS = (
    r"(?:to|till|until|into|al|a|à|au|aux|auf|zum|zur|nach|bis|para|pra|pro|per|alle|"
    r"all['’]|ao|até|hasta)\s+(?:(?:the|el|la|le|il|lo|o|a|den|dem)\s+)?"
)
TARGET = re.compile(r"\b" + _TARGET_WORDS + "$", _I)
TARGET_START = re.compile(_TARGET_WORDS, _I)
"""The preposition a change's target day follows ("moved *to* the 14th", "spostala *al*
20", "décale *à* demain")."""
CORRECTION = re.compile(r"\b(?:no|" + CORRECTION_WORDS + r")\b", _I)
"""A self-correction before a later day ("el viernes... *no*, el 14")."""


def _new_days(text: str, today: date) -> list[date]:
    """The days a clause names as the new one: those after a target preposition ("from
    saturday *to* sunday, she's at a wedding saturday": Sunday), then any later day after
    a self-correction; every day it names when none follows a target preposition."""
    found: list[tuple[int, int, date]] = [
        (m.start, m.end, m.day) for m in find_dates(text, today) if m.day is not None
    ]
    found += [
        (m.start(1), m.end(1), day)
        for m in BARE_DAY.finditer(text)
        if not any(a <= m.start(1) < b for a, b, _ in found)
        and (day := _day_of_month(int(m.group(1)), today)) is not None
    ]
    found.sort()
    targets: list[int] = []
    for i, (a, _, _) in enumerate(found):  # "a sabato 14": the day right after one too
        target = TARGET.search(text[:a]) or TARGET_START.match(text, a)  # "per il 14"
        if target or (targets and not text[found[targets[-1]][1] : a].strip()):
            targets.append(i)
    if not targets:
        return [day for a, _, day in found if a not in _bare_starts(text)]
    last = targets[-1]
    days = [found[i][2] for i in targets]
    for a, _, day in found[last + 1 :]:
        if CORRECTION.search(text[found[last][1] : a]):
            days.append(day)
    return days


BARE_DAY = re.compile(
    r"\b(?:al|el|le|il|am|zum|to the|till the|until the|dia|ao dia|para o dia|au|à|a)\s+"
    r"(\d{1,2})(?:st|nd|rd|th|º|°|\.)?(?!\s*(?:h\b|:|%|min|€|\$|euro|hour|hora|ore|uhr|pm|am\b|"
    r"kg|km|pag|page|seite|p\.))(?=\W|$)",
    _I,
)
"""A day of the month named by its number alone after a preposition ("spostala *al 20*",
"el 14"): read only as a change's target (after `TARGET`)."""


def _bare_starts(text: str) -> set[int]:
    return {m.start(1) for m in BARE_DAY.finditer(text)}


def _day_of_month(n: int, today: date) -> date | None:
    """The next day numbered n from today (this month's, else next month's)."""
    if not 1 <= n <= 31:
        return None
    year, month = today.year, today.month
    for _ in range(3):
        try:
            day = date(year, month, n)
        except ValueError:
            day = None
        if day is not None and day >= today:
            return day
        month, year = (1, year + 1) if month == 12 else (month + 1, year)
    return None


def shift(clause: str) -> timedelta | None:
    """By how much a clause moves a day ("push it back a week", "um zwei Tage"), or None;
    earlier when it brings the day forward."""
    m = SHIFT.search(clause)
    if m is None:
        return None
    word = fold(m.group(1))
    count = int(word) if word.isdigit() else _COUNTS.get(word, 0)
    if not count:
        return None
    days = count * (7 if fold(m.group(2)).startswith(("week", "seman", "woch", "settiman")) else 1)
    return timedelta(days=-days if EARLIER.search(clause) else days)


def bound_due(sentence: str, flow: OpenFlow, flows: Sequence[OpenFlow], today: date) -> date | None:
    """The new due day the bound clauses state: the last they name ("from Tuesday to
    Friday", "el viernes... no, el 14"), or None."""
    days = bound_days(sentence, flow, flows, today)
    return days[-1] if days else None


def due_fits(
    sentence: str, flow: OpenFlow, flows: Sequence[OpenFlow], today: date, due: date
) -> bool:
    """Whether a proposed new due day is the one the bound clauses state: one of the days
    they name; when the date rules read none there ("fim do mês", "le 1er mars"), they
    must hold a date-like word and the day must not be one another clause names."""
    days = bound_days(sentence, flow, flows, today)
    if days:
        return due in days
    groups = bound_groups(sentence, flow, Op.RESCHEDULE, flows)
    if not any(DATEISH.search(part) for group in groups for part in group):
        return False
    return due not in days_in(sentence, today)


def bound_priority(sentence: str, flow: OpenFlow, flows: Sequence[OpenFlow]) -> FlowPriority | None:
    """The new priority read from the bound clause group (the first that has one)."""
    for group in bound_groups(sentence, flow, Op.REPRIORITISE, flows):
        for part in group:
            if (priority := new_priority(part)) is not None:
                return priority
    return None
