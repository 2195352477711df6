/**
 * The live schema against the migrations' one, table by table, in drift's words ("index ix_x on
 * users is in the database but not in the migrations"); what is left out of the comparison (views,
 * ignored tables) is taken out of both snapshots first, and said in a note.
 */
import { diffSnapshots, DiffWording } from '../schema/diff';
import { emptySnapshot, SchemaSnapshot } from '../schema/snapshot';
import type { DriftDifference } from './types';

export const DRIFT_WORDING: DiffWording = {
  missing: 'is in the migrations but not in the database',
  extra: 'is in the database but not in the migrations',
  changed: (p, a, e) => `${p} is ${a} in the database, ${e} in the migrations`,
};

/** Each table diffed on its own, so that every difference knows its table; then enum types and sequences. */
export function compareSchemas(expected: SchemaSnapshot, actual: SchemaSnapshot): DriftDifference[] {
  const out: DriftDifference[] = [];
  const one = (s: SchemaSnapshot, key: string): SchemaSnapshot => ({ ...emptySnapshot(s.dialect), tables: s.tables[key] ? { [key]: s.tables[key] } : {} });
  for (const key of [...new Set([...Object.keys(expected.tables), ...Object.keys(actual.tables)])].sort()) {
    for (const d of diffSnapshots(one(expected, key), one(actual, key), DRIFT_WORDING)) out.push({ ...d, table: key });
  }
  const rest = (s: SchemaSnapshot): SchemaSnapshot => ({ ...s, tables: {} });
  out.push(...diffSnapshots(rest(expected), rest(actual), DRIFT_WORDING));
  return out;
}

/** Removes what matches `ignored` (tables and sequences) from a snapshot; returns the names removed. */
export function leaveOut(s: SchemaSnapshot, ignored: (name: string) => boolean): string[] {
  const removed: string[] = [];
  for (const group of [s.tables, s.sequences] as Record<string, unknown>[]) {
    for (const name of Object.keys(group)) if (ignored(name)) { delete group[name]; removed.push(name); }
  }
  return removed;
}

/** Takes the views out (drift compares tables, as Alembic's autogenerate does); returns their names. */
export function takeViews(s: SchemaSnapshot): string[] {
  const names = Object.keys(s.views);
  s.views = {};
  return names;
}
