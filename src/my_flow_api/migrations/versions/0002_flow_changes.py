"""Automatic flow changes (issue 22): what a chat turn changed, to announce and undo it.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create `flow_changes` and its indexes."""
    op.create_table(
        "flow_changes",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(255), nullable=False),
        sa.Column("context_id", sa.String(64), nullable=False),
        sa.Column("flow_id", sa.String(64), nullable=False),
        sa.Column("op", sa.String(16), nullable=False),
        sa.Column("before", sa.Text(), nullable=False),
        sa.Column("after", sa.Text(), nullable=True),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("undone_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_flow_changes"),
        sa.ForeignKeyConstraint(
            ["context_id"],
            ["contexts.id"],
            name="fk_flow_changes_context_id_contexts",
            ondelete="CASCADE",
        ),
    )
    op.create_index(
        "ix_flow_changes_user_context_created",
        "flow_changes",
        ["user_id", "context_id", "created_at"],
    )
    op.create_index("ix_flow_changes_context_id", "flow_changes", ["context_id"])


def downgrade() -> None:
    """Drop `flow_changes` (the record of automatic changes, not the flows)."""
    op.drop_index("ix_flow_changes_context_id", table_name="flow_changes")
    op.drop_index("ix_flow_changes_user_context_created", table_name="flow_changes")
    op.drop_table("flow_changes")
