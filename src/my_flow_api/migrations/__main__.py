"""`python -m my_flow_api.migrations <alembic command…>` against the configured database."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from alembic.config import CommandLine

from my_flow_api.config import load_settings
from my_flow_api.repositories.factory import alembic_config


def main(argv: Sequence[str] | None = None) -> None:
    """Run an Alembic command (upgrade, revision --autogenerate, history, …)."""
    cli = CommandLine(prog="python -m my_flow_api.migrations")
    options = cli.parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    if not hasattr(options, "cmd"):
        cli.parser.error("too few arguments")
    cli.run_cmd(alembic_config(load_settings().database_url), options)


if __name__ == "__main__":
    main()
