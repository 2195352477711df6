/**
 * The ORM in migrations: models declared in the file on `declarative_base()` (with a mixin),
 * `Session(bind=op.get_bind())` / `sessionmaker(bind=...)()`, `query(Model)` with `filter`,
 * `filter_by`, `order_by`, `all` / `first` / `one` / `get` / `count`, bulk `update({...})` /
 * `delete()`, objects changed, added and deleted, flushed by autoflush, `flush()` and
 * `commit()`, `session.execute(...)`: run embedded, online, the rows and schema left are the
 * real Alembic's (SQLAlchemy's unit of work), on a SQLite file and on PostgreSQL, up and down;
 * `--sql` refuses it as Alembic's offline mode cannot run a Session either.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testDatabases } from '../support/pgDatabases';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO, runAlembic, runOurs } from './oracle';

const FIXTURE = path.join(REPO, 'test/fixtures/orm');
const databases = testDatabases('orm');
const pgUrl = databases.url;

function project(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orm-'));
  fs.cpSync(FIXTURE, dir, { recursive: true });
  fs.copyFileSync(path.join(REPO, 'test/fixtures/migrate/shop/alembic/env.py'), path.join(dir, 'alembic', 'env.py'));
  return dir;
}

const dump = (url: string) => (runAlembic([{ schema: url } as never])[0] as unknown as { schema: unknown }).schema;

for (const kind of ['sqlite', 'postgresql'] as const) {
  test(`runs an ORM Session on the migration's connection, on ${kind}: the same rows and schema as Alembic, up and down`, async () => {
    const theirs = project();
    const ours = project();
    const urls = kind === 'sqlite'
      ? [`sqlite:///${path.join(theirs, 'orm.db')}`, `sqlite:///${path.join(ours, 'orm.db')}`]
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
    assert.match(facts, /labels: CORE:20,OPS:4,new:None/, `what the migration read after its own flushes: ${facts}`);
    assert.match(facts, /first off: bob@example.com.off None/, facts);
  });
}

test('--sql refuses a migration that runs an ORM Session, before writing anything', async () => {
  const dir = project();
  const [r] = await runOurs([{ cwd: dir, argv: ['upgrade', 'a1:b2', '--sql'] }]);
  assert.notEqual(r.code, 0);
  assert.match(r.stdout + r.stderr, /b2_orm\.py:\d+ \(b2\): query\.update: it reads from the database while the migration runs/);
});
