"""How the `local` provider shapes chat answers: a short system prompt, a clean stop.

The embedded 135M model rambles and drifts as an answer grows, and at 20-30 tokens/s
on a small machine a 1,024-token answer takes most of a minute; its answers are capped
by `LOCAL_MAX_OUTPUT_TOKENS` instead and, near that cap, end at a sentence end.
"""

from __future__ import annotations

from my_flow_api.services.ai.prompts import ASSISTANT_SYSTEM_PROMPT

LOCAL_SYSTEM_PROMPT = (
    "You are a helpful assistant in a to-do app. Answer briefly. "
    "Restate the user's tasks as a short list."
)
WRAP_UP_SHARE = 0.7
"""Past this share of the cap, the answer ends at the next sentence end."""
_SENTENCE_ENDS = ".!?"
_CLOSING = "\"')]*\u201d\u2019\u00bb"
"""Quotes, brackets and Markdown emphasis that may close a sentence after its end mark."""


def local_system(system: str) -> str:
    """The system prompt the embedded model gets in place of the product prompt.

    The product prompt is written for large models: to three task requests (a flight and
    a call, a passport and the dentist, milk) the 135M model answered it with an apology
    or a refusal ("I'm sorry ... I don't have the capability to book flights") 10 times in
    24 samples, this short prompt 4 times in 42. The line naming the user's context is
    dropped too: with it, 7 of 8 answers about the passport and the dentist were
    refusals, several because these were not "Work" tasks.
    Any other system prompt is passed on unchanged.
    """
    return LOCAL_SYSTEM_PROMPT if system.startswith(ASSISTANT_SYSTEM_PROMPT) else system


class CleanStop:
    """`ends_answer` for `LocalModel.generate`: once most of the cap is used, end the
    answer as soon as it ends a sentence instead of cutting it mid-sentence at the cap."""

    def __init__(self, cap: int) -> None:
        self._after = max(1, round(cap * WRAP_UP_SHARE))
        self._line = ""  # the text of the current line so far
        self._ended = False  # the answer so far ends a sentence (spaces may follow)

    def __call__(self, produced: int, piece: str) -> bool:
        """True when the answer should end after `piece` (token number `produced`)."""
        for char in piece:
            self._ended = self._still_ended(char)
            self._line = "" if char == "\n" else self._line + char
        return self._ended and produced >= self._after

    def _still_ended(self, char: str) -> bool:
        if char == "\n":  # a line of text ends, unless it introduces what follows
            line = self._line.strip()
            return self._ended or (bool(line) and not line.endswith(":"))
        if char.isspace() or (char in _CLOSING and self._line.strip()):
            return self._ended  # a "*" opening a line is a bullet, not closing emphasis
        # "2." numbering a list item or "3.5" are no sentence ends; "again." and "it?" are.
        last = self._line[-1:]
        return char in _SENTENCE_ENDS and bool(last) and not (last.isdigit() or last.isspace())
