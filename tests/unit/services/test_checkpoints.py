"""The periodic saves of a streaming answer: when they happen, and that `stop` ends them."""

from __future__ import annotations

import asyncio
from typing import Any

from my_flow_api.services.chat.checkpoints import Checkpoints

INTERVAL = 0.02


class Recorder:
    """A conversation repository that records checkpoint writes (and may be slow)."""

    def __init__(self, delay: float = 0.0) -> None:
        self.saved: list[tuple[str, str | None]] = []
        self.delay = delay
        self.called = asyncio.Event()

    async def checkpoint(
        self, conversation_id: str, user_id: str, answer: str, message_id: str | None
    ) -> str | None:
        self.called.set()
        await asyncio.sleep(self.delay)
        self.saved.append((answer, message_id))
        return message_id or "msg-1"


def checkpoints(repo: Any, parts: list[str]) -> Checkpoints:
    return Checkpoints(repo, "conv-1", "user-1", lambda: parts, INTERVAL)


async def test_a_growing_answer_is_saved_once_per_tick_and_never_when_unchanged() -> None:
    repo, parts = Recorder(), ["Hel"]
    saves = checkpoints(repo, parts)
    saves.start()
    await asyncio.sleep(INTERVAL * 2.5)
    assert repo.saved == [("Hel", None)]  # the second tick found nothing new
    parts.append("lo")
    await asyncio.sleep(INTERVAL * 4)
    assert repo.saved == [("Hel", None), ("Hello", "msg-1")]
    assert await saves.stop() == "msg-1"


async def test_stop_waits_for_a_save_under_way_and_ends_the_ticks() -> None:
    repo, parts = Recorder(delay=INTERVAL * 2), ["Hi"]
    saves = checkpoints(repo, parts)
    saves.start()
    await repo.called.wait()  # the first save is under way
    assert await saves.stop() == "msg-1"
    assert repo.saved == [("Hi", None)]
    parts.append(" there")
    await asyncio.sleep(INTERVAL * 4)
    assert repo.saved == [("Hi", None)]


async def test_a_turn_that_ends_before_its_first_tick_saves_nothing() -> None:
    repo = Recorder()
    saves = checkpoints(repo, ["Hi"])
    saves.start()
    assert await saves.stop() is None
    saves.start()  # a stopped turn never ticks again
    await asyncio.sleep(INTERVAL * 2)
    assert repo.saved == []


async def test_a_failed_save_is_tried_again_at_the_next_tick() -> None:
    class Flaky(Recorder):
        async def checkpoint(
            self, conversation_id: str, user_id: str, answer: str, message_id: str | None
        ) -> str | None:
            if not self.saved:
                self.saved.append(("failed", None))
                raise OSError("disk")
            return await super().checkpoint(conversation_id, user_id, answer, message_id)

    repo = Flaky()
    saves = checkpoints(repo, ["Hi"])
    saves.start()
    await asyncio.sleep(INTERVAL * 5)
    assert repo.saved[:2] == [("failed", None), ("Hi", None)]
    assert await saves.stop() == "msg-1"
