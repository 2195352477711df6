/**
 * `op.get_context().autocommit_block()` runs embedded as Alembic runs it: the run is committed
 * before the block, the block's statements run outside a transaction (`CREATE INDEX CONCURRENTLY`,
 * `ALTER TYPE ... ADD VALUE`, a backfill committed batch by batch), and a new transaction begins
 * after it. Compared with the real Alembic: the schema and rows after each command on a SQLite file
 * and on PostgreSQL, what a failure after a block leaves (the version table at the last step
 * committed, the block's rows kept), and the `--sql` script (COMMIT / BEGIN around the block).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { testDatabases } from '../support/pgDatabases';
import { declareReferenceSqlalchemy, REPO, runAlembic, runOurs } from './oracle';

const FIXTURE = path.join(REPO, 'test/fixtures/autocommit');
const databases = testDatabases('autocommit');

function project(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'autocommit-'));
  fs.cpSync(FIXTURE, dir, { recursive: true });
  fs.copyFileSync(path.join(REPO, 'test/fixtures/migrate/shop/alembic/env.py'), path.join(dir, 'alembic', 'env.py'));
  return dir;
}

const dump = (url: string) => (runAlembic([{ schema: url } as never])[0] as unknown as { schema: unknown }).schema;

async function urlsFor(kind: 'sqlite' | 'postgresql', dirs: string[], name: string): Promise<string[]> {
  return kind === 'sqlite' ? dirs.map((d) => `sqlite:///${path.join(d, 'autocommit.db')}`)
    : [await databases.url(`${name}_alembic`), await databases.url(`${name}_ours`)];
}

for (const kind of ['sqlite', 'postgresql'] as const) {
  test(`autocommit_block() on ${kind}: the same schema and rows as Alembic after each command, and after a failure past a block`, async () => {
    const dirs = [project(), project()];
    const urls = await urlsFor(kind, dirs, kind === 'sqlite' ? 'x' : 'run');
    // up to c3, down to a1 (the blocks of the downgrades), up again; then head, which fails in d4 after its block.
    for (const [verb, target, ok] of [['upgrade', 'c3', true], ['downgrade', 'a1', true], ['upgrade', 'b2', true], ['upgrade', 'head', false]] as const) {
      const [a] = runAlembic([{ cwd: dirs[0], argv: [verb, target], env: { DATABASE_URL: urls[0] } }]);
      const [b] = await runOurs([{ cwd: dirs[1], argv: [verb, target], env: { DATABASE_URL: urls[1] } }]);
      assert.equal(a.code === 0, ok, `alembic ${verb} ${target}: ${a.stderr}`);
      assert.equal(b.code === 0, ok, `ours ${verb} ${target}: ${b.stderr}${b.stdout}`);
      assert.deepEqual(dump(urls[1]), dump(urls[0]), `after ${verb} ${target}`);
      if (!ok) {
        assert.match(b.stderr, /no_such_table/);
        assert.match(b.stderr, /Not everything was rolled back: autocommit_block\(\) \(d4_fails\.py:15\) committed the run up to there, as Alembic does\. The database records revision c3/);
      }
    }
    const d = JSON.stringify(dump(urls[1]));
    assert.match(d, /d4 inside/, 'the row inserted inside the failing migration\'s block is kept');
    assert.doesNotMatch(d, /d4 after/, 'the row inserted after the block is rolled back');
    assert.match(d, /ix_events_kind/);
    if (kind === 'postgresql') assert.match(d, /great/, 'ALTER TYPE ... ADD VALUE ran');
  });
}

test('--sql on PostgreSQL: COMMIT before and BEGIN after each autocommit block, as Alembic writes them', async () => {
  const dir = project();
  const env = { DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/postgres' };
  for (const argv of [['upgrade', 'b2', '--sql'], ['downgrade', 'b2:a1', '--sql']]) {
    const [a] = runAlembic([{ cwd: dir, argv, env }]);
    const [b] = await runOurs([{ cwd: dir, argv, env }]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    assert.equal(b.stdout, a.stdout, argv.join(' '));
  }
  const [up] = await runOurs([{ cwd: dir, argv: ['upgrade', 'b2', '--sql'], env }]);
  assert.match(up.stdout, /COMMIT;\n\nCREATE INDEX CONCURRENTLY ix_events_kind ON events \(kind\);\n\nALTER TYPE mood ADD VALUE IF NOT EXISTS 'great';\n\nBEGIN;/);
});

test('--sql on SQLite: the block writes nothing of its own, as Alembic', async () => {
  const dir = project();
  declareReferenceSqlalchemy(dir); // the version row's INSERT differs between SQLAlchemy 1.4 and 2.0 on SQLite
  const argv = ['upgrade', 'b2', '--sql'];
  const [a] = runAlembic([{ cwd: dir, argv }]);
  const [b] = await runOurs([{ cwd: dir, argv }]);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(b.stdout, a.stdout);
  assert.doesNotMatch(b.stdout, /COMMIT|BEGIN/);
});

test('create_index(..., postgresql_concurrently=True) outside an autocommit block fails as PostgreSQL fails it under Alembic, and nothing is kept', async () => {
  const dirs = [project(), project()];
  for (const d of dirs) {
    fs.rmSync(path.join(d, 'alembic/versions/d4_fails.py'));
    fs.writeFileSync(path.join(d, 'alembic/versions/e5_plain.py'), [
      'from alembic import op', 'revision = "e5"', 'down_revision = "c3"', '', 'def upgrade():',
      '    op.execute("INSERT INTO events (id, kind, n) VALUES (20, \'e5\', 0)")',
      '    op.create_index("ix_events_n", "events", ["n"], postgresql_concurrently=True)', '', 'def downgrade():', '    pass', '',
    ].join('\n'));
  }
  const urls = await urlsFor('postgresql', dirs, 'plain');
  for (const [i, url] of urls.entries()) {
    const [r] = i === 0 ? runAlembic([{ cwd: dirs[0], argv: ['upgrade', 'c3'], env: { DATABASE_URL: url } }]) : await runOurs([{ cwd: dirs[1], argv: ['upgrade', 'c3'], env: { DATABASE_URL: url } }]);
    assert.equal(r.code, 0, r.stderr);
  }
  const [a] = runAlembic([{ cwd: dirs[0], argv: ['upgrade', 'head'], env: { DATABASE_URL: urls[0] } }]);
  const [b] = await runOurs([{ cwd: dirs[1], argv: ['upgrade', 'head'], env: { DATABASE_URL: urls[1] } }]);
  assert.notEqual(a.code, 0);
  assert.notEqual(b.code, 0);
  assert.match(a.stderr, /CREATE INDEX CONCURRENTLY cannot run inside a transaction block/);
  assert.match(b.stderr, /CREATE INDEX CONCURRENTLY cannot run inside a transaction block/);
  assert.match(b.stderr, /The run was rolled back/);
  assert.deepEqual(dump(urls[1]), dump(urls[0]));
  assert.doesNotMatch(JSON.stringify(dump(urls[1])), /"e5"/);
});

test('verify: SQLite checks a revision with an autocommit block; PostgreSQL skips it, saying why (its checks run inside one transaction)', async () => {
  const dir = project();
  fs.rmSync(path.join(dir, 'alembic/versions/d4_fails.py'));
  const [r] = await runOurs([{ cwd: dir, argv: ['verify'] }]);
  assert.match(r.stdout, /SQLite:\n {2}PASS a1[^\n]*\n {2}PASS b2/);
  assert.match(r.stdout, /SKIP b2[^\n]*\n\s+skipped: its upgrade\(\) has an autocommit_block\(\) \(statements run outside a transaction\), which verify cannot run/);
  assert.doesNotMatch(r.stdout, /FAIL/);
});

for (const kind of ['sqlite', 'postgresql'] as const) {
  test(`a failure inside an autocommit block on ${kind}: the block's statements before it stay committed, as under Alembic`, async () => {
    const dirs = [project(), project()];
    for (const d of dirs) {
      fs.writeFileSync(path.join(d, 'alembic/versions/d4_fails.py'), [
        'from alembic import op', 'revision = "d4"', 'down_revision = "c3"', '', 'def upgrade():',
        '    op.execute("INSERT INTO events (id, kind, n) VALUES (30, \'before the block\', 0)")',
        '    with op.get_context().autocommit_block():',
        '        op.execute("INSERT INTO events (id, kind, n) VALUES (31, \'inside\', 0)")',
        '        op.execute("INSERT INTO events (id, kind, n) VALUES (31, \'duplicate\', 0)")', '', 'def downgrade():', '    pass', '',
      ].join('\n'));
    }
    const urls = await urlsFor(kind, dirs, kind === 'sqlite' ? 'x' : 'inside');
    const [a] = runAlembic([{ cwd: dirs[0], argv: ['upgrade', 'head'], env: { DATABASE_URL: urls[0] } }]);
    const [b] = await runOurs([{ cwd: dirs[1], argv: ['upgrade', 'head'], env: { DATABASE_URL: urls[1] } }]);
    assert.notEqual(a.code, 0);
    assert.notEqual(b.code, 0);
    assert.match(b.stderr, /Not everything was rolled back: autocommit_block\(\) \(d4_fails\.py:7\)[^\n]*The database records revision c3/);
    assert.deepEqual(dump(urls[1]), dump(urls[0]));
    const d = JSON.stringify(dump(urls[1]));
    assert.match(d, /before the block/);
    assert.match(d, /"inside"|'inside'|inside/);
    assert.doesNotMatch(d, /duplicate/);
  });
}
