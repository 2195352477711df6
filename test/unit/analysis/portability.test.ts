import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findPortabilityProblems } from '../../../src/engine/analysis/portabilityProblems';

const FILE = `"""m"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = 'a'
down_revision = None


def upgrade():
    level = sa.Enum('quick-project', 'research-project', name='adoption_level')
    op.add_column('users', sa.Column('adoption_level', level))
    op.add_column('users', sa.Column('prefs', postgresql.JSONB(), nullable=True))
    op.execute("UPDATE users SET adoption_level = 'quick-project'")


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TYPE adoption_level')
    op.drop_column('users', 'prefs')
    op.drop_column('users', 'adoption_level')
`;

test('PostgreSQL-only constructs are flagged when the database is SQLite, with their lines', () => {
  const p = findPortabilityProblems('/v/a.py', FILE, 'sqlite').map((x) => [x.code, x.line]);
  assert.deepEqual(p, [['postgresql-only', 11], ['postgresql-only', 13], ['raw-sql', 14]]);
});

test('on PostgreSQL only the unguarded raw SQL is a hint; a dialect check silences it', () => {
  const p = findPortabilityProblems('/v/a.py', FILE, 'postgresql');
  assert.deepEqual(p.map((x) => [x.code, x.severity, x.line]), [['raw-sql', 'hint', 14]]);
});
