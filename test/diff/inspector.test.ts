/**
 * `sa.inspect(bind)` / `Inspector.from_engine(bind)` in migrations, used as real projects use it
 * (table names before creating one, column names before adding one, foreign keys dropped by the
 * name the database gives them, index names, has_table, primary and unique constraints): run
 * embedded, online, the rows and schema left are the real Alembic's, on a SQLite file and on
 * PostgreSQL, up and down; `--sql` refuses it as Alembic's offline mode cannot run it either.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testDatabases } from '../support/pgDatabases';
import { runOurs } from './oracle';
import { fixtureProject, upDownUpLikeAlembic } from './onlineFixture';

const databases = testDatabases('inspector');
const pgUrl = databases.url;

for (const kind of ['sqlite', 'postgresql'] as const) {
  test(`reads the schema with SQLAlchemy's Inspector while it runs, on ${kind}: the same rows and schema as Alembic, up and down`, async () => {
    const facts = await upDownUpLikeAlembic(kind, 'inspector', pgUrl, 'facts');
    assert.match(facts, /fk_users_team_id_teams->teams\(id\) CASCADE/, facts);
    assert.match(facts, /"alembic_version,teams,users".*"alembic_version,facts,teams,users"/, `a cached Inspector answers as before: ${facts}`);
  });
}

test('--sql refuses a migration that inspects the schema, before writing anything', async () => {
  const dir = fixtureProject('inspector');
  const [r] = await runOurs([{ cwd: dir, argv: ['upgrade', 'a1:b2', '--sql'] }]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /hint: Run it without --sql: the embedded engine runs it online/);
  assert.match(r.stdout + r.stderr, /b2_inspect\.py:\d+ \(b2\): inspector\.get_table_names\(\.\.\.\): it reads from the database while the migration runs/);
});
