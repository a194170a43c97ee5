"""While the service runs, start-up objects are frozen and the collector runs on the
service's thresholds; both are given back at shutdown."""

from __future__ import annotations

import gc
from pathlib import Path

from my_flow_api.main import GC_THRESHOLDS
from tests.support.app import make_settings, start_api


async def test_the_collector_is_tuned_while_serving_and_restored_after(tmp_path: Path) -> None:
    before = gc.get_threshold()
    assert before != GC_THRESHOLDS
    async for api in start_api(make_settings(tmp_path)):
        assert (await api.client().get("/api/v1/health")).status_code == 200
        assert gc.get_threshold() == GC_THRESHOLDS
        assert gc.get_freeze_count() > 10_000  # the application's start-up objects
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
