"""The periodic saves of a streaming answer: when they happen, that concurrent turns' saves
go out together, and that `stop` ends them."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

from my_flow_api.models.conversation import CheckpointWrite
from my_flow_api.services.chat.checkpoints import Checkpoints, CheckpointWriter

INTERVAL = 0.04


class Recorder:
    """A conversation repository that records checkpoint writes (and may be slow)."""

    def __init__(self, delay: float = 0.0) -> None:
        self.calls: list[list[tuple[str, str, str | None]]] = []
        self.delay = delay
        self.called = asyncio.Event()

    @property
    def saved(self) -> list[tuple[str, str | None]]:
        return [(answer, message_id) for call in self.calls for _, answer, message_id in call]

    async def checkpoint_many(self, writes: Sequence[CheckpointWrite]) -> list[str | None]:
        self.called.set()
        await asyncio.sleep(self.delay)
        self.calls.append([(w.conversation_id, w.answer, w.message_id) for w in writes])
        return [w.message_id or f"msg-{w.conversation_id}" for w in writes]


def checkpoints(repo: Recorder, parts: list[str], conversation_id: str = "1") -> Checkpoints:
    writer = CheckpointWriter(repo, INTERVAL)  # type: ignore[arg-type]
    return Checkpoints(writer, conversation_id, "user-1", lambda: parts)


async def test_a_growing_answer_is_saved_once_per_interval_and_never_when_unchanged() -> None:
    repo, parts = Recorder(), ["Hel"]
    saves = checkpoints(repo, parts)
    saves.start()
    await asyncio.sleep(INTERVAL * 2.5)
    assert repo.saved == [("Hel", None)]  # the later ticks found nothing new
    parts.append("lo")
    await asyncio.sleep(INTERVAL * 2.5)
    assert repo.saved == [("Hel", None), ("Hello", "msg-1")]
    assert await saves.stop() == "msg-1"


async def test_concurrent_turns_are_saved_in_one_call() -> None:
    repo = Recorder()
    writer = CheckpointWriter(repo, INTERVAL)  # type: ignore[arg-type]
    turns = [Checkpoints(writer, str(n), "user-1", lambda n=n: [f"answer {n}"]) for n in range(3)]
    for turn in turns:
        turn.start()
    await asyncio.sleep(INTERVAL * 1.6)
    assert repo.calls == [[(str(n), f"answer {n}", None) for n in range(3)]]
    assert [await turn.stop() for turn in turns] == ["msg-0", "msg-1", "msg-2"]


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


async def test_a_turn_that_ends_within_half_an_interval_saves_nothing() -> None:
    repo = Recorder()
    saves = checkpoints(repo, ["Hi"])
    saves.start()
    await asyncio.sleep(0)  # the loop runs on, less than half an interval
    assert await saves.stop() is None
    saves.start()  # a stopped turn never ticks again
    await asyncio.sleep(INTERVAL * 2)
    assert repo.saved == []


async def test_a_failed_save_is_tried_again_at_the_next_tick() -> None:
    class Flaky(Recorder):
        async def checkpoint_many(self, writes: Sequence[CheckpointWrite]) -> list[str | None]:
            if not self.calls:
                self.calls.append([("1", "failed", None)])
                raise OSError("disk")
            return await super().checkpoint_many(writes)

    repo = Flaky()
    saves = checkpoints(repo, ["Hi"])
    saves.start()
    await asyncio.sleep(INTERVAL * 3)
    assert repo.saved[:2] == [("failed", None), ("Hi", None)]
    assert await saves.stop() == "msg-1"


async def test_a_turn_no_longer_streaming_is_not_marked_saved() -> None:
    class Ended(Recorder):
        async def checkpoint_many(self, writes: Sequence[CheckpointWrite]) -> list[str | None]:
            await super().checkpoint_many(writes)
            return [None] * len(writes)

    repo = Ended()
    saves = checkpoints(repo, ["Hi"])
    saves.start()
    await asyncio.sleep(INTERVAL * 1.6)
    assert repo.saved[:1] == [("Hi", None)]
    assert await saves.stop() is None


def growing() -> Callable[[], list[str]]:
    """An answer with one more part each time it is read: news at every due tick."""
    parts: list[str] = []

    def answer() -> list[str]:
        parts.append("x")
        return parts

    return answer


async def test_a_turn_started_half_an_interval_later_joins_the_others_saves() -> None:
    repo = Recorder()
    writer = CheckpointWriter(repo, INTERVAL)  # type: ignore[arg-type]
    first = Checkpoints(writer, "a", "user-1", growing())
    first.start()
    await asyncio.sleep(INTERVAL / 2)
    second = Checkpoints(writer, "b", "user-1", growing())
    second.start()
    await asyncio.sleep(INTERVAL * 4)
    assert await first.stop() is not None
    assert await second.stop() is not None
    together = [sorted(cid for cid, _, _ in call) for call in repo.calls]
    assert together[0] == ["a"]  # their first saves fall on different phases of the grid
    assert together[-2:] == [["a", "b"], ["a", "b"]]  # and the later ones on the same
