/**
 * The SQLite file rules, with a real second writer: Python's sqlite3 (the C library) in another
 * process, in WAL mode with pending frames, writing between our load and save, or leaving a journal.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SqliteFile } from '../../../src/engine/db/sqliteFile';
import { PYTHON } from '../pythonOracle';

const tmp = () => fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'sqlite-file-')));
const py = (code: string, ...args: string[]) => execFileSync(PYTHON, ['-c', code, ...args], { encoding: 'utf8' });
const snapshot = (dir: string) => Object.fromEntries(fs.readdirSync(dir).sort().map((f) => [f, fs.readFileSync(path.join(dir, f)).toString('base64')]));

test('a round trip: what we save, the C library reads back intact', async () => {
  const dir = tmp();
  const file = path.join(dir, 'app.db');
  py('import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("create table users(id integer primary key, email text)"); c.execute("insert into users(email) values (\'a@x\')"); c.commit()', file);
  const db = await SqliteFile.open(file);
  db.db.run("INSERT INTO users(email) VALUES ('b@x')");
  db.save();
  db.close();
  assert.equal(py('import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(c.execute("pragma integrity_check").fetchone()[0], c.execute("select count(*) from users").fetchone()[0])', file).trim(), 'ok 2');
  assert.deepEqual(fs.readdirSync(dir), ['app.db'], 'no temp file is left behind');
});

test('a database in WAL mode stays in WAL mode', async () => {
  const dir = tmp();
  const file = path.join(dir, 'wal.db');
  py('import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("pragma journal_mode=wal"); c.execute("create table t(x)"); c.commit(); c.close()', file);
  const db = await SqliteFile.open(file);
  db.db.run('INSERT INTO t VALUES (42)');
  db.save();
  db.close();
  const bytes = fs.readFileSync(file);
  assert.deepEqual([bytes[18], bytes[19]], [2, 2]);
  assert.equal(py('import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(c.execute("pragma journal_mode").fetchone()[0], c.execute("select x from t").fetchone()[0])', file).trim(), 'wal 42');
});

test('another process holding un-checkpointed WAL frames: refused, every file byte-identical', async () => {
  const dir = tmp();
  const file = path.join(dir, 'busy.db');
  // A writer that keeps its connection (and its WAL frames) open until we are done.
  const child = spawn(PYTHON, ['-c', 'import sqlite3,sys,time; c=sqlite3.connect(sys.argv[1]); c.execute("pragma journal_mode=wal"); c.execute("pragma wal_autocheckpoint=0"); c.execute("create table t(x)"); c.execute("insert into t values (1)"); c.commit(); print("ready", flush=True); time.sleep(30)', file]);
  await new Promise<void>((resolve) => child.stdout.on('data', () => resolve()));
  try {
    assert.ok(fs.statSync(`${file}-wal`).size > 0, 'the WAL holds frames');
    const before = snapshot(dir);
    await assert.rejects(SqliteFile.open(file), (e: Error & { hint?: string }) =>
      /Refusing to open .*busy\.db: busy\.db-wal holds \d+ bytes/.test(e.message) && /Nothing was changed/.test(e.message) && /wal_checkpoint/.test(e.hint ?? ''));
    assert.deepEqual(snapshot(dir), before);
  } finally {
    child.kill();
  }
});

test('a file changed by another program between our load and our save is not overwritten', async () => {
  const dir = tmp();
  const file = path.join(dir, 'race.db');
  py('import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("create table t(x)"); c.commit()', file);
  const db = await SqliteFile.open(file);
  db.db.run('INSERT INTO t VALUES (1)');
  py('import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("insert into t values (2)"); c.commit()', file);
  const theirs = snapshot(dir);
  assert.throws(() => db.save(), /another program changed it since it was read.*your changes were not written/);
  db.close();
  assert.deepEqual(snapshot(dir), theirs, "the other program's write survives, untouched");
});

test('a hot rollback journal left by a crash: refused', async () => {
  const dir = tmp();
  const file = path.join(dir, 'crash.db');
  py('import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("create table t(x)"); c.commit()', file);
  fs.writeFileSync(`${file}-journal`, Buffer.alloc(512, 7));
  const before = snapshot(dir);
  await assert.rejects(SqliteFile.open(file), /crash\.db-journal holds 512 bytes/);
  assert.deepEqual(snapshot(dir), before);
});

test('a file that is not a database is a clear error', async () => {
  const dir = tmp();
  const file = path.join(dir, 'notes.db');
  fs.writeFileSync(file, 'these are my notes, not a database'.repeat(20));
  await assert.rejects(SqliteFile.open(file), /notes\.db is not a SQLite database .*Nothing was changed/);
  assert.equal(fs.readFileSync(file, 'utf8').startsWith('these are my notes'), true);
});

test('a new database is created on save only, with the usual permissions', async () => {
  const dir = tmp();
  const file = path.join(dir, 'new.db');
  const db = await SqliteFile.open(file);
  assert.equal(fs.existsSync(file), false);
  db.db.run('CREATE TABLE t(x)');
  db.save();
  db.close();
  assert.equal(fs.statSync(file).mode & 0o777, 0o644);
  assert.equal(py('import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(c.execute("select name from sqlite_master").fetchone()[0])', file).trim(), 't');
});
