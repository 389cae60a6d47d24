"""telephony: call records (calls) and agents' breaks (agent_breaks)

Revision ID: telephony_0001
Revises: 0001_ledger
Create Date: 2026-11-22 01:44:02.410420
"""
from alembic import op
import sqlalchemy as sa
import hotline.db


revision = 'telephony_0001'
down_revision = '0001_ledger'
branch_labels = ('telephony',)
depends_on = None


def upgrade() -> None:
    op.create_table('agent_breaks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('interface', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.String(length=80), nullable=False),
    sa.Column('started_at', hotline.db.AwareDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', hotline.db.AwareDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_agent_breaks_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agent_breaks'))
    )
    with op.batch_alter_table('agent_breaks', schema=None) as batch_op:
        batch_op.create_index('ix_agent_breaks_user_id_ended_at', ['user_id', 'ended_at'], unique=False)

    op.create_table('calls',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('linkedid', sa.String(length=64), nullable=False),
    sa.Column('source', sa.String(length=12), nullable=False),
    sa.Column('direction', sa.String(length=12), nullable=False),
    sa.Column('caller_number', sa.String(length=32), nullable=True),
    sa.Column('channel', sa.String(length=80), nullable=True),
    sa.Column('queue', sa.String(length=40), nullable=True),
    sa.Column('agent_interface', sa.String(length=64), nullable=True),
    sa.Column('agent_name', sa.String(length=80), nullable=True),
    sa.Column('agent_channel', sa.String(length=80), nullable=True),
    sa.Column('agent_user_id', sa.Integer(), nullable=True),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.Column('ticket_number', sa.String(length=64), nullable=True),
    sa.Column('callback_action_id', sa.String(length=80), nullable=True),
    sa.Column('arrived_at', hotline.db.AwareDateTime(timezone=True), nullable=False),
    sa.Column('queued_at', hotline.db.AwareDateTime(timezone=True), nullable=True),
    sa.Column('left_queue_at', hotline.db.AwareDateTime(timezone=True), nullable=True),
    sa.Column('answered_at', hotline.db.AwareDateTime(timezone=True), nullable=True),
    sa.Column('agent_leg_ended_at', hotline.db.AwareDateTime(timezone=True), nullable=True),
    sa.Column('transferred_at', hotline.db.AwareDateTime(timezone=True), nullable=True),
    sa.Column('ended_at', hotline.db.AwareDateTime(timezone=True), nullable=True),
    sa.Column('last_event_at', hotline.db.AwareDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', hotline.db.AwareDateTime(timezone=True), nullable=False),
    sa.Column('wait_seconds', sa.Float(), nullable=True),
    sa.Column('talk_seconds', sa.Float(), nullable=True),
    sa.Column('abandoned_in_queue', sa.Boolean(), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=True),
    sa.Column('end_reason', sa.String(length=16), nullable=True),
    sa.Column('hangup_by', sa.String(length=16), nullable=True),
    sa.Column('dial_status', sa.String(length=16), nullable=True),
    sa.Column('transfer_target', sa.String(length=80), nullable=True),
    sa.Column('transfer_destination', sa.String(length=80), nullable=True),
    sa.Column('partial', sa.Boolean(), nullable=False),
    sa.Column('recording_url', sa.String(length=500), nullable=True),
    sa.Column('ring_no_answer', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['agent_user_id'], ['users.id'], name=op.f('fk_calls_agent_user_id_users')),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_calls_ticket_id_tickets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calls')),
    sa.UniqueConstraint('linkedid', name=op.f('uq_calls_linkedid'))
    )
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.create_index('ix_calls_agent_interface_ended_at', ['agent_interface', 'ended_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_calls_agent_user_id'), ['agent_user_id'], unique=False)
        batch_op.create_index('ix_calls_arrived_at', ['arrived_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_calls_caller_number'), ['caller_number'], unique=False)
        batch_op.create_index(batch_op.f('ix_calls_ended_at'), ['ended_at'], unique=False)
        batch_op.create_index('ix_calls_queued_at', ['queued_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_calls_ticket_id'), ['ticket_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calls_ticket_id'))
        batch_op.drop_index('ix_calls_queued_at')
        batch_op.drop_index(batch_op.f('ix_calls_ended_at'))
        batch_op.drop_index(batch_op.f('ix_calls_caller_number'))
        batch_op.drop_index('ix_calls_arrived_at')
        batch_op.drop_index(batch_op.f('ix_calls_agent_user_id'))
        batch_op.drop_index('ix_calls_agent_interface_ended_at')

    op.drop_table('calls')
    with op.batch_alter_table('agent_breaks', schema=None) as batch_op:
        batch_op.drop_index('ix_agent_breaks_user_id_ended_at')

    op.drop_table('agent_breaks')
