/**
 * A run's PostgreSQL connection (node-pg, loaded on first use): the server's errors translated for
 * the user, and a report of who holds a lock a statement waits for.
 */
import { DatabaseUrl } from '../../config/url';
import { CommandError } from '../../errors';
import { describePgError, pgClientConfig } from '../../db/pgConnect';
import type { Connection } from '../../runner/connection';
import { BLOCKERS_SQL, describeHolder, explainTimeout, Holder, SessionOptions } from '../../runner/session';
import type { Dialect } from '../dialect';

/**
 * What the socket or the server said, as a message for the user rather than a bug report: a lost
 * connection, a timeout (which limit, and where to change it), any other SQLSTATE with a hint.
 */
export function translate(e: Error & { code?: string }, session: SessionOptions): never {
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

export async function connectPostgres(d: Dialect, url: DatabaseUrl, session: SessionOptions): Promise<Connection> {
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
    dialect: d,
    async run(sql, params) { return (await watched(client.query(sql, params)).catch(fail)).rowCount ?? 0; },
    async all<T>(sql: string, params?: unknown[]) { return (await watched(client.query(sql, params)).catch(fail)).rows as T[]; },
    async query(sql: string) {
      const r = await watched(client.query({ text: sql, rowMode: 'array' })).catch(fail);
      // int8 and numeric come as text from pg; Python's driver gives numbers.
      const numeric = (r.fields ?? []).map((f) => f.dataTypeID === 20 || f.dataTypeID === 1700);
      const rows = (r.rows as unknown[][]).map((row) => row.map((v, i) => (numeric[i] && typeof v === 'string' && Number.isSafeInteger(Number(v)) ? Number(v) : v)));
      return { columns: (r.fields ?? []).map((f) => f.name), rows, rowCount: r.rowCount ?? rows.length };
    },
    async begin() { await client.query('BEGIN'); },
    async commit() { await client.query('COMMIT').catch(fail); },
    async afterCommit() { /* nothing to write back */ },
    raw: { pg: client },
    async rollback() { await client.query('ROLLBACK').catch(() => undefined); },
    async close() { await client.end().catch(() => undefined); },
  };
}
