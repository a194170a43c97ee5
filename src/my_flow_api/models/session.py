"""The local-mode sign-in of the chat page: a name in, a short-lived token out."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

NAME_PATTERN = r"^\w[\w .@-]*$"
"""Letters, digits and `_` first, then also spaces, dots, `@` and `-`: the name becomes the
token's `sub`, shown on the page and written into stored rows, so nothing exotic."""


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
