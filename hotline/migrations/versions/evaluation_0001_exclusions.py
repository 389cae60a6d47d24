"""evaluation: exclusions (核减 of tickets from a department's figures), settled months, tickets by registration

Revision ID: evaluation_0001_exclusions
Revises: 0001_ledger
Create Date: 2026-11-22 01:49:19.710319
"""
from alembic import op
import sqlalchemy as sa
import hotline.db


revision = 'evaluation_0001_exclusions'
down_revision = '0001_ledger'
branch_labels = ('evaluation',)
depends_on = None


def upgrade() -> None:
    op.create_table('evaluation_exclusions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('requested_by_name', sa.String(length=80), nullable=False),
    sa.Column('requested_at', hotline.db.AwareDateTime(timezone=True), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_by_name', sa.String(length=80), nullable=True),
    sa.Column('decided_at', hotline.db.AwareDateTime(timezone=True), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=True),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.Column('revoked_by_name', sa.String(length=80), nullable=True),
    sa.Column('revoked_at', hotline.db.AwareDateTime(timezone=True), nullable=True),
    sa.Column('revoke_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_evaluation_exclusions_decided_by_id_users')),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_evaluation_exclusions_department_id_departments')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_evaluation_exclusions_requested_by_id_users')),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['users.id'], name=op.f('fk_evaluation_exclusions_revoked_by_id_users')),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_evaluation_exclusions_ticket_id_tickets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_exclusions'))
    )
    with op.batch_alter_table('evaluation_exclusions', schema=None) as batch_op:
        batch_op.create_index('ix_evaluation_exclusions_department_status', ['department_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluation_exclusions_ticket_id'), ['ticket_id'], unique=False)
        batch_op.create_index('uq_evaluation_exclusions_live', ['ticket_id', 'department_id'], unique=True, postgresql_where=sa.text("status IN ('pending', 'approved')"), sqlite_where=sa.text("status IN ('pending', 'approved')"))

    op.create_table('evaluation_settled_months',
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.Column('handling_seconds', sa.Float(), nullable=True),
    sa.Column('computed_at', hotline.db.AwareDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_evaluation_settled_months_department_id_departments')),
    sa.PrimaryKeyConstraint('period', 'department_id', name=op.f('pk_evaluation_settled_months'))
    )

    # evaluation's way into the ledger: hotline figures select tickets by registration time
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.create_index('ix_tickets_registered_at', ['registered_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index('ix_tickets_registered_at')

    op.drop_table('evaluation_settled_months')

    with op.batch_alter_table('evaluation_exclusions', schema=None) as batch_op:
        batch_op.drop_index('uq_evaluation_exclusions_live', postgresql_where=sa.text("status IN ('pending', 'approved')"), sqlite_where=sa.text("status IN ('pending', 'approved')"))
        batch_op.drop_index(batch_op.f('ix_evaluation_exclusions_ticket_id'))
        batch_op.drop_index('ix_evaluation_exclusions_department_status')

    op.drop_table('evaluation_exclusions')
