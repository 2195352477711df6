/**
 * SQLAlchemy database URLs: `dialect[+driver]://user:password@host:port/database?query`, parsed
 * with SQLAlchemy's own grammar so that every spelling users already have keeps working.
 */
import path from 'node:path';
import type { DialectName } from '../dialects';
import type { UrlInfo } from '../ops/python/eval/context';
import { CommandError } from '../errors';

export type Dialect = DialectName;

export interface DatabaseUrl {
  dialect: Dialect;
  /** As written, e.g. `postgresql+psycopg2`. */
  drivername: string;
  username?: string;
  password?: string;
  host?: string;
  port?: number;
  /** For SQLite: the file path as written (relative to the working directory), or undefined/`:memory:`. */
  database?: string;
  query: Record<string, string[]>;
}

const PATTERN = new RegExp(
  '^(?<name>[\\w+]+)://' +
  '(?:(?<username>[^:/]*)(?::(?<password>[^@]*))?@)?' +
  '(?:(?:\\[(?<ipv6host>[^/?]+)\\]|(?<ipv4host>[^/:?]+))?(?::(?<port>[^/?]*))?)?' +
  '(?:/(?<database>[^?]*))?' +
  '(?:\\?(?<query>.*))?$', 's');

const SQLITE_DRIVERS = new Set(['sqlite', 'sqlite+pysqlite', 'sqlite+aiosqlite', 'sqlite+pysqlcipher']);
const PG_DIALECTS = new Set(['postgresql', 'postgres']);

/** The dialect a URL's scheme names, without parsing the rest (for hints on a URL that may not parse). */
export function dialectOfUrlText(url: string): DialectName | undefined {
  return /^sqlite/i.test(url) ? 'sqlite' : /^postgres/i.test(url) ? 'postgresql' : undefined;
}

function decode(text: string): string {
  try { return decodeURIComponent(text); } catch { return text; }
}

/** Parses a URL; errors say what is wrong without ever echoing the password. */
export function parseDatabaseUrl(url: string, source = 'the database URL'): DatabaseUrl {
  const m = PATTERN.exec(url.trim());
  if (!m) {
    throw new CommandError(`Could not parse SQLAlchemy URL from string '${maskUrlText(url)}' (${source})`, source,
      'Expected dialect://user:password@host:port/database, e.g. sqlite:///app.db or postgresql://user@localhost/app.');
  }
  const g = m.groups!;
  const drivername = g.name;
  const [dialectName] = drivername.split('+');
  let dialect: Dialect;
  if (SQLITE_DRIVERS.has(drivername) || dialectName === 'sqlite') dialect = 'sqlite';
  else if (PG_DIALECTS.has(dialectName)) dialect = 'postgresql';
  else {
    throw new CommandError(`Can't load plugin: sqlalchemy.dialects:${drivername.replace('+', '.')} (${source})`, source,
      'Supported databases are SQLite (sqlite:///file.db) and PostgreSQL (postgresql://...).');
  }
  const query: Record<string, string[]> = {};
  if (g.query) {
    for (const [k, v] of new URLSearchParams(g.query)) (query[k] ??= []).push(v);
  }
  let port: number | undefined;
  if (g.port) {
    port = Number(g.port);
    if (!Number.isInteger(port) || port <= 0 || port > 65535) {
      throw new CommandError(`Invalid port '${g.port}' in ${source}`, source, 'A port is a number from 1 to 65535.');
    }
  }
  return {
    dialect,
    drivername,
    username: g.username !== undefined ? decode(g.username) : undefined,
    password: g.password !== undefined ? decode(g.password) : undefined,
    host: g.ipv6host ?? g.ipv4host,
    port,
    database: g.database !== undefined ? decode(g.database) : undefined,
    query,
  };
}

const quoteComponent = (text: string) => text.replace(/[:@/]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());

/** Query keys libpq and node-pg take a secret from (`?password=...` connects as well as `user:pw@`). */
const SECRET_KEYS = /^(ssl)?password$/i;

/** The password a PostgreSQL client uses: the `user:pw@` part, else `?password=` as libpq takes it. */
export const urlPassword = (url: DatabaseUrl): string | undefined => url.password ?? url.query.password?.[0];

/** Every secret a URL carries, to mask wherever a client or tool may echo it. */
export function urlSecrets(url: DatabaseUrl): string[] {
  const fromQuery = Object.keys(url.query).filter((k) => SECRET_KEYS.test(k)).flatMap((k) => url.query[k]);
  return [url.password, ...fromQuery].filter((s): s is string => !!s);
}

/** `text` with each of the URL's secrets replaced by ***. */
export const maskSecrets = (text: string, url: DatabaseUrl): string => urlSecrets(url).reduce((t, s) => t.split(s).join('***'), text);

/** SQLAlchemy's `render_as_string(hide_password=True)`: the form `alembic current --verbose` prints. */
export function renderUrl(url: DatabaseUrl, hidePassword = true): string {
  let s = `${url.drivername}://`;
  if (url.username !== undefined) {
    s += quoteComponent(url.username);
    if (url.password !== undefined) s += ':' + (hidePassword ? '***' : quoteComponent(url.password));
    s += '@';
  }
  if (url.host !== undefined) s += url.host.includes(':') ? `[${url.host}]` : url.host;
  if (url.port !== undefined) s += `:${url.port}`;
  if (url.database !== undefined) s += `/${url.database}`;
  const keys = Object.keys(url.query).sort();
  if (keys.length) {
    const plus = (t: string) => encodeURIComponent(t).replace(/%20/g, '+');
    s += '?' + keys.flatMap((k) => url.query[k].map((v) => `${plus(k)}=${hidePassword && SECRET_KEYS.test(k) ? '***' : plus(v)}`)).join('&');
  }
  return s;
}

/** Masks a password in any text that may hold a URL (logs, errors), even one we could not parse. */
export function maskUrlText(text: string): string {
  return text.replace(/(\w[\w+]*:\/\/[^:/@\s]*:)([^@\s]*)(@)/g, '$1***$3').replace(/([?&](?:ssl)?password=)[^&\s'"]*/gi, '$1***');
}

/** The SQLite file a URL points at, resolved against `cwd`; undefined for an in-memory database. */
export function sqliteFile(url: DatabaseUrl, cwd: string): string | undefined {
  const db = url.database;
  if (!db || db === ':memory:' || url.query.mode?.includes('memory')) return undefined;
  return path.resolve(cwd, db);
}

/** What `bind.engine.url` shows a migration: SQLAlchemy's URL, the password as `***`. */
export function urlInfo(url: DatabaseUrl): UrlInfo {
  return { drivername: url.drivername, text: renderUrl(url), database: url.database, host: url.host, port: url.port, username: url.username };
}
