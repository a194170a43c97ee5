"""Sentences that state no decided change: questions, hypotheticals, plans, partial
progress, another person's action. Checked before any operation is believed."""

from __future__ import annotations

import re

from my_flow_api.services.extraction import filters
from my_flow_api.services.extraction.followup.linking import title_stems, title_words
from my_flow_api.services.extraction.followup.when import DATEISH
from my_flow_api.services.extraction.text import fold, shares, stem

_I = re.IGNORECASE

QUESTION = re.compile(
    r"\?|^\W*(?:should|shall|could|can|do|does|did|is|are|was|what|when|which|"
    r"debo|debería|deberia|puedo|devo|dovrei|devrais|dois-je|est-ce|soll|sollte|muss ich|"
    r"ist)\b",
    _I,
)
HYPOTHETICAL = re.compile(
    r"^\W*(?:si|se)\b|\bsi\b|\b(?:don['’]?t|do not) (?:remember|know)\b|no me acuerdo|no sé|"
    r"je ne sais|je sais pas|non ricordo|non so|não lembro|não sei|weiß nicht|keine ahnung|"
    r"\b(?:if|unless|maybe|perhaps|might|would|could|wondering|thinking (?:of|about)|"
    r"not sure|in case|sinon|peut-être|peut-etre|quizá|quizás|tal vez|a lo mejor|"
    r"wenn|falls|vielleicht|eventuell|forse|magari|talvez|caso|será que|on verra|"
    r"à voir|mal sehen|vediamo|ya veremos|vamos ver|ou pas|oder nicht|o no|ou não|"
    r"should i|shall i|supposed|should(?: have|['’]ve)|could(?: have|['’]ve)|"
    r"would(?: have|['’]ve)|meant to|(?:was|were) going to|(?<!for )(?<!at )once|"
    r"as soon as|en cuanto|tan pronto como|sobald|"
    r"d[èe]s que|aussit[ôo]t que|non appena|assim que|logo que)\b",
    _I,
)
PLAN = re.compile(
    r"\b(?:i['’]?ll|i will|i['’]m (?:going|gonna|about|planning|hoping|trying)|going to|"
    r"gonna|planning|plan to|about to|later|tonight|tomorrow i|need to|have to|gotta|"
    r"want to|voy a|vamos a|tengo que|voy|vou|vamos|tenho que|preciso|je vais|"
    r"on va|je dois|il faut|ich werde|ich will|ich muss|ich sollte|vado a|devo|sto per|"
    r"ho intenzione|penso di|ainda não|still not|not yet|no todavía|todavía no|"
    r"pas encore|noch nicht|non ancora|ancora|todavia|nothing booked|nada)\b",
    _I,
)
PARTIAL = re.compile(
    r"\b(?:start(?:ed|ing)|began|begun|half|halfway|half-way|partly|partially|mostly|"
    r"basically|pretty much|practically|virtually|more or less|kind of|sort of|"
    r"pr[aá]cticamente|b[aá]sicamente|m[aá]s o menos|pratiquement|en gros|quasiment|"
    r"so gut wie|praktisch|im grunde|praticamente|pi[uù] o meno|"
    r"looked (?:at|into)|working on|in progress|almost|nearly|\d+ ?%|pages into|"
    r"\d+ (?:pages|páginas|pagine|seiten)|empecé|empezado|"
    r"comencé|mitad|medio|casi|angefangen|begonnen|halb|fast|commencé|moitié|presque|"
    r"à moitié|iniziato|cominciato|metà|quasi|comecei|começado|metade|quase)\b",
    _I,
)
OTHER_PERSON = re.compile(
    r"^\W*(?:(?:and|also|but|y|e|et|und|pero|mais|aber|ma|mas)\s+)?(?:he|she|they|"
    r"my (?:sister|brother|wife|husband|mom|mum|dad|boss|colleague|partner|friend|"
    r"neighbou?r|son|daughter|flatmate|roommate|housemate|assistant|secretary|coworker|"
    r"landlord|landlady|parents|kids?)|él|ella|ellos|mi (?:hermana|hermano|jefe|mujer|marido)|"
    r"il|elle|ils|elles|ma (?:sœur|soeur)|mon (?:frère|frere|chef|mari)|er|sie|mein |"
    r"meine |lui|lei|loro|mia |mio |ele|ela|eles|minha|meu)\b|"
    r"\b(?:his|her|their|seine?[mnrs]?|ihre?[mnrs]?|sua|suo|seu|sa|son|dele|dela)\b",
    _I,
)
"""A sentence whose subject is someone else ("Marco booked his flight", "my sister
renewed her passport"): the user's own task is not therefore done."""
RETRACTION = re.compile(
    r"^\W*(?:wait|no+\W+(?:wait|espera|aspetta|attends|warte|sorry|no)|nope|n[ãa]o\W+n[ãa]o|"
    r"nein\W+(?:warte|doch)|aspetta|espera|attends|warte|actually\W+no|sorry\W+no|oops|ops)\b",
    _I,
)
"""A message that opens by taking back the previous one: what came before stands no more."""
_LAUGH = r"(?:ha(?:ha)+|ha ha|he(?:he)+|lol|lmao|jaja+|jeje+|mdr|ptdr|kkk+|ah(?:ah)+|hihi|xd)"
LAUGHING_NO = re.compile(
    r"^\W*(?:no+|nope|nah|non|nein|nee|n[ãa]o)\W+"
    + _LAUGH
    + r"\b|^\W*"
    + _LAUGH
    + r"\W+(?:no+|nope|nah|non|nein|nee|n[ãa]o)\b",
    _I,
)
"""A message that opens with a laughing no ("no lol I was being sarcastic"): the claim
before it was a joke."""
JOKE_ADMITTED = re.compile(
    r"\b(?:i was (?:being |just )?(?:sarcastic|ironic|joking|kidding)|"
    r"(?:that|it) was (?:sarcasm|a joke|irony)|"
    r"estaba (?:siendo )?(?:sarc[aá]stic[oa]|ir[oó]nic[oa]|bromeando)|"
    r"era (?:broma|sarcasmo|iron[ií]a|brincadeira|uno scherzo)|"
    r"j['’][ée]tais (?:ironique|sarcastique)|je (?:plaisantais|rigolais|blaguais)|"
    r"c['’][ée]tait (?:ironique|sarcastique|une blague|de l['’]ironie)|"
    r"war (?:nur )?(?:ironisch|sarkastisch|ein (?:scherz|witz)|spa(?:ß|ss))|"
    r"(?:ero|stavo) (?:sarcastic[oa]|ironic[oa]|scherzando)|scherzavo|"
    r"(?:estava|tava) (?:sendo )?(?:sarc[aá]stic[oa]|ir[oô]nic[oa]|brincando))\b",
    _I,
)
"""A later message that says the claim was a joke ("I was being sarcastic", "je
plaisantais", "era broma"): what came before stands no more."""


def takes_back(message: str) -> bool:
    """Whether a user message takes back what the user said before it."""
    return bool(
        RETRACTION.match(message) or LAUGHING_NO.match(message) or JOKE_ADMITTED.search(message)
    )


MOCKED = re.compile(
    r"\W*(?:(?:" + _LAUGH + r")\W*)*(?:" + _LAUGH + r"\W+(?:no+|nope|non|nein|nee|n[ãa]o|not|nah)|"
    r"j/?k|just kidding|kidding|(?:yeah|yea|ya) right|as if|not really|"
    r"je rigole|je plaisante|je d[ée]conne|c['’]est une blague|"
    r"es broma|era broma|(?:es|era) coña|mentira|qu[ée] va|"
    r"scherzo|scherzavo|sto scherzando|"
    r"brincadeira|t[ôo] brincando|"
    r"(?:nur |war nur )?(?:ein )?(?:spa(?:ß|ss)|scherz|witz)|nicht wirklich|"
    r"in my dreams|dream on|i wish|if only|said no (?:one|body) ever|"
    r"ojal[aá]|ya quisiera(?: yo)?|en mis sueños|j['’]aimerais bien|dans mes r[êe]ves|"
    r"magari|nei miei sogni|sch[öo]n w[äa]r['’]?s|tr[äa]um weiter|quem dera|tomara|"
    r"not)\W*",
    _I,
)
"""A clause that mocks the claim before it ("j'ai fini les cartons, haha non", "done with
the taxes. jk", "paid the rent lol no", "affitto pagato, magari", "done... not"): the
claim is taken back."""
LAUGHED_OFF = re.compile(
    r"\b" + _LAUGH + r"\W+(?:no+|nope|non|nein|nee|n[ãa]o|nah|jk|kidding)\W*$", _I
)
"""A claim ended by a laugh and a "no" ("paid the rent lol no")."""
LATE_NO = re.compile(r"\W*(?:no+|nope|non|nein|n[ãa]o|not|nah)\W*", _I)
"""A bare "no" after a claim, as its own clause ("finished the boxes, not")."""


SPEAKER = re.compile(r"^\W*([A-ZÀ-Ý][a-zà-ÿ]+)\s*:\s*\S")
"""A line that opens with a capitalized label and a colon: a speaker's line pasted in
("Sarah: flight booked!!"), unless the label is one of the user's own note words."""
NOTE_LABELS = frozenset(
    """
    update updates note notes edit ps correction korrektur corrección corrección correção
    correzione status done todo fyi btw ok okay also actually so news recap summary resumen
    nota aggiornamento atualização info heads today hoy heute oggi hoje aujourd
    """.split()
)


def speaker_line(sentence: str, title_words: set[str]) -> bool:
    """Whether the sentence is someone's line pasted under their name (`SPEAKER`): the
    label is no note word of the user's and no word of an open flow's title."""
    m = SPEAKER.match(sentence)
    if m is None:
        return False
    label = m.group(1).casefold()
    return label not in NOTE_LABELS and label not in title_words


IRONY = re.compile(
    r"(?:^|\s)/s\b|^\W*(?:oh |yeah |yea |ya )(?:yeah |yea )?sure\b|^\W*aham\W+claro\b", _I
)
"""A mark of irony: a "/s", a sentence opened by "oh sure", "yeah sure", "aham, claro"
("yeah sure, the report is totally done 🙄"): the claim is not meant. (An eye-roll
emoji alone is no such mark: "l'ho chiamato io, finalmente qualcuno che risponde 🙄".)"""


def mocked(sentence: str, following: str = "") -> bool:
    """The sentence's claim taken back by a mocking clause after it, in it or as the next
    sentence ("j'ai fini les cartons, haha non", "Done with the taxes. Kidding."), or said
    with a mark of irony (`IRONY`)."""
    if IRONY.search(sentence):
        return True
    parts = segments(sentence)
    if LAUGHED_OFF.search(sentence):
        return True
    if any(MOCKED.fullmatch(part) for part in parts[1:]):
        return True
    if len(parts) > 1 and LATE_NO.fullmatch(parts[-1]) and not LATE_NO.fullmatch(parts[0]):
        return True
    after = segments(following)
    return bool(after) and MOCKED.fullmatch(after[0]) is not None


NAMED_SUBJECT = re.compile(
    r"^\W*(?:(?:e|y|and|et|und|o|a|el|la|il|der|die|le)\s+)*"
    r"([A-ZÁÉÍÓÚÀÈÌÒÙÂÊÎÔÛÄÖÜ][a-záéíóúàèìòùâêîôûäöüßç]+)\s+(\w+)"
)


_SEGMENT = re.compile(
    r"\s*(?:[,;:()!\u2600-\u27bf\U0001f300-\U0001faff]|\s[-–—]\s|\b(?:and|but|while|though|although|so|then|whereas|y|pero|"
    r"because|bc|cuz|since|porque|parce que|weil|perch[ée]|poich[ée]|che tanto|pois|"
    r"mientras|e|ma|però|invece|mentre|mas|porém|et|mais|alors|und|aber|sondern|also|"
    r"doch)\b)\s*",
    _I,
)


_DISLOCATED = re.compile(
    r"(?:^|(?<=[.;!?]\s))\s*((?:le|la|les|l['’]|el|los|las|il|lo|o|a|os|as)\s*[^\W\d_]+"
    r"(?:\s+[^\W\d_]+){0,2})\s*,\s*(?="
    r"je\s+(?:l['’]|les?\s+|la\s+)(?:ai|avons)\b|"
    r"(?:yo\s+|ya\s+)?l[oa]s?\s+\w+[ée]\b|"
    r"(?:io\s+)?l['’](?:ho|abbiamo)\b|"
    r"(?:eu\s+)?(?:já\s+)?[oa]s?\s+\w+ei\b)",
    _I,
)
"""A thing named before a comma and taken up by the user's pronoun in the clause after
it ("le colis, je l'ai envoyé", "la factura, la pagué", "il pacco, l'ho spedito", "o
pacote, eu o enviei"): one clause, the thing its object."""


def segments(sentence: str) -> list[str]:
    """The clauses of a sentence, cut at commas and conjunctions: each has its own
    subject and mood ("booked the flight, still need to call the client"); a thing named
    before a comma and taken up by the user's pronoun after it stays in its clause."""
    sentence = _DISLOCATED.sub(r"\1 ", sentence)
    return [part for part in _SEGMENT.split(sentence) if part and part.strip()]


REQUEST = re.compile(
    r"^\W*(?:(?:ok(?:ay)?|so|and|also|oh|hey|pls|please)\W+)*"
    r"(?:(?:can|could|would|will) (?:you|u)|puedes|podr[ií]as|kannst du|k[öo]nntest du|"
    r"peux-tu|pourrais-tu|tu peux|puoi|potresti|podes|pode|voc[êe] pode)\s+(?:please\s+|"
    r"por favor\s+|bitte\s+|stp\s+|per favore\s+)?"
    r"(?:move|push|shift|change|postpone|reschedule|put|make|set|bump|cancel|drop|remove|"
    r"delete|scratch|take|mark|update|mover|pasar|cambiar|quitar|borrar|poner|aplazar|"
    r"d[ée]placer|d[ée]caler|mettre|enlever|supprimer|repousser|spostare|togliere|"
    r"cancellare|mettere|rimandare|mudar|passar|tirar|adiar|remarcar|apagar|den|die|das)\b",
    _I,
)
"""A request for a change ("can you move the haircut to the 14th"): without a question
mark, an instruction, not a question."""


def is_question(sentence: str) -> bool:
    """A question anywhere in the sentence ("is the report done?"); a request without a
    question mark is none."""
    if "?" not in sentence and REQUEST.match(sentence):
        return False
    return QUESTION.search(sentence) is not None


def states_decided_change(text: str, title: str = "") -> bool:
    """False for a hypothetical, partial progress or someone else's act (`title`: the
    flow's, whose own words are no person's name)."""
    for pattern in (HYPOTHETICAL, PARTIAL):
        if pattern.search(text):
            return False
    if any(not _article_of_flow(m, text, title) for m in OTHER_PERSON.finditer(text)):
        return False
    return not _named_subject(text, title)


_NEXT_WORD = re.compile(r"\s+([^\W\d_]+)")


def _article_of_flow(m: re.Match[str], text: str, title: str) -> bool:
    """Whether an `OTHER_PERSON` match is Italian's article "il" before the flow's own
    thing ("*il* regalo per zia Carla non c'è fretta"), not French's "il" (he): a title
    word after it is the thing, not a verb ("il tecnico ha riparato" stays someone's)."""
    if m.group(0).split()[-1].casefold() != "il":
        return False
    after = _NEXT_WORD.match(text, m.end())
    return after is not None and shares(stem(fold(after.group(1))), title_stems(title))


def _named_subject(sentence: str, title: str = "") -> bool:
    """A sentence that opens with a name then a verb in the third person past
    ("Marco booked ...", "Thomas schreibt ..."), which the user's own report never does;
    a capitalized word of the flow's title is its thing, not a name ("Steuererklärung
    ist abgeschickt": German nouns are capitalized)."""
    m = NAMED_SUBJECT.match(sentence)
    if m is None:
        return False
    if m.group(1).casefold() in title_words(title):
        return False
    verb = m.group(2).casefold()
    return _THIRD_PERSON_VERB.fullmatch(verb) is not None


_THIRD_PERSON_VERB = re.compile(
    r"paid|sent|bought|got|made|did|took|gave|wrote|sold|brought|found|rang|phoned|spoke|met|"
    r"left|drove|picked|told|kept|fed|\w+ed|\w+ó|\w+ou|ha|hat|ist|has|had|did|was|said|says|sagt|\w+schreibt|dit|dice|"
    r"disse|dijo|a|è|é",
    _I,
)
NEGATED = re.compile(
    r"\bno\s+(?:he|ha|has|hemos|lo|la|le|les|me|te|se|\w+[éó]|hic(?:e|iste|imos|ieron)|"
    r"hizo|fui|fue|fuimos|fueron|tuve|tuvo|puse|puso|dije|pude|pudo|di|dio|traje|trajo)\b|"
    r"\b(?:not|didn['’]?t|haven['’]?t|hasn['’]?t|wasn['’]?t|isn['’]?t|never|non|pas|"
    r"nicht|nie|kein\w*|não|nao|nunca|mai|jamais|ni)\b",
    _I,
)
"""A completion or a move in the negative ("haven't sent it", "non l'ho pagato", "no
hice la llamada": a Spanish "no" before a past, regular or irregular; "No, hice ..." is an
interjection)."""
LATER = re.compile(
    r"(?<!esta )(?<!la )(?<!por la )(?<!heute )(?<!gestern )(?<!am )"
    r"\b(?:tomorrow|morgen|mañana|demain|domani|amanhã|amanha)\b|"
    r"\b(?:later|tonight|this (?:afternoon|evening)|after (?:lunch|work|dinner)|"
    r"más tarde|luego|después|esta (?:tarde|noche)|plus tard|tout à l['’]heure|ce soir|"
    r"cet? apr(?:è|e)s-?midi|cet apr(?:è|e)m|später|nachher|heute abend|dopo|più tardi|"
    r"stasera|oggi pomeriggio|depois|mais tarde|hoje à noite|logo mais)\b",
    _I,
)
"""A completion set for later is a plan ("Checklist mach ich morgen", "a Elena scrivo
dopo", "le devis je le finis cet aprèm"); "esta mañana", "heute Morgen" are this
morning."""


def is_plan(sentence: str) -> bool:
    """A statement of intent rather than of a thing done ("I'll book it tonight")."""
    return PLAN.search(sentence) is not None


HEDGE = re.compile(
    r"\b(?:maybe|perhaps|not sure|peut-[êe]tre|on verra|(?<!rien )à voir|"
    r"je (?:ne )?sais pas|quiz[aá]s?|tal vez|a lo mejor|ya veremos|no sé|vielleicht|"
    r"eventuell|mal sehen|wei(?:ß|ss) (?:ich )?nicht|forse|magari|vediamo|non so|talvez|"
    r"vamos ver|n[ãa]o sei)\b(?!\s+(?:\w+\s+)?(?:\d|"
    + DATEISH.pattern.replace(r"\d|", "", 1)
    + r"))",
    _I,
)
"""The user leaves the thing open ("je devrais *peut-être* garder Canal+ ... *à voir*",
"*maybe* I'll keep the gym"): said of a task, not decided; said of a day ("maybe
Thursday"), only its day is unsure. Not "rien à voir" (nothing to do with)."""


def hedged(sentence: str) -> bool:
    """Whether the sentence leaves what it says undecided (`HEDGE`); a request to
    remember or add a task is not ("maybe remind me to call the bank")."""
    return HEDGE.search(sentence) is not None and filters.REQUEST.search(sentence) is None
