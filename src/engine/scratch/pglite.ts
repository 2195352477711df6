/**
 * A PostgreSQL scratch database on PGlite (PostgreSQL 18 compiled to WASM, in this process).
 * PGlite is required on first use only. A cold start runs initdb (~4-7 s here); the fresh data
 * directory is then cached per user and later starts load it instead (~1 s).
 */
import type { PGlite } from '@electric-sql/pglite';
import { CommandError } from '../errors';
import { POSTGRESQL } from '../dialects';
import { translate } from '../dialects/postgresql/connection';
import type { RawHandle } from '../knex/boundKnex';
import type { Connection, QueryResult } from '../runner/connection';
import type { ScratchDatabase, ScratchOptions } from './index';
import { dataDirFile, loadPgliteFiles, pgliteDir, readCachedDataDir, removeCachedDataDir, writeCachedDataDir } from './pgliteFiles';

export const USE_SERVER_HINT = 'Verify on a temporary database on a PostgreSQL server instead: --postgres-url URL on the command line, or the alembicMigrations.verify.postgres setting.';

/** PGlite failed to start: why, and the way around it. */
function startFailure(reason: string, dir: string): CommandError {
  return new CommandError(`PGlite (the embedded PostgreSQL) could not start: ${reason}.`, dir, USE_SERVER_HINT);
}

export async function openPgliteScratch(o: ScratchOptions = {}): Promise<ScratchDatabase> {
  const dir = pgliteDir();
  const started = Date.now();
  let db: PGlite;
  let from: string;
  try {
    ({ db, from } = await catchingStrays(() => start(dir, o)));
  } catch (e) {
    if (e instanceof CommandError) throw e;
    throw startFailure(reasonOf(e), dir);
  }
  o.onLog?.(`Started PGlite (PostgreSQL 18, embedded) ${from} in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
  let closed: Promise<void> | undefined;
  return {
    connection: pgliteConnection(db),
    label: 'PGlite (PostgreSQL 18, embedded)',
    // PGlite has no server address: a local one, as SQLAlchemy writes a URL without host.
    url: { drivername: 'postgresql', text: 'postgresql:///verify', database: 'verify' },
    dispose() { return (closed ??= db.close().catch(() => undefined)); },
  };
}

const reasonOf = (e: unknown) => {
  const x = e as { message?: string; name?: string; errno?: number };
  return x?.message || (x?.name ? `${x.name}${x.errno !== undefined ? ` ${x.errno}` : ''}` : String(e));
};

/**
 * PGlite reports a damaged data bundle as an unhandled rejection, then fails with a bare
 * ErrnoError: while it starts, such a stray is caught and becomes the reason given.
 */
async function catchingStrays<T>(fn: () => Promise<T>): Promise<T> {
  let stray: unknown;
  const listener = (e: unknown) => {
    if (e instanceof Error && /pglite/i.test(e.stack ?? '')) { stray ??= e; return; }
    // Not ours: as Node would (crash), unless someone else listens (the VS Code extension host logs it).
    if (process.listenerCount('unhandledRejection') === 1) throw e;
  };
  process.on('unhandledRejection', listener);
  try {
    return await fn();
  } catch (e) {
    await new Promise((resolve) => setImmediate(resolve)); // a stray comes a turn later
    throw stray ?? e;
  } finally {
    process.off('unhandledRejection', listener);
  }
}

async function start(dir: string, o: ScratchOptions): Promise<{ db: PGlite; from: string }> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { PGlite: PGliteClass } = require('@electric-sql/pglite') as typeof import('@electric-sql/pglite');
  const files = await loadPgliteFiles(dir);
  const options = {
    pgliteWasmModule: files.pgliteWasm,
    initdbWasmModule: files.initdbWasm,
    fsBundle: files.fsBundle,
    // As node-pg gives them: int8 and numeric as text (the connection turns safe ones into numbers where pg's does).
    parsers: { 20: (x: string) => x, 1700: (x: string) => x },
  };
  const cache = dataDirFile(files.key);
  const cached = readCachedDataDir(cache);
  if (cached) {
    try {
      return { db: await PGliteClass.create({ ...options, loadDataDir: cached }), from: `from the cached data directory ${cache}` };
    } catch (e) {
      // A damaged copy: forget it and run initdb.
      removeCachedDataDir(cache);
      o.onLog?.(`The cached PGlite data directory ${cache} could not be used (${(e as Error).message}); creating a new one.`);
    }
  }
  const db = await PGliteClass.create(options);
  try {
    const dump = await db.dumpDataDir('none');
    if (writeCachedDataDir(cache, new Uint8Array(await dump.arrayBuffer()))) return { db, from: `(new data directory, cached in ${cache})` };
  } catch { /* the cache is an optimisation */ }
  return { db, from: '(new data directory; it could not be cached)' };
}

/** No handle for knex: TypeScript/JavaScript migrations cannot run on PGlite. */
const NO_KNEX: RawHandle = {
  get pg(): never {
    throw new CommandError('TypeScript/JavaScript migrations (knex) cannot run on PGlite.', undefined, USE_SERVER_HINT);
  },
};

type PgliteResult = { rows: unknown[]; fields: { name: string; dataTypeID: number }[]; affectedRows?: number };

export function pgliteConnection(db: PGlite): Connection {
  const fail = (e: unknown): never => {
    const err = e as Error & { code?: string };
    if (err?.code && /^[0-9A-Z]{5}$/.test(err.code)) translate(err, {});
    if (e instanceof CommandError) throw e;
    throw new CommandError(`PGlite (the embedded PostgreSQL) stopped: ${err?.message ?? String(e)}`, undefined, USE_SERVER_HINT);
  };
  /** Without parameters, the simple protocol (several statements allowed), as node-pg does; the last result counts. */
  const exec = async (sql: string, params?: unknown[], rowMode?: 'array'): Promise<PgliteResult> => {
    try {
      if (params?.length) return await db.query(sql, params, { rowMode }) as PgliteResult;
      const results = await db.exec(sql, { rowMode }) as PgliteResult[];
      return results[results.length - 1] ?? { rows: [], fields: [], affectedRows: 0 };
    } catch (e) { return fail(e); }
  };
  return {
    dialect: POSTGRESQL,
    async run(sql, params) { const r = await exec(sql, params); return r.fields.length ? r.rows.length : r.affectedRows ?? 0; },
    async all<T>(sql: string, params?: unknown[]) { return (await exec(sql, params)).rows as T[]; },
    async query(sql: string): Promise<QueryResult> {
      const r = await exec(sql, undefined, 'array');
      // Like the pg connection: int8 and numeric as numbers when they are exact.
      const numeric = r.fields.map((f) => f.dataTypeID === 20 || f.dataTypeID === 1700);
      const rows = (r.rows as unknown[][]).map((row) => row.map((v, i) => (numeric[i] && typeof v === 'string' && Number.isSafeInteger(Number(v)) ? Number(v) : v)));
      return { columns: r.fields.map((f) => f.name), rows, rowCount: r.fields.length ? rows.length : r.affectedRows ?? 0 };
    },
    async begin() { await exec('BEGIN'); },
    async commit() { await exec('COMMIT'); },
    async afterCommit() { /* nothing to write back */ },
    raw: NO_KNEX,
    async rollback() { await db.exec('ROLLBACK').catch(() => undefined); },
    async close() { /* dispose() ends PGlite */ },
  };
}
