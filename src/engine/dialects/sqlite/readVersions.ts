/**
 * The version table's rows from a SQLite file, read-only (a copy in memory: the file is never
 * opened for writing, and nothing is created when it does not exist).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Database } from 'sql.js';
import { DatabaseUrl, sqliteFile } from '../../config/url';
import { CommandError } from '../../errors';
import { loadSqlJs } from '../../db/sqlJs';
import type { Dialect, TableName } from '../dialect';

/**
 * The file as a database in memory (the file itself is only read); undefined when there is no file.
 * `onWarning` hears when a WAL holds changes the copy cannot see. The caller closes the copy.
 */
export async function openSqliteCopy(url: DatabaseUrl, cwd: string, onWarning?: (m: string) => void): Promise<{ db: Database; file: string } | undefined> {
  const file = sqliteFile(url, cwd);
  if (!file || !fs.existsSync(file)) return undefined; // Alembic would see an empty database; we create nothing.
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
  const db = new SQL.Database(bytes);
  try {
    db.exec('SELECT count(*) FROM sqlite_master');
  } catch (e) {
    db.close();
    throw new CommandError(`${file} is not a SQLite database (${(e as Error).message})`, file, 'Check sqlalchemy.url / DATABASE_URL.');
  }
  return { db, file };
}

export async function readSqliteVersions(d: Dialect, url: DatabaseUrl, cwd: string, ref: TableName, onWarning?: (m: string) => void): Promise<string[]> {
  const copy = await openSqliteCopy(url, cwd, onWarning);
  if (!copy) return [];
  const { db, file } = copy;
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
