/**
 * SQLite DDL as the real Alembic writes it offline, compared with each real SQLAlchemy (Debian's 1.4,
 * the survey reference's 2.0) on the same revision: column defaults, which 1.4 and 2.0 write
 * differently (`DEFAULT (1)` / `DEFAULT 1`; `upgrade --sql` follows the SQLAlchemy the project
 * declares), and foreign keys to tables of other schemas.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Result, runAlembic, runOurs } from './oracle';
import { writeTree } from '../unit/tmpProject';
import { loadSqlJs } from '../../src/engine/db/sqlJs';

const REFERENCE = process.env.SURVEY_ALEMBIC_PATH ?? '/work/survey-projects/.reference';

const DEFAULTS = [
  "'x'", "'0'", "sa.text('0')", "sa.text('1.5')", "sa.text('-1')", "sa.text(\"'abc'\")", "sa.text('CURRENT_TIMESTAMP')",
  "sa.text(\"(datetime('now'))\")", 'sa.func.now()', 'sa.func.localtimestamp()', "sa.func.lower('X')", 'sa.true()', 'sa.false()', "sa.literal_column('0')",
];

const DEFAULTS_UPGRADE = `    op.create_table('t', sa.Column('id', sa.Integer(), primary_key=True),
${DEFAULTS.map((d, i) => `        sa.Column('c${i}', sa.String(), server_default=${d}, nullable=False),`).join('\n')}
    )
${DEFAULTS.map((d, i) => `    op.add_column('t', sa.Column('a${i}', sa.String(), server_default=${d}))`).join('\n')}`;

const revision = (body: string) => `from alembic import op
import sqlalchemy as sa

revision = 'a1'
down_revision = None


def upgrade():
${body}


def downgrade():
    pass
`;

const ENV = `from alembic import context
context.configure(url=context.config.get_main_option("sqlalchemy.url"), literal_binds=True)
with context.begin_transaction():
    context.run_migrations()
`;

function project(sqlalchemy: string, body = DEFAULTS_UPGRADE): string {
  return writeTree({
    'alembic.ini': '[alembic]\nscript_location = migrations\nsqlalchemy.url = sqlite:///x.db\n',
    'pyproject.toml': `[project]\nname = "app"\ndependencies = ["sqlalchemy${sqlalchemy === '2.0' ? '>=2' : '>=1.4,<2'}"]\n`,
    'migrations/env.py': ENV, 'migrations/script.py.mako': '', 'migrations/versions/a1_defaults.py': revision(body),
  });
}

const defaults = (sql: string) => sql.split('\n').filter((l) => /DEFAULT/.test(l)).map((l) => l.trim().replace(/,$/, ''));

/** `upgrade head --sql` by the real Alembic on the given SQLAlchemy, then by our CLI; both must succeed. */
async function bothTools(dir: string, version: '1.4' | '2.0'): Promise<[Result, Result]> {
  const saved = process.env.PYTHONPATH;
  if (version === '2.0') {
    assert.ok(fs.existsSync(path.join(REFERENCE, 'sqlalchemy')), `${REFERENCE}: run test/survey/fetch-reference.sh`);
    process.env.PYTHONPATH = REFERENCE;
  }
  let a;
  try { [a] = runAlembic([{ cwd: dir, argv: ['upgrade', 'head', '--sql'] }]); } finally {
    if (saved === undefined) delete process.env.PYTHONPATH; else process.env.PYTHONPATH = saved;
  }
  const [b] = await runOurs([{ cwd: dir, argv: ['upgrade', 'head', '--sql'] }]);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(b.code, 0, b.stderr + b.stdout);
  return [a, b];
}

for (const version of ['1.4', '2.0'] as const) {
  test(`SQLite column defaults under SQLAlchemy ${version}: the project's declared version decides, as its Alembic writes them`, async () => {
    const [a, b] = await bothTools(project(version), version);
    assert.equal(defaults(a.stdout).length, DEFAULTS.length * 2);
    assert.deepEqual(defaults(b.stdout), defaults(a.stdout));
    assert.match(b.stderr + b.stdout, new RegExp(`SQLAlchemy ${version.replace('.', '\\.')} rules \\(from pyproject\\.toml: `));
  });
}

const FOREIGN_KEYS = `    op.create_table('a', sa.Column('id', sa.Integer(), primary_key=True), sa.Column('uid', sa.Integer()),
        sa.ForeignKeyConstraint(['uid'], ['core.users.id'], name='fk_same_schema'), schema='core')
    op.create_table('b', sa.Column('id', sa.Integer(), primary_key=True), sa.Column('uid', sa.Integer(), sa.ForeignKey('other.users.id')),
        sa.Column('vid', sa.Integer(), sa.ForeignKey('a.id')))
    op.create_table('c', sa.Column('id', sa.Integer(), primary_key=True), sa.Column('uid', sa.Integer(), sa.ForeignKey('users.id')),
        sa.Column('wid', sa.Integer(), sa.ForeignKey('core.a.id', ondelete='CASCADE')), schema='core')`;

test('SQLite foreign keys: one to another schema\'s table is left out, one within the schema names the table without it, as Alembic writes them', async () => {
  const [a, b] = await bothTools(project('1.4', FOREIGN_KEYS), '1.4');
  const creates = (sql: string) => sql.split(/;\s*\n/).filter((s) => s.includes('CREATE TABLE')).map((s) => s.trim());
  assert.equal(creates(a.stdout).length, 4); // alembic_version's, then the three
  assert.deepEqual(creates(b.stdout), creates(a.stdout));
  assert.match(b.stdout, /FOREIGN KEY\(wid\) REFERENCES a \(id\) ON DELETE CASCADE/);
});

// What Alembic's offline mode writes where SQLite cannot ALTER: the generic ALTER COLUMN statements
// (SQLite would reject them) and a batch rebuild from copy_from= (no table to reflect).
const NO_LIVE_TABLE = `    op.create_table('t', sa.Column('id', sa.Integer(), primary_key=True), sa.Column('c', sa.String(10)), sa.Column('f', sa.Boolean()))
    op.alter_column('t', 'c', type_=sa.String(20), nullable=False, server_default=sa.func.lower('X'))
    op.alter_column('t', 'f', server_default=None, existing_type=sa.Boolean(create_constraint=True, name='ck_f'), type_=sa.Integer())
    t = sa.Table('t', sa.MetaData(), sa.Column('id', sa.Integer(), primary_key=True), sa.Column('c', sa.String(20), nullable=False),
        sa.Column('f', sa.Integer()), sa.CheckConstraint('f > 0', name='ck_pos'), sa.UniqueConstraint('c'))
    sa.Index('ix_t_f', t.c.f)
    with op.batch_alter_table('t', copy_from=t) as batch_op:
        batch_op.alter_column('f', new_column_name='g', type_=sa.Boolean(create_constraint=True, name='ck_g'))
        batch_op.drop_column('id')`;

test('SQLite --sql without a live table: alter_column outside batch as Alembic\'s generic ALTER, batch with copy_from= rebuilt from that Table; online, the ALTER is refused before the run', async () => {
  const dir = project('1.4', NO_LIVE_TABLE);
  const [a, b] = await bothTools(dir, '1.4');
  const statements = (sql: string) => sql.split(/;\s*\n/).map((s) => s.trim()).filter((s) => s && !s.startsWith('--'));
  assert.match(a.stdout, /ALTER TABLE t ALTER COLUMN c SET NOT NULL/);
  assert.match(a.stdout, /CREATE TABLE _alembic_tmp_t/);
  assert.deepEqual(statements(b.stdout), statements(a.stdout));
  const [online] = await runOurs([{ cwd: dir, argv: ['upgrade', 'head'] }]);
  assert.notEqual(online.code, 0);
  assert.match(online.stderr + online.stdout, /SQLite's ALTER COLUMN only sets or drops NOT NULL/);
});

// SQLite 3.53 added ALTER COLUMN ... SET / DROP NOT NULL: Alembic's generic ALTER for a nullability
// change runs there (the engine's sql.js is 3.54), so the engine runs it too, telling the user that an
// older SQLite (Debian's Python has 3.40) fails on it.
const NOT_NULL = `    op.create_table('t', sa.Column('id', sa.Integer(), primary_key=True), sa.Column('c', sa.String(10)), sa.Column('n', sa.Integer(), nullable=False))
    op.execute("INSERT INTO t (id, c, n) VALUES (1, 'x', 2)")
    op.alter_column('t', 'c', nullable=False, existing_type=sa.String(10))
    op.alter_column('t', 'n', new_column_name='m', nullable=True, existing_type=sa.Integer())`;

test('SQLite alter_column(nullable=...) outside batch: Alembic\'s SQL, run in place on SQLite 3.53+ with a note; the schema is what Alembic\'s own SQL gives there; a NULL row stops it with nothing changed', async () => {
  const dir = project('2.0', NOT_NULL);
  const [a, b] = await bothTools(dir, '2.0');
  const statements = (sql: string) => sql.split(/;\s*\n/).map((x) => x.trim()).filter((x) => x && !x.startsWith('--'));
  assert.deepEqual(statements(b.stdout), statements(a.stdout));
  assert.match(a.stdout, /ALTER TABLE t ALTER COLUMN c SET NOT NULL;\s+ALTER TABLE t ALTER COLUMN n DROP NOT NULL;\s+ALTER TABLE t RENAME COLUMN n TO m;/);
  const [online] = await runOurs([{ cwd: dir, argv: ['upgrade', 'head'] }]);
  assert.equal(online.code, 0, online.stderr + online.stdout);
  assert.match(online.stderr + online.stdout, /a1_defaults\.py:\d+: ALTER COLUMN \.\.\. SET \/ DROP NOT NULL runs on SQLite 3\.53 and later/);
  // Alembic's own offline script, run on the same SQLite: the table it leaves is ours, row included.
  const SQL = await loadSqlJs();
  const reference = new SQL.Database();
  reference.exec(a.stdout);
  const ours = new SQL.Database(fs.readFileSync(path.join(dir, 'x.db')));
  // Alembic's --sql writes a tab as four spaces; SQLAlchemy's DDL online keeps the tab.
  const table = (db: InstanceType<typeof SQL.Database>) => [String(db.exec("SELECT sql FROM sqlite_master WHERE name = 't'")[0].values[0][0]).replace(/\s+/g, ' '), db.exec('SELECT * FROM t')[0].values];
  assert.deepEqual(table(ours), table(reference));
  assert.match(String(table(ours)[0]), /c VARCHAR\(10\) NOT NULL, m INTEGER,/);

  const failing = project('2.0', NOT_NULL.replace("VALUES (1, 'x', 2)", 'VALUES (1, NULL, 2)'));
  const [stopped] = await runOurs([{ cwd: failing, argv: ['upgrade', 'head'] }]);
  assert.notEqual(stopped.code, 0);
  assert.match(stopped.stderr + stopped.stdout, /constraint failed|NOT NULL/);
  assert.ok(!fs.existsSync(path.join(failing, 'x.db')) || new SQL.Database(fs.readFileSync(path.join(failing, 'x.db'))).exec("SELECT name FROM sqlite_master WHERE type = 'table'").length === 0, 'the run is rolled back: no table is left');
});
