/**
 * `migrations drift [--json] [--ignore PATTERN]... [--postgres-url URL]`: the schema the migrations
 * build at the live database's revision(s) against the live database's own. Prints the differences
 * by table (or the report as JSON); exit 0 when there is no drift, 1 when there is. The live
 * database is only read.
 */
import { CommandError } from '../engine/errors';
import { parseDatabaseUrl } from '../engine/config/url';
import type { ScriptDirectory } from '../engine/scripts/scriptDirectory';
import { writeOut } from './output';
import { cancellable, postgresScratch } from './scratchRun';

export async function driftCommand(dir: ScriptDirectory, opts: Record<string, unknown>, log: (line: string) => void): Promise<number> {
  const db = dir.config.database;
  if (!db) throw new CommandError('No database URL is configured: drift compares that database with the migrations', undefined,
    'Set DATABASE_URL in the environment or a .env file, or sqlalchemy.url in alembic.ini.');
  const url = parseDatabaseUrl(db.url, db.source);
  const postgres = postgresScratch(opts);
  // Loaded here: the CLI's other commands never pay for drift and its scratch databases.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { drift, driftSummary } = require('../engine/drift') as typeof import('../engine/drift');
  return cancellable(log, async (signal) => {
    const report = await drift(dir, { url, cwd: dir.config.cwd, ignore: (opts.ignore as string[] | undefined) ?? [], signal, onLog: log, postgres });
    writeOut(opts.json ? JSON.stringify(report, null, 2) + '\n' : driftSummary(report));
    return report.differences.length ? 1 : 0;
  });
}
