"""An experiment, not shipped: does a learned intent classifier generalise better than
the cue patterns for the embedded default's follow-up detection (issue 22)?

    uv run python bench/followup/learned.py [--folds 5] [--threshold 0.6] [--data dev,dev2,dev3]

Character n-grams (2-4, within words) of each user clause that names an open flow, with
the flow's own words masked (so it learns how a change is said, not which tasks were in
the data), TF-IDF, multinomial logistic regression over none/complete/cancel/reschedule/
reprioritise; a proposal above the threshold then goes through the same linking, date,
priority and safety checks as the patterns' (`detect_operations(..., model=)`). Scored
by grouped k-fold cross-validation on `dev.jsonl` (cases split by a hash of their id;
trained on k-1 folds, scored on the held-out one), beside the patterns alone.
Result (5 folds): see `bench/README.md`; it did not add recall and, below 0.5, added
false changes, so the embedded default runs on the patterns alone.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from my_flow_api.services.extraction.followup.linking import object_words
from my_flow_api.services.extraction.followup.operations import Op, OpenFlow
from my_flow_api.services.extraction.text import fold, shares, stem, words

ARTIFACT = Path(__file__).with_name("learned_model.json")
THRESHOLD = 0.6
NONE = "none"
LABELS = (NONE, Op.COMPLETE.value, Op.CANCEL.value, Op.RESCHEDULE.value, Op.REPRIORITISE.value)
_DIGITS = 6


def masked(clause: str, flow: OpenFlow) -> str:
    """The clause, folded, with the words naming the flow replaced by `obj`."""
    wanted = object_words(flow.title)
    out = []
    for word in words(clause):
        out.append("obj" if shares(stem(word), wanted) else word)
    return " ".join(out) if out else fold(clause)


def _vectorizer(**fitted: Any) -> TfidfVectorizer:
    return TfidfVectorizer(
        analyzer="char_wb", ngram_range=(2, 4), min_df=2, max_features=2500,
        sublinear_tf=True, **fitted,
    )  # fmt: skip


def fit(texts: list[str], labels: list[str]) -> dict[str, Any]:
    """Fit the model and return it as the artifact's JSON-ready dict."""
    vectorizer = _vectorizer()
    matrix = vectorizer.fit_transform(texts)
    model = LogisticRegression(C=4.0, max_iter=2000, random_state=0)
    model.fit(matrix, labels)
    vocabulary = {term: int(i) for term, i in sorted(vectorizer.vocabulary_.items())}
    return {
        "vocabulary": vocabulary,
        "idf": [round(float(v), _DIGITS) for v in vectorizer.idf_],
        "classes": [str(c) for c in model.classes_],
        "coef": [[round(float(v), _DIGITS) for v in row] for row in model.coef_],
        "intercept": [round(float(v), _DIGITS) for v in model.intercept_],
    }


class IntentModel:
    """The fitted model, rebuilt from the artifact into scikit-learn objects."""

    def __init__(self, data: dict[str, Any], threshold: float = THRESHOLD) -> None:
        self.threshold = threshold
        self._vectorizer = _vectorizer(vocabulary=data["vocabulary"])
        self._vectorizer.idf_ = np.array(data["idf"])
        self._model = LogisticRegression()
        self._model.classes_ = np.array(data["classes"])
        self._model.coef_ = np.array(data["coef"])
        self._model.intercept_ = np.array(data["intercept"])

    def probability(self, clause: str, flow: OpenFlow, label: str) -> float:
        """The probability the model gives `label` for the clause about the flow."""
        row = self._model.predict_proba(self._vectorizer.transform([masked(clause, flow)]))[0]
        classes = [str(c) for c in self._model.classes_]
        return float(row[classes.index(label)]) if label in classes else 0.0

    def predict(self, clause: str, flow: OpenFlow) -> tuple[str, float]:
        """The most likely change (or `none`) and its probability."""
        row = self._model.predict_proba(self._vectorizer.transform([masked(clause, flow)]))[0]
        best = int(np.argmax(row))
        return str(self._model.classes_[best]), float(row[best])


def training_pairs(cases: Iterable[dict[str, Any]]) -> tuple[list[str], list[str]]:
    """(masked clause, label) for every clause of the user's own voice that names an open
    flow of a labelled case: the labelled change where it is that change's evidence."""
    from my_flow_api.models.conversation import MessageRole
    from my_flow_api.models.flow import FlowPriority
    from my_flow_api.services.ai.base import ChatMessage
    from my_flow_api.services.extraction.followup.detect import user_sentences
    from my_flow_api.services.extraction.followup.guards import segments
    from my_flow_api.services.extraction.followup.linking import MIN_COVERAGE, coverage

    texts: list[str] = []
    labels: list[str] = []
    for case in cases:
        chat = [ChatMessage(MessageRole(m["role"]), m["content"]) for m in case["messages"]]
        changes = {c["flow_id"]: c["op"] for c in case["changes"]}
        flows = [
            OpenFlow(f["id"], f["title"], None, FlowPriority(f["priority"]))
            for f in case["open_flows"]
        ]
        for sentence in user_sentences(chat):
            for clause in segments(sentence):
                for flow in flows:
                    if coverage(clause, flow) < MIN_COVERAGE:
                        continue
                    label = changes.get(flow.id, NONE)
                    texts.append(masked(clause, flow))
                    labels.append(label if label in LABELS else NONE)
    return texts, labels


def gate_keeps(model: IntentModel, op: Any, flow: OpenFlow, gate: float) -> bool:
    """Whether the learned gate lets a kept operation through: some clause of its evidence
    naming the flow has probability >= `gate` for that operation."""
    from my_flow_api.services.extraction.followup.guards import segments
    from my_flow_api.services.extraction.followup.linking import MIN_COVERAGE, coverage

    clauses = [c for c in segments(op.evidence) if coverage(c, flow) >= MIN_COVERAGE]
    clauses = clauses or [op.evidence]
    return max(model.probability(c, flow, op.op.value) for c in clauses) >= gate


def _score(
    cases: list[dict[str, Any]], model: IntentModel | None, gate: float | None = None
) -> tuple[int, int, int, int]:
    from datetime import date

    from my_flow_api.models.conversation import MessageRole
    from my_flow_api.models.flow import FlowPriority
    from my_flow_api.services.ai.base import ChatMessage
    from my_flow_api.services.extraction.followup.detect import detect_operations
    from my_flow_api.services.extraction.followup.vetting import vet

    right = total = false = wrong = 0
    for case in cases:
        flows = [
            OpenFlow(f["id"], f["title"], date.fromisoformat(f["due_date"]) if f["due_date"]
                     else None, FlowPriority(f["priority"]))
            for f in case["open_flows"]
        ]  # fmt: skip
        chat = [ChatMessage(MessageRole(m["role"]), m["content"]) for m in case["messages"]]
        today = date.fromisoformat(case["today"])
        by_id = {f.id: f for f in flows}
        proposer = None if gate is not None else model
        found = {
            o.flow_id: o
            for o in vet(detect_operations(chat, flows, today, proposer), chat, flows, today)
            if gate is None
            or model is None
            or o.op.value not in LABELS
            or gate_keeps(model, o, by_id[o.flow_id], gate)
        }
        gold = {c["flow_id"]: c for c in case["changes"]}
        for flow in flows:
            total += 1
            label, got = gold.get(flow.id), found.get(flow.id)
            if got is None:
                right += label is None
            elif label is None:
                false += 1
            elif (
                got.op.value == label["op"]
                and str(got.due or "") == str(label.get("due_date") or got.due or "")
                and (got.priority is None or got.priority.value == label.get("priority"))
            ):
                right += 1
            else:
                wrong += 1
    return right, total, false, wrong


def _same(got: Any, label: dict[str, Any]) -> bool:
    if got.op.value != label["op"]:
        return False
    if label["op"] == "reschedule":
        return str(got.due) == label["due_date"]
    if label["op"] == "reprioritise":
        return bool(got.priority and got.priority.value == label["priority"])
    if label["op"] == "refine":
        return bool(got.title == label["title"])
    return True


def main() -> None:
    import argparse
    import zlib

    parser = argparse.ArgumentParser()
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--threshold", type=float, default=THRESHOLD)
    parser.add_argument("--data", default="dev", help="comma-separated: dev,dev2,dev3 (pooled)")
    parser.add_argument(
        "--gate", type=float, default=None,
        help="score the classifier as a gate on the patterns' kept operations instead",
    )  # fmt: skip
    args = parser.parse_args()
    if "frozen" in args.data:
        parser.error("the frozen part is never trained or cross-validated on")
    cases = [
        json.loads(line)
        for name in args.data.split(",")
        for line in Path(__file__).with_name(f"{name}.jsonl").read_text("utf-8").splitlines()
        if line
    ]
    second = "patterns+learned" if args.gate is None else f"patterns, gate p>={args.gate}"
    totals = {"patterns": [0, 0, 0, 0], second: [0, 0, 0, 0]}
    for k in range(args.folds):
        held = [c for c in cases if zlib.crc32(c["id"].encode()) % args.folds == k]
        train = [c for c in cases if zlib.crc32(c["id"].encode()) % args.folds != k]
        model = IntentModel(fit(*training_pairs(train)), args.threshold)
        for name, used in (("patterns", None), (second, model)):
            got = _score(held, used, args.gate if used is not None else None)
            totals[name] = [a + b for a, b in zip(totals[name], got, strict=True)]
    for name, (right, total, false, wrong) in totals.items():
        print(f"{name}: change accuracy {right / total:.3f}, false changes {false}, wrong {wrong}")


if __name__ == "__main__":
    main()
