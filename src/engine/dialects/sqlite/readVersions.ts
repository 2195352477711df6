/**
 * The version table's rows from a SQLite file, read-only (a copy in memory: the file is never
 * opened for writing, and nothing is created when it does not exist).
 */
import fs from 'node:fs';
import path from 'node:path';
import { DatabaseUrl, sqliteFile } from '../../config/url';
import { CommandError } from '../../errors';
import { loadSqlJs } from '../../db/sqlJs';
import type { Dialect, TableName } from '../dialect';

export async function readSqliteVersions(d: Dialect, url: DatabaseUrl, cwd: string, ref: TableName, onWarning?: (m: string) => void): Promise<string[]> {
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
    const exists = d.tableExistsQuery(ref);
    if (!db.exec(exists.sql, exists.params as never).length) return [];
    const rows = db.exec(`SELECT version_num FROM ${d.qualified(ref.table, ref.schema)}`);
    return rows.length ? rows[0].values.map((r) => String(r[0])) : [];
  } catch (e) {
    throw new CommandError(`Cannot read ${ref.table} from ${file}: ${(e as Error).message}`, file,
      'The file may be damaged or locked by an unfinished write; check it with sqlite3 "PRAGMA integrity_check".');
  } finally {
    db.close();
  }
}
