/**
 * The settings every database-changing command shares: backups (SQLite copies, opt-in pg_dump),
 * PostgreSQL lock and statement timeouts, and where waits are reported.
 */
import path from 'node:path';
import * as vscode from 'vscode';
import { DatabaseUrl, parseDatabaseUrl } from '../engine/config/url';
import { dumpFileName, findPgDump, pgDumpCommand, PgDumpOptions } from '../engine/db/pgDump';
import { SessionOptions } from '../engine/runner/session';
import { ProjectState } from './projectStore';

export interface RunSettings extends SessionOptions {
  backups: number;
  pgDump?: PgDumpOptions;
}

export function runSettings(project: ProjectState, log: vscode.LogOutputChannel): RunSettings {
  const cfg = vscode.workspace.getConfiguration('alembicMigrations', vscode.Uri.file(project.found.root));
  const keep = cfg.get<number>('backups.keep', 5);
  return {
    backups: keep,
    lockTimeoutMs: cfg.get<number>('postgres.lockTimeout', 60) * 1000,
    statementTimeoutMs: cfg.get<number>('postgres.statementTimeout', 0) * 1000,
    applicationName: 'alembic-migrations (vscode)',
    onWait: (text) => log.warn(`${project.label}: ${text}`),
    pgDump: cfg.get<boolean>('backups.pgDump', false) && project.dir
      ? { keep: Math.max(1, keep), executable: cfg.get<string>('backups.pgDumpPath') || undefined, folder: path.join(project.dir.config.cwd, '.migrations-backups') }
      : undefined,
  };
}

/** One line for the confirmation dialog: what backup the run will leave behind, or how to take one. */
export function backupNote(project: ProjectState, settings: RunSettings): string {
  const db = project.dir?.config.database;
  let url: DatabaseUrl;
  try { url = parseDatabaseUrl(db!.url, db!.source); } catch { return ''; }
  if (url.dialect === 'sqlite') return settings.backups > 0 ? 'A copy of the database file is kept in .migrations-backups/ first.' : 'No backup (alembicMigrations.backups.keep is 0).';
  if (settings.pgDump) {
    return findPgDump(settings.pgDump.executable) ? 'A pg_dump of the database is taken first, into .migrations-backups/.'
      : 'pg_dump was not found: the run will stop before changing anything (see alembicMigrations.backups.pgDumpPath).';
  }
  const file = path.relative(project.found.root, dumpFileName(url, path.join(project.dir!.config.cwd, '.migrations-backups'))) || 'before.dump';
  return `No backup is taken (alembicMigrations.backups.pgDump is off). To take one yourself:\n${pgDumpCommand(url, file)}`;
}
