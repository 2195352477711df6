/**
 * On PostgreSQL a migration that reads rows back is evaluated in a worker thread that waits for
 * each read (runner/onlineWorker.ts). What a user meets when it goes wrong there: a Python error
 * after reads, a statement the database rejects, a read inside `try` (evaluated again from the
 * start, in the worker): a message with file and line, the run rolled back, nothing left behind,
 * no hang; and the values read are the database's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { testDatabases } from '../support/pgDatabases';
import { writeTree } from '../unit/tmpProject';
import { runOurs } from './oracle';

const databases = testDatabases('onlineworker');

const revision = (body: string) => `"""reads

Revision ID: a1
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "a1"
down_revision = None


def upgrade():
    op.create_table("t", sa.Column("id", sa.Integer, primary_key=True), sa.Column("v", sa.Integer))
    bind = op.get_bind()
    for i in range(40):
        bind.execute(sa.text("INSERT INTO t (id, v) VALUES (%d, %d)" % (i, i * 2)))
${body}


def downgrade():
    op.drop_table("t")
`;

async function run(body: string): Promise<{ code: number; out: string; url: string }> {
  const url = await databases.url('db');
  const dir = writeTree({ 'alembic.ini': '[alembic]\nscript_location = migrations\n', 'migrations/env.py': '', 'migrations/versions/a1_reads.py': revision(body) });
  const [r] = await runOurs([{ cwd: dir, argv: ['upgrade', 'head'], env: { DATABASE_URL: url } }]);
  return { code: r.code, out: r.stdout + r.stderr, url };
}

async function tables(url: string): Promise<string[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try { return (await c.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")).rows.map((r) => r.tablename as string); } finally { await c.end(); }
}

test('values read in a loop, in a try the evaluator cannot resume in, and after it: each is the database\'s', async () => {
  const { code, out, url } = await run([
    '    total = 0',
    '    for i in range(40):',
    '        total += bind.execute(sa.text("SELECT v FROM t WHERE id = %d" % i)).scalar()',
    '    try:',
    '        again = bind.execute(sa.text("SELECT count(*) FROM t")).scalar()',
    '    except KeyError:',
    '        again = -1',
    '    op.execute("INSERT INTO t (id, v) VALUES (100, %d)" % (total + again))',
  ].join('\n'));
  assert.equal(code, 0, out);
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try { assert.equal((await c.query('SELECT v FROM t WHERE id = 100')).rows[0].v, 2 * (39 * 40) / 2 + 40); } finally { await c.end(); }
});

test('a Python error after reads: file and line, rolled back, nothing left', async () => {
  const { code, out, url } = await run([
    '    rows = bind.execute(sa.text("SELECT v FROM t ORDER BY id")).fetchall()',
    '    op.execute("UPDATE t SET v = %d" % rows[99][0])',
  ].join('\n'));
  assert.equal(code, 1, out);
  assert.match(out, /a1_reads\.py:19/);
  assert.match(out, /IndexError/);
  assert.match(out, /rolled back/);
  assert.doesNotMatch(out, /\n\s+at /, 'no stack trace');
  assert.deepEqual(await tables(url), []);
});

test('a statement the database rejects after reads: its SQL, file and line, rolled back, nothing left', async () => {
  const { code, out, url } = await run([
    '    n = bind.execute(sa.text("SELECT count(*) FROM t")).scalar()',
    '    bind.execute(sa.text("INSERT INTO missing (n) VALUES (%d)" % n))',
    '    op.execute("UPDATE t SET v = 0")',
  ].join('\n'));
  assert.equal(code, 1, out);
  assert.match(out, /relation "missing" does not exist/);
  assert.match(out, /a1_reads\.py:19/);
  assert.match(out, /INSERT INTO missing \(n\) VALUES \(40\)/);
  assert.match(out, /rolled back/);
  assert.deepEqual(await tables(url), []);
});
