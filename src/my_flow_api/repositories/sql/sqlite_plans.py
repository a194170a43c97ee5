"""SQLAlchemy Core statements compiled once into plain `sqlite3` calls.

`Plans.get` compiles a statement for the engine's SQLite dialect once per set of parameter
keys, exactly as SQLAlchemy does on `execute` (`column_keys` are the sorted keys of the
first parameter dict, so an INSERT gets the same column list), and keeps what executing it
needs: the SQL text (qmark paramstyle), where each positional value comes from (a key of
the caller's dict, or a constant compiled into the statement, as `construct_params`
resolves them), and the bind processors of the parameters' dialect types (e.g. the
`UTCDateTime` decorator's, so timestamps are stored as exactly the same text).

Column defaults are filled by SQLAlchemy's execution context, not by the compiler: a
statement that would need them (`insert_prefetch`/`update_prefetch`), or that expands
parameters at execution time, is refused, and must pass every value explicitly.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from sqlalchemy.engine import Dialect
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import Executable
from sqlalchemy.sql.selectable import SelectBase

Processor = Callable[[Any], Any]
MAX_PLANS = 256


class _FromParams:
    """Stands for "the caller's value for `key`" while resolving the parameters."""

    __slots__ = ("key",)

    def __init__(self, key: str) -> None:
        self.key = key


@dataclass(frozen=True, slots=True)
class Plan:
    """One compiled statement, ready to bind a parameter dict to its positional values."""

    sql: str
    keys: tuple[str | None, ...]
    """Per position: the caller's key, or None for a constant of the statement."""
    constants: tuple[Any, ...]
    """Per position: the (already processed) constant, where `keys` has None."""
    processors: tuple[tuple[int, Processor], ...]
    """The positions whose caller values need converting, with their bind processors."""
    result: Processor | None
    """The result processor of the first selected column (None: rows as the driver gives)."""
    _pick: Callable[[Mapping[str, Any]], Any] | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Every position from the caller (the common case): one C call picks them all.
        pick = itemgetter(*self.keys) if self.keys and None not in self.keys else None
        object.__setattr__(self, "_pick", pick)

    def bind(self, params: Mapping[str, Any]) -> list[Any]:
        """The positional values for `params`, converted as SQLAlchemy would."""
        if self._pick is None:
            values = [
                constant if key is None else params[key]
                for key, constant in zip(self.keys, self.constants, strict=True)
            ]
        elif len(self.keys) == 1:
            values = [self._pick(params)]
        else:
            values = list(self._pick(params))
        for position, process in self.processors:
            values[position] = process(values[position])
        return values


def compile_plan(
    statement: Executable, dialect: Dialect, keys: Sequence[str], *, many: bool
) -> Plan:
    """Compile `statement` for parameter dicts with `keys` (see the module docstring)."""
    if not isinstance(statement, ClauseElement):
        raise TypeError(f"not an SQLAlchemy Core statement: {type(statement).__name__}")
    compiled = statement.compile(dialect=dialect, column_keys=sorted(keys), for_executemany=many)
    if not isinstance(compiled, SQLCompiler) or compiled.positiontup is None:
        raise NotImplementedError(f"not a positional SQL statement for {dialect.name}")
    if compiled.insert_prefetch or compiled.update_prefetch:
        raise NotImplementedError("column defaults need SQLAlchemy: pass every value")
    if compiled.post_compile_params or compiled.literal_execute_params:
        raise NotImplementedError("parameters expanded at execution time need SQLAlchemy")
    resolved = compiled.construct_params({k: _FromParams(k) for k in keys}, escape_names=False)
    sources: list[str | None] = []
    constants: list[Any] = []
    processors: list[tuple[int, Processor]] = []
    for position, name in enumerate(compiled.positiontup):
        process = compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
        value = resolved[name]
        if isinstance(value, _FromParams):
            sources.append(value.key)
            constants.append(None)
            if process is not None:
                processors.append((position, process))
        else:
            sources.append(None)
            constants.append(value if process is None else process(value))
    return Plan(
        sql=compiled.string,
        keys=tuple(sources),
        constants=tuple(constants),
        processors=tuple(processors),
        result=_result_processor(statement, dialect),
    )


def _result_processor(statement: ClauseElement, dialect: Dialect) -> Processor | None:
    if not isinstance(statement, SelectBase):
        return None
    first = statement.selected_columns[0].type.dialect_impl(dialect)
    process: Processor | None = first.result_processor(dialect, None)
    return process


class Plans:
    """The compiled plans of one dialect, by statement and parameter keys."""

    def __init__(self, dialect: Dialect) -> None:
        self._dialect = dialect
        self._plans: dict[Hashable, Plan] = {}

    def get(self, statement: Executable, params: Mapping[str, Any], *, many: bool) -> Plan:
        """The plan for `statement` run with parameter dicts like `params` (compiled once)."""
        # The statement itself is in the key (not its id): it stays alive while cached.
        key = (statement, many, *params)
        plan = self._plans.get(key)
        if plan is None:
            if len(self._plans) >= MAX_PLANS:  # only ever reached with ad-hoc statements
                self._plans.clear()
            plan = compile_plan(statement, self._dialect, list(params), many=many)
            self._plans[key] = plan
        return plan
