"""The OpenAPI document builds and describes the streaming endpoints as event streams."""

from __future__ import annotations

from pathlib import Path

from my_flow_api.config import load_settings
from my_flow_api.main import create_app


def test_stream_endpoints_are_documented_as_event_streams(tmp_path: Path) -> None:
    app = create_app(load_settings(_env_file=None, DATA_DIR=tmp_path))
    paths = app.openapi()["paths"]
    started = paths["/api/v1/conversations/stream"]["post"]["responses"]
    resumed = paths["/api/v1/conversations/streams/{stream_id}"]["get"]["responses"]
    for responses in (started, resumed):
        assert "text/event-stream" in responses["200"]["content"]
        assert "404" in responses
    assert {"413", "429", "502", "503", "504"} <= set(started)
