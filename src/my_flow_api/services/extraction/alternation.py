"""Long word alternations for case-insensitive patterns, grouped by their first letter.

`re` tries the words of `(?:monday|lunes|montag|...)` one after the other at every word
start: with IGNORECASE none of them is skipped on its first letter, and the date rules'
~130 month, weekday and number words were half of a long message's date scan. Grouped as
`[Mm](?:onday|ontag|...)|[Ll](?:unes|undi|...)`, the first letter is one case-sensitive
class that `re` checks before entering the group. The words of one group keep their order
and the groups' letters exclude each other, so the same text matches, at the same places.
"""

from __future__ import annotations

CASE_PARTNERS = {"i": "İı", "k": "\u212a", "s": "ſ"}
"""Letters IGNORECASE matches beyond the upper and lower case: the dotted capital and the
dotless small i, the Kelvin sign, the long s."""


def letter_class(letter: str) -> str:
    """The characters a case-insensitive `letter` matches, as a case-sensitive class."""
    lower, upper = letter.lower(), letter.upper()
    if not letter.isalpha() or len(lower) != 1 or len(upper) != 1:
        raise ValueError(f"not a single-case letter: {letter!r}")
    members = sorted(set(lower + upper + CASE_PARTNERS.get(lower, "")))
    return "(?-i:[" + "".join(members) + "])"


def by_first_letter(words: list[str]) -> str:
    """The alternation of `words` (regex fragments, each opening with a letter), grouped
    by that letter: for a pattern compiled with IGNORECASE."""
    groups: dict[str, list[str]] = {}
    for word in words:
        groups.setdefault(word[0].lower(), []).append(word[1:])
    return "|".join(f"{letter_class(first)}(?:{'|'.join(rest)})" for first, rest in groups.items())


def alternatives(pattern: str) -> list[str]:
    """The top-level alternatives of `pattern` (not those inside groups or classes)."""
    out: list[str] = []
    depth, start, i, in_class = 0, 0, 0, False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            i += 1 if pattern[i + 1 : i + 2] != "]" else 2  # "[]...]": the "]" is a member
        elif char in "()":
            depth += 1 if char == "(" else -1
        elif char == "|" and depth == 0:
            out.append(pattern[start:i])
            start = i + 1
        i += 1
    return [*out, pattern[start:]]


def word_led(pattern: str) -> str:
    r"""`\bA|\bB|...` (every alternative opening with `\b` and a letter) as `\b(?:...)`
    grouped by first letter: the same matches, found with fewer tries."""
    parts = alternatives(pattern)
    if not all(p.startswith("\\b") and p[2:3].isalpha() for p in parts):
        raise ValueError("every alternative must open with \\b and a letter")
    return "\\b(?:" + by_first_letter([p[2:] for p in parts]) + ")"
