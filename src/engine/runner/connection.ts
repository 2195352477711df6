/**
 * One open database for a run: a SQLite file (through the safe file layer) or a PostgreSQL
 * connection, with the few operations the runner needs. Everything a run does happens in one
 * transaction; on SQLite the file is written back only after COMMIT.
 */
import { DatabaseUrl, renderUrl, sqliteFile } from '../config/url';
import { CommandError } from '../errors';
import { describePgError, pgClientConfig } from '../db/pgConnect';
import { SqliteFile } from '../db/sqliteFile';
import { makeBackup } from '../db/backups';
import type { RawHandle } from '../knex/boundKnex';
import { BLOCKERS_SQL, describeHolder, explainTimeout, Holder, SessionOptions } from './session';

export interface Connection {
  readonly dialect: 'sqlite' | 'postgresql';
  /** Runs a statement; returns the number of rows it changed. */
  run(sql: string, params?: unknown[]): Promise<number>;
  all<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  begin(): Promise<void>;
  /** Commits, and on SQLite writes the file back (atomically, refusing if it changed meanwhile). */
  commit(): Promise<void>;
  /** After a COMMIT issued elsewhere (knex): on SQLite, writes the file back. */
  afterCommit(): Promise<void>;
  /** The driver's own handle, for knex (TypeScript/JavaScript migrations). */
  readonly raw: RawHandle;
  rollback(): Promise<void>;
  close(): Promise<void>;
  /** SQLite: how many statements a string holds (1, or 2 for "more than one"). */
  statementCount?(sql: string): number;
}

export interface ConnectOptions {
  /** SQLite: how many timestamped copies to keep of the file before a run changes it (0: none). */
  backups?: number;
  onBackup?: (file: string) => void;
  /** PostgreSQL: timeouts, wait reports, application name. */
  session?: SessionOptions;
}

export async function connect(url: DatabaseUrl, cwd: string, o: ConnectOptions = {}): Promise<Connection> {
  if (url.dialect === 'sqlite') {
    const file = sqliteFile(url, cwd);
    if (!file) throw new CommandError('An in-memory SQLite database (sqlite://) cannot be migrated: it is gone when the run ends.', renderUrl(url), 'Point the URL at a file: sqlite:///app.db');
    const f = await SqliteFile.open(file);
    if (o.backups) {
      const keep = o.backups;
      // Once per run: the first save replaces the state the run started from.
      let done = false;
      f.beforeReplace = (path) => { if (done) return; done = true; const b = makeBackup(path, keep); if (b) o.onBackup?.(b); };
    }
    return sqliteConnection(f);
  }
  return postgresConnection(url, o.session ?? {});
}

function sqliteConnection(f: SqliteFile): Connection {
  const db = f.db;
  // The copy in WASM memory is not the durable one (the file is replaced atomically at commit):
  // its rollback journal can live in memory too. Not persistent: the file's header is unchanged.
  db.exec('PRAGMA journal_mode = MEMORY; PRAGMA cache_size = -65536');
  return {
    dialect: 'sqlite',
    async run(sql, params) { db.run(sql, params as never); return db.getRowsModified(); },
    async all<T>(sql: string, params?: unknown[]) {
      const stmt = db.prepare(sql, params as never);
      const rows: T[] = [];
      try { while (stmt.step()) rows.push(stmt.getAsObject() as T); } finally { stmt.free(); }
      return rows;
    },
    async begin() { db.run('BEGIN'); },
    async commit() { db.run('COMMIT'); f.save(); },
    async afterCommit() { f.save(); },
    raw: { sqlite: db },
    async rollback() { try { db.run('ROLLBACK'); } catch { /* nothing was open */ } },
    async close() { f.close(); },
    statementCount(sql) {
      const it = db.iterateStatements(sql);
      const first = it.next();
      if (first.done) return 0;
      first.value.free();
      const rest = it.getRemainingSQL().replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, '').trim();
      return rest ? 2 : 1;
    },
  };
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

/**
 * What the socket or the server said, as a message for the user rather than a bug report: a lost
 * connection, a timeout (which limit, and where to change it), any other SQLSTATE with a hint.
 */
function translate(e: Error & { code?: string }, session: SessionOptions): never {
  const code = e.code ?? '';
  // No code: pg's "Connection terminated"; E...: the socket (ECONNRESET, EPIPE); 57P/08: the server's own words.
  if (!code || /^E[A-Z]+$/.test(code) || code.startsWith('57P') || code.startsWith('08')) {
    throw new CommandError(`The connection to the database was lost: ${e.message}`, undefined,
      'Nothing of this run was kept (the server rolls back an unfinished transaction). Check the server, then run the command again.');
  }
  const timeout = explainTimeout(e, session);
  if (timeout) throw Object.assign(new CommandError(timeout), { code });
  // Any other answer of the server (SQLSTATE) is about the database, not a bug of ours.
  if (/^[0-9A-Z]{5}$/.test(code)) throw Object.assign(new CommandError(e.message, undefined, SERVER_HINTS[code] ?? SERVER_HINTS[code.slice(0, 2)]), { code });
  throw e;
}

const SERVER_HINTS: Record<string, string> = {
  42501: 'The user in the database URL lacks a privilege the run needs: use the owner of the schema and its tables, or GRANT the rights.',
  53: 'The server is short of a resource (disk, memory, connections); nothing of this run was kept.',
};

/** A statement still running after this long is checked for lock waits, and the blockers reported. */
const WAIT_REPORT_MS = 3000;

async function postgresConnection(url: DatabaseUrl, session: SessionOptions): Promise<Connection> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Client } = require('pg') as typeof import('pg');
  const config = { ...pgClientConfig(url), ...(session.applicationName && !url.query.application_name ? { application_name: session.applicationName } : {}) };
  const client = new Client(config);
  client.on('error', () => { /* surfaced by the pending query */ });
  try { await client.connect(); } catch (e) { throw describePgError(e, url); }
  const pid = (client as unknown as { processID: number }).processID;

  /** Says who a statement waits for, from a second connection, when it has been waiting a while. */
  const watched = async <T>(q: Promise<T>): Promise<T> => {
    if (!session.onWait) return q;
    const timer = setTimeout(() => {
      const side = new Client({ ...config, application_name: `${config.application_name ?? 'alembic-migrations'} (wait check)` });
      side.on('error', () => undefined);
      side.connect().then(() => side.query<Holder>(BLOCKERS_SQL, [pid])).then((r) => {
        if (r.rows.length) session.onWait!(`A statement of this run waits for a lock held by ${r.rows.map(describeHolder).join('; ')}.`);
      }).catch(() => undefined).finally(() => { void side.end().catch(() => undefined); });
    }, WAIT_REPORT_MS);
    try { return await q; } finally { clearTimeout(timer); }
  };
  const fail = (e: Error) => translate(e, session);
  return {
    dialect: 'postgresql',
    async run(sql, params) { return (await watched(client.query(sql, params)).catch(fail)).rowCount ?? 0; },
    async all<T>(sql: string, params?: unknown[]) { return (await watched(client.query(sql, params)).catch(fail)).rows as T[]; },
    async begin() { await client.query('BEGIN'); },
    async commit() { await client.query('COMMIT').catch(fail); },
    async afterCommit() { /* nothing to write back */ },
    raw: { pg: client },
    async rollback() { await client.query('ROLLBACK').catch(() => undefined); },
    async close() { await client.end().catch(() => undefined); },
  };
}
