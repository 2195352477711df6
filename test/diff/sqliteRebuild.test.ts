/**
 * `[tool.alembic-migrations] sqlite-outside-batch = "rebuild"`: a project written for PostgreSQL
 * (constraints added and dropped, a column's type changed, all outside batch mode), run on SQLite.
 * The real Alembic refuses it there (NotImplementedError); with the setting our CLI runs it, and the
 * database must be what the real Alembic leaves when each op is in its own `batch_alter_table`
 * block: the same tables, constraints and rows after `upgrade head` and after `downgrade`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { runAlembic, runOurs } from './oracle';
import { writeTree } from '../unit/tmpProject';
import { loadSqlJs } from '../../src/engine/db/sqlJs';

const A1 = `from alembic import op
import sqlalchemy as sa

revision = 'a1'
down_revision = None


def upgrade():
    op.create_table('p', sa.Column('id', sa.Integer(), primary_key=True), sa.Column('code', sa.String(10)))
    op.create_table('t', sa.Column('id', sa.Integer(), primary_key=True), sa.Column('pid', sa.Integer()), sa.Column('name', sa.String(20)))
    op.execute("INSERT INTO p (id, code) VALUES (1, 'a'), (2, 'b')")
    op.execute("INSERT INTO t (id, pid, name) VALUES (1, 1, 'x'), (2, 2, 'y')")


def downgrade():
    op.drop_table('t')
    op.drop_table('p')
`;

/** Each op as written for PostgreSQL, and the same op in a batch block (what Alembic needs on SQLite). */
const UP: [string, string][] = [
  ["op.create_foreign_key('fk_t_p', 't', 'p', ['pid'], ['id'], ondelete='CASCADE')", "batch_op.create_foreign_key('fk_t_p', 'p', ['pid'], ['id'], ondelete='CASCADE')"],
  ["op.alter_column('t', 'name', type_=sa.Text(), existing_type=sa.String(20), nullable=False)", "batch_op.alter_column('name', type_=sa.Text(), existing_type=sa.String(20), nullable=False)"],
  ["op.create_unique_constraint('uq_t_name', 't', ['name'])", "batch_op.create_unique_constraint('uq_t_name', ['name'])"],
];
const DOWN: [string, string][] = [
  ["op.drop_constraint('uq_t_name', 't', type_='unique')", "batch_op.drop_constraint('uq_t_name', type_='unique')"],
  ["op.alter_column('t', 'name', type_=sa.String(20), existing_type=sa.Text(), nullable=True)", "batch_op.alter_column('name', type_=sa.String(20), existing_type=sa.Text(), nullable=True)"],
  ["op.drop_constraint('fk_t_p', 't', type_='foreignkey')", "batch_op.drop_constraint('fk_t_p', type_='foreignkey')"],
];

function a2(batch: boolean): string {
  const body = (ops: [string, string][]) => ops.map(([plain, inBatch]) => (batch ? `    with op.batch_alter_table('t') as batch_op:\n        ${inBatch}` : `    ${plain}`)).join('\n');
  return `from alembic import op
import sqlalchemy as sa

revision = 'a2'
down_revision = 'a1'


def upgrade():
${body(UP)}


def downgrade():
${body(DOWN)}
`;
}

function project(batch: boolean, setting?: string): string {
  return writeTree({
    'alembic.ini': '[alembic]\nscript_location = migrations\nsqlalchemy.url = sqlite:///app.db\n',
    'pyproject.toml': `[project]\nname = "app"\n${setting === undefined ? '' : `\n[tool.alembic-migrations]\nsqlite-outside-batch = ${JSON.stringify(setting)}\n`}`,
    'migrations/env.py': `from alembic import context
from sqlalchemy import engine_from_config, pool
connectable = engine_from_config(context.config.get_section(context.config.config_ini_section), prefix="sqlalchemy.", poolclass=pool.NullPool)
with connectable.connect() as connection:
    context.configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()
`,
    'migrations/script.py.mako': '',
    'migrations/versions/a1_tables.py': A1,
    'migrations/versions/a2_constraints.py': a2(batch),
  });
}

/** The database as a user sees it: each object's CREATE statement (whitespace folded) and every row. */
async function dump(file: string): Promise<unknown> {
  const SQL = await loadSqlJs();
  const db = new SQL.Database(fs.readFileSync(file));
  try {
    const objects = db.exec("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name")[0]?.values ?? [];
    const rows = Object.fromEntries(['p', 't', 'alembic_version'].map((t) => [t, db.exec(`SELECT * FROM ${t} ORDER BY 1`)[0]?.values ?? []]));
    return { objects: objects.map(([type, name, sql]) => [type, name, String(sql).replace(/\s+/g, ' ')]), rows };
  } finally { db.close(); }
}

test('sqlite-outside-batch = "rebuild": a PostgreSQL-style project runs on SQLite as the same ops in batch blocks run under Alembic, both ways', async () => {
  const alembicBatch = project(true);
  const alembicPlain = project(false);
  const ours = project(false, 'rebuild');
  try {
    // The real Alembic: the ops as written fail on SQLite; in batch blocks they run.
    const [plain] = runAlembic([{ cwd: alembicPlain, argv: ['upgrade', 'head'] }]);
    assert.notEqual(plain.code, 0);
    assert.match(plain.stdout + plain.stderr, /NotImplementedError: No support for ALTER of constraints in SQLite dialect/);
    const [up] = runAlembic([{ cwd: alembicBatch, argv: ['upgrade', 'head'] }]);
    assert.equal(up.code, 0, up.stderr);
    const upgraded = await dump(path.join(alembicBatch, 'app.db'));

    const [mine] = await runOurs([{ cwd: ours, argv: ['upgrade', 'head'] }]);
    assert.equal(mine.code, 0, mine.stderr + mine.stdout);
    // Told where it happens, at each op.
    const notes = (mine.stdout + mine.stderr).match(/a2_constraints\.py:\d+: op\.\w+\(\): Alembic cannot run this on SQLite outside batch mode; the table is rebuilt/g) ?? [];
    assert.equal(notes.length, 3, mine.stdout + mine.stderr);
    assert.deepEqual(await dump(path.join(ours, 'app.db')), upgraded);
    assert.match(JSON.stringify(upgraded), /CONSTRAINT fk_t_p FOREIGN KEY\(pid\) REFERENCES p \(id\) ON DELETE CASCADE/);

    const [down] = runAlembic([{ cwd: alembicBatch, argv: ['downgrade', 'a1'] }]);
    assert.equal(down.code, 0, down.stderr);
    const [myDown] = await runOurs([{ cwd: ours, argv: ['downgrade', 'a1'] }]);
    assert.equal(myDown.code, 0, myDown.stderr + myDown.stdout);
    assert.deepEqual(await dump(path.join(ours, 'app.db')), await dump(path.join(alembicBatch, 'app.db')));
  } finally {
    for (const d of [alembicBatch, alembicPlain, ours]) fs.rmSync(d, { recursive: true, force: true });
  }
});

test('sqlite-outside-batch: by default refused as Alembic refuses, naming the setting; --sql refuses with it too; a bad value says what to write', async () => {
  const plain = project(false);
  const rebuild = project(false, 'rebuild');
  const bad = project(false, 'yes');
  try {
    const [refused, offline, wrong] = await runOurs([
      { cwd: plain, argv: ['upgrade', 'head'] },
      { cwd: rebuild, argv: ['upgrade', 'head', '--sql'] },
      { cwd: bad, argv: ['upgrade', 'head'] },
    ]);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stdout + refused.stderr, /a2_constraints\.py:\d+: op\.create_foreign_key\(\): No support for ALTER of constraints in SQLite .*sqlite-outside-batch = "rebuild" under \[tool\.alembic-migrations\]/);
    assert.ok(!fs.existsSync(path.join(plain, 'app.db')) || JSON.stringify(await dump(path.join(plain, 'app.db'))).indexOf('"t"') < 0, 'nothing ran: not even a1');
    assert.notEqual(offline.code, 0);
    assert.match(offline.stdout + offline.stderr, /applies to online runs only/);
    assert.notEqual(wrong.code, 0);
    assert.match(wrong.stdout + wrong.stderr, /sqlite-outside-batch = "yes" is not "refuse" or "rebuild"/);
    assert.doesNotMatch(refused.stdout + refused.stderr + offline.stdout + offline.stderr + wrong.stdout + wrong.stderr, /\n\s+at /, 'no stack trace');
  } finally {
    for (const d of [plain, rebuild, bad]) fs.rmSync(d, { recursive: true, force: true });
  }
});

test('sqlite-outside-batch = "rebuild": a rebuild that fails (a constraint name PostgreSQL generated, which the SQLite table lacks) stops the run with file and line, and leaves the database file as it was', async () => {
  const dir = project(false, 'rebuild');
  try {
    const [first] = await runOurs([{ cwd: dir, argv: ['upgrade', 'a1'] }]);
    assert.equal(first.code, 0, first.stderr + first.stdout);
    const before = fs.readFileSync(path.join(dir, 'app.db'));
    const file = path.join(dir, 'migrations/versions/a2_constraints.py');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace("op.create_unique_constraint('uq_t_name', 't', ['name'])", "op.drop_constraint('t_name_key', 't', type_='unique')"));
    const [r] = await runOurs([{ cwd: dir, argv: ['upgrade', 'head'] }]);
    assert.notEqual(r.code, 0);
    assert.match(r.stdout + r.stderr, /a2_constraints\.py:\d+/);
    assert.match(r.stdout + r.stderr, /No such constraint: 't_name_key'/);
    assert.match(r.stdout + r.stderr, /rolled back/);
    assert.doesNotMatch(r.stdout + r.stderr, /\n\s+at /, 'no stack trace');
    assert.ok(before.equals(fs.readFileSync(path.join(dir, 'app.db'))), 'the database file is unchanged');
  } finally { fs.rmSync(dir, { recursive: true, force: true }); }
});
