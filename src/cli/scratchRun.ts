/**
 * What the commands that work on scratch databases (verify, drift) share: `--postgres-url` checked
 * and turned into where the PostgreSQL scratch lives, and Ctrl-C turned into a cancel that lets the
 * scratch databases be removed (a second Ctrl-C exits at once).
 */
import { CommandError } from '../engine/errors';
import { parseDatabaseUrl } from '../engine/config/url';
import type { PostgresScratch } from '../engine/verify/types';

export function postgresScratch(opts: Record<string, unknown>): PostgresScratch {
  const pgUrl = opts.postgres_url as string | undefined;
  if (!pgUrl) return { mode: 'pglite' };
  const u = parseDatabaseUrl(pgUrl, '--postgres-url');
  if (u.dialect !== 'postgresql') throw new CommandError(`--postgres-url must name a PostgreSQL server (got a ${u.dialect} URL)`, undefined, 'Give postgresql://user@host:5432/postgres: a temporary database is created on that server and dropped afterwards.');
  return { mode: 'server', url: pgUrl };
}

export async function cancellable<T>(log: (line: string) => void, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSigint = () => { log('Cancelling: the scratch databases are being removed...'); controller.abort(); process.once('SIGINT', () => process.exit(130)); };
  process.once('SIGINT', onSigint);
  try {
    return await fn(controller.signal);
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}
