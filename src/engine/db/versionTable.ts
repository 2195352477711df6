/**
 * Reads the `alembic_version` rows (the database's current heads), read-only, the way the URL's
 * dialect reads them (`dialects/<name>/readVersions.ts`). Drivers are loaded only then.
 */
import { DatabaseUrl } from '../config/url';
import { dialectFor, TableName } from '../dialects';

export type VersionTableRef = TableName;

/**
 * Current heads in table order; [] when the table does not exist (as Alembic reports it).
 * `onWarning` hears when the answer may be stale (a SQLite WAL holding changes we cannot see).
 */
export async function readCurrentHeads(url: DatabaseUrl, cwd: string, ref: VersionTableRef, onWarning?: (m: string) => void): Promise<string[]> {
  return dialectFor(url.dialect).readVersions(url, cwd, ref, onWarning);
}
