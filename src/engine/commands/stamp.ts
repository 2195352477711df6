/**
 * `stamp`: set the version table to the given revisions without running migrations, in one
 * transaction (all or nothing), under the run lock, leaving the rows Alembic would leave.
 */
import { parseDatabaseUrl } from '../config/url';
import { CommandError } from '../errors';
import { ScriptDirectory } from '../scripts/scriptDirectory';
import { connect, inTransaction } from '../runner/connection';
import { stampSteps } from '../runner/stampSteps';
import { HeadMaintainer } from '../runner/steps';
import { ensureVersionTable, readHeads, versionRows } from '../runner/versionTable';
import { SessionOptions, startRun } from '../runner/session';
import { dialectFor } from '../dialects';
import { offlineEnsureVersion, offlineStamp } from '../runner/offline';
import { catchRevisionErrors } from '../graph';
import { Script } from '../scripts/script';

export interface StampOptions extends SessionOptions {
  purge?: boolean;
  sql?: boolean;
  /** Hears "Running stamp_revision a -> b" for each step, as Alembic logs it. */
  onStep?: (text: string) => void;
  /** Hears each statement run on the version table (the editor's log). */
  onStatement?: (sql: string) => void;
  /** SQLite: timestamped copies to keep, made before the file is replaced (default 5; 0: none). */
  backups?: number;
}

/** Returns the script in offline mode (`sql`), else nothing. */
export async function stamp(dir: ScriptDirectory, revisions: string[], o: StampOptions = {}): Promise<string | undefined> {
  const db = dir.config.database;
  if (!db) throw new CommandError('No database URL is configured', undefined, 'Set DATABASE_URL in the environment or a .env file, or sqlalchemy.url in alembic.ini.');
  const table = { table: dir.config.versionTable, schema: dir.config.versionTableSchema };
  if (o.sql) {
    if (o.purge) throw new CommandError("Can't use --purge with --sql mode");
    // `start:end` gives the starting revision(s), as in Alembic.
    let start: string[] = [];
    let targets = revisions;
    if (revisions.length === 1 && revisions[0].includes(':')) {
      const [from, to] = revisions[0].split(':', 2);
      start = from && from !== 'base' ? catchRevisionErrors(() => dir.map.getRevisions(from)).filter((r): r is Script => r instanceof Script).map((r) => r.revision) : [];
      targets = [to];
    }
    const steps = stampSteps(dir.map, targets, start);
    for (const s of steps) o.onStep?.(`Running ${s.describe()}`);
    return offlineStamp(steps, start, dialectFor(parseDatabaseUrl(db.url, db.source).dialect, dir.config.sqlalchemy().version), table);
  }
  const conn = await connect(parseDatabaseUrl(db.url, db.source), dir.config.cwd, { backups: o.backups ?? 5, onBackup: (b) => o.onStep?.(`Backed up the database to ${b}`), session: o });
  await inTransaction(conn, async () => {
    await startRun(conn, table, o);
    let heads: string[];
    if (o.purge) {
      await ensureVersionTable(conn, table, true, o.onStatement);
      heads = [];
    } else {
      heads = await readHeads(conn, table);
      if (!heads.length) await ensureVersionTable(conn, table, false, o.onStatement);
    }
    const maintainer = new HeadMaintainer(versionRows(conn, table, o.onStatement), heads);
    for (const step of stampSteps(dir.map, revisions, heads)) {
      o.onStep?.(`Running ${step.describe()}`);
      await maintainer.updateToStep(step);
    }
  });
  return undefined;
}

/** `ensure_version`: create the version table if it does not exist (with `--sql`, print its DDL). */
export async function ensureVersion(dir: ScriptDirectory, o: SessionOptions & { sql?: boolean } = {}): Promise<string | undefined> {
  const db = dir.config.database;
  if (!db) throw new CommandError('No database URL is configured', undefined, 'Set DATABASE_URL in the environment or a .env file, or sqlalchemy.url in alembic.ini.');
  const url = parseDatabaseUrl(db.url, db.source);
  const table = { table: dir.config.versionTable, schema: dir.config.versionTableSchema };
  if (o.sql) return offlineEnsureVersion(dialectFor(url.dialect), table);
  const conn = await connect(url, dir.config.cwd, { session: o });
  await inTransaction(conn, async () => {
    await startRun(conn, table, o);
    await ensureVersionTable(conn, table);
  });
  return undefined;
}
