/**
 * The ORM in migrations: models declared in the file on `declarative_base()` (with a mixin),
 * `Session(bind=op.get_bind())` / `sessionmaker(bind=...)()`, `query(Model)` with `filter`,
 * `filter_by`, `order_by`, `all` / `first` / `one` / `get` / `count`, bulk `update({...})` /
 * `delete()`, objects changed, added and deleted, flushed by autoflush, `flush()` and
 * `commit()`, `session.execute(...)`: run embedded, online, the rows and schema left are the
 * real Alembic's (SQLAlchemy's unit of work), on a SQLite file and on PostgreSQL, up and down;
 * `query(table)` / `query(t.c.a)` over Core tables give rows (c3); Python-side `default=` /
 * `onupdate=` functions (the file's, a lambda, a project module's) called as the ORM writes rows
 * (d4). `--sql` refuses it as Alembic's
 * offline mode cannot run a Session either.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testDatabases } from '../support/pgDatabases';
import { runOurs } from './oracle';
import { fixtureProject, upDownUpLikeAlembic } from './onlineFixture';

const databases = testDatabases('orm');
const pgUrl = databases.url;

for (const kind of ['sqlite', 'postgresql'] as const) {
  test(`runs an ORM Session on the migration's connection, on ${kind}: the same rows and schema as Alembic, up and down`, async () => {
    const facts = await upDownUpLikeAlembic(kind, 'orm', pgUrl, 'facts');
    assert.match(facts, /labels: CORE:20,OPS:4,new:None/, `what the migration read after its own flushes: ${facts}`);
    assert.match(facts, /first off: bob@example.com.off None/, facts);
    assert.match(facts, /pairs: (1\/None;1\/True|1\/True;1\/None);2\/True/, `distinct rows of columns, Booleans as Python reads them: ${facts}`);
    assert.match(facts, /core: \[1, 2\] 20 2 2/, `rows of a Core table and of its columns (c3): ${facts}`);
  });
}

test('--sql refuses a migration that runs an ORM Session, before writing anything', async () => {
  const dir = fixtureProject('orm');
  const [r] = await runOurs([{ cwd: dir, argv: ['upgrade', 'a1:b2', '--sql'] }]);
  assert.notEqual(r.code, 0);
  assert.match(r.stdout + r.stderr, /b2_orm\.py:\d+ \(b2\): query\.update: it reads from the database while the migration runs/);
});
