"""knowledge: articles, their versions, citizen feedback and the index clock

Revision ID: knowledge_0001
Revises: 0001_ledger
Create Date: 2026-11-22 01:43:28.145627
"""
from alembic import op
import sqlalchemy as sa
import hotline.db


revision = 'knowledge_0001'
down_revision = '0001_ledger'
branch_labels = ('knowledge',)
depends_on = None


def upgrade() -> None:
    op.create_table('knowledge_sync',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('generation', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_knowledge_sync'))
    )
    op.create_table('knowledge_articles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=80), nullable=True),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('latest_version', sa.Integer(), nullable=False),
    sa.Column('published_version', sa.Integer(), nullable=True),
    sa.Column('source_ticket_id', sa.Integer(), nullable=True),
    sa.Column('helpful_count', sa.Integer(), nullable=False),
    sa.Column('not_helpful_count', sa.Integer(), nullable=False),
    sa.Column('generation', sa.Integer(), nullable=False),
    sa.Column('created_at', hotline.db.AwareDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', hotline.db.AwareDateTime(timezone=True), nullable=False),
    sa.Column('published_at', hotline.db.AwareDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_knowledge_articles_department_id_departments')),
    sa.ForeignKeyConstraint(['source_ticket_id'], ['tickets.id'], name=op.f('fk_knowledge_articles_source_ticket_id_tickets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_knowledge_articles')),
    sa.UniqueConstraint('key', name=op.f('uq_knowledge_articles_key'))
    )
    with op.batch_alter_table('knowledge_articles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_knowledge_articles_department_id'), ['department_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_knowledge_articles_generation'), ['generation'], unique=False)
        batch_op.create_index(batch_op.f('ix_knowledge_articles_source_ticket_id'), ['source_ticket_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_knowledge_articles_status'), ['status'], unique=False)

    op.create_table('knowledge_article_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('question', sa.String(length=300), nullable=False),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('keywords', sa.String(length=500), nullable=False),
    sa.Column('service_codes', sa.JSON(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('source_document', sa.String(length=300), nullable=False),
    sa.Column('guide', sa.JSON(), nullable=True),
    sa.Column('change_note', sa.String(length=500), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_by_name', sa.String(length=80), nullable=False),
    sa.Column('created_at', hotline.db.AwareDateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', hotline.db.AwareDateTime(timezone=True), nullable=True),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_by_name', sa.String(length=80), nullable=True),
    sa.Column('reviewed_at', hotline.db.AwareDateTime(timezone=True), nullable=True),
    sa.Column('review_note', sa.Text(), nullable=False),
    sa.Column('index_terms', sa.Text(), nullable=True),
    sa.Column('index_fingerprint', sa.String(length=16), nullable=True),
    sa.ForeignKeyConstraint(['article_id'], ['knowledge_articles.id'], name=op.f('fk_knowledge_article_versions_article_id_knowledge_articles')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_knowledge_article_versions_created_by_id_users')),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_knowledge_article_versions_reviewed_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_knowledge_article_versions')),
    sa.UniqueConstraint('article_id', 'number', name='uq_knowledge_article_versions_number')
    )
    with op.batch_alter_table('knowledge_article_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_knowledge_article_versions_article_id'), ['article_id'], unique=False)

    op.create_table('knowledge_article_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=30), nullable=False),
    sa.Column('version', sa.Integer(), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sa.String(length=80), nullable=False),
    sa.Column('actor_role', sa.String(length=20), nullable=False),
    sa.Column('at', hotline.db.AwareDateTime(timezone=True), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_knowledge_article_events_actor_id_users')),
    sa.ForeignKeyConstraint(['article_id'], ['knowledge_articles.id'], name=op.f('fk_knowledge_article_events_article_id_knowledge_articles')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_knowledge_article_events'))
    )
    with op.batch_alter_table('knowledge_article_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_knowledge_article_events_article_id'), ['article_id'], unique=False)

    op.create_table('knowledge_feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('helpful', sa.Boolean(), nullable=False),
    sa.Column('client_hash', sa.String(length=64), nullable=False),
    sa.Column('at', hotline.db.AwareDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['knowledge_articles.id'], name=op.f('fk_knowledge_feedback_article_id_knowledge_articles')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_knowledge_feedback'))
    )
    with op.batch_alter_table('knowledge_feedback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_knowledge_feedback_article_id'), ['article_id'], unique=False)
        batch_op.create_index('ix_knowledge_feedback_client_at', ['client_hash', 'at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('knowledge_feedback', schema=None) as batch_op:
        batch_op.drop_index('ix_knowledge_feedback_client_at')
        batch_op.drop_index(batch_op.f('ix_knowledge_feedback_article_id'))

    op.drop_table('knowledge_feedback')
    with op.batch_alter_table('knowledge_article_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_knowledge_article_events_article_id'))

    op.drop_table('knowledge_article_events')
    with op.batch_alter_table('knowledge_article_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_knowledge_article_versions_article_id'))

    op.drop_table('knowledge_article_versions')
    with op.batch_alter_table('knowledge_articles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_knowledge_articles_status'))
        batch_op.drop_index(batch_op.f('ix_knowledge_articles_source_ticket_id'))
        batch_op.drop_index(batch_op.f('ix_knowledge_articles_generation'))
        batch_op.drop_index(batch_op.f('ix_knowledge_articles_department_id'))

    op.drop_table('knowledge_articles')
    op.drop_table('knowledge_sync')
