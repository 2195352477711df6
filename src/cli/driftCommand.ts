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

export async function driftCommand(dir: ScriptDirectory, opts: Record<string, unknown>, log: (line: string) => void): Promise<number> {
  const db = dir.config.database;
  if (!db) throw new CommandError('No database URL is configured: drift compares that database with the migrations', undefined,
    'Set DATABASE_URL in the environment or a .env file, or sqlalchemy.url in alembic.ini.');
  const url = parseDatabaseUrl(db.url, db.source);
  const pgUrl = opts.postgres_url as string | undefined;
  if (pgUrl) {
    const u = parseDatabaseUrl(pgUrl, '--postgres-url');
    if (u.dialect !== 'postgresql') throw new CommandError(`--postgres-url must name a PostgreSQL server (got a ${u.dialect} URL)`, undefined, 'Give postgresql://user@host:5432/postgres: a temporary database is created on that server and dropped afterwards.');
  }
  // Loaded here: the CLI's other commands never pay for drift and its scratch databases.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { drift, driftSummary } = require('../engine/drift') as typeof import('../engine/drift');
  const controller = new AbortController();
  const onSigint = () => { log('Cancelling: the scratch database is being removed...'); controller.abort(); process.once('SIGINT', () => process.exit(130)); };
  process.once('SIGINT', onSigint);
  try {
    const report = await drift(dir, {
      url, cwd: dir.config.cwd, ignore: (opts.ignore as string[] | undefined) ?? [], signal: controller.signal, onLog: log,
      postgres: pgUrl ? { mode: 'server', url: pgUrl } : { mode: 'pglite' },
    });
    writeOut(opts.json ? JSON.stringify(report, null, 2) + '\n' : driftSummary(report));
    return report.differences.length ? 1 : 0;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}
