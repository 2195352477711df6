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
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO, runAlembic, runOurs } from './oracle';

const FIXTURE = path.join(REPO, 'test/fixtures/inspector');
const databases = testDatabases('inspector');
const pgUrl = databases.url;

function project(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inspector-'));
  fs.cpSync(FIXTURE, dir, { recursive: true });
  fs.copyFileSync(path.join(REPO, 'test/fixtures/migrate/shop/alembic/env.py'), path.join(dir, 'alembic', 'env.py'));
  return dir;
}

const dump = (url: string) => (runAlembic([{ schema: url } as never])[0] as unknown as { schema: unknown }).schema;

for (const kind of ['sqlite', 'postgresql'] as const) {
  test(`reads the schema with SQLAlchemy's Inspector while it runs, on ${kind}: the same rows and schema as Alembic, up and down`, async () => {
    const theirs = project();
    const ours = project();
    const urls = kind === 'sqlite'
      ? [`sqlite:///${path.join(theirs, 'inspector.db')}`, `sqlite:///${path.join(ours, 'inspector.db')}`]
      : [await pgUrl('alembic'), await pgUrl('ours')];
    for (const [target, verb] of [['head', 'upgrade'], ['a1', 'downgrade'], ['head', 'upgrade']] as const) {
      const [a] = runAlembic([{ cwd: theirs, argv: [verb, target], env: { DATABASE_URL: urls[0] } }]);
      const [b] = await runOurs([{ cwd: ours, argv: [verb, target], env: { DATABASE_URL: urls[1] } }]);
      assert.equal(a.code, 0, a.stderr);
      assert.equal(b.code, 0, b.stderr + b.stdout);
      assert.deepEqual(dump(urls[1]), dump(urls[0]), `after ${verb} ${target}`);
    }
    // What the migration read is in the facts it wrote (compared above; here, that it read something).
    const d = dump(urls[1]) as { rows?: Record<string, unknown[]>; tables?: Record<string, { rows: unknown[] }> };
    const facts = JSON.stringify(kind === 'sqlite' ? d.tables!.facts.rows : d.rows!.facts);
    assert.match(facts, /fk_users_team_id_teams->teams\(id\) CASCADE/, facts);
    assert.match(facts, /"alembic_version,teams,users".*"alembic_version,facts,teams,users"/, `a cached Inspector answers as before: ${facts}`);
  });
}

test('--sql refuses a migration that inspects the schema, before writing anything', async () => {
  const dir = project();
  const [r] = await runOurs([{ cwd: dir, argv: ['upgrade', 'a1:b2', '--sql'] }]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /hint: Run it without --sql: the embedded engine runs it online/);
  assert.match(r.stdout + r.stderr, /b2_inspect\.py:\d+ \(b2\): inspector\.get_table_names\(\.\.\.\): it reads from the database while the migration runs/);
});
