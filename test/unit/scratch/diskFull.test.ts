/**
 * No disk space on the server (SQLSTATE 53100), provoked for real: a private PostgreSQL cluster whose
 * data directory is on a small tmpfs (its WAL elsewhere, so that the server itself keeps working),
 * filled up before the temporary database is created. Needs root (mount, and running the cluster
 * as the postgres user) and the server binaries (pg_config --bindir).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { openScratch } from '../../../src/engine/scratch';

const freePort = () => new Promise<number>((resolve) => {
  const srv = net.createServer().listen(0, '127.0.0.1', () => { const { port } = srv.address() as net.AddressInfo; srv.close(() => resolve(port)); });
});

test('a server out of disk space: the message names the server and says what to do', async () => {
  assert.equal(process.getuid?.(), 0, 'this test mounts a tmpfs: run it as root');
  const bin = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }));
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }));
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'scratch-diskfull-'));
  const [mnt, wal, sock] = ['mnt', 'wal', 'sock'].map((d) => path.join(base, d));
  const data = path.join(mnt, 'data');
  const asPostgres = (exe: string, args: string[]) => {
    const r = spawnSync(path.join(bin, exe), args, { uid, gid, encoding: 'utf8', cwd: base });
    assert.equal(r.status, 0, `${exe}: ${r.stderr}`);
  };
  for (const d of [mnt, wal, sock]) fs.mkdirSync(d);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=40m', 'tmpfs', mnt]);
  let started = false;
  try {
    for (const d of [base, mnt, wal, sock]) fs.chownSync(d, uid, gid);
    asPostgres('initdb', ['-D', data, '--waldir', path.join(wal, 'pg_wal'), '-A', 'trust', '-U', 'postgres', '--no-sync']);
    const port = await freePort();
    asPostgres('pg_ctl', ['start', '-w', '-D', data, '-l', path.join(wal, 'log'), '-o', `-p ${port} -k ${sock} -c listen_addresses=127.0.0.1 -c fsync=off`]);
    started = true;
    const url = `postgresql://postgres@127.0.0.1:${port}/postgres`;
    // A server in use before its disk filled up (the first connection writes its catalog cache file).
    const first = new Client({ connectionString: url });
    await first.connect();
    await first.end();
    const fill = fs.openSync(path.join(mnt, 'fill'), 'w');
    const chunk = Buffer.alloc(1 << 20);
    try { for (;;) fs.writeSync(fill, chunk); } catch (e) { assert.equal((e as NodeJS.ErrnoException).code, 'ENOSPC'); } finally { fs.closeSync(fill); }

    await assert.rejects(openScratch({ dialect: 'postgresql', mode: 'server', url }), (e: Error & { where?: string; hint?: string }) => {
      assert.equal(e.name, 'CommandError');
      assert.match(e.message, new RegExp(`^The PostgreSQL server 127\\.0\\.0\\.1:${port} has no disk space left for the temporary verify database \\(could not .*: No space left on device\\)\\.$`));
      assert.equal(e.where, url);
      assert.equal(e.hint, 'Free disk space on the server (or point --postgres-url / alembicMigrations.verify.postgres at another one), or verify on PGlite (embedded, no server needed): leave out --postgres-url and the alembicMigrations.verify.postgres setting.');
      return true;
    });
    fs.rmSync(path.join(mnt, 'fill'));
    const c = new Client({ connectionString: url });
    await c.connect();
    const left = (await c.query("SELECT datname FROM pg_database WHERE datname LIKE 'migrations\\_verify\\_%'")).rows;
    await c.end();
    assert.deepEqual(left, [], 'no half-made database is left');
  } finally {
    if (started) spawnSync(path.join(bin, 'pg_ctl'), ['stop', '-w', '-D', data, '-m', 'fast'], { uid, gid });
    // The server's last processes may hold the mount a moment longer.
    for (let i = 0; i < 50 && spawnSync('umount', [mnt]).status !== 0; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    fs.rmSync(base, { recursive: true, force: true });
  }
  assert.ok(!fs.existsSync(base), `${mnt} could not be unmounted`);
});
