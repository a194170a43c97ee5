"""The log's own promise: no token or message content, in either format, even in a
traceback (structlog's console default with rich installed prints every frame's locals)."""

from __future__ import annotations

import logging

import pytest
import structlog

from my_flow_api.config import LogFormat
from my_flow_api.logging_setup import configure_logging

SECRET = "eyJhbGciOiJSUzI1NiJ9.secret-token-payload"


def _fail(authorization: str) -> None:
    message = f"user text {authorization}"
    raise ValueError(f"{len(message)} characters")


@pytest.mark.unit
@pytest.mark.parametrize("fmt", [LogFormat.CONSOLE, LogFormat.JSON])
def test_a_logged_exception_shows_its_traceback_but_no_local_values(
    fmt: LogFormat, capsys: pytest.CaptureFixture[str]
) -> None:
    root = logging.getLogger()
    handlers, level, config = root.handlers[:], root.level, structlog.get_config()
    configure_logging(fmt)  # its handler writes to this test's captured stderr
    try:
        try:
            _fail(SECRET)
        except ValueError:
            structlog.get_logger("t").exception("Turn failed")
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        structlog.configure(**config)
    err = capsys.readouterr().err
    assert "Turn failed" in err
    assert "ValueError" in err
    assert "_fail" in err  # the traceback is there
    assert SECRET not in err
