/** PGlite that cannot start (its files missing or damaged): a CommandError pointing at the server mode. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openScratch } from '../../../src/engine/scratch';
import { pgliteDir } from '../../../src/engine/scratch/pgliteFiles';

const real = pgliteDir();
const PG = { dialect: 'postgresql', mode: 'pglite' } as const;
const SERVER_HINT = 'Verify on a temporary database on a PostgreSQL server instead: --postgres-url URL on the command line, or the alembicMigrations.verify.postgres setting.';

async function withFiles(prepare: (dir: string) => void, expect: RegExp) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scratch-pglite-files-'));
  process.env.MIGRATIONS_CACHE_DIR = path.join(dir, 'cache');
  try {
    prepare(dir);
    process.env.MIGRATIONS_PGLITE_DIR = dir;
    await assert.rejects(openScratch(PG), (e: Error & { where?: string; hint?: string }) => {
      assert.equal(e.name, 'CommandError');
      assert.match(e.message, expect);
      assert.equal(e.where, dir);
      assert.equal(e.hint, SERVER_HINT);
      assert.doesNotMatch(e.message, /\n\s+at /, 'no stack trace');
      return true;
    });
  } finally {
    delete process.env.MIGRATIONS_PGLITE_DIR;
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('its WASM missing', async () => {
  await withFiles(() => undefined, /^PGlite \(the embedded PostgreSQL\) could not start: its file .*\/pglite\.wasm cannot be read \(ENOENT\)\.$/);
});

test('its WASM damaged (cut short)', async () => {
  await withFiles((dir) => {
    for (const f of ['initdb.wasm', 'pglite.data']) fs.copyFileSync(path.join(real, f), path.join(dir, f));
    fs.writeFileSync(path.join(dir, 'pglite.wasm'), fs.readFileSync(path.join(real, 'pglite.wasm')).subarray(0, 100_000));
  }, /^PGlite \(the embedded PostgreSQL\) could not start: its file .*\/pglite\.wasm is damaged \(.*\)\.$/);
});

test('its data bundle damaged: PGlite rejects it out of band; the process does not crash and says why', () => {
  // In a process of its own: PGlite reports this as an unhandled rejection, which the test runner
  // would take for the test's own (a CLI run has no such listener).
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scratch-pglite-files-'));
  try {
    for (const f of ['pglite.wasm', 'initdb.wasm']) fs.copyFileSync(path.join(real, f), path.join(dir, f));
    fs.writeFileSync(path.join(dir, 'pglite.data'), fs.readFileSync(path.join(real, 'pglite.data')).subarray(0, 1000));
    const script = `require(${JSON.stringify(require.resolve('../../../src/engine/scratch'))}).openScratch({ dialect: 'postgresql', mode: 'pglite' })
      .then(() => console.log('started'), (e) => console.log(JSON.stringify({ name: e.name, message: e.message, where: e.where, hint: e.hint })));`;
    const r = spawnSync(process.execPath, ['-e', script], { env: { ...process.env, MIGRATIONS_PGLITE_DIR: dir, MIGRATIONS_CACHE_DIR: path.join(dir, 'cache') }, encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { name: 'CommandError', message: `PGlite (the embedded PostgreSQL) could not start: Invalid FS bundle size: 1000 !== ${fs.statSync(path.join(real, 'pglite.data')).size}.`, where: dir, hint: SERVER_HINT });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('after a failure, the real files still work (a failed load is not kept)', async () => {
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'scratch-pglite-cache-'));
  process.env.MIGRATIONS_CACHE_DIR = cache;
  try {
    const s = await openScratch(PG);
    assert.deepEqual(await s.connection.all('SELECT 1 AS one'), [{ one: 1 }]);
    await s.dispose();
  } finally {
    fs.rmSync(cache, { recursive: true, force: true });
  }
});
