/**
 * `drift`: has someone changed the database by hand? The schema the migrations build at the live
 * database's current revision(s), on a scratch database of the same dialect, compared with the
 * live database's schema, read without writing anything to it. No Python. See docs/DRIFT.md.
 */
import path from 'node:path';
import { renderUrl } from '../config/url';
import { CommandError } from '../errors';
import { catchRevisionErrors } from '../graph';
import type { ScriptDirectory } from '../scripts/scriptDirectory';
import { compareSchemas, leaveOut, takeViews } from './compare';
import { buildExpected } from './expected';
import { ignoreMatcher, readDriftIgnore } from './ignore';
import { readLive } from './live';
import type { DriftOptions, DriftReport } from './types';

export type { DriftDifference, DriftObjectType, DriftOptions, DriftReport } from './types';
export { DRIFT_WORDING } from './compare';
export { driftSummary } from './summary';

export async function drift(dir: ScriptDirectory, o: DriftOptions): Promise<DriftReport> {
  const started = performance.now();
  const { config } = dir;
  const patterns = [...readDriftIgnore([path.join(config.here, 'pyproject.toml'), path.join(config.cwd, 'pyproject.toml')]), ...(o.ignore ?? [])];
  const versionTable = { table: config.versionTable, schema: config.versionTableSchema };
  o.onLog?.(`Reading the live database ${renderUrl(o.url)} (read only)`);
  const live = await readLive(o.url, o.cwd, versionTable, o.onLog);
  const notes: string[] = [];
  const heads = live.heads ?? [];
  if (live.heads === undefined) {
    notes.push(Object.keys(live.schema.tables).length
      ? `The database has no ${config.versionTable} table: it is not managed by migrations (never upgraded or stamped), so it is compared with the empty schema (base). If the migrations built it, \`migrations stamp <revision>\` records the revision it is at.`
      : `The database is empty (no tables, no ${config.versionTable} table): it is not managed by migrations yet; \`migrations upgrade head\` builds its schema.`);
  } else if (!heads.length) {
    notes.push(`The ${config.versionTable} table is empty: the database is at base, so it is compared with the empty schema.`);
  }
  checkKnown(dir, heads, live.label);
  const pending = dir.map.heads.filter((h) => !heads.includes(h));
  if (heads.length && pending.length) {
    notes.push(`The database is at ${heads.join(', ')}, not at the scripts' head ${dir.map.heads.join(', ')}: it is compared with the migrations at its own revision (migrations not yet applied are not drift).`);
  }

  const built = await buildExpected(dir, o.url.dialect, heads, o);
  const expected = built.schema;
  const actual = live.schema;
  const views = [...new Set([...takeViews(expected), ...takeViews(actual)])].sort();
  if (views.length) notes.push(`Views are not compared (${views.join(', ')}): drift compares tables, their columns, constraints and indexes, enum types and sequences.`);
  for (const [ext, tables] of Object.entries(live.extensionTables)) {
    notes.push(`Tables of the extension ${ext} are not compared (${tables.join(', ')}): the extension owns them, not the migrations.`);
  }
  const ignore = ignoreMatcher(patterns);
  const ignored = [...new Set([...leaveOut(expected, ignore), ...leaveOut(actual, ignore)])].sort();
  if (ignored.length) notes.push(`Ignored (${patterns.join(', ')}): ${ignored.join(', ')}.`);

  return {
    dialect: o.url.dialect, database: live.label, heads, expected, actual,
    differences: compareSchemas(expected, actual), ignored, notes, scratch: built.scratch,
    durationMs: Math.round(performance.now() - started),
  };
}

/** Every revision the database is at must be in the scripts: the migrations' schema is built up to them. */
function checkKnown(dir: ScriptDirectory, heads: string[], label: string): void {
  for (const h of heads) {
    let found: unknown;
    try { found = catchRevisionErrors(() => dir.map.getRevision(h)); } catch { found = undefined; }
    if (!found) {
      throw new CommandError(`The database ${label} is at revision ${h}, which is not among the revision files (${dir.config.scriptLocation})`, label,
        'Get the revision file (git pull, or check out the branch that added it), or, if it was removed on purpose, `migrations stamp` the database to the revision that replaced it.');
    }
  }
}
