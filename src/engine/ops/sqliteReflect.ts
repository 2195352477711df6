/**
 * A live SQLite table read the way SQLAlchemy 1.4's SQLite dialect reflects it for Alembic's batch
 * mode: PRAGMAs for the facts, the CREATE TABLE text for what they leave out.
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
/** SQLAlchemy's `([\w ]+)(\(.*?\))?` as Python reads it: `\w` is Unicode, `.` anything but a newline. */
const TYPE_RE = /^([\p{L}\p{N}_ ]+)(\([^\n]*?\))?/u;

/**
 * SQLAlchemy 1.4's SQLite type reflection: `get_columns` upper-cases the declared type, then
 * `_resolve_type_affinity` looks the name up, else falls back on SQLite's affinity rules, and calls
 * the type with every number found in its parentheses. `check`: a BOOLEAN given a non-zero first
 * number (`create_constraint`), which SQLAlchemy writes back with its CHECK (col IN (0, 1)).
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
    // String(length, collation, ...): a second number is taken as a collation name SQLite does not have.
    case 'CHAR': case 'VARCHAR': case 'TEXT':
      if (n >= 2) throw new Unsupported(0, what, `SQLAlchemy reflects this type as ${t}(${args[0]}) COLLATE "${args[1]}"; SQLite has no such collation sequence, so Alembic's batch mode fails here too`);
      return { type: n ? `${t}(${args[0]})` : t, check: false };
    // Unicode(length, **kw): more than a length is a TypeError, and SQLAlchemy drops the arguments.
    case 'NCHAR': case 'NVARCHAR': return { type: n === 1 ? `${t}(${args[0]})` : t, check: false };
    // Numeric(precision, scale, decimal_return_scale, asdecimal).
    case 'NUMERIC': case 'DECIMAL':
      return { type: n === 1 ? `${t}(${args[0]})` : n >= 2 && n <= 4 ? `${t}(${args[0]}, ${args[1]})` : t, check: false };
    // Boolean(create_constraint, name, _create_events): a number as the constraint's name is a TypeError
    // inside SQLAlchemy (it takes len() of it) when the constraint is made.
    case 'BOOLEAN':
      if (n === 0 || n > 3 || args[0] === '0') return { type: t, check: false };
      if (n > 1) throw new Unsupported(0, what, `SQLAlchemy reflects this type as Boolean(create_constraint=${args[0]}, name=${args[1]}) and fails on the number as a name ("object of type 'int' has no len()"); Alembic's batch mode fails here too`);
      return { type: t, check: true };
    // The others render without their numbers (FLOAT, REAL, DATETIME, BLOB, INTEGER, ...).
    default: return { type: t, check: false };
  }
}

/** The type SQLAlchemy 1.4 reflects a declared SQLite type as, rendered back as DDL. */
export function reflectedType(declared: string, table: string, column: string): string {
  return resolveType(declared, table, column).type;
}

export async function reflectTable(db: Query, d: Dialect, table: string) {
  const q = d.literal(table);
  const master = await db.all<{ sql: string }>(`SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ${q}`);
  if (!master.length) throw new Unsupported(0, `batch_alter_table(${JSON.stringify(table)})`, `No such table: ${table}`);
  const sql = master[0].sql ?? '';
  const info = await db.all<{ name: string; type: string; notnull: number; dflt_value: string | null; pk: number }>(`PRAGMA main.table_info(${JSON.stringify(table)})`);
  const cols: Col[] = info.map((r) => ({
    key: r.name, name: r.name, type: reflectedType(r.type, table, r.name), nullable: !r.notnull,
    dflt: r.dflt_value === null ? undefined : parenthesizeDefault(r.dflt_value), pk: r.pk, from: r.name,
  }));
  const cons: Cons[] = [];
  const pkName = /CONSTRAINT (\w+) PRIMARY KEY/i.exec(sql)?.[1];
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
    cons.push({
      name: found?.[1], kind: 'foreign', columns: fk.from,
      body: renderForeignKey({ columns: fk.from, refTable: fk.table, refColumns, onDelete, onUpdate, deferrable, initially: found?.[8] }, d),
    });
  }
  for (const m of sql.matchAll(/(?:CONSTRAINT "?(.+?)"? +)?UNIQUE *\((.+?)\)/gi)) {
    const columns = unquoteList(m[2]);
    cons.push({ name: m[1], kind: 'unique', columns, body: `UNIQUE (${columns.map((c) => d.quote(c)).join(', ')})` });
  }
  for (const m of sql.matchAll(/(?:CONSTRAINT (.+) +)?CHECK *\( *(.+) *\),? */gi)) {
    const name = m[1]?.replace(/^"|"$/g, '');
    // Alembic drops reflected CHECK constraints that have no name.
    if (name) cons.push({ name, kind: 'check', columns: [], body: `CHECK (${m[2]})` });
  }
  const indexes: Ix[] = [];
  const list = await db.all<{ name: string; unique: number }>(`PRAGMA main.index_list(${JSON.stringify(table)})`);
  for (const ix of list.reverse()) {
    if (ix.name.startsWith('sqlite_autoindex')) continue;
    const cols = await db.all<{ name: string | null }>(`PRAGMA main.index_info(${JSON.stringify(ix.name)})`);
    if (cols.some((c) => c.name === null)) continue; // expression index: SQLAlchemy 1.4 skips it
    indexes.push({ name: ix.name, unique: !!ix.unique, columns: cols.map((c) => c.name!) });
  }
  return { cols, cons, indexes, pkName };
}

/**
 * Alembic's SQLite reflection hook (`autogen_column_reflect`): a reflected default that looks like
 * an SQL expression gets parentheses back; single digits, quoted strings and parenthesized text do not.
 */
function parenthesizeDefault(expr: string): string {
  if (!expr || /^[0-9.]$/.test(expr) || /^'.+'$/.test(expr) || /^\(.+\)$/.test(expr)) return expr;
  return `(${expr})`;
}

function unquoteList(s: string): string[] {
  return s.split(',').map((x) => x.trim().replace(/^["`[]|["`\]]$/g, ''));
}

