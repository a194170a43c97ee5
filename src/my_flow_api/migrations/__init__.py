"""Alembic migrations of the SQL store, shipped inside the package.

They run programmatically: `my_flow_api.repositories.factory.alembic_config(url)` builds the
configuration in code (no alembic.ini), `upgrade_database(url)` applies them (automatically
for the embedded SQLite default, through `my-flow db upgrade` otherwise).

Any other Alembic command runs through this package against `DATABASE_URL` (or the
embedded default), e.g. after changing `repositories/sql/tables.py`::

    export DATABASE_URL=sqlite+aiosqlite:///data/autogen.db   # a scratch database
    uv run python -m my_flow_api.migrations upgrade head
    uv run python -m my_flow_api.migrations revision --autogenerate --rev-id 0002 -m "add x"
    uv run python -m my_flow_api.migrations history

Review the generated file in `versions/`, keep SQLite in mind (the environment renders
batch operations so ALTERs work there), and run the repository tests: they check that
the migrated schema matches the tables.
"""
