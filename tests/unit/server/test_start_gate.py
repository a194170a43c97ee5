"""Which requests the start gate holds to admission: the two HTTP operations that start a
turn, nothing else."""

from __future__ import annotations

import pytest

from my_flow_api.server.start_gate import starts_a_turn


@pytest.mark.parametrize(
    ("method", "path", "gated"),
    [
        ("POST", "/api/v1/conversations/stream", True),
        ("POST", "/api/v1/contexts/abc123/chat", True),
        ("GET", "/api/v1/conversations/stream", False),
        ("POST", "/api/v1/contexts/abc/chat/xyz/stop", False),
        ("GET", "/api/v1/contexts/abc/chat/xyz/stream", False),
        ("POST", "/api/v1/contexts//chat", True),
        ("POST", "/api/v1/contexts/a/b/chat", False),
        ("POST", "/api/v1/conversations/streams/s1/cancel", False),
        ("POST", "/api/v1/contexts", False),
    ],
)
def test_only_the_start_operations_are_gated(method: str, path: str, gated: bool) -> None:
    assert starts_a_turn({"type": "http", "method": method, "path": path}) is gated


def test_websockets_pass() -> None:
    assert not starts_a_turn({"type": "websocket", "path": "/api/v1/chat/socket"})
