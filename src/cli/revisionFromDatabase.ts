/**
 * `migrations revision --from-database -m "..."`: autogenerate without Python. The live database
 * is compared with what the migrations build at its revision (drift); the revision written turns
 * the one into the other, in the project's template. The database must be at the head: the new
 * revision goes on top of it, and the database already has its changes (stamp it afterwards).
 */
import { parseDatabaseUrl } from '../engine/config/url';
import { CommandError } from '../engine/errors';
import type { ScriptDirectory } from '../engine/scripts/scriptDirectory';
import { hint, msg } from './output';

export async function revisionFromDatabase(dir: ScriptDirectory, opts: Record<string, unknown>, log: (line: string) => void): Promise<void> {
  const configured = dir.config.database;
  if (!configured) throw new CommandError('--from-database needs a database: none is configured', undefined, 'Set sqlalchemy.url in alembic.ini or DATABASE_URL (environment or .env).');
  const url = parseDatabaseUrl(configured.url, configured.source);
  const pgUrl = opts.postgres_url as string | undefined;
  // Loaded here: the other commands never pay for drift, autogenerate and their scratch databases.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { drift } = require('../engine/drift') as typeof import('../engine/drift');
  const { revisionFromDrift } = require('../engine/autogen/revisionFromDifference') as typeof import('../engine/autogen/revisionFromDifference');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const report = await drift(dir, { url, cwd: dir.config.cwd, ignore: opts.ignore as string[] | undefined, onLog: log,
    postgres: pgUrl ? { mode: 'server', url: pgUrl } : { mode: 'pglite' } });
  const written = revisionFromDrift(dir, report, (opts.message as string | undefined) ?? 'match database drift');
  msg(written.message);
  if (!written.path) return;
  for (const r of written.reviews) hint(`review: ${r}`);
  hint('the database already has these changes: record that with `migrations stamp head` (the new revision is the head) rather than upgrading.');
}
