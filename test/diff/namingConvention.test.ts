/**
 * The naming convention end to end, against the real Alembic: a project whose env.py takes
 * target_metadata from its models module (`MetaData(naming_convention=...)` behind a declarative
 * Base) runs `upgrade head --sql` and `downgrade head:base --sql` through our CLI and through
 * `/usr/bin/python3 -m alembic`; the scripts must be identical, on PostgreSQL and SQLite. A second
 * project hides target_metadata from static reading: the CLI refuses (naming the lookup and the
 * pyproject.toml setting) until the setting is given, then writes Alembic's script.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { writeTree } from '../unit/tmpProject';
import { declareReferenceSqlalchemy, REPO } from './oracle';

const PYTHON = process.env.ORACLE_PYTHON ?? '/usr/bin/python3';
const CLI = path.join(REPO, 'dist', 'cli.js');

const CONVENTION = `{
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}`;

const MODELS = `import sqlalchemy as sa
from sqlalchemy.orm import declarative_base

NAMING = ${CONVENTION}

Base = declarative_base(metadata=sa.MetaData(naming_convention=NAMING))
`;

const envPy = (targetMetadata: string) => `from alembic import context
from sqlalchemy import engine_from_config, pool
${targetMetadata}

config = context.config


def run_migrations_offline():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata,
                      literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    engine = engine_from_config(config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.", poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
`;

const REV1 = `"""accounts

Revision ID: a1
"""
from alembic import op
import sqlalchemy as sa

revision = 'a1'
down_revision = None


def upgrade():
    op.create_table(
        'user_account',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('email', sa.String(200), nullable=False, unique=True),
        sa.Column('nick', sa.String(50), index=True),
        sa.Column('score', sa.Integer()),
        sa.CheckConstraint('score >= 0', name='score_positive'),
    )
    op.create_table(
        'membership',
        sa.Column('user_id', sa.Integer(), sa.ForeignKey('user_account.id'), nullable=False),
        sa.Column('group_id', sa.Integer(), nullable=False),
        sa.Column('note', sa.Text()),
        sa.PrimaryKeyConstraint('user_id', 'group_id'),
        sa.UniqueConstraint('group_id', 'note'),
        sa.Index(None, 'note'),
    )


def downgrade():
    op.drop_table('membership')
    op.drop_table('user_account')
`;

const REV2 = `"""more names

Revision ID: b2
"""
from alembic import op
import sqlalchemy as sa

revision = 'b2'
down_revision = 'a1'


def upgrade():
    op.add_column('membership', sa.Column('inviter_id', sa.Integer(), sa.ForeignKey('user_account.id')))
    op.add_column('membership', sa.Column('code', sa.String(20), unique=True))
    op.create_index(None, 'membership', ['group_id', 'user_id'])
    op.create_unique_constraint(None, 'user_account', ['nick', 'score'])
    op.create_check_constraint('nick_not_empty', 'user_account', "nick <> ''")
    op.create_foreign_key(None, 'membership', 'user_account', ['group_id'], ['id'])
    op.create_index(op.f('ix_explicit_score'), 'user_account', ['score'])
    op.create_foreign_key(None, 'a_table_name_long_enough_to_need_shortening_by_sqlalchemy', 'user_account', ['a_column_name_that_is_long_too'], ['id'])


def downgrade():
    op.drop_constraint(op.f('fk_a_table_name_long_enough_to_need_shortening_by_sqlalchemy_a_column_name_that_is_long_too_user_account'), 'a_table_name_long_enough_to_need_shortening_by_sqlalchemy', type_='foreignkey')
    op.drop_index(op.f('ix_explicit_score'), table_name='user_account')
    op.drop_constraint('fk_membership_group_id_user_account', 'membership', type_='foreignkey')
    op.drop_constraint('nick_not_empty', 'user_account', type_='check')
    op.drop_constraint(op.f('uq_user_account_nick_score'), 'user_account', type_='unique')
    op.drop_index(op.f('ix_membership_group_id'), table_name='membership')
    op.drop_constraint('uq_membership_code', 'membership', type_='unique')
    op.drop_column('membership', 'code')
    op.drop_column('membership', 'inviter_id')
`;

function project(targetMetadata: string, url: string, extra: Record<string, string> = {}): string {
  return writeTree({
    'alembic.ini': `[alembic]\nscript_location = %(here)s/migrations\nprepend_sys_path = .\npath_separator = os\nsqlalchemy.url = ${url}\n`,
    'myapp/__init__.py': '',
    'myapp/models.py': MODELS,
    'migrations/env.py': envPy(targetMetadata),
    'migrations/script.py.mako': '',
    'migrations/versions/a1_accounts.py': REV1,
    'migrations/versions/b2_more_names.py': REV2,
    ...extra,
  });
}

function alembic(root: string, argv: string[]): string {
  return execFileSync(PYTHON, ['-m', 'alembic', '-c', path.join(root, 'alembic.ini'), ...argv], {
    cwd: root, encoding: 'utf8', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
  });
}

function ours(root: string, argv: string[]): { stdout: string; stderr: string; code: number } {
  const r = spawnSync(process.execPath, [CLI, '-c', path.join(root, 'alembic.ini'), ...argv], {
    cwd: root, encoding: 'utf8', env: { ...process.env, MIGRATIONS_NO_CACHE: '1' },
  });
  return { stdout: r.stdout, stderr: r.stderr, code: r.status ?? -1 };
}

const URLS = { postgresql: 'postgresql://postgres@127.0.0.1:5432/postgres', sqlite: 'sqlite:///%(here)s/app.db' };
const IMPORTED = 'from myapp.models import Base\n\ntarget_metadata = Base.metadata';

for (const [dialect, url] of Object.entries(URLS)) {
  test(`${dialect}: names from the models' naming convention, as Alembic writes them (--sql)`, () => {
    const root = project(IMPORTED, url);
    declareReferenceSqlalchemy(root); // the SQLite version row's INSERT differs between SQLAlchemy 1.4 and 2.0
    // SQLite cannot ALTER constraints: revision b2 is for PostgreSQL only (Alembic refuses it too).
    const runs = dialect === 'postgresql' ? [['upgrade', 'head', '--sql'], ['downgrade', 'head:base', '--sql']] : [['upgrade', 'a1', '--sql'], ['downgrade', 'a1:base', '--sql']];
    for (const argv of runs) {
      // Alembic before 1.19 also dropped the version table at the end of an offline downgrade to base (#1822).
      const theirs = alembic(root, argv).replace(/DROP TABLE alembic_version;\n\n(COMMIT;\n\n)?$/, '$1');
      const mine = ours(root, argv);
      assert.equal(mine.code, 0, mine.stderr);
      assert.equal(mine.stdout, theirs, argv.join(' '));
      if (argv[0] === 'upgrade') {
        // The convention's names are there (not only the same text as Alembic: the names a user expects).
        assert.match(mine.stdout, /CONSTRAINT pk_user_account PRIMARY KEY \(id\)/);
        assert.match(mine.stdout, /CONSTRAINT ck_user_account_score_positive CHECK \(score >= 0\)/);
        assert.match(mine.stdout, /CREATE INDEX ix_user_account_nick ON user_account \(nick\)/);
        // The log says which convention was used and where it comes from.
        assert.match(mine.stderr, /naming convention: \{ix: "ix_%\(column_0_label\)s", uq: .* from myapp\/models\.py:4/);
      }
    }
  });
}

test('a target_metadata that cannot be read statically: the log says so and how to declare it; then pyproject.toml\'s setting gives Alembic\'s names', () => {
  const hidden = 'import importlib\n\ntarget_metadata = importlib.import_module("myapp.models").Base.metadata';
  const root = project(hidden, URLS.postgresql);
  const argv = ['upgrade', 'a1', '--sql'];
  const assumed = ours(root, argv);
  assert.equal(assumed.code, 0, assumed.stderr);
  assert.match(assumed.stderr, /naming convention: not found \(env\.py's target_metadata could not be followed: target_metadata = importlib\.import_module/);
  assert.match(assumed.stderr, /assuming none: .*\[tool\.alembic-migrations\] naming_convention = /);
  assert.notEqual(assumed.stdout, alembic(root, argv), 'the models have a convention the engine could not see: names differ until it is declared');

  const toml = Object.entries(JSON.parse(CONVENTION.replace(/,\s*}$/, '}')) as Record<string, string>).map(([k, v]) => `${k} = ${JSON.stringify(v)}`).join('\n');
  fs.writeFileSync(path.join(root, 'pyproject.toml'), `[tool.alembic-migrations.naming_convention]\n${toml}\n`);
  const mine = ours(root, argv);
  assert.equal(mine.code, 0, mine.stderr);
  assert.equal(mine.stdout, alembic(root, argv));
  assert.match(mine.stderr, /naming convention: .* from pyproject\.toml \[tool\.alembic-migrations\] naming_convention/);
});
