"""Which words start a task: English base verbs by list, the others by their infinitive.

English verbs cannot be told from nouns by their form, so the ones people put on a to-do
list are listed. Spanish and French infinitives end in -ar/-er/-ir/-re (with clitics:
"llamarla", "m'inscrire"); German infinitives close the clause and are lower case, while
German nouns are capitalised.
"""

from __future__ import annotations

import re

from my_flow_api.services.extraction.text import STOPWORDS, fold, stem, words

EN_VERBS = frozenset(
    """
    answer apply arrange ask attend back bake book bring buy call cancel change
    charge check choose clean clear collect confirm contact cook copy cut deal decide
    deliver deposit do download drop email e-mail empty file fill finish fix follow get
    give go grab hand hang help hire install invite iron join keep learn leave let look
    mail make meet message mop move mow order organise organize pack paint pay phone
    pick plan plant post practice practise prepare print put read rebook recharge
    register reply renew repair replace reply request reschedule research reserve
    respond return review ring run schedule see sell send set ship shop sign sort start
    stop study submit swap take talk text tell thank tidy top transfer try turn unpack
    update upload vacuum visit walk wash watch water wire wrap write feed fetch finalise
    finalize prep draft edit proofread sweep dust scrub declutter backup renovate refill
    restock withdraw donate sell recycle defrost frost shovel rake trim prune weed
    vaccinate vote cash lock unlock notify inform remind warn nudge ping chase sort
    sign-up signup log migrate deploy test fill-out hand-in turn-in close open bin
    dispose throw unsubscribe subscribe buy sell borrow lend photocopy scan
    fax refund claim dispute complain apologise apologize congratulate celebrate host
    book cook clean grill bake braid sew knit fold hoover polish descale service inspect
    measure weigh count calculate budget save invest pay repay settle split split-up
    schedule arrange coordinate confirm cancel postpone rebook re-book resubmit renew
    extend upgrade downgrade activate deactivate reset restart reboot update patch
    format print sign countersign notarise notarize stamp send forward reply respond
    text message dm tweet post publish share upload download record film photograph
    shoot edit cut trim mix master listen watch read skim review revise rewrite
    translate summarise summarize outline brainstorm plan map sketch design build
    assemble dismantle mount hang frame paint sand varnish glue tape nail screw drill
    plug unplug connect disconnect charge replace swap exchange return collect deliver
    drive park refuel wash vacuum valet insure register license tax mot walk jog run
    swim cycle hike stretch meditate practise practice rehearse train exercise stock
    restock label tag file archive shred recycle declutter donate organise organize
    prepare pack unpack load unload empty fill top refill water feed groom bathe
    vaccinate worm neuter adopt foster babysit visit invite greet welcome thank pick
    drop focus tackle handle find reorganise reorganize chase memorise revise appeal
    enrol enroll resign quit fire mend darn patch hem alter thaw marinate soak chop peel
    boil roast steam brew pour serve laminate bind staple courier dispatch track begin
    continue resume pause end shortlist interview vet verify taste sample uninstall
    configure sync restore figure sort-out arrange organise plan contact email phone
    """.split()
)
"""Verbs that begin to-do items ("call", "book", "renew")."""


VERB_STEMS = frozenset(stem(v) for v in EN_VERBS)
"""The stems of `EN_VERBS`."""


def things(text: str) -> set[str]:
    """Stems of what a task is about: its content words less the verbs that open it
    ("Call the client" is about the client, "Pay rent" about rent, "Rent" too)."""
    content = [w for w in words(text) if w not in STOPWORDS and len(w) > 1]
    while len(content) > 1 and content[0] in EN_VERBS:
        content = content[1:]
    return {stem(w) for w in content}


ASSISTANT_VERBS = frozenset(
    """
    tell explain show list suggest recommend summarise summarize translate describe
    define compare give teach recommend help
    """.split()
)
"""Imperatives that ask the assistant for an answer rather than note a task."""

ROMANCE_INFINITIVE = re.compile(
    r"^(?:[mtsl]['’])?[a-zà-ÿ]{2,}(?:ar|er|ir|ír|re)(?:me|te|se|le|la|lo|les|las|los|nos)?$"
)
_ROMANCE_NON_VERBS = frozenset(
    """
    el la los las un una unos unas del al mi mis tu su le les des du une mon ma mes ton
    ta son sa ses ce cette ces bien mal muy tres trop aussi tambien mucho poco nada rien
    que qui quoi pas plus nunca jamais est es esta está son sont sinon si pero mais donc
    luego porque parce car hay eso esto cela ça voilà bueno vale
    """.split()
)
_GERMAN_INFINITIVE = re.compile(r"^[a-zäöüß]{3,}(?:en|ern|eln)$")


LEAD_IN = re.compile(  # "oh and", "ach ja,", "que je": words before a clause's verb
    r"^(?:(?:and|also|oh|plus|then|ok|so|still|but|yeah|anyway|y|und|aber|et|aussi|también|"
    r"ach\s+ja|ach|ah|bon|oye|na\s+ja|que\s+je|que\s+j['’]|que)\b[\s,]*)+",
    re.IGNORECASE,
)
_AFTER_QUE = re.compile(r"^\W*(?:(?:et|y)\s+)?que\s+(?:je\s+|j['’]|yo\s+)", re.IGNORECASE)
_GERMAN_FINITE = re.compile(
    r"\b(?:ich|du|er|wir|ihr|hatte|habe|hab|hat|ist|war|wird|bin|sind|kann|muss|soll)\b", re.I
)


def imperative(clause: str, language: str) -> bool:
    """A verb-first clause (in German, an infinitive clause with no subject) that notes a
    task rather than asking the assistant for one."""
    text = LEAD_IN.sub("", clause)
    tokens = fold(text).split()
    if not tokens or tokens[0] in ASSISTANT_VERBS:
        return False
    if len(tokens) > 1 and tokens[1].strip(",") in {"me", "us", "you", "mir", "dir", "moi", "toi"}:
        return False
    if language == "de" and _GERMAN_FINITE.search(text.split(",")[0]):
        return False
    subjunctive = bool(_AFTER_QUE.match(clause))  # "… et que je réserve une table"
    return starts_with_verb(text, language, lenient=subjunctive)


def starts_with_verb(text: str, language: str, *, lenient: bool = True) -> bool:
    """Whether `text` opens with a verb (English, Spanish, French) or, in German, closes
    with an infinitive. `lenient` (after a cue such as "il faut que"): a Spanish or French
    word that is not a determiner or particle passes ("j'appelle", "llame")."""
    tokens = text.split()
    if not tokens:
        return False
    if language == "de":
        head = text.split(",")[0].split()
        return bool(head) and bool(_GERMAN_INFINITIVE.match(head[-1].strip(".,;:!?")))
    first = tokens[0].strip(".,;:!?\"'()").casefold()
    if language == "en":
        word = fold(first)
        return word in EN_VERBS or (word.startswith("re") and word[2:] in EN_VERBS)
    if "'" in first or "’" in first or not lenient:
        return bool(ROMANCE_INFINITIVE.match(first))
    return bool(ROMANCE_INFINITIVE.match(first)) or (
        len(first) > 2 and fold(first) not in _ROMANCE_NON_VERBS and not first[0].isdigit()
    )
