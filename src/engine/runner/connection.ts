/**
 * One open database for a run, opened by its dialect (`dialects/<name>/connection.ts`), with
 * the few operations the runner needs. Everything a run does happens in one
 * transaction; on SQLite the file is written back only after COMMIT.
 */
import type { DatabaseUrl } from '../config/url';
import { Dialect, dialectFor } from '../dialects';
import type { RawHandle } from '../knex/boundKnex';
import type { SessionOptions } from './session';

export interface Connection {
  readonly dialect: Dialect;
  /** Runs a statement; returns the number of rows it changed. */
  run(sql: string, params?: unknown[]): Promise<number>;
  all<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /**
   * Runs a statement a migration reads back (`conn.execute(...).fetchall()`): its rows and counts.
   * SQLite: a string holding several statements throws errors.ts MultipleStatements, as pysqlite's execute().
   */
  query(sql: string): Promise<QueryResult>;
  begin(): Promise<void>;
  /** Commits, and on SQLite writes the file back (atomically, refusing if it changed meanwhile). */
  commit(): Promise<void>;
  /** After a COMMIT issued elsewhere (knex): on SQLite, writes the file back. */
  afterCommit(): Promise<void>;
  /** The driver's own handle, for knex (TypeScript/JavaScript migrations). */
  readonly raw: RawHandle;
  rollback(): Promise<void>;
  close(): Promise<void>;
  /** SQLite: runs a string that must hold one statement, as pysqlite's execute(); throws errors.ts MultipleStatements otherwise. */
  runOne?(sql: string): Promise<number>;
  /**
   * SQLite (sql.js answers at once): the same operations without a promise, so that a migration's
   * read can be answered while it is being evaluated (runStep.ts runOnline).
   */
  readonly sync?: { run(sql: string, params?: unknown[]): number; runOne(sql: string): number; query(sql: string): QueryResult };
}

/** Rows as arrays in column order; `rowCount`: rows changed (DML) or returned. */
export interface QueryResult { columns: string[]; rows: unknown[][]; rowCount: number }

export interface ConnectOptions {
  /** SQLite: how many timestamped copies to keep of the file before a run changes it (0: none). */
  backups?: number;
  onBackup?: (file: string) => void;
  /** PostgreSQL: timeouts, wait reports, application name. */
  session?: SessionOptions;
}

/** Opens the database the URL names, the way its dialect connects. */
export async function connect(url: DatabaseUrl, cwd: string, o: ConnectOptions = {}): Promise<Connection> {
  return dialectFor(url.dialect).connect(url, cwd, o);
}

/**
 * Runs `fn` in one transaction on `conn`: committed when it returns, rolled back when it throws;
 * the connection is closed either way.
 */
export async function inTransaction<T>(conn: Connection, fn: () => Promise<T>): Promise<T> {
  try {
    await conn.begin();
    try {
      const result = await fn();
      await conn.commit();
      return result;
    } catch (e) {
      await conn.rollback();
      throw e;
    }
  } finally {
    await conn.close();
  }
}
