"""Session 9 (sixth follow-up round): new flows on follow-up turns are scored with the
whole chat in view, a hedged sentence adds none, and Portuguese's inflected infinitive is
a verb. Sentences written for the classes."""

from __future__ import annotations

from typing import Any

import pytest

from my_flow_api.services.extraction.followup import guards
from my_flow_api.services.extraction.followup.new_flows import holds_verb, new_flow_filter
from my_flow_api.services.extraction.followup.operations import Op, Operation
from my_flow_api.services.extraction.learned import extract as learned_extract
from my_flow_api.services.extraction.learned.extract import extract_learned, titled_spans
from tests.support.followup import TODAY, flow, user

# -- scored whole, then filtered --------------------------------------------------------


def test_the_classifier_sees_every_candidate_before_any_is_left_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The second stage weighs a candidate against the chat's others (size, rank, best
    score): a candidate is scored with the sentences about open flows in view and without
    them, and kept when it clears the threshold in either reading."""
    said = "scratch the cake order, the party is off, sam is ill"
    chat = user(f"{said}. I have to email the landlord about the boiler tomorrow.")
    all_spans = [span for span, _ in titled_spans(chat, TODAY)]
    assert len(all_spans) > 1
    seen: list[int] = []
    model = learned_extract.shipped_model()

    class Spy:
        def probabilities(self, spans: Any) -> list[float]:
            seen.append(len(spans))
            return model.probabilities(spans)

        def threshold_for(self, answered: bool) -> float:
            return model.threshold_for(answered)

    monkeypatch.setattr(learned_extract, "shipped_model", Spy)
    flows = [flow("Order a birthday cake for Sam", "f1")]
    skip = new_flow_filter(chat, flows, [Operation(Op.CANCEL, "f1", said)])
    assert any(skip(span) for span in all_spans)
    extract_learned(chat, TODAY, None, skip)
    kept = [span for span in all_spans if not skip(span)]
    assert seen == [len(all_spans), len(kept)]


def test_a_skipped_candidate_never_comes_back() -> None:
    chat = user("scratch the cake order, the party is off")
    assert extract_learned(chat, TODAY, None, lambda span: True) == []


# -- a hedged sentence ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "hedge"),
    [
        ("je me dis que je devrais peut-être garder Canal+ finalement", True),
        ("maybe I should keep the gym after all", True),
        ("quizás reservo otra vez el italiano, ya veremos", True),
        ("vielleicht kündige ich doch nicht", True),
        ("forse tengo l'abbonamento", True),
        ("need to call the plumber, maybe Thursday", False),
        ("vielleicht morgen, ich muss den Keller aufräumen", False),
        ("et il faut que je prenne rendez-vous, rien à voir avec l'ophtalmo", False),
        ("I need to book the vet", False),
        ("maybe remind me to call the bank tomorrow", False),
        ("could you maybe add the car wash to my list", False),
    ],
)
def test_hedged(text: str, hedge: bool) -> None:
    assert guards.hedged(text) is hedge


def test_a_hedge_only_stops_a_sentence_about_an_open_flow() -> None:
    """A hedged sentence about an open flow adds nothing ("maybe", the change undecided);
    a sentence about something else is the extractor's to judge, as it is in a context
    without open flows: the same words must not give other flows because of unrelated
    open ones (review)."""
    flows = [flow("Move the boxes to Paul's", "f1")]
    about = user("maybe I should move the boxes and also the old desk to Paul's, not sure")
    skip = new_flow_filter(about, flows, [])
    spans = [(s, t) for s, t in titled_spans(about, TODAY) if "desk" in t.lower()]
    assert spans
    assert all(skip(s) for s, _ in spans)
    for text in (
        "I have to pay the rent, maybe on the 3rd",
        "I need to call the dentist, not sure when",
    ):
        chat = user(text)
        alone = {t for _, t in titled_spans(chat, TODAY)}
        assert alone, text
        skip = new_flow_filter(chat, flows, [])
        assert {t for s, t in titled_spans(chat, TODAY) if not skip(s)} == alone, text


# -- Portuguese's inflected infinitive --------------------------------------------------


@pytest.mark.parametrize(
    ("title", "verb"),
    [
        ("Pediu para marcarmos uma reunião de apresentação", True),
        ("Pediram para fazerem a revisão", True),
        ("Lista de lugares", False),
        ("Reunião de apresentação", False),
    ],
)
def test_portuguese_inflected_infinitive_is_a_verb(title: str, verb: bool) -> None:
    assert holds_verb(title) is verb


# -- French "car" -------------------------------------------------------------------------


def test_english_car_is_no_french_because() -> None:
    from my_flow_api.services.extraction.learned.pieces import task_phrase

    said = "I must schedule the car service before the trip"
    assert task_phrase(said, "en")[0] == "schedule the car service before the trip"
    french = "je dois appeler le garage demain car la voiture fait un bruit"
    assert task_phrase(french, "fr")[0] == "appeler le garage demain"


# -- an add to the list, the list named first ----------------------------------------------


@pytest.mark.parametrize(
    ("text", "language", "task"),
    [
        ("Apunta en mi lista renovar el DNI", "es", "renovar el DNI"),
        (
            "apúntame preparar la entrevista para ese día",
            "es",
            "preparar la entrevista para ese día",
        ),
        ("add to my list: call the bank", "en", "call the bank"),
        ("segnami di chiamare Luca", "it", "chiamare Luca"),
        ("ajoute à ma liste appeler le garage", "fr", "appeler le garage"),
        ("anota na lista comprar pão", "pt", "comprar pão"),
        ("setz auf die Einkaufsliste: Milch kaufen", "de", "Milch kaufen"),
    ],
)
def test_an_add_to_the_list_naming_the_list_first_is_a_cue(
    text: str, language: str, task: str
) -> None:
    from my_flow_api.services.extraction.cues import find_cue

    cue = find_cue(text, language)
    assert cue is not None
    assert cue.task.strip() == task
