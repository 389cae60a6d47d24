"""tracking: the index on tickets.merged_into_id holds merged tickets only

Revision ID: tracking_0002
Revises: tracking_0001
Create Date: 2026-12-07 19:50:00

Nearly every ticket has no ``merged_into_id``. A full index counts all those
NULLs as one value: after ``ANALYZE`` SQLite's statistics say a lookup
``merged_into_id = ?`` (every 并单 looks for the repeats folded into its ticket)
matches most of the table, and it scanned the table instead, inside the write
lock: at a surge of follow-up texts that held the embedded default to about 70
a second (docs/benchmarks.md). A partial index holds only merged tickets, so
its statistics are theirs; ``merged_into_id = ?`` implies NOT NULL, so both
databases use it.
"""
from alembic import op
import sqlalchemy as sa


revision = 'tracking_0002'
down_revision = 'tracking_0001'
branch_labels = None
depends_on = None

WHERE = sa.text('merged_into_id IS NOT NULL')


def upgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index('ix_tickets_merged_into_id')
        batch_op.create_index('ix_tickets_merged_into_id', ['merged_into_id'], unique=False,
                              postgresql_where=WHERE, sqlite_where=WHERE)


def downgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index('ix_tickets_merged_into_id', postgresql_where=WHERE, sqlite_where=WHERE)
        batch_op.create_index('ix_tickets_merged_into_id', ['merged_into_id'], unique=False)
