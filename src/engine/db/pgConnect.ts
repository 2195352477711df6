/** Turns a SQLAlchemy PostgreSQL URL into pg's client settings, and pg's errors into clear ones. */
import type { ClientConfig } from 'pg';
import { DatabaseUrl, maskSecrets, renderUrl, urlPassword } from '../config/url';
import { CommandError } from '../errors';

export function pgClientConfig(url: DatabaseUrl, connectTimeoutMs = 10000): ClientConfig {
  const q = (k: string) => url.query[k]?.[0];
  // libpq allows the host (often a unix socket folder) in the query string: ?host=/var/run/postgresql
  const host = url.host ?? q('host');
  const sslmode = q('sslmode');
  return {
    host,
    port: url.port ?? (q('port') ? Number(q('port')) : undefined),
    user: url.username ?? q('user'),
    password: urlPassword(url),
    database: url.database || q('dbname') || undefined,
    application_name: q('application_name') ?? 'alembic-migrations',
    connectionTimeoutMillis: connectTimeoutMs,
    ssl: sslmode && sslmode !== 'disable' && sslmode !== 'allow' && sslmode !== 'prefer'
      ? { rejectUnauthorized: sslmode === 'verify-full' || sslmode === 'verify-ca' } : undefined,
  };
}

const HINTS: Record<string, string> = {
  ECONNREFUSED: 'Is the PostgreSQL server running, and listening on that host and port?',
  ENOTFOUND: 'The host name does not resolve; check the host in the database URL.',
  ETIMEDOUT: 'The server did not answer in time; check the host, port and firewall.',
  '28P01': 'Wrong password: check the user and password (DATABASE_URL, .env or alembic.ini).',
  '28000': 'The server refused this user; check pg_hba.conf and the user name.',
  '3D000': 'The database does not exist; create it (createdb) or fix the name in the URL.',
};

/** An error naming the server (password masked) and what to do; never echoes the password. */
export function describePgError(e: unknown, url: DatabaseUrl): CommandError {
  const err = e as { code?: string; message?: string };
  const where = renderUrl(url);
  const message = maskSecrets(err.message ?? String(e), url);
  return new CommandError(`Cannot connect to ${where}: ${message}`, where, HINTS[err.code ?? ''] ?? 'Check the database URL and that the server is reachable.');
}
