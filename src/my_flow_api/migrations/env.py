"""Alembic environment: runs on a connection handed in by `my_flow_api.repositories.factory`, or on
its own async engine for commands started through `python -m my_flow_api.migrations`."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from my_flow_api.repositories.sql.engine import Database, make_engine
from my_flow_api.repositories.sql.tables import metadata

config = context.config


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _run_offline() -> None:
    context.configure(
        url=config.attributes["url"],
        target_metadata=metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_with_own_engine() -> None:
    engine = make_engine(config.attributes["url"], pooled=False)
    try:
        async with Database(engine).write() as conn:
            await conn.run_sync(_configure)
    finally:
        await engine.dispose()


def _run() -> None:
    if context.is_offline_mode():
        _run_offline()
    elif (connection := config.attributes.get("connection")) is not None:
        _configure(connection)
    else:
        asyncio.run(_run_with_own_engine())


_run()
