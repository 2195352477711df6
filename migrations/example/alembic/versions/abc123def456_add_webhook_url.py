"""Add webhook_url column to users table

Revision ID: abc123def456
Revises: 7beb871f4454
Create Date: 2025-11-20 23:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'abc123def456'
down_revision = '7beb871f4454'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add webhook_url column."""
    op.add_column('users', sa.Column('webhook_url', sa.String(), nullable=True))
    op.create_index('ix_users_webhook_url', 'users', ['webhook_url'])


def downgrade() -> None:
    """Remove webhook_url column."""
    op.drop_index('ix_users_webhook_url', table_name='users')
    op.drop_column('users', 'webhook_url')
