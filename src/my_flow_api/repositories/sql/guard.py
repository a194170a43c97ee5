"""Turn "the database cannot be reached" into `StoreUnavailableError`.

The raised error says nothing about the server, the credentials or the SQL: driver
messages may carry a DSN or a statement with user content, so only the exception's
class name is logged, and the original error is not chained.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import structlog
from sqlalchemy import exc as sa_exc

from my_flow_api.errors import StoreUnavailableError

log = structlog.get_logger(__name__)

UNAVAILABLE_MESSAGE = "The database is unavailable; try again later"

_CONNECTION_ERRORS: tuple[type[BaseException], ...] = (
    sa_exc.OperationalError,
    sa_exc.InterfaceError,
    sa_exc.TimeoutError,
    sa_exc.DisconnectionError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.CannotConnectNowError,
    asyncpg.TooManyConnectionsError,
    OSError,
    TimeoutError,
)


def is_connection_failure(exc: BaseException) -> bool:
    """True when `exc` means the server could not be reached or the link broke."""
    if isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(exc, _CONNECTION_ERRORS)


def unavailable(exc: BaseException) -> StoreUnavailableError:
    """The domain error for a connection failure, logged without any detail that could leak."""
    log.warning("database unavailable", error_type=type(exc).__name__)
    return StoreUnavailableError(UNAVAILABLE_MESSAGE)


def translated(exc: Exception) -> Exception:
    """What `guarded` raises for `exc`: `exc` itself, or the `StoreUnavailableError` it means."""
    if not isinstance(exc, StoreUnavailableError) and is_connection_failure(exc):
        return unavailable(exc)
    return exc


@asynccontextmanager
async def guarded() -> AsyncIterator[None]:
    """Run a block, re-raising connection failures as `StoreUnavailableError`."""
    try:
        yield
    except Exception as exc:
        mapped = translated(exc)
        if mapped is exc:
            raise
        raise mapped from None
