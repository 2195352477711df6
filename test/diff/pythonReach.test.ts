/**
 * Python that real migrations compute with, run embedded and compared with the real Alembic 1.19 /
 * SQLAlchemy 2.0 (the survey's reference: `bind.commit()` is SQLAlchemy 2.0's): `bind.commit()`
 * before an autocommit block (as pypi/warehouse does), `str(bind.engine.url)`, `try`/`except`,
 * `global`, `collections.defaultdict`, `datetime` and `dialect.default_schema_name`; neutron's idioms (c3:
 * the project's decorator and `@contextmanager`, a MetaData among create_table's columns, `engine.name`). The schema and
 * rows after upgrade and downgrade are Alembic's, on a SQLite file and on PostgreSQL.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { testDatabases } from '../support/pgDatabases';
import { REPO, runAlembic, runOurs } from './oracle';

const REFERENCE = process.env.SURVEY_ALEMBIC_PATH ?? '/work/survey-projects/.reference';
const FIXTURE = path.join(REPO, 'test/fixtures/pyreach');
const databases = testDatabases('pyreach');

function project(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pyreach-'));
  fs.cpSync(FIXTURE, dir, { recursive: true });
  return dir;
}

const withReference = <T>(fn: () => T): T => {
  const saved = process.env.PYTHONPATH;
  process.env.PYTHONPATH = REFERENCE;
  try { return fn(); } finally { if (saved === undefined) delete process.env.PYTHONPATH; else process.env.PYTHONPATH = saved; }
};
const dump = (url: string) => (runAlembic([{ schema: url } as never])[0] as unknown as { schema: unknown }).schema;

test('the reference Alembic is 1.19 with SQLAlchemy 2.0', () => {
  assert.ok(fs.existsSync(path.join(REFERENCE, 'alembic')), `${REFERENCE}: run test/survey/fetch-reference.sh`);
});

for (const kind of ['sqlite', 'postgresql'] as const) {
  test(`commit(), the URL, try/except, global, defaultdict, datetime on ${kind}: the same schema and rows as Alembic, up and down`, async () => {
    const dirs = [project(), project()];
    const urls = kind === 'sqlite' ? dirs.map((d) => `sqlite:///${path.join(d, 'pyreach.db')}`) : [await databases.url('alembic'), await databases.url('ours')];
    for (const [verb, target] of [['upgrade', 'head'], ['downgrade', 'a1'], ['upgrade', 'head']] as const) {
      const [a] = withReference(() => runAlembic([{ cwd: dirs[0], argv: [verb, target], env: { DATABASE_URL: urls[0] } }]));
      const [b] = await runOurs([{ cwd: dirs[1], argv: [verb, target], env: { DATABASE_URL: urls[1] } }]);
      assert.equal(a.code, 0, a.stderr);
      assert.equal(b.code, 0, b.stderr + b.stdout);
      assert.deepEqual(dump(urls[1]), dump(urls[0]), `after ${verb} ${target}`);
    }
    const rows = JSON.stringify(dump(urls[1]));
    assert.match(rows, kind === 'sqlite' ? /sqlite 10 True main/ : /postgresql 20 True public/);
    assert.match(rows, /apple,avocado/);
    // c3: neutron's idioms (the project's decorator and contextmanager, MetaData among the columns, engine.name).
    assert.match(rows, new RegExp(`${kind}: 4 columns before`), rows);
    assert.match(rows, /5 columns after/, rows);
    assert.match(rows, /names: /, rows);
  });
}

test('--sql refuses bind.commit() as Alembic\'s offline mode cannot run it, and says to run it online', async () => {
  const dir = project();
  const [r] = await runOurs([{ cwd: dir, argv: ['upgrade', 'a1:b2', '--sql'] }]);
  assert.notEqual(r.code, 0);
  assert.match(r.stdout + r.stderr, /bind\.commit\(\): Alembic's offline mode has no connection \(AttributeError: 'MockConnection' object has no attribute 'commit'\); it runs online, without --sql/);
});
