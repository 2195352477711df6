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
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO, runAlembic, runOurs } from './oracle';

const FIXTURE = path.join(REPO, 'test/fixtures/reflect');
const databases = testDatabases('reflect');
const pgUrl = databases.url;

function project(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reflect-'));
  fs.cpSync(FIXTURE, dir, { recursive: true });
  fs.copyFileSync(path.join(REPO, 'test/fixtures/migrate/shop/alembic/env.py'), path.join(dir, 'alembic', 'env.py'));
  return dir;
}

const dump = (url: string) => (runAlembic([{ schema: url } as never])[0] as unknown as { schema: unknown }).schema;

for (const kind of ['sqlite', 'postgresql'] as const) {
  test(`reflects tables while it runs, on ${kind}: the same rows and schema as Alembic, up and down`, async () => {
    const theirs = project();
    const ours = project();
    const urls = kind === 'sqlite'
      ? [`sqlite:///${path.join(theirs, 'reflect.db')}`, `sqlite:///${path.join(ours, 'reflect.db')}`]
      : [await pgUrl('alembic'), await pgUrl('ours')];
    for (const [target, verb] of [['head', 'upgrade'], ['a1', 'downgrade'], ['head', 'upgrade']] as const) {
      const [a] = runAlembic([{ cwd: theirs, argv: [verb, target], env: { DATABASE_URL: urls[0] } }]);
      const [b] = await runOurs([{ cwd: ours, argv: [verb, target], env: { DATABASE_URL: urls[1] } }]);
      assert.equal(a.code, 0, a.stderr);
      assert.equal(b.code, 0, b.stderr + b.stdout);
      assert.deepEqual(dump(urls[1]), dump(urls[0]), `after ${verb} ${target}`);
    }
    const d = dump(urls[1]) as { rows?: Record<string, unknown[]>; tables?: Record<string, { rows: unknown[] }> };
    const facts = JSON.stringify(kind === 'sqlite' ? d.tables!.facts.rows : d.rows!.facts);
    assert.match(facts, /reflected: users,teams/, `resolve_fks brings the referred table: ${facts}`);
    assert.match(facts, /users columns: id,team_id,email,score,active,nickname/, `the reflection sees the column added before it: ${facts}`);
    assert.match(facts, /emails: core-ada@example.com,ops-bob@example.com,ops-cy@example.com/, facts);
  });
}

test('--sql refuses a migration that reflects tables, before writing anything', async () => {
  const dir = project();
  const [r] = await runOurs([{ cwd: dir, argv: ['upgrade', 'a1:b2', '--sql'] }]);
  assert.notEqual(r.code, 0);
  assert.match(r.stdout + r.stderr, /b2_reflect\.py:\d+ \(b2\): inspector\.get_table_names\(\.\.\.\): it reads from the database while the migration runs/);
});
