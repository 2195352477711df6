/**
 * A PostgreSQL scratch database on a server the user names: CREATE DATABASE
 * "migrations_verify_<random>", a connection to it, and DROP DATABASE at dispose(), even after a
 * failed run. If the process dies first (Ctrl-C, a crash), the database is dropped on the way
 * out when possible (see ./leftovers), else by the next verify against that server.
 */
import crypto from 'node:crypto';
import type { Client } from 'pg';
import { DatabaseUrl, parseDatabaseUrl, renderUrl, urlInfo } from '../config/url';
import { CommandError } from '../errors';
import { POSTGRESQL } from '../dialects';
import { connectPostgres } from '../dialects/postgresql/connection';
import { describePgError, pgClientConfig } from '../db/pgConnect';
import type { ScratchDatabase, ScratchOptions } from './index';
import { dropOnExit, dropQuietly, marker, plainClient, sweepLeftovers } from './leftovers';

const USE_PGLITE = 'or verify on PGlite (embedded, no server needed): leave out --postgres-url and the alembicMigrations.verify.postgres setting.';

/** host:port for messages: never the user or the password. */
export function serverPlace(url: DatabaseUrl): string {
  const c = pgClientConfig(url);
  const host = c.host ?? 'localhost';
  return `${host.includes(':') ? `[${host}]` : host}:${c.port ?? 5432}`;
}

/** A client on `url` (the server's own database named there), connection errors said for verify. */
export async function adminClient(url: DatabaseUrl): Promise<Client> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Client: PgClient } = require('pg') as typeof import('pg');
  const client = new PgClient({ ...pgClientConfig(url), application_name: 'alembic-migrations verify' });
  client.on('error', () => { /* surfaced by the pending query */ });
  try {
    await client.connect();
  } catch (e) {
    const d = describePgError(e, url);
    throw new CommandError(`Cannot connect to the PostgreSQL server ${serverPlace(url)} for the temporary verify database: ${d.message.replace(/^Cannot connect to \S+: /, '')}`,
      renderUrl(url), `${d.hint} Or verify on PGlite (embedded, no server needed): leave out --postgres-url and the alembicMigrations.verify.postgres setting.`);
  }
  return client;
}

/** Why CREATE DATABASE failed, in words, with what to do. */
function createFailure(e: Error & { code?: string }, user: string, place: string, where: string): CommandError {
  if (e.code === '42501') {
    return new CommandError(`The user "${user}" may not create databases on ${place} (${e.message}); verify needs a temporary one there.`, where,
      `Grant it (as a superuser: ALTER ROLE "${user.replace(/"/g, '""')}" CREATEDB), use a URL whose user may create databases, ${USE_PGLITE}`);
  }
  if (e.code === '53100') {
    return new CommandError(`The PostgreSQL server ${place} has no disk space left for the temporary verify database (${e.message}).`, where,
      `Free disk space on the server (or point --postgres-url / alembicMigrations.verify.postgres at another one), ${USE_PGLITE}`);
  }
  return new CommandError(`Cannot create the temporary verify database on ${place}: ${e.message}`, where, `Check the server and the user's rights, ${USE_PGLITE}`);
}

export async function openServerScratch(text: string, o: ScratchOptions = {}): Promise<ScratchDatabase> {
  const url = parseDatabaseUrl(text, 'the verify PostgreSQL URL');
  const where = renderUrl(url);
  if (url.dialect !== 'postgresql') {
    throw new CommandError(`The verify PostgreSQL URL must name a PostgreSQL server, not ${url.drivername}.`, where, 'Use postgresql://user@host:port/database.');
  }
  const place = serverPlace(url);
  const started = Date.now();
  const name = `migrations_verify_${crypto.randomBytes(4).toString('hex')}`;
  const admin = await adminClient(url);
  let created = false;
  try {
    const { rows: [me] } = await admin.query<{ user: string; version: number }>("SELECT current_user AS user, current_setting('server_version_num')::int AS version");
    await sweepLeftovers(admin, o.onLog);
    // template0: nothing the server's template1 was given (extensions, tables) leaks into the schema compared.
    try { await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)} TEMPLATE template0`); } catch (e) { throw createFailure(e as Error, me.user, place, where); }
    created = true;
    dropOnExit.add(url, name);
    await admin.query(`COMMENT ON DATABASE ${admin.escapeIdentifier(name)} IS ${admin.escapeLiteral(marker())}`).catch(() => undefined);
  } catch (e) {
    if (created) await dropQuietly(admin, name);
    if (created) dropOnExit.delete(name);
    throw e;
  } finally {
    await admin.end().catch(() => undefined);
  }
  let conn;
  try {
    conn = await connectPostgres(POSTGRESQL, { ...url, database: name }, { applicationName: 'alembic-migrations verify' });
  } catch (e) {
    await dropWith(url, name);
    throw e;
  }
  const label = `temporary database ${name} on ${place}`;
  o.onLog?.(`Created the ${label} in ${((Date.now() - started) / 1000).toFixed(2)} s.`);
  let disposed: Promise<void> | undefined;
  const connection = { ...conn, async close() { /* dispose() ends it */ } };
  return {
    connection,
    label,
    url: urlInfo({ ...url, database: name }),
    dispose() {
      return (disposed ??= (async () => {
        await conn.close();
        await dropWith(url, name, o.onLog);
      })());
    },
  };
}

/** Drops `name` through a new connection; says so in the log when it cannot. */
async function dropWith(url: DatabaseUrl, name: string, onLog?: (line: string) => void): Promise<void> {
  try {
    const admin = await plainClient(url);
    try {
      if (!(await dropQuietly(admin, name))) onLog?.(`Could not drop the temporary database ${name} on ${serverPlace(url)}; drop it by hand (DROP DATABASE "${name}").`);
    } finally { await admin.end().catch(() => undefined); }
  } catch {
    onLog?.(`Could not reach ${serverPlace(url)} to drop the temporary database ${name}; the next verify against it drops it, or drop it by hand.`);
  } finally {
    dropOnExit.delete(name);
  }
}
