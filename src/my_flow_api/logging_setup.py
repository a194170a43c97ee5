"""Structured logging: JSON in production, readable in a terminal.

Request-scoped values (`user_id`, `context_id`) are bound with structlog's contextvars and
appear on every line of that request. Nothing here ever logs tokens, keys or message content.
"""

from __future__ import annotations

import logging
import sys

import structlog

from my_flow_api.config import LogFormat


def _use_json(fmt: LogFormat) -> bool:
    if fmt is LogFormat.AUTO:
        return not sys.stderr.isatty()
    return fmt is LogFormat.JSON


def configure_logging(fmt: LogFormat = LogFormat.AUTO, level: str = "INFO") -> None:
    """Route stdlib and structlog records through one structlog formatter on stderr."""
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.StackInfoRenderer(),
    ]
    renderer: structlog.types.Processor
    if _use_json(fmt):
        renderer = structlog.processors.JSONRenderer()
        shared.append(structlog.processors.format_exc_info)
    else:
        # A plain traceback: structlog's default with rich installed prints every frame's
        # local variables (a request's token, a message's text) and pretty-prints them,
        # which took minutes for a large one.
        renderer = structlog.dev.ConsoleRenderer(
            colors=sys.stderr.isatty(), exception_formatter=structlog.dev.plain_traceback
        )
    structlog.configure(
        # filter_by_level first: a DEBUG line at INFO (two per chat stream) is dropped before
        # the chain copies the context, stamps the time and wraps it for stdlib's logger
        # (which dropped it only at the end). Not in `foreign_pre_chain`: stdlib filtered
        # those records already.
        processors=[
            structlog.stdlib.filter_by_level,
            *shared,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
        )
    )
    # No line shows the thread or process: the records skip collecting them (the logging
    # HOWTO's "Optimization"). Every record is made twice (ProcessorFormatter formats a
    # copy), for each of a chat stream's two INFO lines. `logging._srcfile` stays: without
    # it a stdlib record loses its `stack_info` (aiohttp logs one), a field of its line.
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("aiosqlite", "asyncio"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
