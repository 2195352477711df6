/**
 * Scratch databases for `verify` (the stairway check): an empty database of a dialect, opened as a
 * run's Connection, thrown away afterwards. Never the project's configured database.
 * - SQLite: sql.js in memory (commit writes nothing anywhere).
 * - PostgreSQL: PGlite (PostgreSQL 18 in WASM, loaded on first use), or a temporary database
 *   created on a server the user names, dropped by dispose().
 */
import { CommandError } from '../errors';
import type { Connection } from '../runner/connection';
import type { UrlInfo } from '../ops/python/eval/context';
import { openPgliteScratch } from './pglite';
import { openServerScratch } from './server';
import { openSqliteScratch } from './sqlite';

export interface ScratchDatabase {
  readonly connection: Connection;
  /** What and where, for the log: "SQLite (in memory)", "temporary database x on 127.0.0.1:5432"; never a password. */
  readonly label: string;
  /** What `bind.engine.url` shows a migration run on it (SQLAlchemy's URL of such a database, no password). */
  readonly url: UrlInfo;
  /** Frees the database (a server's temporary database is dropped). Safe to call twice. */
  dispose(): Promise<void>;
}

export type ScratchKind = { dialect: 'sqlite' } | { dialect: 'postgresql'; mode: 'pglite' } | { dialect: 'postgresql'; mode: 'server'; url: string };

export interface ScratchOptions {
  onLog?: (line: string) => void;
  signal?: AbortSignal;
}

/** The preparation of a scratch database was cancelled; what it had made is gone. */
export class ScratchCancelled extends CommandError {
  constructor() {
    super('Cancelled while the scratch database was being prepared; nothing was left behind.');
    this.name = 'ScratchCancelled';
  }
}

/**
 * Opens an empty scratch database. Its connection's close() keeps it open (the runner closes its
 * connection after each run, and the stairway runs several on one scratch): dispose() ends it.
 */
export async function openScratch(kind: ScratchKind, o: ScratchOptions = {}): Promise<ScratchDatabase> {
  if (o.signal?.aborted) throw new ScratchCancelled();
  let scratch: ScratchDatabase;
  if (kind.dialect === 'sqlite') scratch = await openSqliteScratch();
  else if (kind.mode === 'pglite') scratch = await openPgliteScratch(o);
  else scratch = await openServerScratch(kind.url, o);
  if (o.signal?.aborted) {
    await scratch.dispose();
    throw new ScratchCancelled();
  }
  return guarded(scratch);
}

/** After dispose(), the connection says so instead of failing obscurely (sql.js answers "out of memory"). */
function guarded(s: ScratchDatabase): ScratchDatabase {
  let gone = false;
  const check = () => { if (gone) throw new Error(`The scratch database (${s.label}) was disposed`); };
  const c = s.connection;
  const connection: Connection = {
    dialect: c.dialect,
    raw: c.raw,
    async run(sql, params) { check(); return c.run(sql, params); },
    async all<T>(sql: string, params?: unknown[]) { check(); return c.all<T>(sql, params); },
    async query(sql) { check(); return c.query(sql); },
    async begin() { check(); return c.begin(); },
    async commit() { check(); return c.commit(); },
    async afterCommit() { check(); return c.afterCommit(); },
    async rollback() { if (!gone) await c.rollback(); },
    async close() { /* dispose() ends it */ },
    ...(c.runOne ? { runOne: (sql: string) => { check(); return c.runOne!(sql); } } : {}),
    ...(c.sync ? { sync: { run: (sql: string, params?: unknown[]) => { check(); return c.sync!.run(sql, params); }, runOne: (sql: string) => { check(); return c.sync!.runOne(sql); }, query: (sql: string) => { check(); return c.sync!.query(sql); } } } : {}),
  };
  return { connection, label: s.label, url: s.url, dispose() { gone = true; return s.dispose(); } };
}
