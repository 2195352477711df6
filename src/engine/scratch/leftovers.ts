/**
 * Temporary verify databases must not outlive their run. dispose() drops them; this covers the
 * rest: on Ctrl-C (SIGINT), SIGTERM or SIGHUP while one exists, it is dropped before the process
 * ends the way the signal would have ended it; after a crash or kill -9, the next verify against
 * the same server drops the databases that a dead process of this machine (or anyone, over a day
 * ago) left, unless someone is connected to them.
 */
import os from 'node:os';
import type { Client } from 'pg';
import { DatabaseUrl } from '../config/url';
import { pgClientConfig } from '../db/pgConnect';

const MARK = 'alembic-migrations verify scratch ';
const STALE_MS = 24 * 3600_000;

/** The comment a temporary database carries: who made it, for the sweep. */
export const marker = () => MARK + JSON.stringify({ host: os.hostname(), pid: process.pid, created: new Date().toISOString() });

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}

/** Whether a database with this comment was left behind by a run that is over. */
export function isLeftover(comment: string | null, now = Date.now()): boolean {
  if (!comment?.startsWith(MARK)) return false;
  let m: { host?: string; pid?: number; created?: string };
  try { m = JSON.parse(comment.slice(MARK.length)); } catch { return false; }
  if (now - Date.parse(m.created ?? '') > STALE_MS) return true;
  return m.host === os.hostname() && typeof m.pid === 'number' && m.pid !== process.pid && !alive(m.pid);
}

/** Drops `name` (`force`: ending its sessions first); false when it could not. */
export async function dropQuietly(admin: Client, name: string, force = true): Promise<boolean> {
  try {
    const id = admin.escapeIdentifier(name);
    if (!force) { await admin.query(`DROP DATABASE IF EXISTS ${id}`); return true; }
    const { rows: [{ v }] } = await admin.query<{ v: number }>("SELECT current_setting('server_version_num')::int AS v");
    if (v >= 130000) { await admin.query(`DROP DATABASE IF EXISTS ${id} WITH (FORCE)`); return true; }
    await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
    await admin.query(`DROP DATABASE IF EXISTS ${id}`);
    return true;
  } catch {
    return false;
  }
}

/** Drops the leftovers of interrupted runs on this server (never one in use). */
export async function sweepLeftovers(admin: Client, onLog?: (line: string) => void): Promise<void> {
  let rows: { datname: string; note: string | null }[];
  try {
    ({ rows } = await admin.query("SELECT datname, shobj_description(oid, 'pg_database') AS note FROM pg_database WHERE datname LIKE 'migrations\\_verify\\_%'"));
  } catch { return; }
  for (const r of rows) {
    if (isLeftover(r.note) && await dropQuietly(admin, r.datname, false)) onLog?.(`Dropped ${r.datname}, a temporary database an interrupted verify left behind.`);
  }
}

/** Opens a plain client on `url`'s server (for drops: no friendly errors needed). */
export async function plainClient(url: DatabaseUrl): Promise<Client> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Client: PgClient } = require('pg') as typeof import('pg');
  const client = new PgClient({ ...pgClientConfig(url, 5000), application_name: 'alembic-migrations verify' });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** The temporary databases open in this process, dropped if a signal ends it. */
class DropOnExit {
  private readonly open = new Map<string, DatabaseUrl>();
  private ending = false;

  add(url: DatabaseUrl, name: string): void {
    if (!this.open.size) for (const s of SIGNALS) process.on(s, this.onSignal);
    this.open.set(name, url);
  }

  delete(name: string): void {
    if (!this.open.delete(name) || this.open.size) return;
    for (const s of SIGNALS) process.off(s, this.onSignal);
  }

  private readonly onSignal = (signal: NodeJS.Signals): void => {
    if (this.ending) return;
    this.ending = true;
    const drops = [...this.open].map(async ([name, url]) => {
      const admin = await plainClient(url);
      try { await dropQuietly(admin, name); } finally { await admin.end().catch(() => undefined); }
    });
    const limit = new Promise((resolve) => setTimeout(resolve, 5000).unref());
    void Promise.race([Promise.allSettled(drops), limit]).then(() => {
      for (const s of SIGNALS) process.off(s, this.onSignal);
      // Then as the signal would have done, unless someone else handles it.
      if (!process.listenerCount(signal)) process.kill(process.pid, signal);
    });
  };
}

export const dropOnExit = new DropOnExit();
