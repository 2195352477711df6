/**
 * Reads the `alembic_version` rows (the database's current heads) from a SQLite file or a
 * PostgreSQL server, read-only. Drivers are loaded only here, on first use.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DatabaseUrl, renderUrl, sqliteFile } from '../config/url';
import { CommandError } from '../errors';
import { loadSqlJs } from './sqlJs';
import { describePgError, pgClientConfig } from './pgConnect';

export interface VersionTableRef { table: string; schema?: string }

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Whether a table exists on PostgreSQL: in the given schema ($2), or on the search path when $2 is null. */
export const PG_TABLE_EXISTS = 'SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace ' +
  "WHERE c.relname = $1 AND c.relkind IN ('r', 'p') AND (($2::text IS NULL AND pg_catalog.pg_table_is_visible(c.oid)) OR n.nspname = $2)";

/**
 * Current heads in table order; [] when the table does not exist (as Alembic reports it).
 * `onWarning` hears when the answer may be stale (a SQLite WAL holding changes we cannot see).
 */
export async function readCurrentHeads(url: DatabaseUrl, cwd: string, ref: VersionTableRef, onWarning?: (m: string) => void): Promise<string[]> {
  return url.dialect === 'sqlite' ? readSqlite(url, cwd, ref, onWarning) : readPostgres(url, ref);
}

async function readSqlite(url: DatabaseUrl, cwd: string, ref: VersionTableRef, onWarning?: (m: string) => void): Promise<string[]> {
  const file = sqliteFile(url, cwd);
  if (!file || !fs.existsSync(file)) return []; // Alembic would see an empty database; we create nothing.
  let walBytes = 0;
  try { walBytes = fs.statSync(`${file}-wal`).size; } catch { /* no WAL: the file is complete */ }
  if (walBytes > 0) {
    onWarning?.(`${path.basename(file)}-wal holds ${walBytes} bytes not yet written into ${path.basename(file)} (another program has it open in WAL mode): the revision shown may be out of date.`);
  }
  let bytes: Buffer;
  try { bytes = fs.readFileSync(file); } catch (e) {
    throw new CommandError(`Cannot read the SQLite database ${file}: ${(e as NodeJS.ErrnoException).code}`, file, 'Check that the file is readable.');
  }
  const SQL = await loadSqlJs();
  let db;
  try {
    db = new SQL.Database(bytes);
  } catch (e) {
    throw new CommandError(`${file} is not a SQLite database (${(e as Error).message})`, file, 'Check sqlalchemy.url / DATABASE_URL.');
  }
  try {
    const schema = ref.schema ? `${quoteIdent(ref.schema)}.` : '';
    const exists = db.exec(`SELECT name FROM ${schema}sqlite_master WHERE type='table' AND name=?`, [ref.table]);
    if (!exists.length) return [];
    const rows = db.exec(`SELECT version_num FROM ${schema}${quoteIdent(ref.table)}`);
    return rows.length ? rows[0].values.map((r) => String(r[0])) : [];
  } catch (e) {
    throw new CommandError(`Cannot read ${ref.table} from ${file}: ${(e as Error).message}`, file,
      'The file may be damaged or locked by an unfinished write; check it with sqlite3 "PRAGMA integrity_check".');
  } finally {
    db.close();
  }
}

async function readPostgres(url: DatabaseUrl, ref: VersionTableRef): Promise<string[]> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Client } = require('pg') as typeof import('pg');
  const client = new Client(pgClientConfig(url));
  client.on('error', () => { /* reported through the awaited calls */ });
  try {
    await client.connect();
  } catch (e) {
    throw describePgError(e, url);
  }
  try {
    const schema = ref.schema ?? null;
    const exists = await client.query(PG_TABLE_EXISTS, [ref.table, schema]);
    if (!exists.rowCount) return [];
    const table = ref.schema ? `${quoteIdent(ref.schema)}.${quoteIdent(ref.table)}` : quoteIdent(ref.table);
    const res = await client.query<{ version_num: string }>(`SELECT version_num FROM ${table}`);
    return res.rows.map((r) => r.version_num);
  } catch (e) {
    throw new CommandError(`Cannot read ${ref.table} on ${renderUrl(url)}: ${(e as Error).message}`, renderUrl(url));
  } finally {
    await client.end().catch(() => undefined);
  }
}
