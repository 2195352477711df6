/**
 * The live schema against the migrations' one, table by table, in drift's words ("index ix_x on
 * users is in the database but not in the migrations"); what is left out of the comparison (views,
 * ignored tables) is taken out of both snapshots first, and said in a note.
 */
import { diffSnapshots, DiffWording, SchemaDifference } from '../schema/diff';
import { emptySnapshot, SchemaSnapshot } from '../schema/snapshot';
import type { DriftDifference, DriftObjectType } from './types';

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
    for (const d of diffSnapshots(one(expected, key), one(actual, key), DRIFT_WORDING)) out.push(inParts(d, key));
  }
  const rest = (s: SchemaSnapshot): SchemaSnapshot => ({ ...s, tables: {} });
  out.push(...diffSnapshots(rest(expected), rest(actual), DRIFT_WORDING).map((d) => inParts(d)));
  return out;
}

const OBJECT = /^(table|column|primary key|foreign key|unique constraint|check constraint|index|enum type|sequence)(?: ([\s\S]*))?$/;

/** The object's type and name, read back from diff.ts's wording ("index ix_a on users", "column users.a"). */
function inParts(d: SchemaDifference, table?: string): DriftDifference {
  const m = OBJECT.exec(d.object);
  const objectType = (m?.[1] ?? 'table') as DriftObjectType;
  const rest = m?.[2] ?? '';
  let name: string | undefined;
  if (objectType === 'column') name = rest.slice((table ?? '').length + 1);
  else if (!table || objectType === 'table') name = rest;
  else if (rest.endsWith(` on ${table}`) && !rest.startsWith('(') && !rest.startsWith('on ')) name = rest.slice(0, -` on ${table}`.length) || undefined;
  const property = d.kind === 'changed' ? d.message.slice(d.object.length + 2).replace(/ is [\s\S]*$/, '') : undefined;
  return { ...d, ...(table !== undefined && { table }), objectType, ...(name !== undefined && { name }), ...(property !== undefined && { property }) };
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
