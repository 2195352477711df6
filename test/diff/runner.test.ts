/**
 * The runner's all-or-nothing promise: a run cancelled between two statements (as the editor's
 * Cancel does), or failing on its last statement, leaves the SQLite file byte-identical and the
 * PostgreSQL database as it was.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { REPO, runAlembic, runOurs } from './oracle';
import { longProject } from '../support/longProject';
import { loadProjectConfig } from '../../src/engine/config/project';
import { HeaderCache } from '../../src/engine/scripts/headerCache';
import { loadScriptDirectory } from '../../src/engine/scripts/scriptDirectory';
import { RunCancelled, StatementError, upgrade } from '../../src/engine/commands/migrate';

const PGURL = process.env.PGURL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
let admin: Client;
const dbs: string[] = [];
before(async () => { admin = new Client({ connectionString: PGURL }); await admin.connect(); });
after(async () => { for (const d of dbs) await admin.query(`DROP DATABASE IF EXISTS "${d}" WITH (FORCE)`); await admin.end(); });

function load(root: string, url: string) {
  const config = loadProjectConfig({ iniPath: path.join(root, 'alembic.ini'), cwd: root, env: { DATABASE_URL: url } });
  return loadScriptDirectory(config, new HeaderCache({ fingerprints: false }));
}

function project(): string {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'runner-')));
  fs.cpSync(path.join(REPO, 'test/fixtures/migrate/shop'), root, { recursive: true });
  return root;
}

async function pgState(url: string): Promise<string> {
  const c = new Client({ connectionString: url });
  await c.connect();
  const r = await c.query("SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1, 2");
  const v = await c.query("SELECT to_regclass('public.alembic_version') IS NOT NULL AS has").then(async (x) => x.rows[0].has ? (await c.query('SELECT version_num FROM alembic_version')).rows : null);
  await c.end();
  return JSON.stringify([r.rows, v]);
}

for (const kind of ['sqlite', 'postgresql'] as const) {
  test(`${kind}: a run cancelled between statements is rolled back entirely`, async () => {
    const root = project();
    let url = `sqlite:///${root}/app.db`;
    if (kind === 'postgresql') {
      const name = `migrations_cancel_${process.pid}`;
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.query(`CREATE DATABASE "${name}"`);
      dbs.push(name);
      const u = new URL(PGURL); u.pathname = `/${name}`; url = u.toString();
    }
    await upgrade(load(root, url), '2b3c4d5e6f70');
    const state = async () => (kind === 'sqlite' ? crypto.createHash('sha256').update(fs.readFileSync(`${root}/app.db`)).digest('hex') : pgState(url));
    const before = await state();
    const abort = new AbortController();
    let seen = 0;
    await assert.rejects(upgrade(load(root, url), 'heads', {
      signal: abort.signal,
      onStatement: () => { if (++seen === 9) abort.abort(); }, // the middle of the orders migration
    }), RunCancelled);
    assert.ok(seen >= 9, 'statements ran before the cancel');
    assert.equal(await state(), before, 'nothing of the cancelled run is left');
    // A statement failing at the end of a long run: same promise.
    fs.appendFileSync(path.join(root, 'alembic/versions/708192a3b4c5_users_constraints.py'), '\n\ndef upgrade():\n    op.execute("SELECT * FROM no_such_table")\n');
    await assert.rejects(upgrade(load(root, url), 'heads'), (e) => e instanceof StatementError && /no_such_table/.test(e.message) && e.line === 37);
    assert.equal(await state(), before);
    fs.rmSync(root, { recursive: true, force: true });
  });
}

test('sqlite: a cancel with a transaction per migration keeps the migrations before it, and says so', async () => {
  const root = project();
  const url = `sqlite:///${root}/app.db`;
  const abort = new AbortController();
  let seen = 0;
  await assert.rejects(upgrade(load(root, url), 'heads', {
    signal: abort.signal, transactionPerMigration: true,
    onStatement: () => { if (++seen === 9) abort.abort(); },
  }), (e) => e instanceof RunCancelled && /the migration in progress was rolled back, the ones before it are committed/.test(e.message));
  const { readCurrentHeads } = await import('../../src/engine/db/versionTable');
  const { parseDatabaseUrl } = await import('../../src/engine/config/url');
  assert.notDeepEqual(await readCurrentHeads(parseDatabaseUrl(url), root, { table: 'alembic_version' }), [], 'the first migrations stay');
  fs.rmSync(root, { recursive: true, force: true });
});

test('sqlite: the statements a run and a stamp report (the editor logs them) include the version table\'s, values in place', async () => {
  const { stamp } = await import('../../src/engine/commands/stamp');
  const root = project();
  const url = `sqlite:///${root}/app.db`;
  const ran: string[] = [];
  await upgrade(load(root, url), '2b3c4d5e6f70', { onStatement: (sql) => ran.push(sql) });
  assert.ok(ran.some((sql) => sql.startsWith('CREATE TABLE alembic_version (')), ran.join('\n'));
  assert.ok(ran.includes("INSERT INTO alembic_version (version_num) VALUES ('1a2b3c4d5e6f')"), ran.join('\n'));
  assert.ok(ran.includes("UPDATE alembic_version SET version_num = '2b3c4d5e6f70' WHERE version_num = '1a2b3c4d5e6f'"), ran.join('\n'));
  const stamped: string[] = [];
  await stamp(load(root, url), ['1a2b3c4d5e6f'], { onStatement: (sql) => stamped.push(sql) });
  assert.deepEqual(stamped, ["UPDATE alembic_version SET version_num = '1a2b3c4d5e6f' WHERE version_num = '2b3c4d5e6f70'"]);
  fs.rmSync(root, { recursive: true, force: true });
});

for (const kind of ['sqlite', 'postgresql'] as const) {
  test(`${kind}: a run killed (SIGKILL) at random moments leaves the database as it was; a rerun finishes`, { timeout: 180_000 }, async () => {
    const root = longProject(400);
    let url = `sqlite:///${root}/app.db`;
    if (kind === 'postgresql') {
      const name = `migrations_killed_${process.pid}`;
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.query(`CREATE DATABASE "${name}"`);
      dbs.push(name);
      const u = new URL(PGURL); u.pathname = `/${name}`; url = u.toString();
    }
    const env = { ...process.env, DATABASE_URL: url, MIGRATIONS_NO_CACHE: '1' };
    const cli = path.join(REPO, 'dist', 'cli.js');
    const { execFileSync, spawn } = await import('node:child_process');
    execFileSync(process.execPath, [cli, 'upgrade', '+5'], { cwd: root, env, stdio: 'ignore' });
    const state = async () => (kind === 'sqlite' ? crypto.createHash('sha256').update(fs.readFileSync(`${root}/app.db`)).digest('hex') : pgState(url));
    const before = await state();
    let killedMidRun = 0;
    for (let i = 0; i < 6; i++) {
      // Killed once the run reports a random step of its 395, so mid-run on a machine of any speed (a timer alone let a
      // fast machine finish first); the last try kills a few ms after the last step: in the commit or the file's write.
      const child = spawn(process.execPath, [cli, 'upgrade', 'head'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
      const last = i === 5;
      const killAt = last ? 395 : 10 + Math.floor(Math.random() * 290);
      const exited = await new Promise<boolean>((resolve) => {
        let steps = 0;
        const kill = () => { if (child.exitCode === null) { child.kill('SIGKILL'); resolve(false); } };
        const hear = (chunk: Buffer) => {
          const before = steps;
          steps += (chunk.toString().match(/Running upgrade/g) ?? []).length;
          if (before < killAt && steps >= killAt) setTimeout(kill, last ? Math.random() * 20 : 0);
        };
        child.stdout!.on('data', hear);
        child.stderr!.on('data', hear);
        child.on('exit', () => resolve(true));
      });
      if (exited) break; // this machine finished the whole run before the kill: nothing to check
      await new Promise((r) => child.on('close', r));
      if (kind === 'postgresql') await new Promise((r) => setTimeout(r, 300)); // the server notices the lost connection
      const now = await state();
      if (now !== before) {
        // The kill came after the commit (the process was still exiting): then the whole run is there.
        const cur = execFileSync(process.execPath, [cli, 'current'], { cwd: root, env, encoding: 'utf8' });
        assert.equal(cur.trim(), 'k00000000399 (head)', `kill at step ${killAt}: either nothing or everything`);
        break;
      }
      killedMidRun++;
    }
    assert.ok(killedMidRun >= 1, 'at least one run was killed mid-way');
    execFileSync(process.execPath, [cli, 'upgrade', 'head'], { cwd: root, env, stdio: 'ignore' });
    const out = execFileSync(process.execPath, [cli, 'current'], { cwd: root, env, encoding: 'utf8' });
    assert.equal(out.trim(), 'k00000000399 (head)');
    // A kill during the final write can leave our temp file; the next run removes it (never the database).
    if (kind === 'sqlite') assert.deepEqual(fs.readdirSync(root).filter((f) => f !== 'app.db' && f.includes('app.db')), [], 'no temp or side files left');
    fs.rmSync(root, { recursive: true, force: true });
  });
}

for (const kind of ['sqlite', 'postgresql'] as const) {
  test(`${kind}: --transaction-per-migration keeps the migrations before a failing one, as Alembic's option does`, async () => {
    const root = project();
    let url = `sqlite:///${root}/app.db`;
    if (kind === 'postgresql') {
      const name = `migrations_permig_${process.pid}`;
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.query(`CREATE DATABASE "${name}"`);
      dbs.push(name);
      const u = new URL(PGURL); u.pathname = `/${name}`; url = u.toString();
    }
    fs.appendFileSync(path.join(root, 'alembic/versions/3c4d5e6f7081_users_batch_changes.py'), '\n\ndef upgrade():\n    op.execute("SELECT * FROM no_such_table")\n');
    await assert.rejects(upgrade(load(root, url), 'heads', { transactionPerMigration: true }), StatementError);
    const { readCurrentHeads } = await import('../../src/engine/db/versionTable');
    const { parseDatabaseUrl } = await import('../../src/engine/config/url');
    assert.deepEqual(await readCurrentHeads(parseDatabaseUrl(url), root, { table: 'alembic_version' }), ['2b3c4d5e6f70'], 'the two migrations before the failing one stay');
    fs.rmSync(root, { recursive: true, force: true });
  });
}

test('sqlite: a run that changes the file backs it up first (the newest N kept); a restore puts it back and is undoable', async () => {
  const { listBackups, restoreBackup } = await import('../../src/engine/db/backups');
  const root = project();
  const url = `sqlite:///${root}/app.db`;
  const db = `${root}/app.db`;
  const sha = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');
  await upgrade(load(root, url), '1a2b3c4d5e6f');
  assert.equal(listBackups(db).length, 0, 'no backup of a file that did not exist');
  const states: string[] = [sha(fs.readFileSync(db))];
  for (const target of ['2b3c4d5e6f70', '3c4d5e6f7081', '4d5e6f708192']) {
    await upgrade(load(root, url), target, { backups: 2 });
    states.push(sha(fs.readFileSync(db)));
  }
  const backups = listBackups(db);
  assert.equal(backups.length, 2, 'the newest two kept');
  assert.deepEqual(backups.map((b) => sha(fs.readFileSync(b.path))), [states[2], states[1]], 'each backup is the file as the run found it, newest first');
  await upgrade(load(root, url), '4d5e6f708192', { backups: 2 }); // nothing to do: no new backup
  assert.equal(listBackups(db)[0].path, backups[0].path);
  restoreBackup(db, backups[1].path, 2);
  assert.equal(sha(fs.readFileSync(db)), states[1]);
  assert.equal(sha(fs.readFileSync(listBackups(db)[0].path)), states[3], 'the replaced file was backed up first');
  fs.rmSync(root, { recursive: true, force: true });
});

test('postgresql: the connection terminated by the server mid-run (pg_terminate_backend): a clear error, nothing kept, a rerun finishes', { timeout: 120_000 }, async () => {
  const root = longProject(400);
  const name = `migrations_terminated_${process.pid}`;
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.query(`CREATE DATABASE "${name}"`);
  dbs.push(name);
  const u = new URL(PGURL); u.pathname = `/${name}`;
  const url = u.toString();
  const env = { ...process.env, DATABASE_URL: url, MIGRATIONS_NO_CACHE: '1' };
  const cli = path.join(REPO, 'dist', 'cli.js');
  const { execFileSync, spawn } = await import('node:child_process');
  execFileSync(process.execPath, [cli, 'upgrade', '+3'], { cwd: root, env, stdio: 'ignore' });
  const before = await pgState(url);
  const child = spawn(process.execPath, [cli, 'upgrade', 'head'], { cwd: root, env });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { out += d; });
  // Wait until the run is inside its transaction (it holds the run lock), then cut it off.
  let terminated = 0;
  for (let i = 0; i < 100 && !terminated; i++) {
    await new Promise((r) => setTimeout(r, 50));
    const r = await admin.query("SELECT pg_terminate_backend(pid) AS t FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE l.locktype = 'advisory' AND a.datname = $1", [name]);
    terminated = r.rows.filter((x) => x.t).length;
  }
  const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? -1)));
  assert.equal(terminated, 1, 'the run was terminated while it held its lock');
  assert.notEqual(code, 0);
  assert.match(out, /terminat|connection/i, out);
  assert.doesNotMatch(out, /\n\s+at .+:\d+:\d+|internal error/, 'no stack trace, no internal error');
  assert.equal(await pgState(url), before, 'nothing of the run is kept');
  execFileSync(process.execPath, [cli, 'upgrade', 'head'], { cwd: root, env, stdio: 'ignore' });
  assert.equal(execFileSync(process.execPath, [cli, 'current'], { cwd: root, env, encoding: 'utf8' }).trim(), 'k00000000399 (head)');
  fs.rmSync(root, { recursive: true, force: true });
});

test('sqlite: a string holding two statements given to one op.execute fails as under Alembic (pysqlite), naming it, the file unchanged; one statement with a comment after it runs', async () => {
  const roots = [project(), project()];
  const extra = (body: string) => `\n\ndef upgrade():\n${body}\n`;
  const file = 'alembic/versions/708192a3b4c5_users_constraints.py';
  for (const r of roots) fs.appendFileSync(path.join(r, file), extra("    op.execute('CREATE TABLE a (x INTEGER); CREATE TABLE b (y INTEGER)')"));
  const urls = roots.map((r) => `sqlite:///${r}/app.db`);
  const [theirs] = runAlembic([{ cwd: roots[0], argv: ['upgrade', 'heads'], env: { DATABASE_URL: urls[0] } }]);
  const [ours] = await runOurs([{ cwd: roots[1], argv: ['upgrade', 'heads'], env: { DATABASE_URL: urls[1] } }]);
  assert.notEqual(theirs.code, 0);
  assert.match(theirs.stderr, /You can only execute one statement at a time/);
  assert.notEqual(ours.code, 0);
  assert.match(ours.stderr + ours.stdout, /You can only execute one statement at a time\.[\s\S]*708192a3b4c5_users_constraints\.py:\d+/);
  assert.ok(!fs.existsSync(`${roots[1]}/app.db`) || !/CREATE TABLE a /.test(fs.readFileSync(`${roots[1]}/app.db`, 'latin1')), 'nothing of the run is kept');
  // One statement followed by a comment is one statement for pysqlite too.
  for (const r of roots) fs.appendFileSync(path.join(r, file), extra("    op.execute('CREATE TABLE a (x INTEGER); -- done')"));
  const [theirs2] = runAlembic([{ cwd: roots[0], argv: ['upgrade', 'heads'], env: { DATABASE_URL: urls[0] } }]);
  const [ours2] = await runOurs([{ cwd: roots[1], argv: ['upgrade', 'heads'], env: { DATABASE_URL: urls[1] } }]);
  assert.equal(theirs2.code, 0, theirs2.stderr);
  assert.equal(ours2.code, 0, ours2.stderr + ours2.stdout);
  for (const r of roots) fs.rmSync(r, { recursive: true, force: true });
});
