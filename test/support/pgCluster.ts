/**
 * A PostgreSQL server of the test's own (initdb into a temp folder, another port), for faults the
 * shared server must not suffer: restarts. Never skips: missing server binaries fail the test.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findPgTool } from '../../src/engine/handoff/executables';

function pgBin(name: string): string {
  const found = findPgTool(name);
  if (!found) throw new Error(`${name} not found: install the PostgreSQL server (apt-get install postgresql)`);
  return found;
}

export interface Cluster { url: string; port: number; restart(mode: 'fast' | 'immediate'): void; stop(): void }

/** `password`: the postgres user's password, and password (scram) authentication instead of trust. */
export function startCluster(port: number, o: { password?: string } = {}): Cluster {
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'pgcluster-'));
  // initdb refuses to run as root: as root, the server runs as the postgres user.
  const asRoot = process.getuid?.() === 0;
  const run = (bin: string, args: string[]) => asRoot
    ? execFileSync('runuser', ['-u', 'postgres', '--', pgBin(bin), ...args], { stdio: 'pipe', timeout: 60_000 })
    : execFileSync(pgBin(bin), args, { stdio: 'pipe', timeout: 60_000 });
  if (asRoot) execFileSync('chown', ['postgres', data]);
  if (o.password) {
    fs.writeFileSync(path.join(data, 'pw'), `${o.password}\n`);
    if (asRoot) execFileSync('chown', ['postgres', path.join(data, 'pw')]);
  }
  const auth = o.password ? ['-A', 'scram-sha-256', `--pwfile=${path.join(data, 'pw')}`] : ['-A', 'trust'];
  // initdb wants an empty folder: the cluster lives in a sub-folder.
  const pgdata = path.join(data, 'pgdata');
  run('initdb', ['-D', pgdata, ...auth, '-U', 'postgres', '--no-sync']);
  const opts = `-p ${port} -k ${data} -c listen_addresses=127.0.0.1`;
  run('pg_ctl', ['-D', pgdata, '-o', opts, '-l', path.join(data, 'log'), '-w', 'start']);
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    port,
    restart(mode) { run('pg_ctl', ['-D', pgdata, '-o', opts, '-l', path.join(data, 'log'), '-m', mode, '-w', 'restart']); },
    stop() {
      try { run('pg_ctl', ['-D', pgdata, '-m', 'immediate', '-w', 'stop']); } catch { /* already down */ }
      fs.rmSync(data, { recursive: true, force: true });
    },
  };
}
