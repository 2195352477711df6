/**
 * Alembic's read-only verbs (command.py: heads, branches, history, show, current), printing
 * through `out` exactly what Alembic prints. Revision-graph errors become the CommandError
 * messages Alembic gives them.
 */
import { parseDatabaseUrl, renderUrl } from '../config/url';
import { CommandError } from '../errors';
import { catchRevisionErrors } from '../graph';
import { walkRevisions } from '../graph';
import { readCurrentHeads } from '../db/versionTable';
import { cmdFormat, logEntry } from '../report/format';
import { ScriptDirectory } from '../scripts/scriptDirectory';
import { Script } from '../scripts/script';

export type Out = (text: string) => void;


export function heads(dir: ScriptDirectory, out: Out, verbose = false, resolveDependencies = false): void {
  // Alembic reads the heads outside its error translation: a broken graph escapes as is.
  const ids = resolveDependencies ? 'heads' : [...dir.map.heads];
  const revs = catchRevisionErrors(() => dir.map.getRevisions(ids));
  for (const rev of revs as Script[]) {
    out(cmdFormat(rev, verbose, { includeBranches: true, treeIndicators: false }) + '\n');
  }
}

export function branches(dir: ScriptDirectory, out: Out, verbose = false): void {
  for (const sc of catchRevisionErrors(() => [...walkRevisions(dir.map)])) {
    if (!sc.isBranchPoint) continue;
    const pad = ' '.repeat(sc.revision.length);
    const children = [...sc.nextrev].map((id) => {
      const child = catchRevisionErrors(() => dir.map.getRevision(id)) as Script;
      return `${pad} -> ${cmdFormat(child, false, { includeBranches: true, includeDoc: verbose })}`;
    });
    out(`${cmdFormat(sc, verbose, { includeBranches: true })}\n${children.join('\n')}\n\n`);
  }
}

export interface HistoryOptions {
  range?: string;
  verbose?: boolean;
  indicateCurrent?: boolean;
  /** Reads the database's current heads; needed for `current` in a range or --indicate-current. */
  currentHeads?: () => Promise<string[]>;
}

export async function history(dir: ScriptDirectory, out: Out, o: HistoryOptions = {}): Promise<void> {
  let base: string | undefined;
  let head: string | undefined;
  if (o.range !== undefined) {
    if (!o.range.includes(':')) throw new CommandError('History range requires [start]:[end], [start]:, or :[end]');
    const parts = o.range.trim().split(':');
    if (parts.length !== 2) throw new CommandError(`Invalid history range '${o.range}': use [start]:[end] with a single colon`);
    [base, head] = parts;
  }
  const display = (b: string | string[] | undefined, h: string | string[] | undefined, currents: string[] = []) => {
    const start = b && b.length ? b : 'base';
    const end = h && h.length ? h : 'heads';
    const scripts = catchRevisionErrors(() => [...walkRevisions(dir.map, start, end)],
      { start: String(start), end: String(end) }) as Script[];
    for (const sc of scripts) {
      if (o.indicateCurrent) sc.dbCurrent = currents.includes(sc.revision);
      out(cmdFormat(sc, !!o.verbose, { includeBranches: true, includeDoc: true, includeParents: true }) + '\n');
    }
  };
  if (base === 'current' || head === 'current' || o.indicateCurrent) {
    if (!o.currentHeads) throw new CommandError('No database is configured to read the current revision from');
    const rev = await o.currentHeads();
    if (head === 'current') display(base, rev, rev);
    else if (base === 'current') display(rev, head, rev);
    else display(base, head, rev);
  } else {
    display(base, head);
  }
}

export async function show(dir: ScriptDirectory, out: Out, rev: string, currentHeads?: () => Promise<string[]>): Promise<void> {
  let target: string | string[] = rev;
  if (rev === 'current') {
    if (!currentHeads) throw new CommandError('No database is configured to read the current revision from');
    target = await currentHeads();
  }
  for (const sc of catchRevisionErrors(() => dir.map.getRevisions(target)) as Script[]) {
    if (sc) out(logEntry(sc) + '\n');
  }
}

/** `warn` hears when the answer may be stale: reads are not refused while a SQLite WAL holds changes. */
export async function current(dir: ScriptDirectory, out: Out, verbose = false, checkHeads = false, warn: (m: string) => void = () => undefined): Promise<void> {
  const db = dir.config.database;
  if (!db) throw noDatabase();
  const url = parseDatabaseUrl(db.url, db.source);
  if (verbose) out(`Current revision(s) for ${renderUrl(url)}:\n`);
  const rows = await readCurrentHeads(url, dir.config.cwd, { table: dir.config.versionTable, schema: dir.config.versionTableSchema }, warn);
  if (checkHeads && !sameSet(rows, dir.map.heads)) throw new CommandError('Database is not on all head revisions');
  for (const sc of catchRevisionErrors(() => dir.map.getAllCurrent(rows)) as Script[]) {
    out(cmdFormat(sc, verbose) + '\n');
  }
}

export function currentHeadsReader(dir: ScriptDirectory, warn: (m: string) => void = () => undefined): () => Promise<string[]> {
  return async () => {
    const db = dir.config.database;
    if (!db) throw noDatabase();
    return readCurrentHeads(parseDatabaseUrl(db.url, db.source), dir.config.cwd,
      { table: dir.config.versionTable, schema: dir.config.versionTableSchema }, warn);
  };
}

function noDatabase(): CommandError {
  return new CommandError('No database URL is configured', undefined,
    'Set DATABASE_URL in the environment or a .env file, or sqlalchemy.url in alembic.ini.');
}

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x) => b.includes(x));
