/**
 * How a run behaves on a server shared with others: one run at a time (a lock keyed on the
 * version table, taken by the dialect), bounded waits for locks and statements, and a report of
 * who it waits for instead of a silent hang.
 */
import crypto from 'node:crypto';
import type { Connection } from './connection';
import type { VersionTableName } from './versionTable';

export interface SessionOptions {
  /**
   * How long a run waits for a lock, in ms: another run's, or a table lock held by another
   * session (an open transaction of the application). 0 waits forever. Default 60 s.
   */
  lockTimeoutMs?: number;
  /** The longest one statement may run, in ms (PostgreSQL's statement_timeout); 0 or absent: no limit. */
  statementTimeoutMs?: number;
  /** Hears that the run waits (for another run, or for a lock a statement needs) and for whom. */
  onWait?: (text: string) => void;
  /** Shown in pg_stat_activity, so that others can see who holds the lock. */
  applicationName?: string;
}

export const DEFAULT_LOCK_TIMEOUT_MS = 60_000;

export const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

/** The advisory lock's key: derived from the version table, so projects sharing one database but not one table do not block each other. */
export function runLockKey(t: VersionTableName): bigint {
  return crypto.createHash('sha256').update(`alembic-migrations:${t.schema ?? ''}.${t.table}`).digest().readBigInt64BE(0);
}

/**
 * Starts a run inside its transaction, as its dialect needs (PostgreSQL: the run lock, then the
 * run's lock and statement timeouts; SQLite: nothing, a run owns its in-memory copy and the save
 * re-checks the file).
 */
export async function startRun(conn: Connection, t: VersionTableName, o: SessionOptions): Promise<void> {
  await conn.dialect.startRun?.(conn, t, o);
}

export interface Holder { pid: number; application_name: string; client: string | null; secs: number | null; state?: string; query?: string }

export function describeHolder(h: Holder): string {
  const parts = [`pid ${h.pid}`];
  if (h.application_name) parts.push(`"${h.application_name}"`);
  if (h.client) parts.push(`from ${h.client}`);
  if (h.state) parts.push(h.state);
  if (h.secs !== null && h.secs !== undefined) parts.push(`for ${h.secs} s`);
  return parts.join(', ') + (h.query ? `: ${h.query.replace(/\s+/g, ' ').slice(0, 80)}` : '');
}

/** The sessions that block `pid` (pg_blocking_pids), as a readable list. */
export const BLOCKERS_SQL = `SELECT a.pid, a.application_name, host(a.client_addr) AS client, a.state, a.query,
  EXTRACT(EPOCH FROM now() - COALESCE(a.xact_start, a.query_start))::int AS secs
  FROM pg_stat_activity a WHERE a.pid = ANY(pg_blocking_pids($1))`;

/** Turns the server's timeout cancellations into messages that say which limit and how to change it. */
export function explainTimeout(e: { code?: string; message: string }, o: SessionOptions): string | undefined {
  if (e.code === '55P03') {
    return `Waited ${seconds(o.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS)} for a lock that another session holds (${e.message}). `
      + 'Nothing of this run was kept. Finish or stop that session (an application\'s open transaction), or raise the lock timeout '
      + '(alembicMigrations.postgres.lockTimeout, MIGRATIONS_LOCK_TIMEOUT), then run again.';
  }
  if (e.code === '57014' && o.statementTimeoutMs) {
    return `The statement ran longer than the statement timeout (${seconds(o.statementTimeoutMs)}) and was cancelled. `
      + 'Nothing of this run was kept. Raise the limit (alembicMigrations.postgres.statementTimeout, MIGRATIONS_STATEMENT_TIMEOUT) if it needs longer.';
  }
  return undefined;
}
