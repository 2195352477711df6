/**
 * Whole tables: create_table (columns in the table's order, then its constraints as Alembic sorts
 * them) and drop_table, and the order that lets them run: a table after the tables its foreign keys
 * point at, dropped before them. A cycle of foreign keys is cut: the key that closes it is created
 * after the tables (and dropped before them).
 */
import type { ForeignKeySnapshot, TableSnapshot } from '../schema/snapshot';
import { pyStr } from './pyRepr';
import { AutoOp, Ctx, qualifiedName } from './context';
import { columnExpr } from './columns';
import { tableConstraints } from './constraints';

export function createTable(ctx: Ctx, t: TableSnapshot, deferred: Set<ForeignKeySnapshot>): AutoOp {
  const args = [...t.columns.map((c) => columnExpr(ctx, t, c, 'to', true)), ...tableConstraints(ctx, t, deferred)];
  const tail = [...(t.schema ? [`schema=${pyStr(t.schema)}`] : []), ...(t.comment !== undefined ? [`comment=${pyStr(t.comment)}`] : [])];
  return {
    kind: 'create_table', object: qualifiedName(t),
    render: () => `op.create_table(${pyStr(t.name)},\n${[...args, ...tail].join(',\n')}\n)`,
  };
}

export function dropTable(t: TableSnapshot, review?: string): AutoOp {
  return {
    kind: 'drop_table', object: qualifiedName(t), review,
    render: () => `op.drop_table(${pyStr(t.name)}${t.schema ? `, schema=${pyStr(t.schema)}` : ''})`,
  };
}

/** create_table_comment / drop_table_comment, laid out as Alembic lays them out. */
export function tableComment(t: TableSnapshot, comment: string | undefined): AutoOp {
  const existing = t.comment === undefined ? 'None' : pyStr(t.comment);
  const verb = comment === undefined ? 'drop_table_comment' : 'create_table_comment';
  return {
    kind: verb, batchTable: t, object: qualifiedName(t),
    render: (batch) => {
      const args = [...(batch ? [] : [pyStr(t.name)]), ...(comment === undefined ? [] : [pyStr(comment)]), `existing_comment=${existing}`,
        ...(batch ? [] : [`schema=${t.schema ? pyStr(t.schema) : 'None'}`])];
      return `${batch ? 'batch_op' : 'op'}.${verb}(\n${args.map((a) => `    ${a}`).join(',\n')}\n)`;
    },
  };
}

/**
 * The tables in an order where each comes after the tables it refers to (among `keys`; ties by
 * name), and the foreign keys that had to be left out to break cycles.
 */
export function dependencyOrder(tables: Record<string, TableSnapshot>, keys: string[]): { order: string[]; cut: Set<ForeignKeySnapshot> } {
  const set = new Set(keys);
  const cut = new Set<ForeignKeySnapshot>();
  const order: string[] = [];
  const done = new Set<string>();
  const visiting = new Set<string>();
  const visit = (k: string) => {
    if (done.has(k)) return;
    visiting.add(k);
    for (const f of tables[k].foreignKeys) {
      const r = f.referredTable;
      if (r === k || !set.has(r) || done.has(r)) continue;
      if (visiting.has(r)) { cut.add(f); continue; }
      visit(r);
    }
    visiting.delete(k);
    done.add(k);
    order.push(k);
  };
  for (const k of [...keys].sort()) visit(k);
  return { order, cut };
}
