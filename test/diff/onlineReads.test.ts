/**
 * Migrations that read rows back (`conn.execute(...).fetchall()`, `.scalar()`, `.first()`, loops
 * over results) run embedded, online, inside the run's transaction, in order: the rows and schema
 * they leave are the ones the real Alembic leaves, on a SQLite file and on PostgreSQL; `--sql`
 * refuses them as Alembic's offline mode cannot run them either.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testDatabases } from '../support/pgDatabases';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO, runAlembic, runOurs } from './oracle';

const FIXTURE = path.join(REPO, 'test/fixtures/online');
const databases = testDatabases('online');
const pgUrl = databases.url;

function project(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'online-reads-'));
  fs.cpSync(FIXTURE, dir, { recursive: true });
  // The shop fixture's env.py (DATABASE_URL from the environment) serves here too.
  fs.copyFileSync(path.join(REPO, 'test/fixtures/migrate/shop/alembic/env.py'), path.join(dir, 'alembic', 'env.py'));
  return dir;
}

const dump = (url: string) => (runAlembic([{ schema: url } as never])[0] as unknown as { schema: unknown }).schema;

for (const kind of ['sqlite', 'postgresql'] as const) {
  test(`reads from the database while it runs, on ${kind}: the same rows and schema as Alembic, up and down`, async () => {
    const theirs = project();
    const ours = project();
    const urls = kind === 'sqlite'
      ? [`sqlite:///${path.join(theirs, 'online.db')}`, `sqlite:///${path.join(ours, 'online.db')}`]
      : [await pgUrl('alembic'), await pgUrl('ours')];
    for (const [target, verb] of [['head', 'upgrade'], ['a1', 'downgrade'], ['head', 'upgrade']] as const) {
      const [a] = runAlembic([{ cwd: theirs, argv: [verb, target], env: { DATABASE_URL: urls[0] } }]);
      const [b] = await runOurs([{ cwd: ours, argv: [verb, target], env: { DATABASE_URL: urls[1] } }]);
      assert.equal(a.code, 0, a.stderr);
      assert.equal(b.code, 0, b.stderr + b.stdout);
      assert.deepEqual(dump(urls[1]), dump(urls[0]), `after ${verb} ${target}`);
    }
    const d = dump(urls[1]) as { rows?: Record<string, unknown[]>; tables?: Record<string, { rows: unknown[] }> };
    const plans = JSON.stringify(kind === 'sqlite' ? d.tables!.plans.rows : d.rows!.plans);
    assert.match(plans, /"team".*2.*17/, `plans were computed from the rows read: ${plans}`);
  });
}

test('--sql refuses a migration that reads rows back, before writing anything', async () => {
  const dir = project();
  const [r] = await runOurs([{ cwd: dir, argv: ['upgrade', 'a1:b2', '--sql'] }]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /hint: Run it without --sql: the embedded engine runs it online/);
  assert.match(r.stdout + r.stderr, /b2_normalize\.py:\d+ \(b2\): conn\.execute\(\.\.\.\)\.fetchall: it reads from the database while the migration runs \(--sql cannot write it out/);
});
