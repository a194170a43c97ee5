"""Candidate clauses, generated broadly, each with the facts a classifier weighs.

Every clause of the user's own voice (injected material removed), every proposal of an
assistant turn the user answers, the items of pasted text when the user claims some of it
("the last two are mine"), and the rules extractor's own candidates. The classifier
(`scoring`) decides which are the user's open tasks; nothing here decides that.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from my_flow_api.models.conversation import MessageRole
from my_flow_api.models.flow import FlowPriority
from my_flow_api.services.ai.base import ChatMessage
from my_flow_api.services.extraction.alternation import by_first_letter
from my_flow_api.services.extraction.cancel import LAST_TASK, matches, taken_back
from my_flow_api.services.extraction.clauses import clauses, lines, sentences
from my_flow_api.services.extraction.cues import find_cue
from my_flow_api.services.extraction.dates import due_date
from my_flow_api.services.extraction.filters import is_question, rules_out
from my_flow_api.services.extraction.learned.claims import (
    Claimed,
    claimed_lines,
    framing_of,
)
from my_flow_api.services.extraction.learned.naming import title_of
from my_flow_api.services.extraction.learned.pieces import pieces, task_phrase
from my_flow_api.services.extraction.lexicon import imperative, starts_with_verb
from my_flow_api.services.extraction.priority import stated_priority
from my_flow_api.services.extraction.suggestions import (
    accepted_offers,
    accepts,
    offered,
    picks_some,
)
from my_flow_api.services.extraction.text import content_words, guess_language, shares
from my_flow_api.services.extraction.voice import user_voice

MAX_SPANS = 400
"""Candidates scored per conversation, the latest ones: the conversation is bounded
(24,000 characters), this bounds the classifier's share of a turn."""
CLAIM = re.compile(
    r"\b(?:mine|for\s+me|assigned\s+to\s+me|my\s+(?:action\s+)?items?|i['’]ll\s+take|"
    r"(?:with|has|have)\s+my\s+name|add\s+the\s+rest|the\s+rest\s+(?:is|are)\s+mine|"
    r"mi\s+nombre|mein(?:en)?\s+namen|mon\s+nom|il\s+mio\s+nome|(?:o\s+)?meu\s+nome|"
    r"el\s+resto|den\s+rest|le\s+reste|il\s+resto|o\s+resto|"
    r"i['’]m\s+on|on\s+me|my\s+part|my\s+bits?|m[ií]as?|m[ií]os|para\s+m[ií]|me\s+tocan?|"
    r"lo\s+m[ií]o|meine|für\s+mich|ich\s+übernehme|à\s+moi|pour\s+moi|les\s+miens|"
    r"les\s+miennes|mie|miei|per\s+me|tocca\s+a\s+me|toccano\s+a\s+me|meus?|minhas?|"
    r"para\s+mim|comigo|fico\s+com)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Span:
    """A candidate: the text a title is built from, where it stands, and its facts."""

    text: str
    clause: str
    context: str
    language: str
    order: tuple[int, int]
    due: date | None
    priority: FlowPriority | None
    flags: dict[str, float] = field(default_factory=dict)
    title: str = ""
    """The gated title, once `extract.titled_spans` has made it."""


def conversation_spans(chat: Sequence[ChatMessage], today: date) -> list[Span]:
    """The candidate clauses of `chat`, in the order they were said."""
    spans: list[Span] = []
    users = [i for i, m in enumerate(chat) if m.role is MessageRole.USER]
    spoken = guess_language(" ".join(chat[i].content for i in users)[:4000], "en")
    voices = {i: user_voice(chat[i].content) for i in users}
    languages = {i: guess_language(voices[i], spoken) for i in users}
    withdrawn = {i: _withdrawals(voices[i], languages[i]) for i in users}
    later = {i: [w for j in users if j > i for w in withdrawn[j]] for i in users}
    for rank, index in enumerate(users):
        voice = voices[index]
        language = languages[index]
        turn = _TurnFacts(rank, len(users), language, later[index], today)
        spans += turn.own(voice, index)
        previous = chat[index - 1] if index else None
        if previous is not None and previous.role is MessageRole.ASSISTANT:
            spans += turn.offers(previous.content, voice, index)
        if CLAIM.search(voice):
            spans += turn.pasted(chat[index].content, voice, index)
        # The user's voice, not the raw content: a "Me: ..." line inside a code fence, a
        # comment or a framed block is the paste's (an injection), never the user's claim.
        spans += turn.claimed(claimed_lines(voice, framing_of(voice)), index)
        following = chat[index + 1] if index + 1 < len(chat) else None
        if (
            following is not None
            and following.role is MessageRole.ASSISTANT
            and index + 2 == len(chat)
        ):
            spans += turn.recap(following.content, chat[index].content, index + 1, chat[:index])
    return spans[-MAX_SPANS:]


@dataclass(slots=True)
class _TurnFacts:
    rank: int
    turns: int
    language: str
    later: list[str]
    today: date

    def _taken_back(self, words: set[str]) -> bool:
        return bool(words) and any(matches(what, frozenset(words)) for what in self.later)

    def _base(self, kind: str) -> dict[str, float]:
        return {
            f"kind={kind}": 1.0,
            f"lang={self.language}": 1.0,
            "last_turn": float(self.rank == self.turns - 1),
            "from_end": min(self.turns - 1 - self.rank, 4) / 4,
        }

    def _span(
        self, clause: str, context: str, order: tuple[int, int], flags: dict[str, float]
    ) -> Span:
        text, cued = task_phrase(clause, self.language)
        flags["cue_led"] = float(cued)
        flags["others"] = float(bool(_OTHERS.match(clause)))
        flags["phrase_verb_first"] = float(starts_with_verb(text, self.language))
        flags["phrase_words"] = min(len(text.split()), 15) / 15
        words = content_words(text)
        flags["taken_back"] = float(self._taken_back(words))
        flags["n_words"] = min(len(text.split()), 30) / 30
        due = _due(context, self.today)
        due = (_due(clause, self.today) or due) if due else None
        priority = stated_priority(clause) or stated_priority(context)
        flags["has_due"], flags["has_priority"] = float(due is not None), float(bool(priority))
        return Span(text, clause, context, self.language, order, due, priority, flags)

    def own(self, voice: str, index: int) -> list[Span]:
        out: list[Span] = []
        all_lines = lines(voice)
        header = False
        for number, line in enumerate(all_lines):
            for sentence in sentences(line.text):
                parts = clauses(sentence, self.language)
                whole = len(parts)
                parts += [p for c in parts[:whole] for p in pieces(c)]
                for place, clause in enumerate(parts):
                    if title_of(task_phrase(clause, self.language)[0], self.language) is None:
                        continue
                    flags = self._base("own" if place < whole else "piece")
                    flags.update(self._clause_flags(clause, sentence, self.language))
                    flags["listed"], flags["nested"] = float(line.listed), float(line.nested)
                    flags["under_header"] = float(header and line.listed)
                    flags["line_pos"] = number / max(len(all_lines) - 1, 1)
                    flags["first_clause"] = float(place == 0)
                    flags["terse_turn"] = float(len(voice.split()) <= 12)
                    out.append(self._span(clause, sentence, (index, len(out)), flags))
            if not line.listed:
                header = line.text.rstrip().endswith(":")
        return out

    @staticmethod
    def _clause_flags(clause: str, sentence: str, language: str) -> dict[str, float]:
        flags = {
            "cue": float(find_cue(clause, language) is not None),
            "sentence_cue": float(_cue(sentence, language)),
            "imperative": float(imperative(clause, language)),
            "verb_first": float(starts_with_verb(clause, language)),
            "question": float(is_question(sentence)),
        }
        reason = rules_out(clause, language)
        if reason:
            flags[f"out={reason}"] = 1.0
        return flags

    def offers(self, assistant: str, reply: str, index: int) -> list[Span]:
        proposals = offered(assistant, self.language)
        if not proposals:
            return []
        first = sentences(reply)[0] if reply.strip() else ""
        yes, some = float(accepts(reply)), float(picks_some(reply))
        picked = set(accepted_offers(assistant, reply, self.language))
        reply_words = content_words(first)
        out = []
        for number, phrase in enumerate(proposals):
            flags = self._base("offer")
            flags.update(accepts=yes, picks_some=some, offer_pos=number / len(proposals))
            flags["numbered"] = float(bool(re.search(rf"(?<![\d:./])\b{number + 1}\b", first)))
            flags["named"] = float(bool(content_words(phrase) & reply_words))
            flags["picked"] = float(phrase in picked)
            flags["reply_short"] = float(len(reply.split()) <= 12)
            out.append(self._span(phrase, first, (index, -100 + number), flags))
        return out

    def recap(
        self, assistant: str, message: str, index: int, before: Sequence[ChatMessage] = ()
    ) -> list[Span]:
        """The items of an answer to the conversation's last user turn: an assistant
        often restates the user's notes as tasks ("pão, leite" -> "Comprar pão"), or
        proposes its own; `grounded` (how many of the item's words the user said) and the
        classifier tell them apart."""
        proposals = offered(assistant, self.language)
        # What the chat said before this reply: the user's message (a pasted mail included:
        # "what do I do about this?") and the earlier turns (offers the user picked from).
        said = content_words(message)
        pool = said.union(*(content_words(m.content) for m in before))
        out = []
        for number, phrase in enumerate(proposals):
            words = content_words(phrase)
            grounded = sum(shares(w, pool) for w in words) / len(words) if words else 0.0
            if grounded < MIN_GROUNDED:
                continue  # neither said nor accepted by the user: the assistant's own advice
            by_user = any(shares(w, said) for w in words)
            if by_user and not self._said_as_task(words, user_voice(message)):
                continue
            flags = self._base("recap")
            flags["offer_pos"] = number / len(proposals)
            flags["grounded"] = grounded
            flags["asks"] = float("?" in assistant)
            out.append(self._span(phrase, phrase, (index, 900 + number), flags))
        return out

    def _said_as_task(self, words: set[str], voice: str) -> bool:
        """Whether a user sentence sharing the item's words could be a task: a restatement
        of "I don't want to call the bank" or "I already paid it" is no task either."""
        for sentence in (s for line in voice.splitlines() for s in sentences(line)):
            shared = any(shares(w, content_words(sentence)) for w in words)
            if shared and rules_out(sentence, self.language) is None:
                return True
        return False

    def pasted(self, content: str, voice: str, index: int) -> list[Span]:
        own = {line.text for line in lines(voice)}
        out: list[Span] = []
        for line in lines(content):
            if line.text in own or not user_voice(line.text).strip():
                continue
            flags = self._base("pasted")
            flags.update(self._clause_flags(line.text, line.text, self.language))
            flags["listed"] = float(line.listed)
            out.append(self._span(line.text, line.text, (index, 500 + len(out)), flags))
        return out

    def claimed(self, found: Sequence[Claimed], index: int) -> list[Span]:
        """Pasted lines the user claims by name (`claims`): the line without its owner
        label, supported by the claim; a line that is not the user's own voice (an
        instruction aimed at the extractor) is never one."""
        out: list[Span] = []
        for item in found:
            if not user_voice(item.line).strip() or not user_voice(item.text).strip():
                continue
            flags = self._base("claimed")
            flags.update(self._clause_flags(item.text, item.text, self.language))
            flags["labelled"] = float(item.labelled)
            out.append(self._span(item.text, item.line, (index, 700 + len(out)), flags))
        return out


_OTHERS = re.compile(
    r"^\W*(?:(?!I\b)[A-Z][\w'’-]+|he|she|they|my\s+(?:wife|husband|partner|boss|mom|mum|dad|"
    r"sister|brother)|mom|mum|dad|él|ella|ellos|er|sie|il|elle|ils|lui|lei|loro|ele|ela|eles)"
    r"(?:\s+[A-Z][\w'’-]+)?\s+(?:will|is\s+going|['’]s\s+going|to|can|should|needs|has|is|"
    r"va|tiene|wird|muss|hat|doit|deve|vai|tem|fará|farà|finalise|handles|takes|said)\b"
)


MIN_GROUNDED = 0.5
"""A reply item is a candidate only when the conversation before it (the user's message,
earlier turns) holds at least half of its content words: the assistant's own advice ("Next
steps: 1. Fill in the form") after an "ok" or a question is not the user's task, whatever
the classifier makes of it."""


@lru_cache(maxsize=4096)
def _due(text: str, today: date) -> date | None:
    return due_date(text, today)


@lru_cache(maxsize=4096)
def _cue(sentence: str, language: str) -> bool:
    return find_cue(sentence, language) is not None


_TAKE_BACK_WORDS = (
    r"scratch forget never\s*mind ignore remove delete strike cancel done sorted handled "
    r"taken\s+care fixed no\s+need already doing handling covering came turned\s+up "
    r"showed\s+up olvid borra quita elimina descarta ya\s+no hecho resuelto listo vergiss "
    r"streich lösch ignorier erledigt nicht\s+mehr oubli laisse annule supprim effac "
    r"plus\s+besoin réglé lascia dimentica cancella annulla fatto esquece deixa cancela apaga "
    r"feito já n['’]t nicht não never nunca jamais more longer plus mehr più mais"
).split()
_TAKE_BACK_WHOLE_WORDS = r"take off weg fait not? pas non".split()
_MAY_TAKE_BACK = re.compile(
    by_first_letter(_TAKE_BACK_WORDS)
    + r"|\b(?:"
    + by_first_letter(_TAKE_BACK_WHOLE_WORDS)
    + r")\b",
    re.IGNORECASE,
)
"""Words without which a sentence takes nothing back: only its sentences are read for
take-backs. Whether it matches is all that is asked, so the words are grouped by their
first letter (`alternation`: a long sentence's scan is about 3.5x cheaper)."""


def _withdrawals(voice: str, language: str) -> list[str]:
    """What the turn takes back ("scratch the plumber"), by name, in the turn's language."""
    if not _MAY_TAKE_BACK.search(voice):
        return []
    found = []
    for line in lines(voice):
        for sentence in sentences(line.text):
            if _MAY_TAKE_BACK.search(sentence):
                found += [w for w in taken_back(sentence, language) if w != LAST_TASK]
    return found
