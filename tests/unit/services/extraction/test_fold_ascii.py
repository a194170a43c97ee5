"""`fold`'s ASCII shortcut gives what the full folding gives."""

from __future__ import annotations

import unicodedata

from my_flow_api.services.extraction.text import fold


def _full(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def test_ascii_text_folds_as_the_full_path_folds_it() -> None:
    every_ascii = "".join(map(chr, range(128)))
    for text in (every_ascii, "Call the CLIENT about Q3", "", "  ABC-def_1 "):
        assert fold(text) == _full(text)
    assert fold("Ñandú Straße ﬁn") == _full("Ñandú Straße ﬁn") == "nandu strasse fin"
