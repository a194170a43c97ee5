"""Turn "MongoDB cannot be reached" into `StoreUnavailableError`.

PyMongo's connection errors name hosts and ports and a URI error may echo parts of the
URI, so the domain error says nothing about the server: only the exception's class name
is logged, and the original error is not chained.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, ParamSpec, TypeVar

import structlog
from pymongo.errors import ConnectionFailure, ExecutionTimeout, OperationFailure, WTimeoutError

from my_flow_api.errors import StoreUnavailableError

log = structlog.get_logger(__name__)

UNAVAILABLE_MESSAGE = "The database is unavailable; try again later"

_AUTH_FAILED = 18
"""MongoDB's AuthenticationFailed: the server answers but this service cannot use it."""

P = ParamSpec("P")
R = TypeVar("R")


def is_connection_failure(exc: BaseException) -> bool:
    """True when `exc` means the server could not be reached, answered too late or refused us.

    `ConnectionFailure` covers `AutoReconnect`, `NetworkTimeout`, `NotPrimaryError`,
    `ServerSelectionTimeoutError` and `WaitQueueTimeoutError`.
    """
    if isinstance(exc, ConnectionFailure | ExecutionTimeout | WTimeoutError):
        return True
    return isinstance(exc, OperationFailure) and exc.code == _AUTH_FAILED


def unavailable(exc: BaseException) -> StoreUnavailableError:
    """The domain error for a connection failure, logged without any detail that could leak."""
    log.warning("database unavailable", backend="mongodb", error_type=type(exc).__name__)
    return StoreUnavailableError(UNAVAILABLE_MESSAGE)


def guarded(fn: Callable[P, Awaitable[R]]) -> Callable[P, Coroutine[Any, Any, R]]:
    """Decorate a coroutine function so that connection failures become StoreUnavailableError."""

    @functools.wraps(fn)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await fn(*args, **kwargs)
        except StoreUnavailableError:
            raise
        except Exception as exc:
            if is_connection_failure(exc):
                raise unavailable(exc) from None
            raise

    return wrapper
