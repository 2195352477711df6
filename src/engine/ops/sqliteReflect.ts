/**
 * A live SQLite table read the way SQLAlchemy 1.4's SQLite dialect reflects it for Alembic's batch
 * mode: PRAGMAs for the facts, and SQLAlchemy's own regular expressions over the CREATE TABLE text
 * for what the PRAGMAs leave out (constraint names, which UNIQUEs are constraints, CHECKs, partial
 * index predicates). What those expressions miss, Alembic's rebuild loses, and so does ours.
 *
 * The patterns are SQLAlchemy's as Python reads them: `\w` is Unicode (here `[\p{L}\p{N}_]`), `.`
 * is anything but a newline (here `[^\n]`), so a CREATE TABLE written on one line can mislead them
 * exactly as it misleads SQLAlchemy.
 */
import type { Dialect } from '../dialects';
import { renderForeignKey } from './ddl/render';
import type { BatchColumn as Col, BatchConstraint as Cons, BatchIndex as Ix } from './registry/types';
import { Unsupported } from './values';

export interface Query { all<T = Record<string, unknown>>(sql: string): Promise<T[]> }

const ISCHEMA: Record<string, string> = {
  BIGINT: 'BIGINT', BLOB: 'BLOB', BOOL: 'BOOLEAN', BOOLEAN: 'BOOLEAN', CHAR: 'CHAR', DATE: 'DATE', DATE_CHAR: 'DATE',
  DATETIME: 'DATETIME', DATETIME_CHAR: 'DATETIME', DOUBLE: 'FLOAT', DECIMAL: 'DECIMAL', FLOAT: 'FLOAT', INT: 'INTEGER',
  INTEGER: 'INTEGER', JSON: 'JSON', NUMERIC: 'NUMERIC', REAL: 'REAL', SMALLINT: 'SMALLINT', TEXT: 'TEXT', TIME: 'TIME',
  TIME_CHAR: 'TIME', TIMESTAMP: 'TIMESTAMP', VARCHAR: 'VARCHAR', NVARCHAR: 'NVARCHAR', NCHAR: 'NCHAR',
};
const TYPE_RE = /^([\p{L}\p{N}_ ]+)(\([^\n]*?\))?/u;

/**
 * SQLAlchemy 1.4's SQLite type reflection: `get_columns` upper-cases the declared type, then
 * `_resolve_type_affinity` looks the name up, else falls back on SQLite's affinity rules, and calls
 * the type with every number found in its parentheses. `check`: a BOOLEAN given a non-zero first
 * number (`create_constraint`), which SQLAlchemy writes back with a CHECK (col IN (0, 1)).
 */
export function resolveType(declared: string, table: string, column: string): { type: string; check: boolean } {
  const m = TYPE_RE.exec(declared.toUpperCase());
  const name = m ? m[1] : '';
  const args = (m?.[2]?.match(/\d+/g) ?? []).map((x) => BigInt(x).toString());
  let t: string | undefined;
  if (Object.prototype.hasOwnProperty.call(ISCHEMA, name)) t = ISCHEMA[name];
  else if (name.includes('INT')) t = 'INTEGER';
  else if (name.includes('CHAR') || name.includes('CLOB') || name.includes('TEXT')) t = 'TEXT';
  else if (name.includes('BLOB') || !name) t = undefined;
  else if (name.includes('REAL') || name.includes('FLOA') || name.includes('DOUB')) t = 'REAL';
  else t = 'NUMERIC';
  const what = `${table}.${column} ${declared || '(no type)'}`;
  if (!t) throw new Unsupported(0, what, "SQLAlchemy reflects this column's type as NullType and cannot recreate it; Alembic's batch mode fails here too");
  const n = args.length;
  switch (t) {
    // String(length, collation, ...): a second number becomes a collation SQLite does not have.
    case 'CHAR': case 'VARCHAR': case 'TEXT':
      if (n >= 2) throw new Unsupported(0, what, `SQLAlchemy reflects this type as ${t}(${args[0]}) COLLATE "${args[1]}"; SQLite has no such collation sequence, so Alembic's batch mode fails here too`);
      return { type: n ? `${t}(${args[0]})` : t, check: false };
    // Unicode(length, **kw): more than a length is a TypeError, and SQLAlchemy drops the numbers.
    case 'NCHAR': case 'NVARCHAR': return { type: n === 1 ? `${t}(${args[0]})` : t, check: false };
    // Numeric(precision, scale, decimal_return_scale, asdecimal); five numbers or more: a TypeError.
    case 'NUMERIC': case 'DECIMAL':
      return { type: n === 1 ? `${t}(${args[0]})` : n >= 2 && n <= 4 ? `${t}(${args[0]}, ${args[1]})` : t, check: false };
    // Boolean(create_constraint, name, _create_events): SQLAlchemy fails on a number as the
    // constraint's name once it makes the constraint.
    case 'BOOLEAN':
      if (n === 0 || n > 3 || args[0] === '0') return { type: t, check: false };
      if (n > 1) throw new Unsupported(0, what, `SQLAlchemy reflects this type as Boolean(create_constraint=${args[0]}, name=${args[1]}) and fails on a number as a constraint name; Alembic's batch mode fails here too`);
      return { type: t, check: true };
    // The others render without their numbers (FLOAT, REAL, DATETIME, BLOB, INTEGER, JSON, ...).
    default: return { type: t, check: false };
  }
}

/** The type SQLAlchemy 1.4 reflects a declared SQLite type as, rendered back as DDL. */
export function reflectedType(declared: string, table: string, column: string): string {
  return resolveType(declared, table, column).type;
}

// SQLAlchemy 1.4's patterns (sqlalchemy/dialects/sqlite/base.py), flags `iu` for Python's re.I on str.
const PK_PATTERN = /CONSTRAINT ([\p{L}\p{N}_]+) PRIMARY KEY/iu;
const UNIQUE_PATTERN = /(?:CONSTRAINT "?([^\n]+?)"? +)?UNIQUE *\(([^\n]+?)\)/giu;
const INLINE_UNIQUE_PATTERN = /(?:("[^\n]+?")|(?:[[`])?([a-z0-9_]+)(?:[\]`])?) +[a-z0-9_ ]+? +UNIQUE/giu;
const CHECK_PATTERN = /(?:CONSTRAINT ([^\n]+) +)?CHECK *\( *([^\n]+) *\),? */giu;
const PARTIAL_PREDICATE = /\)\s+where\s+([^\n]+)/iu;

/** `_find_cols_in_sig`: quoted names, or runs of [a-z0-9_]; anything else separates. */
function colsInSig(sig: string): string[] {
  return [...sig.matchAll(/(?:"([^\n]+?)")|([a-z0-9_]+)/giu)].map((m) => m[1] ?? m[2]);
}

/**
 * `get_unique_constraints`: a UNIQUE found in the SQL text (table-level first, then column-level)
 * is a constraint only when an automatic index has exactly its columns; each such index is taken once.
 */
function uniqueConstraints(sql: string, autoIndexSigs: string[][]): { name?: string; columns: string[] }[] {
  const bySig = new Set(autoIndexSigs.map((c) => JSON.stringify(c)));
  const found: { name?: string; columns: string[] }[] = [];
  const parsed = [
    ...[...sql.matchAll(UNIQUE_PATTERN)].map((m) => ({ name: m[1] as string | undefined, columns: colsInSig(m[2]) })),
    ...[...sql.matchAll(INLINE_UNIQUE_PATTERN)].map((m) => ({ name: undefined, columns: colsInSig(m[1] ?? m[2]) })),
  ];
  for (const u of parsed) {
    const sig = JSON.stringify(u.columns);
    if (bySig.delete(sig)) found.push(u);
  }
  return found;
}

/**
 * Alembic's SQLite reflection hook (`autogen_column_reflect`): a reflected default that looks like
 * an SQL expression gets parentheses back; single digits, quoted strings and parenthesized text do not.
 */
export function parenthesizeDefault(expr: string): string {
  if (!expr || /^[0-9.]$/.test(expr) || /^'.+'$/.test(expr) || /^\(.+\)$/.test(expr)) return expr;
  return `(${expr})`;
}

export const uniqueBody = (columns: string[], d: Dialect): string => `UNIQUE (${columns.map((c) => d.quote(c)).join(', ')})`;

function unquoteList(s: string): string[] {
  return s.split(',').map((x) => x.trim().replace(/^["`[]|["`\]]$/g, ''));
}

export async function reflectTable(db: Query, d: Dialect, table: string): Promise<{ cols: Col[]; cons: Cons[]; indexes: Ix[]; pkName?: string }> {
  const q = d.literal(table);
  const master = await db.all<{ sql: string }>(`SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ${q}`);
  if (!master.length) throw new Unsupported(0, `batch_alter_table(${JSON.stringify(table)})`, `No such table: ${table}`);
  const sql = master[0].sql ?? '';
  const info = await db.all<{ name: string; type: string; notnull: number; dflt_value: string | null; pk: number }>(`PRAGMA main.table_info(${JSON.stringify(table)})`);
  const cons: Cons[] = [];
  const cols: Col[] = info.map((r) => {
    const { type, check } = resolveType(r.type, table, r.name);
    return {
      key: r.name, name: r.name, type, nullable: !r.notnull,
      dflt: r.dflt_value === null ? undefined : parenthesizeDefault(r.dflt_value), pk: r.pk, from: r.name,
      // Boolean(create_constraint=...) brings its CHECK back with the type, without a name.
      ...(check ? { typeCheck: { render: (col: string) => `${d.quote(col)} IN (0, 1)` } } : {}),
    };
  });
  const pkName = PK_PATTERN.exec(sql)?.[1];
  // Foreign keys: PRAGMA for the facts, the SQL text for names and options (as SQLAlchemy does).
  const fkRows = await db.all<{ id: number; seq: number; table: string; from: string; to: string | null }>(`PRAGMA main.foreign_key_list(${JSON.stringify(table)})`);
  const byId = new Map<number, { table: string; from: string[]; to: (string | null)[] }>();
  for (const r of fkRows) {
    const e = byId.get(r.id) ?? { table: r.table, from: [], to: [] };
    e.from.push(r.from); e.to.push(r.to);
    byId.set(r.id, e);
  }
  const parsedFks = [...sql.matchAll(/(?:CONSTRAINT (\w+) +)?FOREIGN KEY *\( *(.+?) *\) +REFERENCES +(?:(?:"(.+?)")|([a-z0-9_]+)) *\((.+?)\) *((?:ON (?:DELETE|UPDATE) (?:SET NULL|SET DEFAULT|CASCADE|RESTRICT|NO ACTION) *)*)((?:NOT +)?DEFERRABLE)?(?: +INITIALLY +(DEFERRED|IMMEDIATE))?/gi)];
  for (const fk of [...byId.values()].reverse()) {
    const sig = fk.from.join(',');
    const found = parsedFks.find((m) => unquoteList(m[2]).join(',') === sig && (m[3] ?? m[4]) === fk.table);
    let onDelete: string | undefined;
    let onUpdate: string | undefined;
    for (const tok of (found?.[6] ?? '').toUpperCase().split(/ *\bON\b */)) {
      if (tok.startsWith('DELETE')) { const v = tok.slice(6).trim(); if (v && v !== 'NO ACTION') onDelete = v; }
      if (tok.startsWith('UPDATE')) { const v = tok.slice(6).trim(); if (v && v !== 'NO ACTION') onUpdate = v; }
    }
    const deferrable = found?.[7] ? !/NOT/i.test(found[7]) : undefined;
    const refColumns = fk.to.every((t) => t !== null) ? fk.to as string[] : (found ? unquoteList(found[5]) : []);
    const spec = { columns: fk.from, refTable: fk.table, refColumns, onDelete, onUpdate, deferrable, initially: found?.[8] };
    cons.push({
      name: found?.[1], kind: 'foreign', columns: fk.from, ref: { table: fk.table, columns: refColumns },
      body: renderForeignKey(spec, d), render: (columns) => renderForeignKey({ ...spec, columns }, d),
    });
  }

  const indexes: Ix[] = [];
  const autoIndexSigs: string[][] = [];
  const list = await db.all<{ name: string; unique: number; partial: number }>(`PRAGMA main.index_list(${JSON.stringify(table)})`);
  for (const ix of list.reverse()) {
    const cols = await db.all<{ name: string | null }>(`PRAGMA main.index_info(${JSON.stringify(ix.name)})`);
    if (ix.name.startsWith('sqlite_autoindex')) { autoIndexSigs.push(cols.map((c) => c.name ?? '')); continue; }
    if (cols.some((c) => c.name === null)) continue; // expression index: SQLAlchemy 1.4 skips it
    let where: string | undefined;
    if (ix.partial) {
      const [row] = await db.all<{ sql: string }>(`SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ${d.literal(ix.name)}`);
      where = PARTIAL_PREDICATE.exec(row?.sql ?? '')?.[1];
    }
    indexes.push({ name: ix.name, unique: !!ix.unique, columns: cols.map((c) => c.name!), ...(where !== undefined ? { where } : {}) });
  }
  for (const u of uniqueConstraints(sql, autoIndexSigs)) {
    cons.push({ name: u.name, kind: 'unique', columns: u.columns, body: uniqueBody(u.columns, d), render: (columns) => uniqueBody(columns, d) });
  }
  for (const m of sql.matchAll(CHECK_PATTERN)) {
    const name = m[1]?.replace(/^"|"$/g, '');
    // Alembic drops reflected CHECK constraints that have no name.
    if (name) cons.push({ name, kind: 'check', columns: [], body: `CHECK (${m[2]})` });
  }
  return { cols, cons, indexes, pkName };
}
