/**
 * Alembic's batch "move and copy" on SQLite: read the live table the way SQLAlchemy 1.4 reflects it,
 * apply the batch's ops to that copy, create `_alembic_tmp_<table>`, copy the rows, drop the old
 * table, rename, and recreate the indexes. What SQLAlchemy's reflection loses, Alembic loses too
 * (unnamed CHECK constraints, expression indexes, partial-index WHERE clauses): so do we, on purpose.
 *
 * Runs with foreign key enforcement off (SQLite's default, never turned on here), so dropping the
 * parent table does not cascade into child rows.
 */
import type { Dialect } from '../dialects';
import { renderForeignKey } from './ddl/render';
import { OpCall } from './python/reader';
import { opSpec } from './registry';
import type { BatchColumn as Col, BatchConstraint as Cons, BatchIndex as Ix, RecreateTable } from './registry/types';
import { Unsupported } from './values';

export interface Query { all<T = Record<string, unknown>>(sql: string): Promise<T[]> }

const ISCHEMA: Record<string, string> = {
  BIGINT: 'BIGINT', BLOB: 'BLOB', BOOL: 'BOOLEAN', BOOLEAN: 'BOOLEAN', CHAR: 'CHAR', DATE: 'DATE', DATE_CHAR: 'DATE',
  DATETIME: 'DATETIME', DATETIME_CHAR: 'DATETIME', DOUBLE: 'FLOAT', DECIMAL: 'DECIMAL', FLOAT: 'FLOAT', INT: 'INTEGER',
  INTEGER: 'INTEGER', JSON: 'JSON', NUMERIC: 'NUMERIC', REAL: 'REAL', SMALLINT: 'SMALLINT', TEXT: 'TEXT', TIME: 'TIME',
  TIME_CHAR: 'TIME', TIMESTAMP: 'TIMESTAMP', VARCHAR: 'VARCHAR', NVARCHAR: 'NVARCHAR', NCHAR: 'NCHAR',
};
/** Types that take (length) / (precision, scale) when reflected with arguments. */
const ARGS: Record<string, number> = { CHAR: 1, VARCHAR: 1, NVARCHAR: 1, NCHAR: 1, TEXT: 1, BLOB: 0, NUMERIC: 2, DECIMAL: 2, FLOAT: 1, REAL: 1, DATETIME: 0, TIMESTAMP: 0 };

/** SQLAlchemy 1.4's SQLite type reflection (`_resolve_type_affinity`), rendered back as DDL. */
export function reflectedType(declared: string, table: string, column: string): string {
  const m = /^([\w ]+)(\(.*?\))?/.exec(declared);
  const name = m ? m[1] : '';
  const args = m?.[2];
  let t: string | undefined;
  if (name in ISCHEMA) t = ISCHEMA[name];
  else if (name.includes('INT')) t = 'INTEGER';
  else if (name.includes('CHAR') || name.includes('CLOB') || name.includes('TEXT')) t = 'TEXT';
  else if (name.includes('BLOB') || !name) t = undefined;
  else if (name.includes('REAL') || name.includes('FLOA') || name.includes('DOUB')) t = 'REAL';
  else t = 'NUMERIC';
  if (!t) throw new Unsupported(0, `${table}.${column} ${declared || '(no type)'}`, "SQLAlchemy reflects this column's type as NullType and cannot recreate it; Alembic's batch mode fails here too");
  if (args !== undefined) {
    const nums = args.match(/\d+/g) ?? [];
    const max = ARGS[t] ?? 0;
    if (nums.length && nums.length <= max) return `${t}(${nums.join(', ')})`;
  }
  return t;
}

async function reflect(db: Query, d: Dialect, table: string) {
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

export async function recreateStatements(db: Query, d: Dialect, table: string, ops: OpCall[]): Promise<{ sql: string; line: number }[]> {
  const { cols, cons, indexes, pkName } = await reflect(db, d, table);
  const line = ops[0]?.line ?? 0;
  const t: RecreateTable = {
    table, d, cols, cons, indexes, newIndexes: [], pkConstraintName: pkName,
    existingOrdering: cols.map((c) => c.key), addColOrdering: [],
    findByKey(key, l) {
      const c = cols.find((x) => x.key === key);
      if (!c) throw new Unsupported(l, key, `No such column: ${table}.${key}`);
      return c;
    },
    addNamed(k) {
      const i = k.name ? cons.findIndex((x) => x.name === k.name) : -1;
      if (i >= 0) cons[i] = k; else cons.push(k);
    },
  };
  // Each op changes the table copy as its declaration says (registry/: `batch.recreate`).
  for (const op of ops) {
    const batch = opSpec(op.name)?.batch;
    if (!batch) throw new Unsupported(op.call.line, `batch_op.${op.name}()`, 'not supported in batch mode by the embedded engine');
    batch.recreate(t, op.call);
  }
  const { newIndexes, existingOrdering, addColOrdering, pkConstraintName } = t;
  if (addColOrdering.length) reorder(cols, existingOrdering, addColOrdering);
  const names = new Set(cols.map((c) => c.name));
  const lines = cols.map((c) => `${d.quote(c.name)} ${c.type}${c.dflt !== undefined ? ` DEFAULT ${c.dflt}` : ''}${c.nullable ? '' : ' NOT NULL'}${c.extra ?? ''}`);
  const pk = cols.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk);
  if (pk.length) lines.push(`${pkConstraintName ? `CONSTRAINT ${d.quote(pkConstraintName)} ` : ''}PRIMARY KEY (${pk.map((c) => d.quote(c.name)).join(', ')})`);
  const named = cons.filter((k) => k.name);
  const unnamed = cons.filter((k) => !k.name);
  for (const k of [...named, ...unnamed]) {
    if (!k.columns.every((x) => names.has(x))) continue;
    lines.push(`${k.name ? `CONSTRAINT ${d.quote(k.name)} ` : ''}${k.body}`);
  }
  const tmp = `_alembic_tmp_${table}`;
  const copied = cols.filter((c) => c.from !== undefined);
  const out = [
    `CREATE TABLE ${d.quote(tmp)} (\n\t${lines.join(', \n\t')}\n)`,
    `INSERT INTO ${d.quote(tmp)} (${copied.map((c) => d.quote(c.name)).join(', ')}) SELECT ${copied.map((c) => (c.cast ? `CAST(${d.quote(table)}.${d.quote(c.from!)} AS ${c.type}) AS ${d.quote(c.name)}` : `${d.quote(table)}.${d.quote(c.from!)}`)).join(', ')} \nFROM ${d.quote(table)}`,
    `DROP TABLE ${d.quote(table)}`,
    `ALTER TABLE ${d.quote(tmp)} RENAME TO ${d.quote(table)}`,
  ];
  for (const ix of [...indexes, ...newIndexes]) {
    if (!ix.columns.every((x) => names.has(x))) continue;
    out.push(`CREATE ${ix.unique ? 'UNIQUE ' : ''}INDEX ${d.quote(ix.name)} ON ${d.quote(table)} (${ix.columns.map((x) => d.quote(x)).join(', ')})`);
  }
  return out.map((sql) => ({ sql, line }));
}

/** Alembic's `_adjust_self_columns_for_partial_reordering` with SQLAlchemy's layered topological sort. */
function reorder(cols: Col[], existingOrdering: string[], addColOrdering: [string, string][]): void {
  const byIdx = cols.map((c) => c.key);
  const pairs = new Map<string, [string, string]>();
  existingOrdering.forEach((elem, i) => { if (i > 0) pairs.set(`${byIdx[i - 1]}\0${elem}`, [byIdx[i - 1], elem]); });
  for (const p of addColOrdering) pairs.set(`${p[0]}\0${p[1]}`, p);
  const parents = new Map<string, Set<string>>();
  for (const [a, b] of pairs.values()) if (a !== b) (parents.get(b) ?? parents.set(b, new Set()).get(b)!).add(a);
  let todo = [...byIdx];
  const todoSet = new Set(todo);
  const sorted: string[] = [];
  while (todoSet.size) {
    const layer = todo.filter((n) => ![...(parents.get(n) ?? [])].some((p) => todoSet.has(p)));
    if (!layer.length) throw new Unsupported(0, 'batch column order', 'Circular dependency detected.');
    for (const n of layer) todoSet.delete(n);
    todo = todo.filter((n) => todoSet.has(n));
    sorted.push(...layer);
  }
  const byKey = new Map(cols.map((c) => [c.key, c]));
  cols.splice(0, cols.length, ...sorted.map((k) => byKey.get(k)!));
}
