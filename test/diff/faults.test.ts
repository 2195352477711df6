/**
 * Faults from outside the run, through the CLI as users run it: the PostgreSQL server restarting
 * mid-run, another program writing the SQLite file during a run, two runs at once, a table lock
 * held by an application, a statement timeout, and the opt-in pg_dump before a run.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { REPO } from './oracle';
import { longProject, revId } from '../support/longProject';
import { startCluster } from '../support/pgCluster';

const PGURL = process.env.PGURL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const CLI = path.join(REPO, 'dist', 'cli.js');
const PYTHON = '/usr/bin/python3';
let admin: Client;
const dbs: string[] = [];
const roots: string[] = [];
before(async () => { admin = new Client({ connectionString: PGURL }); await admin.connect(); });
after(async () => {
  for (const d of dbs) await admin.query(`DROP DATABASE IF EXISTS "${d}" WITH (FORCE)`);
  await admin.end();
  for (const r of roots) fs.rmSync(r, { recursive: true, force: true });
});

async function scratchDb(tag: string, base = PGURL): Promise<string> {
  const name = `migrations_${tag}_${process.pid}`;
  const c = new Client({ connectionString: base });
  await c.connect();
  await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await c.query(`CREATE DATABASE "${name}"`);
  await c.end();
  if (base === PGURL) dbs.push(name);
  const u = new URL(base); u.pathname = `/${name}`;
  return u.toString();
}

function project(n: number): string {
  const root = longProject(n, 'faults-');
  roots.push(root);
  return root;
}

const cliEnv = (url: string, extra: Record<string, string> = {}) => ({ ...process.env, DATABASE_URL: url, MIGRATIONS_NO_CACHE: '1', ...extra });
const cli = (root: string, env: NodeJS.ProcessEnv, ...argv: string[]) => execFileSync(process.execPath, [CLI, ...argv], { cwd: root, env, encoding: 'utf8', stdio: 'pipe' });

interface Run { child: ChildProcess; out: () => string; done: Promise<number> }
function start(root: string, env: NodeJS.ProcessEnv, ...argv: string[]): Run {
  const child = spawn(process.execPath, [CLI, ...argv], { cwd: root, env });
  let out = '';
  child.stdout!.on('data', (d) => { out += d; });
  child.stderr!.on('data', (d) => { out += d; });
  return { child, out: () => out, done: new Promise((resolve) => child.on('close', (c) => resolve(c ?? -1))) };
}

async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Tables, and version rows, of a database: the version rows must agree with the tables. */
async function pgState(url: string): Promise<{ tables: string[]; versions: string[] }> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    const tables = (await c.query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'alembic_version' ORDER BY 1")).rows.map((r) => r.table_name as string);
    const has = (await c.query("SELECT to_regclass('public.alembic_version') IS NOT NULL AS has")).rows[0].has;
    const versions = has ? (await c.query('SELECT version_num FROM alembic_version')).rows.map((r) => r.version_num as string) : [];
    return { tables, versions };
  } finally { await c.end(); }
}

const tablesUpTo = (n: number) => Array.from({ length: n }, (_, i) => `t${i}`).sort();
const NO_TRACE = /\n\s+at .+:\d+:\d+|internal error/;
const tail = (s: string) => s.slice(-1500);
const sha = (f: string) => (fs.existsSync(f) ? crypto.createHash('sha256').update(fs.readFileSync(f)).digest('hex') : 'absent');

test('postgresql: the server restarted mid-run (immediate, as a crash): a clear error, nothing kept, version rows agree with the schema, a rerun finishes', { timeout: 180_000 }, async () => {
  const cluster = startCluster(15400 + (process.pid % 500));
  try {
    const url = await scratchDb('restart', cluster.url);
    const root = project(400);
    const env = cliEnv(url);
    cli(root, env, 'upgrade', '+3');
    const run = start(root, env, 'upgrade', 'head');
    await until('the run to be running migrations', () => /Running upgrade k00000000010/.test(run.out()));
    cluster.restart('immediate');
    const code = await run.done;
    assert.notEqual(code, 0, tail(run.out()));
    assert.match(run.out(), /connection to the database was lost|terminat|shut ?down/i, tail(run.out()));
    assert.doesNotMatch(run.out(), NO_TRACE, 'no stack trace');
    const after = await pgState(url);
    assert.deepEqual(after, { tables: tablesUpTo(3), versions: [revId(2)] }, 'nothing of the run was kept; the version row agrees with the tables');
    cli(root, env, 'upgrade', 'head');
    assert.equal(cli(root, env, 'current').trim(), `${revId(399)} (head)`);
    assert.equal((await pgState(url)).tables.length, 400);
  } finally {
    cluster.stop();
  }
});

test('postgresql: two CLI runs at once never interleave: the second waits (and says for whom), then finds nothing to do', { timeout: 180_000 }, async () => {
  const url = await scratchDb('two_runs');
  const root = project(300);
  const env = cliEnv(url);
  const a = start(root, env, 'upgrade', 'head');
  await until('the first run to hold the lock', () => /Running upgrade/.test(a.out()));
  const b = start(root, env, 'upgrade', 'head');
  const [ca, cb] = await Promise.all([a.done, b.done]);
  assert.equal(ca, 0, tail(a.out()));
  assert.equal(cb, 0, tail(b.out()));
  assert.equal((a.out().match(/Running upgrade/g) ?? []).length, 300);
  assert.equal((b.out().match(/Running upgrade/g) ?? []).length, 0, 'the second run found the work done');
  assert.match(b.out(), /Waiting for another migration run to finish \(pid \d+, "alembic-migrations \(cli\)".*giving up after 60 s/);
  assert.deepEqual(await pgState(url), { tables: tablesUpTo(300), versions: [revId(299)] });
});

test('postgresql: a table lock held by an application: the wait is reported with the holder, then the run gives up at the lock timeout, changing nothing', { timeout: 120_000 }, async () => {
  const url = await scratchDb('table_lock');
  const root = project(5);
  const env = cliEnv(url, { MIGRATIONS_LOCK_TIMEOUT: '6' });
  cli(root, env, 'upgrade', 'head');
  const app = new Client({ connectionString: url, application_name: 'shop-api' });
  await app.connect();
  try {
    await app.query('BEGIN');
    await app.query('SELECT count(*) FROM t4'); // an open transaction that read t4: DROP TABLE t4 must wait
    const t0 = Date.now();
    const run = start(root, env, 'downgrade', '-1');
    const code = await run.done;
    const took = Date.now() - t0;
    assert.equal(code, 1, tail(run.out()));
    assert.match(run.out(), /waits for a lock held by pid \d+, "shop-api", from 127\.0\.0\.1, idle in transaction/, tail(run.out()));
    assert.match(run.out(), /Waited 6 s for a lock that another session holds.*Nothing of this run was kept.*MIGRATIONS_LOCK_TIMEOUT/s);
    assert.match(run.out(), /k00000000004_t4\.py:1\d/, 'names the migration and line');
    assert.doesNotMatch(run.out(), NO_TRACE);
    assert.ok(took >= 6000 && took < 20_000, `gave up after the lock timeout (${took} ms)`);
  } finally {
    await app.query('ROLLBACK');
    await app.end();
  }
  assert.deepEqual(await pgState(url), { tables: tablesUpTo(5), versions: [revId(4)] });
  // A statement that runs too long: cancelled at the statement timeout, the run rolled back.
  fs.appendFileSync(path.join(root, 'alembic/versions/k00000000004_t4.py'), '\n\ndef upgrade():\n    op.execute("SELECT pg_sleep(5)")\n');
  cli(root, env, 'downgrade', '-1');
  const slow = start(root, { ...env, MIGRATIONS_STATEMENT_TIMEOUT: '1' }, 'upgrade', 'head');
  assert.equal(await slow.done, 1, tail(slow.out()));
  assert.match(slow.out(), /ran longer than the statement timeout \(1 s\) and was cancelled.*MIGRATIONS_STATEMENT_TIMEOUT/s);
  assert.match(slow.out(), /SELECT pg_sleep\(5\)/);
  assert.deepEqual(await pgState(url), { tables: tablesUpTo(4), versions: [revId(3)] });
});

test('postgresql: MIGRATIONS_PG_DUMP takes a pg_dump before a changing run (restorable to the state before); without pg_dump the run stops with the command to run', { timeout: 120_000 }, async () => {
  const url = await scratchDb('pgdump');
  const root = project(20);
  // Trust auth ignores the password, so it can be checked that it never shows.
  const u = new URL(url); u.username = 'postgres'; u.password = 'Pw-9f8e7d';
  const env = cliEnv(u.toString(), { MIGRATIONS_PG_DUMP: '2' });
  cli(root, env, 'upgrade', '+10');
  const run = start(root, env, 'upgrade', 'head');
  assert.equal(await run.done, 0, tail(run.out()));
  assert.match(run.out(), /Backed up the database to \S+\.migrations-backups\/migrations_pgdump_\d+\.\d{8}-\d{6}-\d{3}\.dump/);
  const dumps = () => fs.readdirSync(path.join(root, '.migrations-backups')).sort();
  assert.equal(dumps().length, 2, 'one dump per changing run');
  const latest = path.join(root, '.migrations-backups', dumps()[1]);
  // The dump holds the database as the run found it: restore it elsewhere and compare.
  const restored = await scratchDb('pgdump_restored');
  execFileSync('pg_restore', ['--dbname', restored, latest]);
  assert.deepEqual(await pgState(restored), { tables: tablesUpTo(10), versions: [revId(9)] });
  // Nothing to do: no dump. Keep 2: a third changing run prunes the oldest.
  cli(root, env, 'upgrade', 'head');
  assert.equal(dumps().length, 2);
  cli(root, env, 'downgrade', '-1');
  assert.equal(dumps().length, 2);
  assert.equal(dumps()[0], path.basename(latest), 'the oldest went');

  const missing = start(root, { ...env, MIGRATIONS_PG_DUMP_PATH: path.join(root, 'no', 'pg_dump') }, 'downgrade', '-1');
  assert.equal(await missing.done, 255, tail(missing.out()));
  assert.match(missing.out(), /pg_dump was not found at .*no\/pg_dump; no backup was taken and nothing was run/);
  assert.match(missing.out(), /pg_dump --format=custom --file=\S+\.dump --host=127\.0\.0\.1 --port=5432 --username=postgres --dbname=migrations_pgdump_\d+/);
  for (const o of [missing.out(), run.out()]) assert.ok(!o.includes('Pw-9f8e7d'), 'the password never shows');
  assert.deepEqual(await pgState(url), { tables: tablesUpTo(19), versions: [revId(18)] }, 'the refused run changed nothing');
});

test('sqlite: another program writes the file during a run: the run refuses to save, the file keeps exactly what the other program wrote', { timeout: 120_000 }, async () => {
  const root = project(400);
  const db = path.join(root, 'app.db');
  const env = cliEnv(`sqlite:///${db}`, { MIGRATIONS_BACKUPS: '0' });
  cli(root, env, 'upgrade', '+2');
  const run = start(root, env, 'upgrade', 'head');
  await until('the run to be running migrations', () => /Running upgrade k00000000005/.test(run.out()));
  execFileSync(PYTHON, ['-c', 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("CREATE TABLE audit (x)"); c.execute("INSERT INTO audit VALUES (1)"); c.commit(); c.close()', db]);
  const theirs = sha(db);
  assert.equal(await run.done, 255, tail(run.out()));
  assert.match(run.out(), /another program changed it since it was read\. The file was left as it was; your changes were not written/, tail(run.out()));
  assert.doesNotMatch(run.out(), NO_TRACE);
  assert.equal(sha(db), theirs, 'the file is exactly what the other program wrote');
  assert.equal(sha(`${db}-journal`), 'absent');
  assert.equal(cli(root, env, 'current').trim(), revId(1));
  cli(root, env, 'upgrade', 'head');
  assert.equal(cli(root, env, 'current').trim(), `${revId(399)} (head)`);
  const rows = execFileSync(PYTHON, ['-c', 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(c.execute("SELECT count(*) FROM audit").fetchone()[0], c.execute("PRAGMA integrity_check").fetchone()[0])', db], { encoding: 'utf8' });
  assert.equal(rows.trim(), '1 ok', 'their row survived our rerun');
});

test('sqlite: an application in WAL mode writes during a run and keeps its connection open: the run refuses, main file and side files untouched', { timeout: 120_000 }, async () => {
  const root = project(400);
  const db = path.join(root, 'app.db');
  const env = cliEnv(`sqlite:///${db}`, { MIGRATIONS_BACKUPS: '0' });
  cli(root, env, 'upgrade', '+2');
  execFileSync(PYTHON, ['-c', 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("PRAGMA journal_mode=wal"); c.close()', db]);
  const run = start(root, env, 'upgrade', 'head');
  await until('the run to be running migrations', () => /Running upgrade k00000000005/.test(run.out()));
  const app = spawn(PYTHON, ['-c', 'import sqlite3,sys,time; c=sqlite3.connect(sys.argv[1]); c.execute("CREATE TABLE audit (x)"); c.commit(); print("written", flush=True); time.sleep(60)', db]);
  let appOut = '';
  app.stdout.on('data', (d) => { appOut += d; });
  try {
    await until('the application to write', () => appOut.includes('written'));
    const files = () => ['', '-wal', '-shm'].map((s) => sha(db + s)).join(' ');
    const theirs = files();
    assert.equal(await run.done, 255, tail(run.out()));
    assert.match(run.out(), /-wal holds changes|another program/i, tail(run.out()));
    assert.doesNotMatch(run.out(), NO_TRACE);
    assert.equal(files(), theirs, 'the database, its -wal and -shm are as the application left them');
  } finally {
    app.kill('SIGKILL');
  }
});
