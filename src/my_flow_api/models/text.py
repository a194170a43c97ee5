"""Text fields whose OpenAPI schema says exactly what the server accepts.

Every text a client sends passes `storable` first: NUL (U+0000), which PostgreSQL's text
cannot hold, becomes U+FFFD, the replacement character. One rule in the models, so SQLite,
PostgreSQL and MongoDB store the same text and no driver sees what it would fail on (a
500). A lone surrogate (a JSON `\\ud800` escape) is no character at all and UTF-8 cannot
encode it: pydantic refuses it in every constrained field (a 422, `string_unicode`), and
a path cannot carry one (it is percent-decoded as UTF-8 with replacement). Other control
characters are kept: every store holds them.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, StringConstraints

WHITE_SPACE = (
    "\t\n\x0b\x0c\r \x85\xa0\u1680"
    + "".join(chr(code) for code in range(0x2000, 0x200B))
    + "\u2028\u2029\u202f\u205f\u3000"
)
NOT_BLANK = f"[^{WHITE_SPACE}]"
"""Pattern (unanchored): at least one character that is not white space."""


_UNSTORABLE = re.compile("\x00")
REPLACEMENT = "\ufffd"


def storable(value: object) -> object:
    """`value` with NUL replaced by U+FFFD (other values unchanged)."""
    if isinstance(value, str) and _UNSTORABLE.search(value):
        return _UNSTORABLE.sub(REPLACEMENT, value)
    return value


Storable = BeforeValidator(storable)
StorableText = Annotated[str, Storable]
"""Any text a client sends that may reach a store: an id, a path parameter."""


def trim(value: str) -> str:
    """The text without white space at its edges."""
    return value.strip(WHITE_SPACE)


def no_default(schema: dict[str, Any]) -> None:
    """`json_schema_extra` of a PATCH field that may be left out but not sent as null:
    its Python default (None, "not sent") is no value a client may send."""
    schema.pop("default", None)


TITLE_MAX = 200
DESCRIPTION_MAX = 2000

Trimmed = AfterValidator(trim)

ContextName = Annotated[
    str, StringConstraints(min_length=1, max_length=100, pattern=NOT_BLANK), Trimmed, Storable
]
ContextIcon = Annotated[
    str, StringConstraints(min_length=1, max_length=32, pattern=NOT_BLANK), Trimmed, Storable
]
FlowTitle = Annotated[
    str,
    StringConstraints(min_length=1, max_length=TITLE_MAX, pattern=NOT_BLANK),
    Trimmed,
    Storable,
]
FlowDescription = Annotated[str, StringConstraints(max_length=DESCRIPTION_MAX), Trimmed, Storable]
