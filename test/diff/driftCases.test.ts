/**
 * `drift` where it is easy to get wrong: the ignore list (option and pyproject.toml), a database
 * with no version table (empty or not), a revision missing from the scripts, a revision the engine
 * cannot run, an unreachable database, a table an extension owns; and the CLI: exit codes, the
 * grouped text, the --json shape, errors as FAILED lines without a stack trace or a password.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { testDatabases } from '../support/pgDatabases';
import { runOurs } from './oracle';
import { editPostgres, editSqlite, HEAD, project, runDrift, setUrl, upgradeOurs } from './driftSupport';

const dbs = testDatabases('drift_cases');

async function sqliteProject(extra: Record<string, string> = {}): Promise<{ dir: string; file: string }> {
  const dir = project('sqlite:///app.db', extra);
  const file = path.join(dir, 'app.db');
  setUrl(dir, `sqlite:///${file}`);
  return { dir, file };
}

test('ignore patterns from --ignore and from pyproject.toml drift-ignore leave those tables out, with a note', async () => {
  const { dir, file } = await sqliteProject({ 'pyproject.toml': '[tool.alembic-migrations]\ndrift-ignore = ["celery_*"]\n' });
  await upgradeOurs(dir);
  await editSqlite(file, 'CREATE TABLE celery_taskmeta (id INTEGER PRIMARY KEY); CREATE TABLE celery_tasksetmeta (id INTEGER PRIMARY KEY); CREATE TABLE audit_log (id INTEGER PRIMARY KEY); CREATE TABLE kept (id INTEGER PRIMARY KEY);');
  const r = await runDrift(dir, { ignore: ['audit_?og'] });
  assert.deepEqual(r.differences.map((d) => d.message), ['table kept is in the database but not in the migrations']);
  assert.deepEqual(r.ignored, ['audit_log', 'celery_taskmeta', 'celery_tasksetmeta']);
  assert.ok(r.notes.includes('Ignored (celery_*, audit_?og): audit_log, celery_taskmeta, celery_tasksetmeta.'), r.notes.join('\n'));
  assert.ok(!('celery_taskmeta' in r.actual.tables));

  fs.writeFileSync(path.join(dir, 'pyproject.toml'), '[tool.alembic-migrations]\ndrift-ignore = "celery_*"\n');
  await assert.rejects(runDrift(dir), /drift-ignore must be a list of strings/);
});

test('no version table: an empty database says so; one with tables is not managed by migrations and is compared with base', async () => {
  const { dir, file } = await sqliteProject();
  await editSqlite(file, '');
  const empty = await runDrift(dir);
  assert.deepEqual([empty.heads, empty.differences], [[], []]);
  assert.match(empty.notes[0], /^The database is empty \(no tables, no alembic_version table\): it is not managed by migrations yet/);

  await editSqlite(file, 'CREATE TABLE legacy (id INTEGER PRIMARY KEY)');
  const r = await runDrift(dir);
  assert.deepEqual(r.differences.map((d) => d.message), ['table legacy is in the database but not in the migrations']);
  assert.match(r.notes[0], /no alembic_version table: it is not managed by migrations .* compared with the empty schema \(base\)/);
});

test('a database at an older revision (and read-only) is compared with the migrations at that revision (pending ones are not drift)', async () => {
  const url = await dbs.url('older');
  const dir = project(url);
  await upgradeOurs(dir, 'd2b0c0ffee02');
  // Any write drift attempted on the live database would now fail.
  await editPostgres(url, `ALTER DATABASE "${new URL(url).pathname.slice(1)}" SET default_transaction_read_only = on`);
  const r = await runDrift(dir);
  assert.deepEqual([r.heads, r.differences], [['d2b0c0ffee02'], []]);
  assert.ok(r.notes.some((n) => n.includes(`not at the scripts' head ${HEAD}`)), r.notes.join('\n'));
});

test('a revision missing from the scripts, and one the engine cannot run, are named', async () => {
  const { dir, file } = await sqliteProject({
    'alembic/versions/d4_env.py': '"""from the environment\n\nRevision ID: d4d0c0ffee04\n"""\nimport os\nfrom alembic import op\n\nrevision = \'d4d0c0ffee04\'\ndown_revision = \'d3c0c0ffee03\'\n\n\ndef upgrade():\n    op.execute(os.environ[\'X\'])\n\n\ndef downgrade():\n    pass\n',
  });
  await upgradeOurs(dir, HEAD);
  await editSqlite(file, "UPDATE alembic_version SET version_num = 'deadbeef0000'");
  await assert.rejects(runDrift(dir), (e: Error & { hint?: string }) => {
    assert.match(e.message, /is at revision deadbeef0000, which is not among the revision files/);
    assert.match(e.hint!, /git pull/);
    return true;
  });
  await editSqlite(file, "UPDATE alembic_version SET version_num = 'd4d0c0ffee04'");
  await assert.rejects(runDrift(dir), (e: Error & { hint?: string }) => {
    assert.match(e.message, /revision d4d0c0ffee04 \(alembic\/versions\/d4_env\.py\): the embedded engine cannot run its upgrade\(\): line \d+: os\.environ/);
    assert.match(e.hint!, /alembic check/);
    return true;
  });
});

test('an unreachable server or a missing file: a clear message, never the password', async () => {
  const dir = project('postgresql://postgres:s3cret@127.0.0.1:1/nowhere');
  await assert.rejects(runDrift(dir), (e: Error) => {
    assert.match(e.message, /^Cannot connect to postgresql:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/nowhere/);
    assert.ok(!e.message.includes('s3cret'));
    return true;
  });
  const { dir: d2 } = await sqliteProject();
  await assert.rejects(runDrift(d2), /The SQLite database .*app\.db does not exist/);
});

test('cancelled (Ctrl-C in the CLI, Cancel in the editor): a message, nothing left behind', async () => {
  const { dir } = await sqliteProject();
  await upgradeOurs(dir);
  await assert.rejects(runDrift(dir, { signal: AbortSignal.abort() }), /Cancelled while the scratch database was being prepared; nothing was left behind\.$/);
  const controller = new AbortController();
  await assert.rejects(runDrift(dir, { signal: controller.signal, onLog: (l) => { if (l.startsWith('Building')) controller.abort(); } }), /drift was cancelled; the scratch database was removed\.$/);
});

test('PostgreSQL: a table an extension owns (pg_depend deptype e) is left out, with a note; one in another schema is named schema.table and can be ignored', async () => {
  const url = await dbs.url('extension');
  const dir = project(url);
  await upgradeOurs(dir);
  await editPostgres(url, 'CREATE EXTENSION hstore; CREATE TABLE spatial_ref_sys (srid INTEGER PRIMARY KEY); ALTER EXTENSION hstore ADD TABLE spatial_ref_sys;' +
    'CREATE SCHEMA audit; CREATE TABLE audit.log (id INTEGER PRIMARY KEY);');
  const server = { mode: 'server' as const, url: url.replace(/\/[^/]*$/, '/postgres') };
  const r = await runDrift(dir, { postgres: server, ignore: ['audit.*'] });
  assert.deepEqual(r.differences, []);
  assert.ok(r.notes.includes('Tables of the extension hstore are not compared (spatial_ref_sys): the extension owns them, not the migrations.'), r.notes.join('\n'));
  assert.deepEqual(r.ignored, ['audit.log']);
  // Not ignored, a table in another schema is named with it.
  const all = await runDrift(dir, { postgres: server });
  assert.deepEqual(all.differences.map((d) => [d.table, d.message]), [['audit.log', 'table audit.log is in the database but not in the migrations']]);
});

test('CLI: exit 0 without drift, 1 with it (grouped by table, a summary line), --json, and errors as FAILED lines', async () => {
  const { dir, file } = await sqliteProject();
  await upgradeOurs(dir);
  const [clean] = await runOurs([{ cwd: dir, argv: ['drift'] }]);
  assert.equal(clean.code, 0, clean.stderr);
  assert.match(clean.stdout, /^No drift: the database matches the migrations \(4 table\(s\) compared, [\d.]+ s\)$/m);

  await editSqlite(file, 'ALTER TABLE users ADD COLUMN nick VARCHAR(20); CREATE INDEX ix_users_name ON users (name); CREATE TABLE celery_taskmeta (id INTEGER PRIMARY KEY);');
  const [text, json, ignored] = await runOurs([
    { cwd: dir, argv: ['-q', 'drift'] }, { cwd: dir, argv: ['-q', 'drift', '--json'] },
    { cwd: dir, argv: ['-q', 'drift', '--ignore', 'celery_*', '--ignore', 'users'] }]);
  assert.equal(text.code, 1, text.stderr);
  const lines = text.stdout.trimEnd().split('\n');
  assert.deepEqual(lines.slice(1), [
    '  celery_taskmeta',
    '    table celery_taskmeta is in the database but not in the migrations',
    '  users',
    '    column users.nick is in the database but not in the migrations',
    '    index ix_users_name on users is in the database but not in the migrations',
    lines[lines.length - 1],
  ]);
  assert.match(lines[0], new RegExp(`^Drift of .*app\\.db at ${HEAD} against the migrations \\(built on SQLite \\(in memory\\)\\):$`));
  assert.match(lines[lines.length - 1], /^3 difference\(s\) in 2 table\(s\): the database has drifted from the migrations \(5 table\(s\) compared, [\d.]+ s\)$/);
  assert.equal(json.code, 1);
  const report = JSON.parse(json.stdout);
  assert.deepEqual(Object.keys(report).sort(), ['actual', 'database', 'dialect', 'differences', 'durationMs', 'expected', 'heads', 'ignored', 'notes', 'scratch']);
  assert.deepEqual(report.differences[1], { kind: 'extra', object: 'column users.nick', message: 'column users.nick is in the database but not in the migrations', table: 'users', objectType: 'column', name: 'nick' });
  assert.equal(ignored.code, 0, ignored.stdout);

  fs.rmSync(file);
  const [missing] = await runOurs([{ cwd: dir, argv: ['drift'] }]);
  assert.equal(missing.code, 255);
  assert.match(missing.stdout, /^FAILED: The SQLite database .*app\.db does not exist/);
  assert.doesNotMatch(missing.stdout + missing.stderr, /\n\s+at /);
  const [bad] = await runOurs([{ cwd: dir, argv: ['drift', '--postgres-url', 'sqlite:///x.db'] }]);
  assert.equal(bad.code, 255);
  assert.match(bad.stdout, /FAILED: --postgres-url must name a PostgreSQL server/);
});

test('PostgreSQL: a revision with autocommit_block() (CREATE INDEX CONCURRENTLY, as pypi/warehouse writes it) is built on PGlite and on a server database: no drift', async () => {
  const revision = '"""index concurrently\n\nRevision ID: d4d0c0ffee04\n"""\nfrom alembic import op\n\nrevision = \'d4d0c0ffee04\'\ndown_revision = \'d3c0c0ffee03\'\n\n\n'
    + 'def upgrade():\n    with op.get_context().autocommit_block():\n        op.create_index(\'ix_users_email_lower\', \'users\', [op.f(\'email\')], postgresql_concurrently=True)\n\n\n'
    + 'def downgrade():\n    op.drop_index(\'ix_users_email_lower\', table_name=\'users\')\n';
  const url = await dbs.url('autocommit');
  const dir = project(url, { 'alembic/versions/d4_concurrently.py': revision });
  await upgradeOurs(dir);
  for (const postgres of [undefined, { mode: 'server' as const, url: process.env.PGURL ?? 'postgresql://postgres@127.0.0.1:5432/postgres' }]) {
    const r = await runDrift(dir, postgres ? { postgres } : {});
    assert.deepEqual([r.heads, r.differences.map((d) => d.message)], [['d4d0c0ffee04'], []], r.scratch);
    assert.ok(r.expected.tables.users.indexes.some((ix) => ix.name === 'ix_users_email_lower'), r.scratch);
  }
});
