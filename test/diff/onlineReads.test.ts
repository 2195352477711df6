/**
 * Migrations that read rows back (`conn.execute(...).fetchall()`, `.scalar()`, `.first()`, loops
 * over results) run embedded, online, inside the run's transaction, in order: the rows and schema
 * they leave are the ones the real Alembic leaves, on a SQLite file and on PostgreSQL; `--sql`
 * refuses them as Alembic's offline mode cannot run them either.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testDatabases } from '../support/pgDatabases';
import { runOurs } from './oracle';
import { fixtureProject, upDownUpLikeAlembic } from './onlineFixture';

const databases = testDatabases('online');
const pgUrl = databases.url;

for (const kind of ['sqlite', 'postgresql'] as const) {
  test(`reads from the database while it runs, on ${kind}: the same rows and schema as Alembic, up and down`, async () => {
    const plans = await upDownUpLikeAlembic(kind, 'online', pgUrl, 'plans');
    assert.match(plans, /"team".*2.*17/, `plans were computed from the rows read: ${plans}`);
  });
}

for (const kind of ['sqlite', 'postgresql'] as const) {
  test(`a loop of 300 reads between writes, on ${kind}: each read sees the writes before it, the same rows as Alembic`, async () => {
    const rows = JSON.parse(await upDownUpLikeAlembic(kind, 'onlineloop', pgUrl, 'tally')) as number[][];
    assert.equal(rows.length, 150);
    // Row i saw the i rows before it (seen = 2i) and the sum of their `seen`: 2 * (0 + 1 + ... + (i - 1)) = i(i - 1).
    assert.deepEqual(rows.find((r) => r[0] === 149), [149, 298, 149 * 148]);
  });
}

for (const kind of ['sqlite', 'postgresql'] as const) {
  test(`a named ENUM used by two tables with reads between them, on ${kind}: created once, as SQLAlchemy's memo does; the same schema and rows as Alembic`, async () => {
    assert.deepEqual(JSON.parse(await upDownUpLikeAlembic(kind, 'onlineenum', pgUrl, 't2')), [[1, 'sad', 60]]);
  });
}

test('--sql refuses a migration that reads rows back, before writing anything', async () => {
  const dir = fixtureProject('online');
  const [r] = await runOurs([{ cwd: dir, argv: ['upgrade', 'a1:b2', '--sql'] }]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /hint: Run it without --sql: the embedded engine runs it online/);
  assert.match(r.stdout + r.stderr, /b2_normalize\.py:\d+ \(b2\): conn\.execute\(\.\.\.\)\.fetchall: it reads from the database while the migration runs \(--sql cannot write it out/);
});
