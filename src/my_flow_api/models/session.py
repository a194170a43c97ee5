"""The local-mode sign-in of the chat page: a name in, a short-lived token out."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

_LETTERS = (
    "A-Za-z0-9_"
    "\u00c0-\u024f"  # Latin with accents
    "\u0370-\u04ff"  # Greek, Cyrillic
    "\u0590-\u06ff"  # Hebrew, Arabic
    "\u0900-\u097f"  # Devanagari
    "\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7a3"  # kana, CJK, Hangul
)
NAME_PATTERN = f"^[{_LETTERS}][{_LETTERS} .@-]*$"
"""A letter or digit first, then also spaces, dots, `@` and `-`: the name becomes the
token's `sub`, shown on the page and written into stored rows, so nothing exotic. Spelled
as ranges, not `\\w`: JSON Schema's regular expressions read `\\w` as ASCII only, Python's as
any letter, and the spec must say what the server accepts."""


class LocalSignIn(BaseModel):
    """Body of `POST /api/v1/auth/local-token`."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=64, pattern=NAME_PATTERN)


class LocalToken(BaseModel):
    """A minted local access token (an OAuth 2 token response's members)."""

    access_token: str
    token_type: str = "Bearer"  # noqa: S105 - the scheme's name, not a secret
    expires_in: int = Field(ge=1)
    user_id: str
