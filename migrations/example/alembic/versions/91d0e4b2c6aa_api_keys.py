"""Add api_keys table

Revision ID: 91d0e4b2c6aa
Revises: abc123def456
Create Date: 2025-11-25 08:02:51.000000

"""
from alembic import op
import sqlalchemy as sa


revision = '91d0e4b2c6aa'
down_revision = 'abc123def456'
branch_labels = ('auth',)
depends_on = None


def upgrade() -> None:
    op.create_table(
        'api_keys',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('user_id', sa.Integer(), sa.ForeignKey('users.id'), nullable=False),
        sa.Column('key_hash', sa.String(length=128), nullable=False),
        sa.Column('is_active', sa.Boolean(), nullable=False, server_default=sa.true()),
    )
    op.create_index('ix_api_keys_key_hash', 'api_keys', ['key_hash'], unique=True)


def downgrade() -> None:
    op.drop_index('ix_api_keys_key_hash', table_name='api_keys')
    op.drop_table('api_keys')
