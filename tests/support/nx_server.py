"""Run nx-27017 for the tests, corrected where it differs from MongoDB in ways the store meets.

Usage (what `tests.support.mongo` does): `python tests/support/nx_server.py <nx-27017 args>`.
The server is the `nx-27017` console entry point, started after two corrections that
only concern the test server, never the product code:

1. neosqlite's SQL fast path for updates stores a `$set` datetime as a naive string, a
   `$set` boolean as an integer and `$push`ed documents as JSON text. Its documented
   kill switch, `set_force_fallback(True)`, applies every update in Python instead, with
   correct BSON types.
2. `findAndModify` (`find_one_and_update` and friends) swallows every error and answers
   "no document": a unique-index violation must be a duplicate-key error (code 11000)
   as in MongoDB. The collection methods are wrapped so that a unique violation escapes
   the handler's `except Exception` and becomes a proper 11000 error reply.
"""

from __future__ import annotations

import functools
import importlib
import sys
from collections.abc import Callable
from typing import Any

DUPLICATE_KEY = 11000


class _DuplicateKey(BaseException):
    """A unique violation inside findAndModify, carried past nx-27017's `except Exception`."""


def _is_unique_violation(exc: Exception) -> bool:
    return "UNIQUE" in str(exc).upper() or type(exc).__name__ == "IntegrityError"


def _raise_duplicates(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return method(*args, **kwargs)
        except Exception as exc:
            if _is_unique_violation(exc):
                raise _DuplicateKey(str(exc)) from exc
            raise

    return wrapper


def _answer_duplicates(handle: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(handle)
    def wrapper(self: Any, msg: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        try:
            result: tuple[int, dict[str, Any]] = handle(self, msg)
        except _DuplicateKey as exc:
            reply = {"ok": 0, "code": DUPLICATE_KEY, "codeName": "DuplicateKey", "errmsg": str(exc)}
            return msg["request_id"], reply
        return result

    return wrapper


def patch() -> None:
    """Apply both corrections (see the module docstring)."""
    utils = importlib.import_module("neosqlite.collection.query_helper.utils")
    collection = importlib.import_module("neosqlite.collection").Collection
    handler = importlib.import_module("nx_27017.handler").NeoSQLiteHandler

    utils.set_force_fallback(True)
    for name in ("find_one_and_update", "find_one_and_replace", "find_one_and_delete"):
        setattr(collection, name, _raise_duplicates(getattr(collection, name)))
    handler.handle_command = _answer_duplicates(handler.handle_command)


def main() -> None:
    """Patch, then run the nx-27017 command line with this script's arguments."""
    patch()
    sys.argv[0] = "nx-27017"
    sys.exit(importlib.import_module("nx_27017.nx_27017").main())


if __name__ == "__main__":
    main()
