/**
 * Reflected tables in migrations (`MetaData().reflect(bind, only=...)`, `meta.tables['x']`,
 * `sa.Table('x', meta, autoload_with=bind)`), used in Core statements, `op.bulk_insert` and
 * `op.drop_table(t.name)`: run embedded, online, the rows and schema left are the real Alembic's,
 * on a SQLite file and on PostgreSQL, up and down; `--sql` refuses it as Alembic's offline mode
 * cannot reflect either.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testDatabases } from '../support/pgDatabases';
import { runOurs } from './oracle';
import { fixtureProject, upDownUpLikeAlembic } from './onlineFixture';

const databases = testDatabases('reflect');
const pgUrl = databases.url;

for (const kind of ['sqlite', 'postgresql'] as const) {
  test(`reflects tables while it runs, on ${kind}: the same rows and schema as Alembic, up and down`, async () => {
    const facts = await upDownUpLikeAlembic(kind, 'reflect', pgUrl, 'facts');
    assert.match(facts, /reflected: users,teams/, `resolve_fks brings the referred table: ${facts}`);
    assert.match(facts, /users columns: id,team_id,email,score,active,nickname/, `the reflection sees the column added before it: ${facts}`);
    assert.match(facts, /emails: core-ada@example.com,ops-bob@example.com,ops-cy@example.com/, facts);
    assert.match(facts, /active: \[True, False, None\]/, `Booleans read back as Python's: ${facts}`);
    assert.match(facts, /values: \[\{'dark': True, 'size': 3\}, \['a', 'b'\]\]/, `JSON read back as Python's: ${facts}`);
  });
}

test('--sql refuses a migration that reflects tables, before writing anything', async () => {
  const dir = fixtureProject('reflect');
  const [r] = await runOurs([{ cwd: dir, argv: ['upgrade', 'a1:b2', '--sql'] }]);
  assert.notEqual(r.code, 0);
  assert.match(r.stdout + r.stderr, /b2_reflect\.py:\d+ \(b2\): inspector\.get_table_names\(\.\.\.\): it reads from the database while the migration runs/);
});
