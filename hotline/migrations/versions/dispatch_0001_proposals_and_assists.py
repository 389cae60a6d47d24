"""dispatch: the proposal made for each ticket (model version, rule, outcome) and assisting departments (协办)

Revision ID: dispatch_0001
Revises: 0001_ledger
Create Date: 2026-11-22 02:45:08.466174
"""
from alembic import op
import sqlalchemy as sa
import hotline.db


revision = 'dispatch_0001'
down_revision = '0001_ledger'
branch_labels = ('dispatch',)
depends_on = None


def upgrade() -> None:
    op.create_table('dispatch_assists',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('added_at', hotline.db.AwareDateTime(timezone=True), nullable=False),
    sa.Column('added_by', sa.String(length=80), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('opinion', sa.Text(), nullable=True),
    sa.Column('opinion_at', hotline.db.AwareDateTime(timezone=True), nullable=True),
    sa.Column('opinion_by', sa.String(length=80), nullable=True),
    sa.Column('removed_at', hotline.db.AwareDateTime(timezone=True), nullable=True),
    sa.Column('removed_by', sa.String(length=80), nullable=True),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_dispatch_assists_department_id_departments')),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_dispatch_assists_ticket_id_tickets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dispatch_assists'))
    )
    with op.batch_alter_table('dispatch_assists', schema=None) as batch_op:
        batch_op.create_index('ix_dispatch_assists_department_ticket', ['department_id', 'ticket_id'], unique=False)
        batch_op.create_index('ix_dispatch_assists_ticket_id', ['ticket_id'], unique=False)

    op.create_table('dispatch_proposals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('made_at', hotline.db.AwareDateTime(timezone=True), nullable=False),
    sa.Column('model_name', sa.String(length=80), nullable=True),
    sa.Column('model_version', sa.String(length=80), nullable=True),
    sa.Column('label', sa.String(length=80), nullable=True),
    sa.Column('confidence', sa.Float(), nullable=False),
    sa.Column('department_code', sa.String(length=40), nullable=True),
    sa.Column('service_code', sa.String(length=60), nullable=True),
    sa.Column('district', sa.String(length=20), nullable=True),
    sa.Column('rule', sa.String(length=80), nullable=True),
    sa.Column('priority', sa.String(length=20), nullable=True),
    sa.Column('alternatives', sa.JSON(), nullable=False),
    sa.Column('top_terms', sa.JSON(), nullable=False),
    sa.Column('needs_triage', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('outcome', sa.String(length=12), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_dispatch_proposals_ticket_id_tickets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dispatch_proposals'))
    )
    with op.batch_alter_table('dispatch_proposals', schema=None) as batch_op:
        batch_op.create_index('ix_dispatch_proposals_ticket_id', ['ticket_id', 'id'], unique=False)
        batch_op.create_index('ix_dispatch_proposals_triage', ['outcome', 'ticket_id'], unique=False, postgresql_where=sa.text("outcome = 'triage'"), sqlite_where=sa.text("outcome = 'triage'"))



def downgrade() -> None:
    with op.batch_alter_table('dispatch_proposals', schema=None) as batch_op:
        batch_op.drop_index('ix_dispatch_proposals_triage', postgresql_where=sa.text("outcome = 'triage'"), sqlite_where=sa.text("outcome = 'triage'"))
        batch_op.drop_index('ix_dispatch_proposals_ticket_id')

    op.drop_table('dispatch_proposals')
    with op.batch_alter_table('dispatch_assists', schema=None) as batch_op:
        batch_op.drop_index('ix_dispatch_assists_ticket_id')
        batch_op.drop_index('ix_dispatch_assists_department_ticket')

    op.drop_table('dispatch_assists')
