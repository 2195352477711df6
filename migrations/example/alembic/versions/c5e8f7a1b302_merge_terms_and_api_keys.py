"""merge terms and api keys

Revision ID: c5e8f7a1b302
Revises: 3f2a9c1d7e80, 91d0e4b2c6aa
Create Date: 2025-11-26 14:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


revision = 'c5e8f7a1b302'
down_revision = ('3f2a9c1d7e80', '91d0e4b2c6aa')
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
