"""The embedded default's answer acknowledges the tasks saved before it (issue 20)."""

from __future__ import annotations

from my_flow_api.services.ai.prompts import assistant_system_prompt, captured_note


def test_the_saved_titles_are_listed_for_the_answer_to_confirm() -> None:
    note = captured_note(["Book a flight", "Call the client", "Renew my passport"])
    assert "- Book a flight\n- Call the client\n- Renew my passport\n" in note
    assert "Never say that you or the app cannot do them." in note


def test_no_saved_task_leaves_the_prompt_as_it_was() -> None:
    assert assistant_system_prompt("Work") + captured_note([]) == assistant_system_prompt("Work")


def test_the_list_is_bounded() -> None:
    note = captured_note([f"Pay invoice {i} " + "x" * 500 for i in range(30)])
    assert note.count("\n- ") == 10
    assert max(len(line) for line in note.splitlines()) <= 122
