/**
 * The PGlite scratch database: a real PostgreSQL 18 (WASM) in this process. The first start runs
 * initdb and caches the fresh data directory; later starts load it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { POSTGRESQL } from '../../../src/engine/dialects';
import { CommandError } from '../../../src/engine/errors';
import { boundKnex } from '../../../src/engine/knex/boundKnex';
import { openScratch } from '../../../src/engine/scratch';

const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'scratch-pglite-cache-'));
process.env.MIGRATIONS_CACHE_DIR = cache;
const cached = () => fs.readdirSync(cache).filter((f) => /^pglite-datadir-[0-9a-f]{16}\.tar$/.test(f));
const PG = { dialect: 'postgresql', mode: 'pglite' } as const;

async function timedOpen(log: string[]) {
  const t = performance.now();
  const s = await openScratch(PG, { onLog: (l) => log.push(l) });
  return { s, seconds: (performance.now() - t) / 1000 };
}

test('first start: initdb, then the fresh data directory is cached; DDL with a savepoint rollback; dispose', async () => {
  const log: string[] = [];
  const { s, seconds } = await timedOpen(log);
  console.log(`PGlite cold start (initdb): ${seconds.toFixed(2)} s`);
  assert.equal(s.label, 'PGlite (PostgreSQL 18, embedded)');
  assert.match(log.join('\n'), /Started PGlite \(PostgreSQL 18, embedded\) \(new data directory, cached in .*pglite-datadir-/);
  assert.equal(cached().length, 1);
  const c = s.connection;
  assert.equal(c.dialect, POSTGRESQL);
  await c.begin();
  await c.run('CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL)');
  await c.run('SAVEPOINT step');
  await c.run("CREATE TYPE mood AS ENUM ('sad', 'ok')");
  await c.run('CREATE TABLE orders (id int8 PRIMARY KEY, total numeric)');
  await c.run('ROLLBACK TO SAVEPOINT step');
  assert.equal(await c.run('INSERT INTO users (email) VALUES ($1), ($2)', ['a@x', 'b@x']), 2);
  await c.commit();
  assert.deepEqual(await c.all("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1"), [{ table_name: 'users' }]);
  assert.deepEqual(await c.all("SELECT typname FROM pg_type WHERE typname = 'mood'"), [], 'the ENUM was rolled back with its savepoint');
  // Like the pg connection: int8/numeric as numbers when exact, else as text; several statements at once.
  assert.deepEqual(await c.query('SELECT count(*) AS n, 2.5::numeric AS half, 9007199254740993::int8 AS big FROM users'), { columns: ['n', 'half', 'big'], rows: [[2, '2.5', '9007199254740993']], rowCount: 1 });
  assert.deepEqual((await c.query("UPDATE users SET email = email || '.org'")).rowCount, 2);
  assert.deepEqual(await c.all('SELECT 1 AS a; SELECT 2 AS b'), [{ b: 2 }]);
  await s.dispose();
  await assert.rejects(c.all('SELECT 1'), /was disposed/);
});

test('later starts load the cached data directory: faster, and empty again', async () => {
  const log: string[] = [];
  const { s, seconds } = await timedOpen(log);
  console.log(`PGlite start from the cached data directory: ${seconds.toFixed(2)} s`);
  assert.match(log.join('\n'), /Started PGlite .* from the cached data directory .*pglite-datadir-[0-9a-f]{16}\.tar/);
  assert.deepEqual(await s.connection.all("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"), [], 'nothing of the previous scratch');
  await s.dispose();
});

test("a server's error reads like the pg connection's: SQLSTATE kept, a CommandError, no stack trace for the user", async () => {
  const { s } = await timedOpen([]);
  const c = s.connection;
  await c.begin();
  await assert.rejects(c.run('ALTER TABLE nowhere ADD COLUMN x int'), (e: Error & { code?: string }) => {
    assert.ok(e instanceof CommandError);
    assert.equal(e.code, '42P01');
    assert.equal(e.message, 'relation "nowhere" does not exist');
    return true;
  });
  await assert.rejects(c.run('SELECT 1'), { code: '25P02' }, 'the transaction is aborted, as on a server');
  await c.rollback();
  assert.deepEqual(await c.all('SELECT 1 AS one'), [{ one: 1 }]);
  // knex (TypeScript/JavaScript migrations) has no handle on PGlite: a clear error, no crash.
  assert.throws(() => boundKnex(c.raw), { name: 'CommandError', message: 'TypeScript/JavaScript migrations (knex) cannot run on PGlite.', hint: /--postgres-url URL .* alembicMigrations\.verify\.postgres/ });
  await s.dispose();
});

test('a damaged cached data directory is forgotten: PGlite runs initdb and caches a good one', async () => {
  const [file] = cached();
  fs.writeFileSync(path.join(cache, file), 'not a tar file');
  const log: string[] = [];
  const { s } = await timedOpen(log);
  assert.match(log.join('\n'), /The cached PGlite data directory .* could not be used .*; creating a new one\./);
  assert.match(log.join('\n'), /\(new data directory, cached in /);
  assert.ok(fs.statSync(path.join(cache, file)).size > 1_000_000, 'a good copy replaced it');
  assert.deepEqual(await s.connection.all('SELECT 1 AS one'), [{ one: 1 }]);
  await s.dispose();
  fs.rmSync(cache, { recursive: true, force: true });
});
