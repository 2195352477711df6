/**
 * What differs between two schema snapshots, object by object, each told in a sentence a person
 * can act on: "column users.is_verified is still there", "index ix_users_email on users is
 * missing", "column users.name: type is VARCHAR(50), expected VARCHAR(100)".
 *
 * How things are matched:
 * - Tables, views, enum types and sequences by qualified name; a missing or extra table is one
 *   difference (not one per column).
 * - Columns by name, order ignored: a downgrade that re-adds a dropped column puts it last, which
 *   is the same schema for every purpose a migration has.
 * - Constraints by name; unnamed ones (SQLite keeps no name) by content: a foreign key by its
 *   columns and target, a unique constraint by its columns, a CHECK by its condition. So a changed
 *   unnamed CHECK reads as one missing and one extra.
 * - Texts are compared in canonical form (sqlTokens): spacing and quoting of names do not count, nor
 *   the case of type names, nor the parentheses SQLite's batch mode puts around defaults.
 * - SQLite types are the same when SQLAlchemy reflects them as the same type (INT and INTEGER, BOOL
 *   and BOOLEAN): a batch-mode rebuild writes the reflected name back, in Alembic as here, and the
 *   column behaves the same. VARCHAR(50) and VARCHAR(100) still differ.
 */
import { reflectedType } from '../ops/sqliteBatch';
import { canonicalSql } from './sqlTokens';
import type { CheckSnapshot, ColumnSnapshot, ForeignKeySnapshot, IndexSnapshot, SchemaSnapshot, TableSnapshot, UniqueSnapshot } from './snapshot';

export type DifferenceKind = 'missing' | 'extra' | 'changed';

export interface SchemaDifference {
  kind: DifferenceKind;
  /** The object as people name it: "column users.is_verified", "index ix_users_email on users". */
  object: string;
  /** The whole sentence: object and what is wrong with it. */
  message: string;
}

/** How a difference is told; the caller frames the sentence ("after downgrade of 3f9a1c2d4e5b: ..."). */
export interface DiffWording {
  /** Said of an object `expected` has and `actual` lacks. */
  missing: string;
  /** Said of an object `actual` has and `expected` lacks. */
  extra: string;
  /** A property that differs: "type is VARCHAR(50), expected VARCHAR(100)". */
  changed(property: string, actual: string, expected: string): string;
}

/** Neutral: actual against expected. */
export const EXPECTED_WORDING: DiffWording = {
  missing: 'is missing',
  extra: 'is there but not expected',
  changed: (p, a, e) => `${p} is ${a}, expected ${e}`,
};

/** The schema after a downgrade (actual) against the one before its upgrade (expected). */
export const AFTER_DOWNGRADE_WORDING: DiffWording = {
  missing: 'is missing',
  extra: 'is still there',
  changed: (p, a, e) => `${p} is ${a}, expected ${e}`,
};

/** The schema after the second upgrade (actual) against the one after the first (expected). */
export const SECOND_UPGRADE_WORDING: DiffWording = {
  missing: 'was there after the first upgrade but is not now',
  extra: 'is there now but was not after the first upgrade',
  changed: (p, a, e) => `${p} is ${a} now, was ${e} after the first upgrade`,
};

export function diffSnapshots(expected: SchemaSnapshot, actual: SchemaSnapshot, wording: DiffWording = EXPECTED_WORDING): SchemaDifference[] {
  const out = new Differences(wording);
  for (const key of keys(expected.tables, actual.tables)) {
    const e = expected.tables[key];
    const a = actual.tables[key];
    if (!a) out.missing(`table ${key}`);
    else if (!e) out.extra(`table ${key}`);
    else diffTable(key, e, a, out, expected.dialect);
  }
  for (const key of keys(expected.enums, actual.enums)) {
    out.compare(`enum type ${key}`, expected.enums[key], actual.enums[key], (x, y) => x.length === y.length && x.every((l, i) => l === y[i]),
      (x) => `(${x.map((l) => `'${l}'`).join(', ')})`, 'label list');
  }
  for (const key of keys(expected.sequences, actual.sequences)) {
    const e = expected.sequences[key];
    const a = actual.sequences[key];
    const what = `sequence ${key}`;
    if (!a) out.missing(what);
    else if (!e) out.extra(what);
    else {
      out.property(what, 'start', a.start ?? 'default', e.start ?? 'default');
      out.property(what, 'increment', a.increment ?? 'default', e.increment ?? 'default');
    }
  }
  for (const key of keys(expected.views, actual.views)) {
    out.compare(`view ${key}`, expected.views[key], actual.views[key], sameSql, oneLine, 'definition');
  }
  return out.list;
}

/**
 * Tables that lost rows between two snapshots that both counted them (`rowCount`). Kept apart from
 * diffSnapshots because losing rows is its own check (`rows-kept`), not a schema difference.
 */
export function diffRowCounts(before: SchemaSnapshot, after: SchemaSnapshot): SchemaDifference[] {
  const out: SchemaDifference[] = [];
  for (const key of Object.keys(before.tables).sort()) {
    const b = before.tables[key].rowCount;
    const a = after.tables[key]?.rowCount;
    if (b === undefined || a === undefined || a >= b) continue;
    const object = `table ${key}`;
    out.push({ kind: 'changed', object, message: `${object} lost ${a === 0 ? 'its' : 'some of its'} rows (${b} before, ${a} after)` });
  }
  return out;
}

/** A table in one line, for messages: `users(id integer NOT NULL, email text, PRIMARY KEY (id))`. */
export function describeTable(key: string, t: TableSnapshot): string {
  const cols = t.columns.map((c) => `${c.name} ${c.type}${c.nullable ? '' : ' NOT NULL'}`);
  if (t.primaryKey) cols.push(`PRIMARY KEY ${list(t.primaryKey.columns)}`);
  return `${key}(${cols.join(', ')})`;
}

class Differences {
  readonly list: SchemaDifference[] = [];
  constructor(private readonly w: DiffWording) {}
  missing(object: string) { this.list.push({ kind: 'missing', object, message: `${object} ${this.w.missing}` }); }
  extra(object: string) { this.list.push({ kind: 'extra', object, message: `${object} ${this.w.extra}` }); }
  /** One property of a matched object; `same` decides equality (default: equal text). */
  property(object: string, property: string, actual: string, expected: string, same: (a: string, e: string) => boolean = (a, e) => a === e) {
    if (!same(actual, expected)) this.list.push({ kind: 'changed', object, message: `${object}: ${this.w.changed(property, actual, expected)}` });
  }
  /** An object that is a single value: missing, extra, or its value changed. */
  compare<T>(object: string, e: T | undefined, a: T | undefined, same: (x: T, y: T) => boolean, show: (x: T) => string, property: string) {
    if (a === undefined) this.missing(object);
    else if (e === undefined) this.extra(object);
    else if (!same(e, a)) this.property(object, property, show(a), show(e), () => false);
  }
}

const keys = (a: object, b: object): string[] => [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
const list = (xs: string[]) => `(${xs.join(', ')})`;
const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();
export const sameSql = (a: string, b: string) => a === b || canonicalSql(a) === canonicalSql(b);
const typeText = (t: string) => t.replace(/\s+/g, ' ').replace(/ ?([(),]) ?/g, '$1').trim().toUpperCase();
function sqlAlchemyType(t: string): string {
  try { return reflectedType(typeText(t), '', ''); } catch { return typeText(t); }
}
export const sameType = (dialect: SchemaSnapshot['dialect']) => (a: string, b: string) =>
  typeText(a) === typeText(b) || (dialect === 'sqlite' && sqlAlchemyType(a) === sqlAlchemyType(b));
const sameList = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => sameSql(x, b[i]));

/** Two defaults (or 'none') that are the same expression. */
export const sameDefault = (x: string, y: string) => x === y || bareDefault(x) === bareDefault(y);

/** A default without the parentheses SQLite's batch mode may wrap it in. */
export function bareDefault(sql: string): string {
  let s = canonicalSql(sql);
  while (s.startsWith('(') && s.endsWith(')') && balanced(s.slice(1, -1))) s = s.slice(1, -1);
  return s;
}
function balanced(s: string): boolean {
  let depth = 0;
  for (const c of s.replace(/'(?:[^']|'')*'|"(?:[^"]|"")*"/g, '')) {
    if (c === '(') depth++;
    else if (c === ')' && --depth < 0) return false;
  }
  return depth === 0;
}

function diffTable(key: string, e: TableSnapshot, a: TableSnapshot, out: Differences, dialect: SchemaSnapshot['dialect']): void {
  out.property(`table ${key}`, 'comment', quoted(a.comment), quoted(e.comment));
  const actualCols = new Map(a.columns.map((c) => [c.name, c]));
  const expectedCols = new Map(e.columns.map((c) => [c.name, c]));
  for (const c of e.columns) {
    const ac = actualCols.get(c.name);
    if (!ac) out.missing(`column ${key}.${c.name}`);
    else diffColumn(`column ${key}.${c.name}`, c, ac, out, dialect);
  }
  for (const c of a.columns) if (!expectedCols.has(c.name)) out.extra(`column ${key}.${c.name}`);

  const pkName = (p: TableSnapshot['primaryKey']) => `primary key${p?.name ? ` ${p.name}` : ''} on ${key}`;
  if (e.primaryKey && !a.primaryKey) out.missing(pkName(e.primaryKey));
  else if (!e.primaryKey && a.primaryKey) out.extra(pkName(a.primaryKey));
  else if (e.primaryKey && a.primaryKey) {
    const what = pkName(e.primaryKey);
    out.property(what, 'name', a.primaryKey.name ?? 'none', e.primaryKey.name ?? 'none');
    out.property(what, 'column list', list(a.primaryKey.columns), list(e.primaryKey.columns));
  }

  matchAll(e.foreignKeys, a.foreignKeys, fkKey, (f) => (f.name ? `foreign key ${f.name} on ${key}` : `foreign key on ${key}${list(f.columns)} referencing ${f.referredTable}${list(f.referredColumns)}`), out, (what, x, y) => {
    out.property(what, 'column list', list(y.columns), list(x.columns));
    out.property(what, 'target', `${y.referredTable}${list(y.referredColumns)}`, `${x.referredTable}${list(x.referredColumns)}`);
    out.property(what, 'ON DELETE', y.onDelete ?? 'NO ACTION', x.onDelete ?? 'NO ACTION');
    out.property(what, 'ON UPDATE', y.onUpdate ?? 'NO ACTION', x.onUpdate ?? 'NO ACTION');
    out.property(what, 'deferrability', deferrability(y), deferrability(x));
  });
  matchAll(e.uniques, a.uniques, (u: UniqueSnapshot) => list(u.columns), (u) => `unique constraint ${u.name ? `${u.name} on ${key}` : `on ${key}${list(u.columns)}`}`, out, (what, x, y) => {
    out.property(what, 'column list', list(y.columns), list(x.columns));
  });
  matchAll(e.checks, a.checks, (c: CheckSnapshot) => canonicalSql(c.sql), (c) => `check constraint ${c.name ? c.name : `(${c.sql})`} on ${key}`, out, (what, x, y) => {
    out.property(what, 'condition', y.sql, x.sql, sameSql);
  });
  matchAll(e.indexes, a.indexes, (i: IndexSnapshot) => i.name, (i) => `index ${i.name} on ${key}`, out, (what, x, y) => diffIndex(what, x, y, out));
}

function diffColumn(what: string, e: ColumnSnapshot, a: ColumnSnapshot, out: Differences, dialect: SchemaSnapshot['dialect']): void {
  out.property(what, 'type', a.type, e.type, sameType(dialect));
  out.property(what, 'nullability', a.nullable ? 'nullable' : 'NOT NULL', e.nullable ? 'nullable' : 'NOT NULL');
  out.property(what, 'default', a.default ?? 'none', e.default ?? 'none', sameDefault);
  out.property(what, 'identity', a.identity?.toUpperCase() ?? 'none', e.identity?.toUpperCase() ?? 'none');
  out.property(what, 'generated expression', a.generated ?? 'none', e.generated ?? 'none', sameSql);
  out.property(what, 'comment', quoted(a.comment), quoted(e.comment));
}

function diffIndex(what: string, e: IndexSnapshot, a: IndexSnapshot, out: Differences): void {
  const before = out.list.length;
  out.property(what, 'uniqueness', a.unique ? 'UNIQUE' : 'not unique', e.unique ? 'UNIQUE' : 'not unique');
  out.property(what, 'column list', list(a.columns), list(e.columns), () => sameList(a.columns, e.columns));
  out.property(what, 'WHERE condition', a.where ?? 'none', e.where ?? 'none', sameSql);
  // The whole definition also covers method, operator classes, order and INCLUDE (PostgreSQL).
  if (out.list.length === before && (a.definition !== undefined || e.definition !== undefined)) {
    out.property(what, 'definition', a.definition ?? 'none', e.definition ?? 'none', sameSql);
  }
}

/**
 * Pairs constraints by name, then the rest by content (`key`): the pairs, the expected ones left
 * unpaired (missing) and the actual ones left unpaired (extra).
 */
export function pairObjects<T extends { name?: string }>(expected: T[], actual: T[], key: (x: T) => string): { pairs: [T, T][]; missing: T[]; extra: T[] } {
  const left = new Set(actual);
  const pairs: [T, T | undefined][] = [];
  for (const e of expected) {
    const byName = e.name !== undefined ? [...left].find((a) => a.name === e.name) : undefined;
    if (byName) left.delete(byName);
    pairs.push([e, byName]);
  }
  for (const p of pairs) {
    if (p[1]) continue;
    const byKey = [...left].find((a) => (a.name === undefined || p[0].name === undefined) && key(a) === key(p[0]));
    if (byKey) { left.delete(byKey); p[1] = byKey; }
  }
  return { pairs: pairs.filter((p): p is [T, T] => !!p[1]), missing: pairs.filter((p) => !p[1]).map((p) => p[0]), extra: [...left] };
}

/** Reports pairObjects' unpaired as missing or extra and hands each pair to `compare(object, expected, actual)`. */
function matchAll<T extends { name?: string }>(expected: T[], actual: T[], key: (x: T) => string, name: (x: T) => string, out: Differences,
  compare: (what: string, e: T, a: T) => void): void {
  const { pairs, extra } = pairObjects(expected, actual, key);
  const paired = new Map(pairs);
  for (const e of expected) {
    const a = paired.get(e);
    if (!a) { out.missing(name(e)); continue; }
    const what = name(e);
    out.property(what, 'name', a.name ?? 'none', e.name ?? 'none');
    compare(what, e, a);
  }
  for (const a of extra) out.extra(name(a));
}

export const fkKey = (f: ForeignKeySnapshot) => `${list(f.columns)}>${f.referredTable}${list(f.referredColumns)}`;
const deferrability = (f: ForeignKeySnapshot) => (f.deferrable ? `DEFERRABLE INITIALLY ${f.initiallyDeferred ? 'DEFERRED' : 'IMMEDIATE'}` : 'NOT DEFERRABLE');
const quoted = (s: string | undefined) => (s === undefined ? 'none' : `'${s}'`);
