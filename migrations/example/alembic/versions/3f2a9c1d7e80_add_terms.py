"""Add terms table

Terms are the lexicon entries of a project, searched by name.

Revision ID: 3f2a9c1d7e80
Revises: abc123def456
Create Date: 2025-11-24 10:30:12.000000

"""
from alembic import op
import sqlalchemy as sa


revision = '3f2a9c1d7e80'
down_revision = 'abc123def456'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'terms',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('project_id', sa.Integer(), sa.ForeignKey('projects.id', ondelete='CASCADE'), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('definition', sa.Text(), nullable=False, server_default=''),
    )
    op.create_index('ix_terms_name', 'terms', ['name'])


def downgrade() -> None:
    op.drop_index('ix_terms_name', table_name='terms')
    op.drop_table('terms')
