/**
 * SQLAlchemy creates a named ENUM the first time a table needs it, and Alembic's memo of it lasts the
 * command: two revisions declaring the same type run in one `upgrade head` create it once; run in two
 * commands, the second fails on PostgreSQL (the type exists). The engine must do both as Alembic does,
 * online and in `--sql` scripts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testDatabases } from '../support/pgDatabases';
import { runAlembic, runOurs } from './oracle';
import { dumpSchema, fixtureProject } from './onlineFixture';

const databases = testDatabases('enummemo');

test('a named ENUM declared by two revisions: created once in one upgrade, the same schema as Alembic; a second command fails as under Alembic', async () => {
  const theirs = fixtureProject('enumtwice');
  const ours = fixtureProject('enumtwice');
  const [a, b] = [await databases.url('alembic'), await databases.url('ours')];
  const [x] = runAlembic([{ cwd: theirs, argv: ['upgrade', 'head'], env: { DATABASE_URL: a } }]);
  const [y] = await runOurs([{ cwd: ours, argv: ['upgrade', 'head'], env: { DATABASE_URL: b } }]);
  assert.equal(x.code, 0, x.stderr);
  assert.equal(y.code, 0, y.stderr + y.stdout);
  assert.deepEqual(dumpSchema(b), dumpSchema(a));

  // Down to a1, then up again: a new command, a new memo; b2 creates the type again, which exists.
  for (const [verb, target] of [['downgrade', 'a1'], ['upgrade', 'head']] as const) {
    const [p] = runAlembic([{ cwd: theirs, argv: [verb, target], env: { DATABASE_URL: a } }]);
    const [q] = await runOurs([{ cwd: ours, argv: [verb, target], env: { DATABASE_URL: b } }]);
    assert.equal(q.code === 0, p.code === 0, `${verb} ${target}: Alembic ${p.code}, ours ${q.code}: ${q.stdout}${q.stderr}`);
    if (p.code !== 0) {
      assert.match(p.stdout + p.stderr, /type "mood" already exists/);
      assert.match(q.stdout + q.stderr, /type "mood" already exists/);
      assert.match(q.stdout + q.stderr, /b2_more_moods\.py:\d+/);
    }
    assert.deepEqual(dumpSchema(b), dumpSchema(a), `after ${verb} ${target}`);
  }
});

test('--sql: the script of both revisions creates the type once, statement for statement as Alembic\'s', async () => {
  const theirs = fixtureProject('enumtwice');
  const ours = fixtureProject('enumtwice');
  const env = { DATABASE_URL: 'postgresql://u@localhost/db' };
  const [x] = runAlembic([{ cwd: theirs, argv: ['upgrade', 'head', '--sql'], env }]);
  const [y] = await runOurs([{ cwd: ours, argv: ['upgrade', 'head', '--sql'], env }]);
  assert.equal(x.code, 0, x.stderr);
  assert.equal(y.code, 0, y.stderr);
  const statements = (sql: string) => sql.split('\n').filter((l) => !l.startsWith('--')).join('\n').split(/;\s*\n/).map((s) => s.trim()).filter(Boolean);
  assert.deepEqual(statements(y.stdout), statements(x.stdout));
  assert.equal(statements(y.stdout).filter((s) => s.startsWith('CREATE TYPE mood')).length, 1);
});
