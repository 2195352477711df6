/**
 * The live database, read and never written: its revisions (the version table's rows), its schema,
 * and what introspection leaves out that the reader should hear about (tables an extension owns).
 * SQLite: a copy in memory of the file (readVersions' openSqliteCopy). PostgreSQL: one connection,
 * one READ ONLY transaction, rolled back.
 */
import { DatabaseUrl, maskSecrets, renderUrl, sqliteFile } from '../config/url';
import { describePgError, pgClientConfig } from '../db/pgConnect';
import { dialectFor, SQLITE, TableName } from '../dialects';
import { sqliteConnection } from '../dialects/sqlite/connection';
import { openSqliteCopy } from '../dialects/sqlite/readVersions';
import { CommandError } from '../errors';
import type { Queryable } from '../schema/introspection';
import type { SchemaSnapshot } from '../schema/snapshot';

export interface LiveDatabase {
  label: string;
  /** undefined: no version table at all; []: a version table with no rows. */
  heads: string[] | undefined;
  schema: SchemaSnapshot;
  /** Tables an extension owns (PostgreSQL: PostGIS's spatial_ref_sys...), by extension. */
  extensionTables: Record<string, string[]>;
}

export async function readLive(url: DatabaseUrl, cwd: string, versionTable: TableName, onLog?: (l: string) => void): Promise<LiveDatabase> {
  return url.dialect === 'sqlite' ? readSqlite(url, cwd, versionTable, onLog) : readPostgres(url, versionTable);
}

async function readFrom(db: Queryable, url: DatabaseUrl, versionTable: TableName): Promise<Omit<LiveDatabase, 'label' | 'extensionTables'>> {
  const d = dialectFor(url.dialect);
  const exists = d.tableExistsQuery(versionTable);
  const heads = (await db.all(exists.sql, exists.params)).length
    ? (await db.all<{ version_num: string }>(`SELECT version_num FROM ${d.qualified(versionTable.table, versionTable.schema)}`)).map((r) => r.version_num)
    : undefined;
  return { heads, schema: await d.introspect(db, { exclude: [versionTable] }) };
}

async function readSqlite(url: DatabaseUrl, cwd: string, versionTable: TableName, onLog?: (l: string) => void): Promise<LiveDatabase> {
  const file = sqliteFile(url, cwd);
  if (!file) throw new CommandError('The database URL names an in-memory SQLite database: there is no live database to compare', renderUrl(url), 'Point sqlalchemy.url / DATABASE_URL at the database file.');
  const copy = await openSqliteCopy(url, cwd, onLog);
  if (!copy) throw new CommandError(`The SQLite database ${file} does not exist`, file, 'Check sqlalchemy.url / DATABASE_URL (a relative path is relative to the folder the command runs in).');
  const conn = sqliteConnection(SQLITE, copy.db, { save() { /* a copy: nothing is written */ }, close() { copy.db.close(); } });
  try {
    return { label: file, extensionTables: {}, ...await readFrom(conn, url, versionTable) };
  } catch (e) {
    if (e instanceof CommandError) throw e;
    throw new CommandError(`Cannot read the schema of ${file}: ${(e as Error).message}`, file, 'The file may be damaged; check it with sqlite3 "PRAGMA integrity_check".');
  } finally {
    await conn.close();
  }
}

// Tables that belong to an extension (pg_depend deptype 'e'): introspection leaves them out.
const EXTENSION_TABLES = `SELECT e.extname AS ext, n.nspname AS schema, c.relname AS name
  FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid
  JOIN pg_catalog.pg_class c ON c.oid = d.objid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.refclassid = 'pg_catalog.pg_extension'::regclass
    AND d.deptype = 'e' AND c.relkind IN ('r', 'p') ORDER BY 1, 2, 3`;

async function readPostgres(url: DatabaseUrl, versionTable: TableName): Promise<LiveDatabase> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Client } = require('pg') as typeof import('pg');
  const client = new Client({ ...pgClientConfig(url), application_name: 'alembic-migrations drift (read only)' });
  client.on('error', () => { /* reported through the awaited calls */ });
  const label = renderUrl(url);
  try {
    await client.connect();
  } catch (e) {
    throw describePgError(e, url);
  }
  try {
    await client.query('BEGIN TRANSACTION READ ONLY');
    const db: Queryable = { all: async <T>(sql: string, params?: unknown[]) => (await client.query(sql, params)).rows as T[] };
    const read = await readFrom(db, url, versionTable);
    const extensionTables: Record<string, string[]> = {};
    for (const r of await db.all<{ ext: string; schema: string; name: string }>(EXTENSION_TABLES)) {
      (extensionTables[r.ext] ??= []).push(r.schema === 'public' ? r.name : `${r.schema}.${r.name}`);
    }
    return { label, extensionTables, ...read };
  } catch (e) {
    if (e instanceof CommandError) throw e;
    throw new CommandError(`Cannot read the schema of ${label}: ${maskSecrets((e as Error).message, url)}`, label,
      'Check that this user may read the catalogs (pg_catalog) of that database.');
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
    await client.end().catch(() => undefined);
  }
}
