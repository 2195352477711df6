/**
 * `migrations verify`, the stairway check, on real scratch databases (sql.js in memory, PGlite, a
 * temporary database on the PostgreSQL server): the fixture's two bad downgrades fail on the right
 * databases with the right words, the good revision passes, rows lost or needed are caught, a step
 * that fails is reported with its statement, and the configured database is never touched.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { REPO, runOurs } from './oracle';
import { loadProjectConfig } from '../../src/engine/config/project';
import { loadScriptDirectory } from '../../src/engine/scripts/scriptDirectory';
import { verify, RevisionResult, VerifyOptions } from '../../src/engine/verify';
import { writeTree } from '../unit/tmpProject';

const PGURL = process.env.PGURL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const FIXTURE = path.join(REPO, 'test/fixtures/verify/project');
const GOOD = 'a1f3c2d4e5b6';
const FORGETS_INDEX = 'b2e4d6f8a0c1';
const FORGETS_ENUM = 'c3a5b7c9d1e2';
let admin: Client;

before(async () => { admin = new Client({ connectionString: PGURL }); await admin.connect(); });
after(async () => { await admin.end(); });

function copyFixture(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'verify-'));
  fs.cpSync(FIXTURE, dir, { recursive: true });
  return dir;
}

async function run(dir: string, o: Partial<VerifyOptions>) {
  const config = loadProjectConfig({ iniPath: path.join(dir, 'alembic.ini') });
  const report = await verify(loadScriptDirectory(config), { databases: ['sqlite'], ...o });
  const by = (rev: string, db = o.databases?.[0] ?? 'sqlite') => report.results.find((r) => r.revision === rev && r.database === db) as RevisionResult;
  return { report, by };
}

const verifyDatabases = async () => (await admin.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE 'migrations_verify_%'")).rows.map((r) => r.datname);

for (const [label, o] of [
  ['PGlite', { databases: ['postgresql'], postgres: { mode: 'pglite' } }],
  ['a temporary database on the server', { databases: ['postgresql'], postgres: { mode: 'server', url: PGURL } }],
] as [string, Partial<VerifyOptions>][]) {
  test(`PostgreSQL (${label}): the forgotten index and the forgotten ENUM type fail, the good revision passes`, async () => {
    const leftBefore = await verifyDatabases();
    const { report, by } = await run(copyFixture(), o);
    assert.deepEqual(report.results.map((r) => [r.revision, r.status]), [[GOOD, 'passed'], [FORGETS_INDEX, 'failed'], [FORGETS_ENUM, 'failed']]);
    const index = by(FORGETS_INDEX);
    // The index left behind also makes the second upgrade fail, as it would in production.
    assert.deepEqual(index.failures.map((f) => f.check), ['schema-restored', 'upgrade-again']);
    assert.match(index.failures[0].message, /^after downgrade of b2e4d6f8a0c1: index ix_users_created_at on users is still there/);
    assert.equal(index.downgradeLine, 22);
    const enumType = by(FORGETS_ENUM);
    assert.deepEqual(enumType.failures.map((f) => f.check), ['schema-restored', 'upgrade-again']);
    assert.match(enumType.failures[1].message, /type "mood" already exists/);
    assert.equal(enumType.failures[1].statement, "CREATE TYPE mood AS ENUM ('happy', 'sad')");
    assert.match(enumType.failures[0].message, /after downgrade of c3a5b7c9d1e2: enum type mood is still there/);
    assert.deepEqual(await verifyDatabases(), leftBefore, 'no temporary database is left behind');
  });
}

test('SQLite: the forgotten index fails; the ENUM revision passes (SQLite has no enum types)', async () => {
  const { report, by } = await run(copyFixture(), { databases: ['sqlite'] });
  assert.deepEqual(report.results.map((r) => [r.revision, r.status]), [[GOOD, 'passed'], [FORGETS_INDEX, 'failed'], [FORGETS_ENUM, 'passed']]);
  assert.match(by(FORGETS_INDEX).failures[0].message, /index ix_users_created_at on users is still there/);
  assert.ok(report.results.every((r) => r.durationMs >= 0 && r.file.endsWith('.py')));
});

test('one revision checked: its ancestors are applied unchecked, only it is reported', async () => {
  const { report } = await run(copyFixture(), { databases: ['sqlite'], revisions: ['c3a5'] });
  assert.deepEqual(report.results.map((r) => [r.revision, r.status]), [[FORGETS_ENUM, 'passed']]);
  const range = await run(copyFixture(), { databases: ['sqlite'], range: `${GOOD}:heads` });
  assert.deepEqual(range.report.results.map((r) => r.revision), [FORGETS_INDEX, FORGETS_ENUM]);
});

const header = (rev: string, down: string | null) => `"""rev ${rev}\n\nRevision ID: ${rev}\n"""\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = '${rev}'\ndown_revision = ${down ? `'${down}'` : 'None'}\n\n`;

function project(revisions: Record<string, string>): string {
  return writeTree({
    'alembic.ini': '[alembic]\nscript_location = %(here)s/alembic\nsqlalchemy.url = sqlite:///app.db\n',
    'alembic/env.py': '',
    ...Object.fromEntries(Object.entries(revisions).map(([name, text]) => [`alembic/versions/${name}.py`, text])),
  });
}

test('a downgrade that loses the rows of a table that survives fails rows-kept; an upgrade that needs empty tables fails upgrade-with-rows', async () => {
  const dir = project({
    a: `${header('a0', null)}def upgrade():\n    op.create_table('notes', sa.Column('id', sa.Integer, primary_key=True), sa.Column('body', sa.Text, nullable=False))\n\n\ndef downgrade():\n    op.drop_table('notes')\n`,
    // Rebuilds the table on the way back instead of dropping the column: the rows are gone.
    b: `${header('b0', 'a0')}def upgrade():\n    op.add_column('notes', sa.Column('title', sa.String(20)))\n\n\ndef downgrade():\n    op.drop_table('notes')\n    op.create_table('notes', sa.Column('id', sa.Integer, primary_key=True), sa.Column('body', sa.Text, nullable=False))\n`,
    // NOT NULL without a default: fine on an empty table, fails on PostgreSQL once the table has a row.
    c: `${header('c0', 'b0')}def upgrade():\n    op.add_column('notes', sa.Column('owner', sa.Integer, nullable=False))\n\n\ndef downgrade():\n    op.drop_column('notes', 'owner')\n`,
  });
  const { by } = await run(dir, { databases: ['postgresql'] });
  assert.equal(by('a0').status, 'passed');
  assert.deepEqual(by('b0').failures.map((f) => f.check), ['rows-kept']);
  assert.match(by('b0').failures[0].message, /after downgrade of b0: table notes lost its rows \(1 before, 0 after\)/);
  assert.deepEqual(by('c0').failures.map((f) => f.check), ['upgrade-with-rows']);
  assert.match(by('c0').failures[0].message, /upgrade of c0 fails when its tables hold a row: .*owner.*null/i);
  const noRows = await run(dir, { databases: ['postgresql'], rows: false });
  assert.deepEqual(noRows.report.results.map((r) => r.status), ['passed', 'passed', 'passed']);
});

test('a step that fails halfway: reported with its statement and line, rolled back, and the revisions after it skipped', async () => {
  const dir = project({
    a: `${header('a0', null)}def upgrade():\n    op.create_table('t', sa.Column('id', sa.Integer, primary_key=True))\n    op.execute('INSERT INTO missing_table VALUES (1)')\n\n\ndef downgrade():\n    op.drop_table('t')\n`,
    b: `${header('b0', 'a0')}def upgrade():\n    op.create_table('u', sa.Column('id', sa.Integer, primary_key=True))\n\n\ndef downgrade():\n    op.drop_table('u')\n`,
    c: `${header('c0', 'b0')}def upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n`,
  });
  for (const db of ['sqlite', 'postgresql'] as const) {
    const { by } = await run(dir, { databases: [db] });
    const a = by('a0', db);
    assert.equal(a.status, 'failed');
    assert.equal(a.failures[0].check, 'upgrade');
    assert.match(a.failures[0].message, /upgrade of a0 failed: .*missing_table/);
    assert.equal(a.failures[0].statement, 'INSERT INTO missing_table VALUES (1)');
    assert.equal(a.failures[0].line, 13);
    assert.equal(by('b0', db).status, 'skipped');
    assert.equal(by('b0', db).skippedReason, 'revision a0 before it could not be applied');
    // Further down, the cause is still named, not the parent in between.
    assert.equal(by('c0', db).skippedReason, 'revision a0 before it could not be applied');
  }
});

test('a revision the engine cannot run is skipped with the construct and line, its descendants too', async () => {
  const dir = project({
    a: `${header('a0', null)}import os\n\ndef upgrade():\n    op.execute(os.environ['X'])\n\n\ndef downgrade():\n    pass\n`,
    b: `${header('b0', 'a0')}def upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n`,
  });
  const { by } = await run(dir, { databases: ['sqlite'] });
  assert.equal(by('a0').status, 'skipped');
  assert.match(by('a0').skippedReason!, /^the embedded engine cannot run its upgrade\(\): line \d+: /);
  assert.equal(by('b0').skippedReason, 'revision a0 before it could not be applied');
});

test('branches, a merge and depends_on: every revision is walked once, in an order Alembic can upgrade through', async () => {
  const dir = path.join(REPO, 'migrations/example');
  const { report } = await run(dir, { databases: ['sqlite'] });
  const config = loadProjectConfig({ iniPath: path.join(dir, 'alembic.ini') });
  assert.equal(report.results.length, loadScriptDirectory(config).scripts.length);
  assert.deepEqual(report.results.filter((r) => r.status !== 'passed').map((r) => [r.revision, r.failures.map((f) => f.message), r.skippedReason]), []);
});

const sha = (f: string) => createHash('sha256').update(fs.readFileSync(f)).digest('hex');

test('CLI: exit 1 with a readable summary and JUnit XML; the configured SQLite database stays byte-identical', async () => {
  const dir = copyFixture();
  const [up] = await runOurs([{ cwd: dir, argv: ['upgrade', GOOD] }]);
  assert.equal(up.code, 0, up.stderr);
  const db = path.join(dir, 'app.db');
  const before = { hash: sha(db), mtime: fs.statSync(db).mtimeMs };
  const junit = path.join(dir, 'out', 'verify.xml');
  const [r] = await runOurs([{ cwd: dir, argv: ['verify', '--database', 'sqlite', '--junit', junit] }]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /^SQLite:\n {2}PASS a1f3c2d4e5b6 {2}create users/m);
  assert.match(r.stdout, /FAIL b2e4d6f8a0c1 .*\n +schema-restored: after downgrade of b2e4d6f8a0c1: index ix_users_created_at on users is still there/);
  assert.match(r.stdout, /3 check\(s\): 2 passed, 1 failed, 0 skipped/);
  const xml = fs.readFileSync(junit, 'utf8');
  assert.equal((xml.match(/<testcase /g) ?? []).length, 3);
  assert.match(xml, /<failure type="schema-restored" message="after downgrade of b2e4d6f8a0c1: index ix_users_created_at on users is still there">/);
  assert.deepEqual({ hash: sha(db), mtime: fs.statSync(db).mtimeMs }, before);
  const [good] = await runOurs([{ cwd: dir, argv: ['verify', '--database', 'sqlite', GOOD] }]);
  assert.equal(good.code, 0, good.stdout + good.stderr);
});

test('CLI: bad input gives a message, not a stack trace', async () => {
  const dir = copyFixture();
  const cases: [string[], RegExp][] = [
    [['verify', '--database', 'mysql'], /FAILED: --database: unknown database mysql/],
    [['verify', '--database', 'postgresql', '--postgres-url', 'sqlite:///x.db'], /FAILED: --postgres-url must name a PostgreSQL server/],
    [['verify', 'nosuchrev'], /FAILED: .*nosuchrev/],
    [['verify', '--database', 'postgresql', '--postgres-url', 'postgresql://postgres:secret@127.0.0.1:1/postgres'], /FAILED: .*127\.0\.0\.1:1/],
  ];
  const cycle = project({
    a: `${header('a0', 'b0')}def upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n`,
    b: `${header('b0', 'a0')}def upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n`,
  });
  const jobs = cases.map(([argv]) => ({ cwd: dir, argv }) as { cwd: string; argv: string[]; env?: Record<string, string> });
  jobs.push({ cwd: cycle, argv: ['verify'] });
  cases.push([[], /error: Cycle is detected in revisions \(a0, b0\)/]);
  jobs.push({ cwd: dir, argv: ['verify', '--database', 'postgresql'], env: { MIGRATIONS_PGLITE_DIR: path.join(dir, 'no-such-folder') } });
  cases.push([[], /FAILED: PGlite \(the embedded PostgreSQL\) could not start: .*pglite\.wasm cannot be read[\s\S]*--postgres-url/]);
  const results = await runOurs(jobs);
  results.forEach((r, i) => {
    assert.match(r.stdout + r.stderr, cases[i][1]);
    assert.doesNotMatch(r.stdout + r.stderr, /\n\s+at |secret/);
    assert.notEqual(r.code, 0);
  });
});

test('two heads: every revision is still checked, and the report says `upgrade head` fails until they are merged', async () => {
  const dir = project({
    a: `${header('a0', null)}def upgrade():\n    op.create_table('t', sa.Column('id', sa.Integer, primary_key=True))\n\n\ndef downgrade():\n    op.drop_table('t')\n`,
    b: `${header('b0', 'a0')}def upgrade():\n    op.add_column('t', sa.Column('b', sa.Integer))\n\n\ndef downgrade():\n    op.drop_column('t', 'b')\n`,
    c: `${header('c0', 'a0')}def upgrade():\n    op.add_column('t', sa.Column('c', sa.Integer))\n\n\ndef downgrade():\n    op.drop_column('t', 'c')\n`,
  });
  const { report } = await run(dir, { databases: ['sqlite'] });
  assert.deepEqual(report.results.map((r) => [r.revision, r.status]).sort(), [['a0', 'passed'], ['b0', 'passed'], ['c0', 'passed']]);
  assert.equal(report.problems.length, 1);
  assert.match(report.problems[0], /^The project has 2 heads \((b0, c0|c0, b0)\): `upgrade head` fails until they are merged/);
});

test('a revision that asks bind.engine.url (CTFd does) is verified with the scratch database\'s URL, on SQLite and on PGlite', async () => {
  const dir = writeTree({
    'alembic.ini': '[alembic]\nscript_location = %(here)s/migrations\nsqlalchemy.url = sqlite:///%(here)s/app.db\n',
    'migrations/env.py': '', 'migrations/script.py.mako': '',
    'migrations/versions/a1_url.py': `from alembic import op
import sqlalchemy as sa

revision = 'a1'
down_revision = None


def upgrade():
    # Each branch fails on the other database: the wrong URL would fail the check.
    if str(op.get_bind().engine.url).startswith('sqlite'):
        op.execute('CREATE TABLE on_sqlite (id INTEGER PRIMARY KEY AUTOINCREMENT)')
    else:
        op.create_table('on_postgresql', sa.Column('id', sa.Integer(), primary_key=True), sa.Column('doc', sa.dialects.postgresql.JSONB()))


def downgrade():
    url = str(op.get_bind().engine.url)
    op.drop_table('on_sqlite' if url.startswith('sqlite') else 'on_postgresql')
`,
  });
  try {
    for (const o of [{ databases: ['sqlite'] }, { databases: ['postgresql'], postgres: { mode: 'pglite' } }] as Partial<VerifyOptions>[]) {
      const logs: string[] = [];
      const { report } = await run(dir, { ...o, onLog: (l) => logs.push(l) });
      assert.deepEqual(report.results.map((r) => [r.revision, r.status, r.skippedReason, r.failures.map((f) => f.message)]), [['a1', 'passed', undefined, []]], o.databases![0]);
    }
    assert.ok(!fs.existsSync(path.join(dir, 'app.db')), 'the configured database is never touched');
  } finally { fs.rmSync(dir, { recursive: true, force: true }); }
});
