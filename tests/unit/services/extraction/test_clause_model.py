"""The run-time scorer gives what scikit-learn gives for the shipped model."""

from __future__ import annotations

import json
import math
from datetime import date

import numpy as np
import pytest
from bench.train_clause_model import TREES, stored_trees
from scipy import sparse
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.feature_extraction.text import TfidfVectorizer

from my_flow_api.models.conversation import MessageRole
from my_flow_api.services.ai.base import ChatMessage
from my_flow_api.services.extraction.learned import rescoring, tfidf
from my_flow_api.services.extraction.learned.extract import extract_learned, titled_spans
from my_flow_api.services.extraction.learned.features import (
    CHAR_OPTIONS,
    WORD_OPTIONS,
    char_ngrams,
    span_text,
    word_ngrams,
)
from my_flow_api.services.extraction.learned.rescoring import CONTEXT
from my_flow_api.services.extraction.learned.scoring import ARTIFACT, SURE, shipped_model
from my_flow_api.services.extraction.learned.spans import conversation_spans

TEXTS = [
    "I need to book a flight and call the client",
    "a b  ab  Ümläut-wörter , l'attestation 12.5 x",
    "tengo que llamar a la gestoría por lo del IVA __first_tengo ctxtengo",
    "",
]
CHAT = [
    ChatMessage(
        MessageRole.USER, "ok so um I need to call mom and then also renew the car insurance"
    ),
    ChatMessage(MessageRole.ASSISTANT, "1. Call mom\n2. Renew the insurance\n\nAdd both?"),
    ChatMessage(MessageRole.USER, "sì, tutte e due. devo anche prenotare il volo per Lisbona"),
]


@pytest.mark.parametrize("text", TEXTS)
def test_the_n_grams_are_scikit_learns(text: str) -> None:
    words = TfidfVectorizer(**WORD_OPTIONS).build_analyzer()  # type: ignore[arg-type]
    chars = TfidfVectorizer(**CHAR_OPTIONS).build_analyzer()  # type: ignore[arg-type]
    assert word_ngrams(text) == words(text)
    assert char_ngrams(text) == chars(text)


def test_the_probabilities_are_scikit_learns() -> None:
    payload = json.loads(ARTIFACT.read_text(encoding="utf-8"))
    spans = [span for span, _ in titled_spans(CHAT, date(2026, 3, 2))]
    texts = [span_text(s) for s in spans]
    blocks = []
    for key, options in (("words", WORD_OPTIONS), ("chars", CHAR_OPTIONS)):
        vec = TfidfVectorizer(vocabulary=payload[key]["vocabulary"], **options)  # type: ignore[arg-type]
        vec.fit([""])
        vec.idf_ = np.asarray(payload[key]["idf"])
        blocks.append(vec.transform(texts))
    flags = np.array([[s.flags.get(name, 0.0) for name in payload["flags"]] for s in spans])
    scores = sparse.hstack([*blocks, sparse.csr_matrix(flags)]) @ np.asarray(payload["coef"])
    expected = [1 / (1 + math.exp(-(v + payload["intercept"]))) for v in scores]
    assert shipped_model().clause_probabilities(spans) == pytest.approx(expected, abs=1e-9)


def test_the_trees_are_scikit_learns() -> None:
    rng = np.random.RandomState(0)
    x = rng.rand(400, len(CONTEXT) + 2)
    y = ((x[:, 0] > 0.4) & (x[:, 8] > 0.3) | (x[:, 3] > 0.9)).astype(int)
    trees = HistGradientBoostingClassifier(**TREES).fit(x, y)  # type: ignore[arg-type]
    rescorer = rescoring.from_payload(stored_trees(trees, ["a", "b"]))
    walked = [rescorer._probability(list(row)) for row in x]
    assert walked == pytest.approx(list(trees.predict_proba(x)[:, 1]), abs=1e-6)


def test_a_chats_scores_are_the_one_at_a_time_reference_bit_for_bit() -> None:
    model = shipped_model()
    spans = [span for span, _ in titled_spans(CHAT, date(2026, 3, 2))]
    assert model.clause_probabilities(spans) == [model.reference_probability(s) for s in spans]
    long_word = "x" * 40 + " " + "ab " * 30  # an uncached word, a term counted 30 times
    texts = [*TEXTS, long_word, *(span_text(s) for s in spans)]
    for block in model.blocks:
        assert block.scores(texts) == [block.score(text) for text in texts]
        assert block.scores([]) == []
        assert block.scores(["", "   "]) == [0.0, 0.0]


def test_texts_too_many_to_pack_are_scored_one_at_a_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(tfidf, "KEY_LIMIT", 1)
    block = shipped_model().blocks[1]
    assert block.scores(TEXTS) == [block.score(text) for text in TEXTS]


def test_the_forest_walks_each_row_as_the_reference_does() -> None:
    rescorer = shipped_model().rescorer
    assert rescorer is not None
    rows = np.random.RandomState(1).rand(300, len(CONTEXT) + len(rescorer.flags))
    rows[:, 0] = rows[:, 0] * 12 - 6  # the clause model's logit
    walked = [rescorer._probability(list(row)) for row in rows]
    scores = rescorer._forest.scores(rows.tolist())
    assert [rescoring._logistic(s) for s in scores] == walked
    assert rescorer._forest.scores([]) == []


def test_the_shipped_model_rescores_with_its_trees() -> None:
    spans = [span for span, _ in titled_spans(CHAT, date(2026, 3, 2))]
    model = shipped_model()
    assert model.rescorer is not None
    first = model.clause_probabilities(spans)
    second = model.rescorer.probabilities(spans, first)
    final = model.probabilities(spans)
    assert any(a < SURE for a in first), "the chat has candidates the trees decide"
    for a, b, p in zip(first, second, final, strict=True):
        assert p == (max(a, b) if a >= SURE else b)  # the trees never lower a sure one
    assert rescoring.features([], [], ["x"]) == []


def test_extraction_never_raises_on_odd_input() -> None:
    odd = ["", " ", "\u0000" * 50, "ж" * 30000, "1. \n2. \n- [ ]", "我需要给客户打电话。" * 200]
    for text in odd:
        flows = extract_learned([ChatMessage(MessageRole.USER, text)], date(2026, 3, 2), None)
        assert len(flows) <= 10


RECAP = [
    ChatMessage(MessageRole.USER, "milk, bread, dentist thursday"),
    ChatMessage(
        MessageRole.ASSISTANT,
        "Got it:\n- Buy milk\n- Buy bread\n- Go to the dentist on Thursday\n"
        "- Maybe learn to meditate?",
    ),
]


def test_an_answer_to_the_last_turn_is_read_for_the_users_items() -> None:
    spans = conversation_spans(RECAP, date(2026, 3, 2))
    recaps = [(s.text, s.flags["grounded"]) for s in spans if "kind=recap" in s.flags]
    assert recaps == [
        ("Buy milk", 0.5),
        ("Buy bread", 0.5),
        ("Go to the dentist on Thursday", 1.0),
    ]  # "Maybe learn to meditate?": the assistant's own idea, no word of it said before
    titles = [f.title for f in extract_learned(RECAP, date(2026, 3, 2), None)]
    assert "Learn to meditate" not in titles
    assert not [
        s for s in conversation_spans(RECAP[:1], date(2026, 3, 2)) if "kind=recap" in s.flags
    ]
    earlier = [*RECAP, ChatMessage(MessageRole.USER, "thanks")]
    assert not [s for s in conversation_spans(earlier, date(2026, 3, 2)) if "kind=recap" in s.flags]


def _reply_titles(user: str, answer: str, before: tuple[ChatMessage, ...] = ()) -> list[str]:
    chat = [
        *before,
        ChatMessage(MessageRole.USER, user),
        ChatMessage(MessageRole.ASSISTANT, answer),
    ]
    return [f.title for f in extract_learned(chat, date(2026, 3, 2), None)]


def test_the_assistants_own_advice_in_its_reply_is_no_task_of_the_users() -> None:
    steps = "Great. Next steps:\n- Call mom\n- Pay rent\n- Email the landlord"
    assert _reply_titles("ok", steps) == []
    how = "To renew a passport:\n1. Fill in the form\n2. Get two photos\n3. Pay the fee"
    assert _reply_titles("Just tell me: how do I renew a passport?", how) == []
    taxes = "1. File the tax return by May\n2. Gather your receipts"
    assert _reply_titles("What should I do about my taxes?", taxes) == []


def test_a_reply_restating_what_the_user_refused_or_did_is_no_task() -> None:
    answer = "Understood. Next steps:\n- Call the bank\n- Email the landlord"
    assert _reply_titles("no, I don't want to call the bank.", answer) == []


def test_a_reply_restating_the_users_own_notes_still_gives_them() -> None:
    notes = "Anotei:\n- Comprar pão\n- Comprar leite\n- Ligar para o encanador amanhã"
    titles = _reply_titles("pão, leite e ligar pro encanador amanhã", notes)
    # The call is the user's own clause since Portuguese splits at "e" (it comes first);
    # the bare nouns become tasks through the reply's restatement.
    assert sorted(titles) == ["Comprar leite", "Comprar pão", "Ligar pro encanador"]


def test_a_conversation_read_before_the_answer_has_its_own_threshold() -> None:
    model = shipped_model()
    assert model.threshold_before_answer is not None
    assert model.threshold_for(answered=True) == model.threshold
    assert model.threshold_for(answered=False) == model.threshold_before_answer
    story = [ChatMessage(MessageRole.USER, "I need to book a flight and call the client")]
    titles = [f.title for f in extract_learned(story, date(2026, 3, 2), None)]
    assert titles == ["Book a flight", "Call the client"]
