"""Learned extraction: candidate clauses scored by the shipped classifier, titled, gated,
de-duplicated, in the order they were said (at most `MAX_FLOWS`)."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime

from my_flow_api.models.conversation import MessageRole
from my_flow_api.models.flow import FlowCreate, FlowPriority
from my_flow_api.services.ai.base import ChatMessage
from my_flow_api.services.extraction.dedup import same_task
from my_flow_api.services.extraction.learned.naming import title_of
from my_flow_api.services.extraction.learned.scoring import shipped_model
from my_flow_api.services.extraction.learned.spans import MAX_SPANS, Span, conversation_spans
from my_flow_api.services.extraction.model_output import MAX_FLOWS
from my_flow_api.services.extraction.text import content_words, overlap

SAME = 0.6
REPEATS = 3


def span_title(span: Span) -> str | None:
    """The gated title a span would be saved under, or None."""
    return title_of(span.text, span.language)


def titled_spans(chat: Sequence[ChatMessage], today: date) -> list[tuple[Span, str]]:
    """The conversation's candidates that make a title, with it, and the facts only the
    whole conversation tells (`_conversation_flags`)."""
    out = []
    for span in conversation_spans(chat, today):
        title = span_title(span)
        if title:
            out.append((span, title))
    return _conversation_flags(out, answered(chat))


def answered(chat: Sequence[ChatMessage]) -> bool:
    """Whether the conversation ends with the assistant's answer (or is read before it,
    as the embedded default's own turn is): a flag for the models and a threshold each."""
    return bool(chat) and chat[-1].role is MessageRole.ASSISTANT


def _conversation_flags(titled: list[tuple[Span, str]], answered: bool) -> list[tuple[Span, str]]:
    """How many candidates the conversation and the span's turn hold (a long transcript's
    clause is less likely a task than a short request's), how often the same task is
    named in another sentence (a task said twice is meant), and whether the conversation
    ends with the assistant's answer or is read before it (the embedded default's turn:
    the same clause then stands against fewer candidates and no restatement, so the
    models learn each reading's own weights)."""
    per_turn = Counter(span.order[0] for span, _ in titled)
    words = [content_words(title) for _, title in titled]
    by_word: dict[str, set[int]] = {}
    for i, found in enumerate(words):
        for word in found:
            by_word.setdefault(word, set()).add(i)
    out = []
    for i, (span, title) in enumerate(titled):
        near = set().union(*(by_word[w] for w in words[i])) if words[i] else set()
        repeats = sum(
            1
            for k in near
            if k != i
            and titled[k][0].context != span.context
            and overlap(words[i], words[k]) >= SAME
        )
        flags = {
            **span.flags,
            "chat_candidates": math.log1p(len(titled)) / math.log1p(MAX_SPANS),
            "turn_candidates": math.log1p(per_turn[span.order[0]]) / math.log1p(MAX_SPANS),
            "repeated": min(repeats, REPEATS) / REPEATS,
            "answered": float(answered),
        }
        out.append((replace(span, flags=flags, title=title), title))
    return out


def extract_learned(
    chat: Sequence[ChatMessage],
    today: date,
    context_id: str | None,
    skip: Callable[[Span], bool] | None = None,
) -> list[FlowCreate]:
    """The user's open tasks in `chat` by the classifier; `skip` leaves candidates out
    (a follow-up turn's clauses about open flows, `followup.new_flows`), and each kept one
    scores its best against the conversation with and without them."""
    model = shipped_model()
    titled = titled_spans(chat, today)
    scores = model.probabilities([span for span, _ in titled])
    if skip is not None:
        kept_idx = [i for i, (span, _) in enumerate(titled) if not skip(span)]
        titled = [titled[i] for i in kept_idx]
        alone = model.probabilities([span for span, _ in titled])
        scores = [max(scores[i], p) for i, p in zip(kept_idx, alone, strict=True)]
    kept = select(titled, scores, model.threshold_for(answered(chat)))
    return [_flow(span, title, context_id) for span, title in kept]


def select(
    titled: Sequence[tuple[Span, str]], scores: Sequence[float], threshold: float
) -> list[tuple[Span, str]]:
    """The candidates at or above `threshold`, one per task (the likeliest wording wins,
    a date or priority another mention states is kept), in the order they were said."""
    ranked = sorted((i for i, p in enumerate(scores) if p >= threshold), key=lambda i: -scores[i])
    kept: list[tuple[Span, str]] = []
    for i in ranked:
        span, title = titled[i]
        same = next((k for k, (_, other) in enumerate(kept) if _same(title, other)), None)
        if same is None:
            kept.append((span, title))
        elif kept[same][0].due is None and span.due is not None:
            kept[same] = (replace(kept[same][0], due=span.due), kept[same][1])
    kept.sort(key=lambda item: item[0].order)
    return kept[:MAX_FLOWS]


def _same(title: str, other: str) -> bool:
    """One task named twice: `same_task`, or most of the shorter title's words in the
    other ("Call the pharmacy about my refill" / "the pharmacy call")."""
    return same_task(title, other) or overlap(content_words(title), content_words(other)) >= SAME


def _flow(span: Span, title: str, context_id: str | None) -> FlowCreate:
    due = span.due
    return FlowCreate(
        title=title,
        priority=span.priority or FlowPriority.MEDIUM,
        due_date=datetime(due.year, due.month, due.day, tzinfo=UTC) if due else None,
        context_id=context_id,
    )
