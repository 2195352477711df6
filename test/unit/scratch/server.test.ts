/**
 * A temporary database on the real local PostgreSQL server: created, used with savepoints, dropped
 * by dispose() (also after a failed run, or with a session still on it), on Ctrl-C, or by the next
 * run's sweep; and the errors a user meets: server unreachable, no CREATEDB.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import { Client } from 'pg';
import { POSTGRESQL } from '../../../src/engine/dialects';
import { openScratch } from '../../../src/engine/scratch';
import { marker } from '../../../src/engine/scratch/leftovers';

const PGURL = process.env.PGURL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const server = (url = PGURL) => ({ dialect: 'postgresql', mode: 'server', url }) as const;

async function sql<T = Record<string, unknown>>(text: string, params: unknown[] = [], url = PGURL): Promise<T[]> {
  const c = new Client({ connectionString: url.replace(/^postgresql\+\w+:/, 'postgresql:') });
  await c.connect();
  try { return (await c.query(text, params)).rows as T[]; } finally { await c.end(); }
}
const exists = async (name: string) => (await sql('SELECT 1 FROM pg_database WHERE datname = $1', [name])).length === 1;
const nameOf = (label: string) => /^temporary database (migrations_verify_[0-9a-f]{8}) on 127\.0\.0\.1:5432$/.exec(label)?.[1];

test('a temporary database: created, DDL with a savepoint rollback, introspected, dropped by dispose()', async () => {
  const log: string[] = [];
  const t = performance.now();
  const s = await openScratch(server(), { onLog: (l) => log.push(l) });
  const created = performance.now() - t;
  const name = nameOf(s.label);
  assert.ok(name, s.label);
  assert.ok(await exists(name), 'the database is on the server');
  assert.match(log.join('\n'), new RegExp(`Created the temporary database ${name} on 127\\.0\\.0\\.1:5432 in`));
  const c = s.connection;
  assert.equal(c.dialect, POSTGRESQL);
  await c.begin();
  await c.run('CREATE TABLE users (id serial PRIMARY KEY)');
  await c.run('SAVEPOINT step');
  await c.run('CREATE TABLE orders (id int)');
  await c.run('ROLLBACK TO SAVEPOINT step');
  await c.commit();
  await c.close(); // the runner's close keeps it
  assert.deepEqual(await c.all("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"), [{ table_name: 'users' }]);
  assert.deepEqual(await sql("SELECT current_database() AS db"), [{ db: 'postgres' }], 'the URL\'s own database is untouched');
  const t2 = performance.now();
  await s.dispose();
  console.log(`server temporary database: create+connect ${created.toFixed(0)} ms, dispose (drop) ${(performance.now() - t2).toFixed(0)} ms`);
  assert.equal(await exists(name), false, 'dropped');
  await s.dispose();
});

test('dispose() drops it after a failed run, with another session still connected to it', async () => {
  const s = await openScratch(server());
  const name = nameOf(s.label)!;
  await s.connection.begin();
  await assert.rejects(s.connection.run('ALTER TABLE nowhere ADD COLUMN x int'), { code: '42P01' });
  const other = new Client({ connectionString: PGURL.replace(/\/[^/]*$/, `/${name}`) });
  other.on('error', () => undefined);
  await other.connect();
  await s.dispose(); // no rollback first: the transaction is still open and aborted
  assert.equal(await exists(name), false);
  await other.end().catch(() => undefined);
});

test('an unreachable server: says which host:port, never the password, and what to do', async () => {
  await assert.rejects(openScratch(server('postgresql://postgres:hunter2@127.0.0.1:1/x')), (e: Error & { where?: string; hint?: string }) => {
    assert.equal(e.name, 'CommandError');
    assert.match(e.message, /^Cannot connect to the PostgreSQL server 127\.0\.0\.1:1 for the temporary verify database: connect ECONNREFUSED 127\.0\.0\.1:1$/);
    assert.equal(e.where, 'postgresql://postgres:***@127.0.0.1:1/x');
    assert.match(e.hint!, /Is the PostgreSQL server running, and listening on that host and port\?/);
    assert.match(e.hint!, /verify on PGlite .*--postgres-url.*alembicMigrations\.verify\.postgres/);
    assert.doesNotMatch(`${e.message} ${e.where} ${e.hint}`, /hunter2/);
    return true;
  });
});

test('a user without CREATEDB: says what to grant, or to use PGlite; nothing is left behind', async () => {
  const role = `verify_nocreate_${crypto.randomBytes(3).toString('hex')}`;
  await sql(`CREATE ROLE ${role} LOGIN NOCREATEDB`);
  try {
    const before = await sql("SELECT datname FROM pg_database WHERE datname LIKE 'migrations\\_verify\\_%'");
    await assert.rejects(openScratch(server(`postgresql://${role}@127.0.0.1:5432/postgres`)), (e: Error & { hint?: string }) => {
      assert.equal(e.name, 'CommandError');
      assert.equal(e.message, `The user "${role}" may not create databases on 127.0.0.1:5432 (permission denied to create database); verify needs a temporary one there.`);
      assert.match(e.hint!, new RegExp(`^Grant it \\(as a superuser: ALTER ROLE "${role}" CREATEDB\\), use a URL whose user may create databases, or verify on PGlite`));
      return true;
    });
    assert.deepEqual(await sql("SELECT datname FROM pg_database WHERE datname LIKE 'migrations\\_verify\\_%'"), before);
  } finally {
    await sql(`DROP ROLE ${role}`);
  }
});

test("the next run drops what a dead run left behind; not a live run's database", async () => {
  const dead = await new Promise<number>((resolve) => { const p = spawn(process.execPath, ['-e', '0']); p.on('exit', () => resolve(p.pid!)); });
  const deadName = `migrations_verify_${crypto.randomBytes(4).toString('hex')}`;
  const liveName = `migrations_verify_${crypto.randomBytes(4).toString('hex')}`;
  const mark = (pid: number) => marker().replace(`"pid":${process.pid}`, `"pid":${pid}`);
  await sql(`CREATE DATABASE ${deadName}`);
  await sql(`COMMENT ON DATABASE ${deadName} IS '${mark(dead)}'`);
  await sql(`CREATE DATABASE ${liveName}`);
  await sql(`COMMENT ON DATABASE ${liveName} IS '${mark(process.ppid)}'`);
  try {
    const log: string[] = [];
    const s = await openScratch(server(), { onLog: (l) => log.push(l) });
    await s.dispose();
    assert.equal(await exists(deadName), false, 'the dead run\'s database was dropped');
    assert.ok(log.includes(`Dropped ${deadName}, a temporary database an interrupted verify left behind.`), log.join('\n'));
    assert.equal(await exists(liveName), true, 'a live process\'s database is kept');
  } finally {
    await sql(`DROP DATABASE IF EXISTS ${deadName}`);
    await sql(`DROP DATABASE IF EXISTS ${liveName}`);
  }
});

test('Ctrl-C (SIGINT) while the temporary database exists: dropped, and the process ends as by SIGINT', async () => {
  const script = `require(${JSON.stringify(require.resolve('../../../src/engine/scratch'))}).openScratch({ dialect: 'postgresql', mode: 'server', url: ${JSON.stringify(PGURL)} })
    .then((s) => { console.log(s.label); setInterval(() => undefined, 1000); });`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const label = await new Promise<string>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(d.toString().trim())));
  const name = nameOf(label)!;
  assert.ok(await exists(name));
  const ended = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  child.kill('SIGINT');
  assert.equal(await ended, 'SIGINT');
  assert.equal(await exists(name), false, 'dropped before the process ended');
});
