/** The SQLite scratch database: sql.js in memory, savepoints work, nothing is written anywhere. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SQLITE } from '../../../src/engine/dialects';
import { openScratch } from '../../../src/engine/scratch';

test('a SQLite scratch: DDL in a transaction, a savepoint rolled back, introspected; commit writes no file', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scratch-sqlite-'));
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    const t = performance.now();
    const s = await openScratch({ dialect: 'sqlite' });
    console.log(`SQLite scratch opened in ${(performance.now() - t).toFixed(0)} ms`);
    assert.equal(s.label, 'SQLite (in memory)');
    const c = s.connection;
    assert.equal(c.dialect, SQLITE);
    await c.begin();
    await c.run('CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL)');
    await c.run('SAVEPOINT step');
    await c.run('CREATE TABLE orders (id INTEGER PRIMARY KEY)');
    await c.run('ROLLBACK TO SAVEPOINT step');
    await c.run('RELEASE SAVEPOINT step');
    await c.run('INSERT INTO users (email) VALUES (?)', ['a@x']);
    await c.commit();
    await c.close(); // the runner closes its connection after a run: the scratch stays
    assert.deepEqual(await c.all("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"), [{ name: 'users' }]);
    assert.deepEqual(await c.query('SELECT email FROM users'), { columns: ['email'], rows: [['a@x']], rowCount: 1 });
    assert.deepEqual(fs.readdirSync(dir), [], 'nothing was written to the working directory');
    await s.dispose();
    await s.dispose(); // twice is harmless
    await assert.rejects(c.all('SELECT 1'), /The scratch database \(SQLite \(in memory\)\) was disposed/, 'the database is gone after dispose()');
    // A new scratch is empty.
    const s2 = await openScratch({ dialect: 'sqlite' });
    assert.deepEqual(await s2.connection.all("SELECT name FROM sqlite_master WHERE type = 'table'"), []);
    await s2.dispose();
  } finally {
    process.chdir(cwd);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a cancelled signal: nothing is opened', async () => {
  const abort = new AbortController();
  abort.abort();
  await assert.rejects(openScratch({ dialect: 'sqlite' }, { signal: abort.signal }), { name: 'ScratchCancelled', message: /Cancelled while the scratch database was being prepared/ });
});
