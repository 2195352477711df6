"""Add onboarding_sessions

Revision ID: 0d4e6f8a2b19
Revises: c5e8f7a1b302
Create Date: 2025-12-01 11:05:33.000000

"""
from alembic import op
import sqlalchemy as sa


revision = '0d4e6f8a2b19'
down_revision = 'c5e8f7a1b302'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'onboarding_sessions',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('user_id', sa.Integer(), sa.ForeignKey('users.id', ondelete='CASCADE'), nullable=False),
        sa.Column('step', sa.String(length=50), nullable=False, server_default='welcome'),
        sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    )
    # Every existing user starts at the welcome step.
    op.execute("""
        INSERT INTO onboarding_sessions (user_id, step)
        SELECT id, 'welcome' FROM users
    """)


def downgrade() -> None:
    op.drop_table('onboarding_sessions')
