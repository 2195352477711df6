/**
 * Alembic's batch "move and copy" on SQLite: read the live table the way SQLAlchemy 1.4 reflects it,
 * apply the batch's ops to that copy, create `_alembic_tmp_<table>`, copy the rows, drop the old
 * table, rename, and recreate the indexes. What SQLAlchemy's reflection loses (sqliteReflect.ts),
 * Alembic loses too (unnamed CHECK constraints, expression indexes, some column-level UNIQUEs): so do we, on purpose.
 *
 * Runs with foreign key enforcement off (SQLite's default, never turned on here), so dropping the
 * parent table does not cascade into child rows.
 */
import type { Dialect } from '../dialects';
import { OpCall } from './python/reader';
import { opSpec } from './registry';
import type { BatchColumn as Col, BatchConstraint as Cons, BatchIndex as Ix, RecreateTable } from './registry/types';
import { reflectTable, type Query } from './sqliteReflect';
import { Unsupported } from './values';
import { columnDefault } from './ddl/render';
import { applyReflectOptions, type ReflectOptions } from './reflectOptions';

export { reflectedType, type Query } from './sqliteReflect';

/** `batch_alter_table(table_kwargs=...)`: the new table's options. */
export interface TableKwargs { sqliteAutoincrement?: boolean }

/** The table a rebuild starts from: reflected (the live table) or given (`copy_from=`), with the new table's options. */
export interface TableCopy extends TableKwargs { cols: Col[]; cons: Cons[]; indexes: Ix[]; pkName?: string }

export async function recreateStatements(db: Query, d: Dialect, table: string, ops: OpCall[], reflect: ReflectOptions = {}, kwargs: TableKwargs = {}): Promise<{ sql: string; line: number }[]> {
  const copy = await reflectTable(db, d, table);
  applyReflectOptions(copy, table, reflect, d);
  return applyBatch(d, table, { ...copy, ...kwargs }, ops);
}

/** The rebuild's statements: `copy` changed by each op, then created, filled, swapped in. */
export function applyBatch(d: Dialect, table: string, copy: TableCopy, ops: OpCall[]): { sql: string; line: number }[] {
  const { cols, cons, indexes, pkName } = copy;
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
  const pk = cols.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk);
  // sqlite_autoincrement: SQLAlchemy writes a lone integer key without a foreign key inline, and no table-level PRIMARY KEY.
  const inlinePk = copy.sqliteAutoincrement && d.inlineAutoincrement && pk.length === 1 && /^(INTEGER|BIGINT|SMALLINT)$/i.test(pk[0].type)
    && !cons.some((k) => k.kind === 'foreign' && k.columns.includes(pk[0].name)) ? pk[0] : undefined;
  const lines = cols.map((c) => `${d.quote(c.name)} ${c.type}${c.dflt !== undefined ? ` DEFAULT ${columnDefault(c.dflt, d)}` : ''}${c.nullable ? '' : ' NOT NULL'}${c === inlinePk ? ' PRIMARY KEY AUTOINCREMENT' : ''}${c.extra ?? ''}`);
  if (pk.length && !inlinePk) lines.push(`${pkConstraintName ? `CONSTRAINT ${d.quote(pkConstraintName)} ` : ''}PRIMARY KEY (${pk.map((c) => d.quote(c.name)).join(', ')})`);
  // The CHECKs the columns' types bring come next: SQLAlchemy makes them as the new Table is built, before the constraints are copied in.
  for (const c of cols) if (c.typeCheck) lines.push(`${c.typeCheck.name ? `CONSTRAINT ${d.quote(c.typeCheck.name)} ` : ''}CHECK (${c.typeCheck.render(c.name)})`);
  const named = cons.filter((k) => k.name);
  const unnamed = cons.filter((k) => !k.name);
  for (const k of [...named, ...unnamed]) {
    if (!k.columns.every((x) => names.has(x))) continue;
    lines.push(`${k.name ? `CONSTRAINT ${d.quote(k.name)} ` : ''}${k.render ? k.render(k.columns) : k.body}`);
  }
  const tmp = `_alembic_tmp_${table}`;
  const copied = cols.filter((c) => c.from !== undefined);
  const out = [
    `CREATE TABLE ${d.quote(tmp)} (\n\t${lines.join(', \n\t')}\n)`,
    `INSERT INTO ${d.quote(tmp)} (${copied.map((c) => d.quote(c.name)).join(', ')}) SELECT ${copied.map((c) => (c.cast ? `CAST(${d.quote(table)}.${d.quote(c.from!)} AS ${c.type}) AS ${d.quote(c.from!)}` : `${d.quote(table)}.${d.quote(c.from!)}`)).join(', ')} \nFROM ${d.quote(table)}`,
    `DROP TABLE ${d.quote(table)}`,
    `ALTER TABLE ${d.quote(tmp)} RENAME TO ${d.quote(table)}`,
  ];
  for (const ix of [...indexes, ...newIndexes]) {
    if (!ix.columns.every((x) => names.has(x))) continue;
    out.push(`CREATE ${ix.unique ? 'UNIQUE ' : ''}INDEX ${d.quote(ix.name)} ON ${d.quote(table)} (${ix.columns.map((x) => d.quote(x)).join(', ')})${ix.where !== undefined ? ` WHERE ${ix.where}` : ''}`);
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
