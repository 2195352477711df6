/**
 * The opt-in PostgreSQL backup before a run: `pg_dump --format=custom` into `.migrations-backups/`
 * of the project, the newest N kept. Spawned without a shell; the password goes to the child's
 * environment (PGPASSWORD), never to its command line or our messages.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { DatabaseUrl, maskSecrets, renderUrl, urlPassword } from '../config/url';
import { CommandError } from '../errors';
import { findPgTool } from '../handoff/executables';
import { backupStamp } from './backups';

export interface PgDumpOptions {
  /** The pg_dump to run; else found on PATH or in /usr/lib/postgresql/<version>/bin. */
  executable?: string;
  /** Dumps to keep in the folder (at least 1). */
  keep: number;
  /** Where the dumps go: `<project>/.migrations-backups`. */
  folder: string;
}

/** The configured pg_dump, else one on PATH, else the newest Debian/Ubuntu one (it can dump older servers). */
export function findPgDump(configured?: string): string | undefined {
  if (configured) return fs.existsSync(configured) ? configured : undefined;
  return findPgTool('pg_dump');
}

/** pg_dump's arguments: connection parameters as separate flags, without the password. */
export function pgDumpArgs(url: DatabaseUrl, file: string): string[] {
  const q = (k: string) => url.query[k]?.[0];
  const args = ['--format=custom', `--file=${file}`];
  const host = url.host ?? q('host');
  if (host) args.push(`--host=${host}`);
  const port = url.port ?? q('port');
  if (port) args.push(`--port=${port}`);
  const user = url.username ?? q('user');
  if (user) args.push(`--username=${user}`);
  args.push('--no-password', `--dbname=${url.database || q('dbname') || user || 'postgres'}`);
  return args;
}

const shellQuote = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** The command a user can run themselves (for display only: never executed, never holds the password). */
export function pgDumpCommand(url: DatabaseUrl, file: string, executable = 'pg_dump'): string {
  return [executable, ...pgDumpArgs(url, file).filter((a) => a !== '--no-password')].map(shellQuote).join(' ');
}

export function dumpFileName(url: DatabaseUrl, folder: string, now = new Date()): string {
  const name = (url.database || 'postgres').replace(/[^\w.-]+/g, '_');
  return path.join(folder, `${name}.${backupStamp(now)}.dump`);
}

/** Runs pg_dump; returns the dump's path. Fails (changing nothing) with pg_dump's own words when it cannot. */
export async function dumpDatabase(url: DatabaseUrl, o: PgDumpOptions, signal?: AbortSignal): Promise<string> {
  const file = dumpFileName(url, o.folder);
  const exe = findPgDump(o.executable);
  if (!exe) {
    throw new CommandError(`pg_dump was not found${o.executable ? ` at ${o.executable}` : ' (looked on PATH and in /usr/lib/postgresql/*/bin)'}; no backup was taken and nothing was run.`,
      renderUrl(url), `Install the PostgreSQL client tools (Debian/Ubuntu: apt install postgresql-client), or set the path (alembicMigrations.backups.pgDumpPath, MIGRATIONS_PG_DUMP_PATH), or take the backup yourself:\n  ${pgDumpCommand(url, file)}\nthen run again with the pg_dump backup turned off.`);
  }
  fs.mkdirSync(o.folder, { recursive: true });
  const env: NodeJS.ProcessEnv = { ...process.env };
  const password = urlPassword(url);
  if (password) env.PGPASSWORD = password;
  const sslmode = url.query.sslmode?.[0];
  if (sslmode) env.PGSSLMODE = sslmode;
  const mask = (s: string) => maskSecrets(s, url);
  await new Promise<void>((resolve, reject) => {
    execFile(exe, pgDumpArgs(url, file), { env, signal, maxBuffer: 16 * 1024 * 1024 }, (err, _out, stderr) => {
      if (!err) return resolve();
      fs.rmSync(file, { force: true });
      if ((err as { name?: string }).name === 'AbortError') return reject(new CommandError('The run was cancelled during the backup; nothing was run.'));
      reject(new CommandError(`pg_dump failed; no backup was taken and nothing was run: ${mask(String(stderr).trim() || err.message)}`, renderUrl(url),
        `Fix what pg_dump reports (a pg_dump older than the server cannot dump it: install the server's version), or take the backup yourself:\n  ${pgDumpCommand(url, file, exe)}`));
    });
  });
  const fd = fs.openSync(file, 'r');
  try { fs.fsyncSync(fd); } finally { fs.closeSync(fd); }
  const prefix = path.basename(file).replace(/\.\d{8}-\d{6}-\d{3}\.dump$/, '.');
  const dumps = fs.readdirSync(o.folder).filter((n) => n.startsWith(prefix) && /^\d{8}-\d{6}-\d{3}\.dump$/.test(n.slice(prefix.length))).sort().reverse();
  for (const old of dumps.slice(Math.max(1, o.keep))) fs.rmSync(path.join(o.folder, old), { force: true });
  return file;
}
