"""Grounding: a model's flow is kept only when the user's own words support it.

The support is what the user said in their own voice (injected material removed, see
`voice`), the proposals of an assistant turn the user answers by taking some of them
("all of them except the pharmacy one", "apúntame la 1 y la 2"), and the items of pasted
text the user claims ("only the second is mine", "my action items from this"), each item
read on its own so that planted orders (role lines, overrides, comments) still support
nothing. A title that repeats a prompt's example, the assistant's unanswered advice, or
text planted in a pasted mail the user does not claim finds no support and is dropped.

Words match in any form the user's languages give them (function words of six languages
weigh nothing, a German compound may be said apart) and across those languages for the
everyday things of `crosslex` ("sacar la basura" supports "Take out the trash"). An offer
may be taken by pointing ("la primera y la última", "the cheaper one", "yes" to a
question); a paste may be claimed by saying who one is ("je suis Claire") or by asking
what of it is one's to do. The assistant's warnings about planted text are no offers, and
a mail or web address is one word, so none of this widening supports a planted order.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from my_flow_api.models.conversation import MessageRole
from my_flow_api.models.flow import FlowCreate
from my_flow_api.services.ai.base import ChatMessage
from my_flow_api.services.extraction.clauses import lines
from my_flow_api.services.extraction.crosslex import concept
from my_flow_api.services.extraction.learned.spans import CLAIM
from my_flow_api.services.extraction.lexicon import ROMANCE_INFINITIVE, things
from my_flow_api.services.extraction.suggestions import accepted_offers, offered
from my_flow_api.services.extraction.text import (
    STOPWORDS,
    content_words,
    fold,
    guess_language,
    shares,
    stem,
    words,
)
from my_flow_api.services.extraction.titles import drop_spans
from my_flow_api.services.extraction.voice import user_voice

_TAKES = re.compile(
    r"\b(?:all|both|every|except|add|yes|yeah|ok|okay|sure|please|todas?|todos|ambos|menos|"
    r"salvo|excepto|sí|si|vale|apunta|apúntame|alle|beide|außer|ja|tous|toutes|les\s+deux|"
    r"sauf|oui|ajoute|tutt[ei]|entrambi|tranne|sì|aggiungi|segna|sim|ambas|exceto|menos|"
    r"anota|adiciona|pode|"
    # Pointing: an ordinal, "the X one", "la del gimnasio", "celle avec la salle" ...
    r"first|second|third|fourth|last|(?:the|that|this)\s+(?:\w+\s+){0,2}ones?|option|"
    r"save\s+(?:it|that|the|both)|primer[oa]?|segund[oa]|tercer[oa]?|cuart[oa]|últim[oa]s?|"
    r"la\s+del|apúnta\w*|guarda\w*|erste[nr]?|zweite[nr]?|dritte[nr]?|vierte[nr]?|"
    r"letzte[nr]?|das\s+mit\s+dem|trag\s+(?:\w+\s+)?ein|mach\s+mir|premi[eè]re?s?|deuxième|"
    r"troisième|quatrième|dernière?s?|celle\s+avec|celui\s+avec|prim[oa]|second[oa]|terz[oa]|"
    r"ultim[oa]|quell[ao]\s+(?:su|sul|sulla|con|del|della)|segnamel\w*|mettil\w*|"
    r"primeir[oa]s?|terceir[oa]|a\s+d[oa]|aponta\w*)\b",
    re.IGNORECASE,
)
"""A reply that takes something the assistant proposed: a yes, a number, an ordinal, or
pointing at one ("the cheaper one", "la del gimnasio", "a do pilates"); a number only as
the whole reply (see `_NUMBERS`), and nothing a negation governs (see `_takes`)."""
_NUMBERS = re.compile(
    r"^\W*(?:(?:the|la|le|el|die|il|number|nr\.?|n\.?|n[ºo]\.?|#)\s*)?[1-9]"
    r"(?:\s*(?:,|&|\+|/|and|y|e|et|und)\s*(?:(?:the|la|le|el|die|il|#)\s*)?[1-9])*"
    r"\s*(?:please|pls|thanks|por\s+favor|bitte|merci|grazie|obrigad[oa])?\W*$",
    re.IGNORECASE,
)
"""A reply that is only numbers ("2", "1 and 3", "1, 3", "la 1 y la 2"): a number in a
longer reply ("I have 3 kids") points at nothing."""
_NEGATION = re.compile(
    r"\b(?:no|not|nope|nah|neither|nor|none|never|don['’]t|skip|bad\s+idea|rather\s+not|"
    r"nicht|nein|kein\w*|weder|schlechte\s+idee|pas|non|aucun\w*|ni|jamais|mauvaise\s+id[ée]e|"
    r"nunca|nada|ningun[oa]?|ningún|tampoco|mala\s+idea|nessun\w*|niente|mai|neanche|"
    r"nemmeno|né|cattiva\s+idea|não|nao|nenhum\w*|nem|tampouco|má\s+ideia)\b",
    re.IGNORECASE,
)
"""A refusal in any of the languages: a pointer in its clause takes nothing ("no, not
that one", "the second one is a bad idea"). Portuguese "no" is "in the" (see `_takes`)."""
_CONTINUES = re.compile(
    r"\b(?:too|either|also|as\s+well|auch|aussi|non\s+plus|también|anche|também)\b", re.I
)
"""A clause that carries the previous one's verdict over ("..., the first too")."""
_LISTED_NUMBERS = re.compile(
    r"(?:^\W*|\b(?:add|and|und|y|e|et|nummer|number|numbers|nr\.?|la|le|el|lo|il|die|das|"
    r"plus|also|just|only|solo|nur|seulement|só|apenas|as|os|los|las|les|gli|i)\s+)"
    r"(?<![\d:./])[1-9](?:\s*(?:,|&|\+|and|y|e|et|und)\s*[1-9])*(?![\d:./%])"
    r"(?!\s*(?:kids?|children|people|days?|weeks?|hours?|times|euros?|dollars?|eur|usd)\b)",
    re.IGNORECASE,
)
"""Numbers opening a clause or after a take word ("1 and 3. ...", "add 3 too", "nummer 1
und 4"): pointing at list items. Not a count ("I have 3 kids", "in 2 days")."""
_CLAUSE = re.compile(r"[,;.!?\n]+|\s(?:but|aber|mais|pero|ma|mas)\s", re.IGNORECASE)
_WARNING = re.compile(
    r"\b(?:inject\w*|phishing|smishing|trick\w*|fake|bogus|hoax|suspicious|sketchy|planted|"
    r"hidden\s+(?:text|instruction)|haven['’]t\s+(?:added|acted|included)|(?:did\s+not|"
    r"didn['’]t|won['’]t|not)\s+(?:add|added|act)|ignored|ignoring|bulo|falso|sospechos\w*|"
    r"no\s+(?:lo\s+)?he\s+(?:añadido|incluido)|gefälscht\w*|verdächtig\w*|"
    r"eingeschleust\w*|nicht\s+übernommen|ignorée?s?|sospett\w*|ignorat[oaie]|"
    r"non\s+l['’]ho\s+aggiunt[oa]|não\s+adicionei|estranh[oa])\b",
    re.IGNORECASE,
)
"""Words of an assistant's warning about planted text: what it reports there is no offer.
Not the topics of honest advice ("Place a fraud alert with a credit bureau")."""
_SELF_NAME = re.compile(
    r"\b(?:i['’]m|i\s+am|je\s+suis|soy|ich\s+bin|sono|sou|me\s+llamo|"
    r"je\s+m['’]appelle|mi\s+chiamo|ich\s+heiße|chamo-me)\s+(?P<name>[^\W\d_]{2,})\b",
    re.IGNORECASE,
)
"""The user saying who they are ("io sono fede"): a name only when a line of the paste
names it as its owner ("Fede - addobbi"); the lines naming them are theirs to claim.
Not "this is" ("This is the mail I got")."""
_ADDRESSED = re.compile(
    r"\b([A-ZÀ-Ý][^\W\d_]+),\s+(?:can|could|please|would|will|bitte|kannst|"
    r"peux|pourrais|puedes|podrías|puoi|potresti|podes|pode)\b"
)
"""A name the paste addresses with a request ("Pete, can you get the claim in"): an
owner as much as "Pete - claim"."""
_MAX_NAMES = 4
"""Names a message may give itself: more is no introduction, and each costs a scan."""
_PAYMENT = re.compile(
    r"\biban\b|\b[A-Z]{2}\d{2}(?:\s?[A-Z0-9]{4}){3,}|\d{6,}|gift\s*cards?|"
    r"geschenkkarte\w*|gutschein\w*|tarjetas?\s+regalo|cartes?\s+cadeaux?|carte\s+regalo|"
    r"cart(?:ão|ões)\s+(?:de\s+)?presente|password\w*|passwort\w*|contraseña\w*|"
    r"mots?\s+de\s+passe|senha\w*|\bpin\b|\bcodes?\b|credentials?|login|https?://|"
    # Approving a sign-in prompt hands over the account as much as a password does.
    r"\b(?:mfa|2fa|otp|two[- ]factor|zwei-faktor\w*|doble\s+factor|double\s+authentification|"
    r"autenticazione\s+a\s+due\s+fattori|dois\s+fatores)\b|"
    r"\b(?:transfer\w*|wire|send|pay|überweis\w*|transf[eé]r\w*|virement|vir\w*|bonific\w*|"
    r"envi\w*|pag\w*|pay\w*)\b[^\n]{0,40}?(?:\d|[$€£])",
    re.IGNORECASE,
)
"""A payment or credential order (an IBAN or account number, a transfer of an amount, gift
cards, a link, a password, a second sign-in factor): asking what of a paste is one's to do
claims none of it."""
_ASKS_MINE = re.compile(
    r"\b(?:what\s+(?:do|should|must)\s+i\s+(?:\w+\s+)?(?:need\s+to|have\s+to)?\s*do|"
    r"what\s+i\s+(?:\w+\s+)?need\s+to\s+do|add\s+(?:it|them|both)|"
    r"qu[eé]\s+tengo\s+que\s+hacer|apúnta\w*|"
    r"was\s+(?:muss|soll)\s+ich|was\s+ich\s+(?:\w+\s+)?(?:machen|tun)\s+muss|"
    r"qu['’]est-ce\s+que\s+je\s+dois|ce\s+que\s+je\s+dois\s+faire|ajoute\s+les\s+deux|"
    r"cosa\s+devo\s+fare|segnami|"
    r"o\s+que\s+(?:eu\s+)?tenho\s+(?:de|que)\s+fazer|quais\s+s[aã]o\s+as\s+coisas)",
    re.IGNORECASE,
)
"""The user asking what of a paste is theirs to do ("what do I actually need to do?",
"was muss ich machen?", "add it if so"): a claim of the paste's plain items."""
_OWNER = re.compile(
    r"^\W*(?:AI\s*[:\-–—]\s*)?[A-ZÀ-Ý][\w.]*(?:\s+(?:and|et|y|e|und|&)\s+[A-ZÀ-Ý]\w*)?\s*[:\-–—]"
)
"""A line that names its owner first ("Hugo : mettre à jour", "Paolo - bibite")."""
_OPTION = re.compile(
    r"^\W*(?:options?|opci[oó]n|opzione|op[cç][aã]o|variante)?\s*[A-Za-z1-9]\s*[):]\s", re.I
)
"""A proposal line that is not a list item: "Option A: Joe's Plumbing", "A) Book a ryokan"."""
_QUOTED_OFFER = re.compile(r"(?<!\w)[\"“„«‘']([^\"“”„«»‘’'\n]{3,80})[\"”“»’'](?!\w)")
"""A proposal quoted in any language ("wären: 'Probefahrt beim Autohaus Schmitt machen'")."""
_SENTENCE = re.compile(r"[^.!?]+(?:[.!?]+|$)")
"""A sentence of a line (a dot before a digit does not end one often enough to matter)."""
_REPORTS = re.compile(
    r"\b(?:says|said|asks|asked|wants|wanted|wrote|writes|reads|tells|told|requests|"
    r"requested|demands|instructs|dice|pide|escribe|sagt|schreibt|verlangt|fordert|bittet|"
    r"dit|demande|écrit|chiede|scrive|diz|pede|escreve|"
    # The same report in the gerund ("a hidden comment telling AI assistants to add ...").
    r"telling|asking|instructing|urging|diciendo|pidiendo|disant|demandant|dicendo|"
    r"chiedendo|dizendo|pedindo)\b",
    re.IGNORECASE,
)
"""A sentence reporting what a mail or note says or asks: what it reports is no offer."""
_POINTS_BACK = re.compile(
    r"\b(?:that|it|this|them|these|those|any|eso|esto|lo|los|las|das|es|sie|ça|cela|les|"
    r"questo|quello|li|isso|isto|os|as)\b",
    re.IGNORECASE,
)
"""A question that points back at the sentence before it ("Want me to save that?")."""
_PROPOSES = re.compile(
    r"\b(?:add|added|put|note|save|create|set|schedule|suggest|propose|could|would|shall|"
    r"should|i['’]d|let\s+me|want\s+me|like\s+me|how\s+about|what\s+about|titled|called|"
    r"añad\w*|apunt\w*|agreg\w*|crear?|guard\w*|podría\w*|quieres|wären|wäre|soll\w*|"
    r"füg\w*|eintrag\w*|anlegen|notier\w*|ajout\w*|note\w*|serait|veux-tu|voulez-vous|"
    r"aggiung\w*|segn\w*|sarebbe|vuoi|adicion\w*|anot\w*|seria|quer|queres|posso)\b",
    re.IGNORECASE,
)
"""A sentence proposing a title, where a quoted string is the title proposed ("I'd add
'Call the plumber'", "shall I add 'X'?", "wären: 'Probefahrt machen'")."""
_QUOTES = " \"'“”„«»‘’"
_ADDRESS = re.compile(
    r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+|(?<![\w.+-])(?:https?://)?(?:[\w-]+\.)+"
    r"(?:com|net|org|io|info|biz|eu|co|uk|de|es|fr|it|pt|ch|at|ly|me|app)\b(?:/\S*)?|"
    r"(?<![\w.+-])(?:[\w-]+\.)+[a-z]{2,6}/\S*",
    re.IGNORECASE,
)
"""A mail address or web address: one word ("it-helpdesk@corp-secure-support.net" is not
five), so a planted order cannot find its support in the sender's or a link's parts.
Tried at the start of a word only: from each letter of a long word it read the rest."""
_LIGHT = frozenset(
    """
    being zum zur beim fürs furs übers ubers über uber wegen vom ins per gli all alla alle
    allo agli dal dalla dall dai dalle dell della delle dello degli del nel nella nei nelle
    sul sulla com pela pelo pelas pelos na nas nos ao aos da das do dos num numa chez vers
    vous sous aux minha minhas meu meus sua suas seu seus teu tua together
    """.split()
)
"""Function words of the user's languages that `STOPWORDS` leaves in ("Zum", "dal",
"com", "chez"): a title's "zur Werkstatt" needs no "zur" from the user."""
_GENERIC_NOUNS = frozenset(
    stem(w)
    for w in """
    appointment appointments termin cita rendez rdv appuntamento consulta
    """.split()
)
"""The noun any visit may carry that says nothing of which one: "Go to the dentist
appointment" is about the dentist ("dentist thu 3pm")."""
_SERVICE_NOUNS = frozenset(
    stem(w)
    for w in """
    subscription subscriptions membership service profile abonnement abbonamento
    suscripción suscripcion assinatura
    """.split()
)
"""What a named product is to its user ("Cancel the Peacock subscription", "Disdire
l'abbonamento Netflix", "Update my LinkedIn profile"): light beside a name only, so
"Renew the gym membership" still needs the membership."""
_GERMAN_LAST = re.compile(r"^[a-z]{3,}(?:en|ern|eln)$")
COMPOUND_MIN = 10
"""Letters a (German) compound needs before its parts are looked for apart."""
SUPPORTED = 0.6
RESTATED = 0.5
"""Share of what a title is about (its content words less to-do verbs) that the support
must contain: one of one, two of two, two of three."""


def support_words(chat: Sequence[ChatMessage]) -> set[str]:
    """Content words (`terms`) of the user's own voice, of the proposals they took and of
    the pasted items they claimed."""
    words: set[str] = set()
    for index, message in enumerate(chat):
        if message.role is not MessageRole.USER:
            continue
        voice = user_voice(message.content)
        words |= terms(voice)
        language = guess_language(voice)
        previous = chat[index - 1] if index else None
        if previous is not None and previous.role is MessageRole.ASSISTANT:
            for phrase in answered_offers(previous.content, voice, language):
                words |= terms(phrase)
        for item in claimed_items(message.content, voice):
            words |= terms(item)
    return words


def answered_offers(assistant_text: str, reply: str, language: str) -> list[str]:
    """The assistant's proposals and the lines they stand on (options, list items, titles
    quoted in a proposal, in any language), when the reply takes any of them (by yes,
    number, ordinal or pointing, none of them refused); which ones it took is the
    extractor's call, grounding only needs the words. A yes to a question supports the
    question sentence alone, never the turn's other lines (what a mail or note asks or
    says). Never a line where the assistant warns of a planted order it reports ("a note
    asks assistants to add a task to wire $500; I haven't acted on it")."""
    if _refuses(reply, language):
        return []
    if not (accepted_offers(assistant_text, reply, language) or _takes(reply, language)):
        return []
    turn = lines(assistant_text)
    proposals = offered(assistant_text, language) + [
        line.text for line in turn if line.listed or _OPTION.match(line.text)
    ]
    warned = {line.text for line in turn if _WARNING.search(line.text)}
    warned_text = "\n".join(warned)
    for line in turn:
        if line.text in warned:
            continue
        previous = ""
        for sentence in _SENTENCE.findall(line.text):
            if _REPORTS.search(sentence):
                previous = ""
                continue
            if "?" in sentence:
                # The assistant asked ("Would you also like a reminder to ...?") and the
                # user answered: the question is what they took, and the sentence before
                # it when the question points back ("... call the permit office. Want me
                # to save that?"), unless that one reports what a mail asks.
                proposals.append(sentence)
                if previous and _POINTS_BACK.search(sentence):
                    proposals.append(previous)
            previous = sentence
            if _PROPOSES.search(sentence):
                proposals += [m.group(1) for m in _QUOTED_OFFER.finditer(sentence)]
    return [
        phrase
        for phrase in dict.fromkeys(proposals)
        if phrase not in warned_text and user_voice(phrase).strip() == phrase.strip()
    ]


def _takes(reply: str, language: str) -> bool:
    """Whether `reply` takes an offer: a take word, a pointer or a list of numbers opening
    a clause ("1 and 3. Marco drafts the roadmap himself", "nummer 1 und 4 bitte") that no
    negation governs (one within three words before it or four after it in its clause:
    "not that one", "the second one is a bad idea", "el segundo no"), nor a refusal the
    clause carries over ("..., the first too"); or a reply of numbers only."""
    if _NUMBERS.match(reply):
        return True
    negated = False
    for clause in _CLAUSE.split(reply):
        if not clause.strip():
            continue
        carried = negated and bool(_CONTINUES.search(clause))
        takes = [*_TAKES.finditer(clause), *_LISTED_NUMBERS.finditer(clause)]
        if not carried and any(not _governed(clause, m, language) for m in takes):
            return True
        negated = carried or _negated(clause, language)
    return False


def _governed(clause: str, match: re.Match[str], language: str) -> bool:
    """Whether a negation stands within three words before `match` or four after it."""
    before = " ".join(clause[: match.start()].split()[-3:])
    after = " ".join(clause[match.end() :].split()[:4])
    return _negated(before, language) or _negated(after, language)


def _refuses(reply: str, language: str) -> bool:
    """A reply that refuses outright and takes nothing back ("no, neither of them", "nah.
    I have 3 kids"): every clause with a word is negated or carries a refusal over."""
    return bool(_negated(reply, language)) and not _takes(reply, language)


def _negated(clause: str, language: str) -> bool:
    return any(
        not (language == "pt" and m.group(0).lower() == "no") for m in _NEGATION.finditer(clause)
    )


def claimed_items(content: str, voice: str) -> list[str]:
    """The lines of pasted text in `content` when the user claims some of it ("the last
    two are mine", "add the rest"), its lines without a payment or credential order when
    they ask what is theirs to do; when they say who they are ("I'm Sofia", "je suis
    Claire"), the lines naming them only. Each line, its quotes taken off, only if on its
    own it is still plain text (no role line, override or comment). Framed and quoted
    passages count (a mail is pasted in quotes), planted blocks do not (see `user_voice`)."""
    own = {line.text for line in lines(voice)}
    pasted = [
        line.text.strip(_QUOTES)
        for line in lines(user_voice(content, keep_pasted=True))
        if line.text not in own
    ]
    names = _self_names(voice, pasted)
    asks = bool(_ASKS_MINE.search(voice))
    claims = bool(CLAIM.search(voice))
    if not (claims or asks or names):
        return []
    items = []
    for text in pasted:
        if not text or user_voice(text).strip() != text:
            continue
        mine = claims or (asks and not _PAYMENT.search(text) and not _ADDRESS.search(text))
        if mine or not names.isdisjoint(words(text)):
            items.append(text)
    return items


def _self_names(voice: str, pasted: Sequence[str]) -> set[str]:
    """The names the user gives themselves (`_SELF_NAME`) that a line of the paste names
    as its owner, capitalised ("Sofia - pick up cake", "Pete, can you ..."); at most
    `_MAX_NAMES` looked at."""
    said: set[str] = set()
    for m in _SELF_NAME.finditer(voice):
        said.add(m["name"])
        if len(said) >= _MAX_NAMES:
            break
    if not said:
        return set()
    owners: set[str] = set()
    for text in pasted:
        if owner := _OWNER.match(text):
            owners.update(re.findall(r"[^\W\d_]+", owner.group(0)))
        owners.update(_ADDRESSED.findall(text))
    return {fold(name) for name in said if name.capitalize() in owners}


def terms(text: str) -> set[str]:
    """`content_words` of `text`, each mail or web address one word, and the lexicon's
    name ("~trash") of each word it knows (see `crosslex`)."""
    addresses = {fold(a).rstrip(".") for a in _ADDRESS.findall(text)}
    found = content_words(_ADDRESS.sub(" ", text))
    named = {f"~{name}" for word in found if (name := concept(word))}
    return found | addresses | named


def is_grounded(title: str, support: set[str]) -> bool:
    """Whether enough of what the title is about occurs in the support: "Call the dentist"
    needs "dentist"; "Pay rent" is grounded by "ugh rent", whatever the verb."""
    about = _about(title)
    if not about:
        return False
    return sum(1 for word in about if _supported(word, support)) / len(about) >= SUPPORTED


def _supported(word: str, support: set[str]) -> bool:
    """`word` in the support: an address only as itself ("vanillamax-shop.com" is not
    "vanilla"), other words also by a shared prefix (see `shares`) or as the same thing
    in another language ("trash" by "basura", see `crosslex`)."""
    if "@" in word or "." in word:
        return word in support
    name = concept(word)
    if shares(word, support) or (name is not None and f"~{name}" in support):
        return True
    return _compound_supported(word, support)


def _compound_supported(word: str, support: set[str]) -> bool:
    """A long compound whose two parts the user said apart: "Wohnungsbesichtigung" by
    "die Wohnung ... Besichtigung", "Heizungswartung" by "Wartung der Heizung" (a linking
    -s-, -n- or -en- between them); each part of 4+ letters and no function word."""
    if len(word) < COMPOUND_MIN:
        return False
    for cut in range(4, len(word) - 3):
        head, tail = word[:cut], word[cut:]
        if not _part_supported(tail, support):
            continue
        for link in ("", "s", "n", "en", "es"):
            left = head[: len(head) - len(link)] if link and head.endswith(link) else head
            if link and not head.endswith(link):
                continue
            if len(left) >= 4 and left not in _LIGHT and _part_supported(left, support):
                return True
    return False


def _part_supported(part: str, support: set[str]) -> bool:
    return part not in STOPWORDS and (stem(part) in support or shares(stem(part), support))


def _about(title: str) -> set[str]:
    """What a title is about: its content words less the verb that closes it (a German
    infinitive: "Den Keller aufräumen" is about the Keller) or else opens it (English
    to-do verbs, a Romance infinitive), less function words of any of the languages and
    the nouns every errand has (appointment, subscription); an address is one word."""
    addresses = {fold(a).rstrip(".") for a in _ADDRESS.findall(title)}
    plain = _ADDRESS.sub(" ", title)
    content = [w for w in words(plain) if w not in STOPWORDS and w not in _LIGHT and len(w) > 1]
    last = plain.split()[-1] if plain.split() else ""
    if len(content) > 1 and _GERMAN_LAST.match(content[-1]) and last.islower():
        content = content[:-1]
    elif len(content) > 1 and ROMANCE_INFINITIVE.match(content[0]):
        content = content[1:]
    about = things(" ".join(content)) or content_words(plain)
    light = set(_GENERIC_NOUNS)
    if any(w[:1].isupper() for w in plain.split()[1:]):  # "the Peacock subscription"
        light |= _SERVICE_NOUNS
    return ({w for w in about if w not in light} or about) | addresses


def keep_grounded(flows: Sequence[FlowCreate], chat: Sequence[ChatMessage]) -> list[FlowCreate]:
    """The flows whose titles the conversation's user side supports, order kept."""
    if not flows:
        return []
    support = support_words(chat)
    kept: list[FlowCreate] = []
    restated: list[Restated] | None = None  # read only when a title needs it
    for flow in flows:
        if not is_grounded(flow.title, support):
            restated = restatements(chat, support) if restated is None else restated
            if not is_restated(flow.title, support, restated):
                continue
        kept.append(flow)
    return kept


Restated = tuple[set[str], set[str]]
"""An item the assistant listed back: its words, and what its task is about."""


def restatements(chat: Sequence[ChatMessage], support: set[str]) -> list[Restated]:
    """Each item an assistant turn lists back that the user's own words already support:
    "**Glückwunschkarte für Felix schreiben** — keine Eile" after "eine Karte für Felix
    sollte ich auch noch schreiben" (a warning about planted text is no restatement)."""
    found: list[Restated] = []
    for index, message in enumerate(chat):
        if message.role is not MessageRole.ASSISTANT or not index:
            continue
        listed = dict.fromkeys(line.text for line in lines(message.content) if line.listed)
        for text in listed:
            if not _WARNING.search(text) and is_grounded(text, support):
                found.append((terms(text), _about(drop_spans(text))))  # its task, not its day
    return found


def is_restated(title: str, support: set[str], restated: Sequence[Restated]) -> bool:
    """Half of what the title is about in the user's words and the rest in one item the
    assistant listed back (itself supported by the user), the title being most of that
    item: the title a model writes from the assistant's restatement. Never a payment or
    credential order, and never a piece of an item ("Buy a gift card" from "Pay the
    electricity bill with a gift card")."""
    about = _about(title)
    if not about or _PAYMENT.search(title):
        return False
    if sum(1 for w in about if _supported(w, support)) / len(about) < RESTATED:
        return False
    said = terms(title)
    return any(
        all(_supported(w, support | item) for w in about)
        and 2 * sum(1 for w in item_about if _supported(w, said)) > len(item_about)
        for item, item_about in restated
    )
