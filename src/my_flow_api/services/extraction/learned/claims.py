"""Lines of pasted notes, minutes, mail and threads that the user claims by a name.

"I'm Dana in these notes", "soy Rocío", "os itens marcados com JP são meus", "meine
Punkte sind die mit MK", "only stuff tagged to me (I'm @rafa)": pasted lines carry an
owner label ("Dana: ...", "(JP) ...", "MK: ...", "@lena: @rafa can you ...", "me: ...",
"Ich: ...") and the user says which owner is them. A name of the user's own framing that
labels (or is addressed in) a pasted line makes that line, without its label, a
candidate: the claim is what supports it, and the classifier still decides. Matching a
label against the words the user wrote is the same rule in every language; no per-
language "I am X" pattern is needed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from my_flow_api.services.extraction.clauses import lines
from my_flow_api.services.extraction.text import fold

SELF_LABELS = frozenset(
    {"me", "myself", "ich", "yo", "moi", "io", "eu", "mir", "mí", "mi", "mim", "moi-même"}
)
"""Owner labels that name the writer in each language ("me: draft the plan")."""
MAX_LABEL_WORDS = 3
MIN_FRAMING_WORDS = 4
_ADDRESS_BOOK = re.compile(r"<[^>\s]*@|\b[\w.+-]+@[\w-]+\.\w")
"""A mail header's address ("From: Ruth Abernathy <ruth@...>") is no task."""
_FRAMED_LINE = re.compile(r"^\s*([#=*~_-])\1{2,}\s*\S.*?\1{3,}\s*$")
"""A line framed by marks on both sides, once claimed lines were found: a paste's end,
or a spoofed section ("### NEW TASK LIST (authoritative) ###") whose owner lines are the
injection's, not the user's."""
MAX_FRAME_CHARS = 200
"""A frame line is short; a longer run of marks is no frame (and `_FRAMED_LINE`'s two
repeated marks would try every split of it: seconds on a 10k-character line)."""
_LABEL = re.compile(
    # List marks and numbering, possessive: the name may hold digits, dots and dashes too,
    # and a backtracking prefix tried every split of a long "-----" or "3141..." line.
    r"^[\s\-*•·>\d.)\]]*+"
    r"(?:\[[^\]\n]{1,20}\]\s*)?"  # a timestamp: "[7:31]"
    r"(?:\((?P<paren>[^()\n]{1,30})\)|(?P<name>@?[\w.'’+&-]+(?:\s+[\w.'’+&-]+){0,2}))"
    r"\s*(?:\([^()\n]{0,30}\))?\s*[:–—]\s*(?P<rest>.+)$"
)
_PAREN_LEAD = re.compile(r"^[\s\-*•·>\d.)]*+\((?P<paren>[^()\n]{1,30})\)\s*(?P<rest>.+)$")
_ADDRESS = re.compile(
    r"^(?:@?[\w'’.-]+\s*[,:]?\s+)?(?:(?:can|could|would|will)\s+you\s+(?:also\s+|please\s+)?|"
    r"please\s+|(?:me\s+)?(?:puedes|podrías|podes|pode|poderia|puoi|potresti|peux-tu|"
    r"pourrais-tu|pouvez-vous|tu\s+peux|kannst\s+du|könntest\s+du|können\s+Sie|"
    r"könnten\s+Sie)\s+(?:também\s+|también\s+|anche\s+|aussi\s+|auch\s+|bitte\s+)?|"
    r"bitte\s+|por\s+favor\s+|per\s+favore\s+|merci\s+de\s+)?",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Claimed:
    """A pasted line the user claims: its task text and how it is claimed."""

    text: str
    line: str
    labelled: bool
    """The line's owner label is the user (else the user is addressed in it)."""


def label_of(line: str) -> tuple[str, str] | None:
    """A line's owner label and the rest ("(JP) Levantar ..." -> ("JP", "Levantar ...")),
    or None when it has none."""
    found = _LABEL.match(line) or _PAREN_LEAD.match(line)
    if found is None:
        return None
    label = (found.group("paren") or found.groupdict().get("name") or "").strip()
    rest = found.group("rest").strip()
    if not label or not rest or len(label.split()) > MAX_LABEL_WORDS or _ADDRESS_BOOK.search(rest):
        return None
    return label, rest


def _keys(label: str) -> set[str]:
    """A label's folded words, without handles' "@" ("Dana + Leo" -> {dana, leo})."""
    return {w.lstrip("@") for w in re.findall(r"[@\w'’.-]+", fold(label))} - {"+", "&"}


def named_in(framing: str) -> set[str]:
    """The names the user writes in `framing`, folded: capitalised words, words in
    capitals and handles ("soy Rocío", "marcados com JP", "I'm @rafa"), not common words
    ("items marked with ..." names nobody)."""
    words = re.findall(r"@?[^\W\d_][\w'’-]*", framing)
    return {fold(w).lstrip("@") for w in words if len(w) >= 2 and (w[0] == "@" or w[0].isupper())}


def claimed_lines(content: str, framing: str) -> list[Claimed]:
    """The lines of `content` labelled with, or addressed to, a name of the user's
    `framing` (their own words around the paste) or a self label ("me:", "Ich:")."""
    names = named_in(framing)
    out: list[Claimed] = []
    for line in lines(content):
        if out and len(line.text) <= MAX_FRAME_CHARS and _FRAMED_LINE.match(line.text):
            break  # "### END NOTES ###": what follows is no longer the claimed paste
        found = label_of(line.text)
        if found is None:
            continue
        label, rest = found
        inner = label_of(rest)  # "AI: Irene — fix the date picker": the owner is second
        if inner is not None and not _keys(label) & (SELF_LABELS | names):
            label, rest = inner
        if _keys(label) & (SELF_LABELS | names):
            out.append(Claimed(rest, line.text, labelled=True))
            continue
        addressed = _addressed(rest, names)
        if addressed:
            out.append(Claimed(addressed, line.text, labelled=False))
    return out


def framing_of(content: str) -> str:
    """The user's own words around a paste: its first and last lines when they carry no
    owner label ("I'm Dana in these notes", "... the last two are mine")."""
    texts = [line.text for line in lines(content) if line.text.strip()]
    # A short last line is a pasted mail's signature ("Thanks, Ruth"), not the user.
    last = [t for t in texts[1:][-1:] if len(t.split()) >= MIN_FRAMING_WORDS]
    ends = texts[:1] + last
    return "\n".join(t for t in ends if label_of(t) is None)


def _addressed(rest: str, names: set[str]) -> str | None:
    """The request of a line that addresses the user by name ("@rafa can you get the
    revised rebar schedule ..." -> "get the revised rebar schedule ...")."""
    head = re.match(r"^@?([\w'’.-]+)\s*[,:]?\s+", rest)
    if head is None or fold(head.group(1)).lstrip("@") not in names:
        return None
    request = _ADDRESS.sub("", rest, count=1).strip()
    return request if request and request != rest else None
