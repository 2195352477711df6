/**
 * The verify settings of a project: which scratch databases a revision is checked on, and where
 * the PostgreSQL one lives (an embedded PGlite, or a temporary database on a server).
 */
import * as vscode from 'vscode';
import { parseDatabaseUrl } from '../../engine/config/url';
import type { PostgresScratch, VerifyDatabase } from '../../engine/verify/types';
import { ProjectState } from '../projectStore';

export const DATABASES: readonly VerifyDatabase[] = ['sqlite', 'postgresql'];
export const DATABASE_LABEL: Record<VerifyDatabase, string> = { sqlite: 'SQLite', postgresql: 'PostgreSQL' };

const config = (project: ProjectState) => vscode.workspace.getConfiguration('alembicMigrations.verify', vscode.Uri.file(project.found.root));

/** The databases set for the project, in a fixed order, unknown names left out. */
export function verifyDatabases(project: ProjectState): VerifyDatabase[] {
  const chosen = config(project).get<string[]>('databases', [...DATABASES]);
  return DATABASES.filter((d) => Array.isArray(chosen) && chosen.includes(d));
}

/**
 * Where the PostgreSQL scratch database is made. "server": on the server of
 * `alembicMigrations.verify.postgresUrl` if set, else of the project's own URL when it is
 * PostgreSQL; the engine creates a temporary database there and drops it (never the configured one).
 */
export function postgresScratch(project: ProjectState): { scratch: PostgresScratch; where: string } | { error: string } {
  const cfg = config(project);
  if (cfg.get<string>('postgres', 'pglite') !== 'server') return { scratch: { mode: 'pglite' }, where: 'embedded PGlite' };
  const own = project.dir?.config.database;
  const set = cfg.get<string>('postgresUrl', '').trim();
  const candidates = [...(set ? [{ url: set, source: 'alembicMigrations.verify.postgresUrl' }] : []), ...(own ? [own] : [])];
  for (const c of candidates) {
    let dialect: string;
    try { dialect = parseDatabaseUrl(c.url, c.source).dialect; } catch (e) {
      if (c.url === set) return { error: `alembicMigrations.verify.postgresUrl cannot be read: ${(e as Error).message}` };
      continue;
    }
    if (dialect === 'postgresql') {
      let host = 'the server';
      try { host = new URL(c.url.replace(/^[\w+]+:/, 'postgresql:')).host || host; } catch { /* keep the generic name */ }
      return { scratch: { mode: 'server', url: c.url }, where: `a temporary database on ${host}` };
    }
    if (c.url === set) return { error: 'alembicMigrations.verify.postgresUrl is not a PostgreSQL URL: set it to a server, e.g. postgresql://postgres@localhost/postgres.' };
  }
  return { error: `alembicMigrations.verify.postgres is "server", but ${project.label}'s database is not PostgreSQL: set alembicMigrations.verify.postgresUrl to a server (a temporary database is made there), or set alembicMigrations.verify.postgres to "pglite".` };
}
