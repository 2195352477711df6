/**
 * What the project's database says: its current heads (the alembic_version rows) and, from the
 * graph, which revisions are applied, current or pending. Read lazily (drivers load on first use),
 * never in an untrusted workspace.
 */
import { parseDatabaseUrl, renderUrl } from '../engine/config/url';
import { CommandError } from '../engine/errors';
import { readCurrentHeads } from '../engine/db/versionTable';
import { Script } from '../engine/scripts/script';
import { ScriptDirectory } from '../engine/scripts/scriptDirectory';

export type RevisionState = 'applied' | 'current' | 'pending';

export type DatabaseState =
  | { status: 'unknown'; reason: 'untrusted' | 'no-url'; message: string }
  | { status: 'error'; message: string; hint?: string; url?: string; source?: string }
  | { status: 'ok'; url: string; source: string; heads: string[]; states: Map<string, RevisionState>; pending: number; warning?: string };

export async function readDatabaseState(dir: ScriptDirectory, trusted: boolean): Promise<DatabaseState> {
  if (!trusted) return { status: 'unknown', reason: 'untrusted', message: 'The workspace is not trusted: the database is not contacted.' };
  const db = dir.config.database;
  if (!db) return { status: 'unknown', reason: 'no-url', message: 'No database URL: set DATABASE_URL (environment or .env) or sqlalchemy.url in alembic.ini.' };
  let shown: string | undefined;
  try {
    const url = parseDatabaseUrl(db.url, db.source);
    shown = renderUrl(url);
    let warning: string | undefined;
    const heads = await readCurrentHeads(url, dir.config.cwd, { table: dir.config.versionTable, schema: dir.config.versionTableSchema }, (m) => { warning = m; });
    const states = new Map<string, RevisionState>();
    for (const s of dir.scripts) states.set(s.revision, 'pending');
    const current = dir.map.getRevisions(heads).filter((r): r is Script => r instanceof Script);
    for (const r of dir.map.ancestors(current)) states.set(r.revision, 'applied');
    for (const r of current) states.set(r.revision, 'current');
    const pending = [...states.values()].filter((s) => s === 'pending').length;
    return { status: 'ok', url: shown, source: db.source, heads, states, pending, warning };
  } catch (e) {
    const err = e instanceof CommandError ? e : undefined;
    return { status: 'error', message: err?.message ?? `The database's revision could not be placed in the graph: ${(e as Error).message}`, hint: err?.hint, url: shown, source: db.source };
  }
}
