/**
 * The ops that turn one snapshot (`from`) into another (`to`), in an order that runs:
 * views and enum types first, new tables (each after the tables it refers to), then the changes
 * to the tables both have (on PostgreSQL the foreign keys dropped before, and created after, every
 * table's own changes), dropped tables (each before the tables it refers to), then what is no
 * longer used. The downgrade is the same planning the other way round.
 */
import { fkKey, pairObjects, sameSql } from '../schema/diff';
import { canonicalSql } from '../schema/sqlTokens';
import type { ForeignKeySnapshot, IndexSnapshot, TableSnapshot } from '../schema/snapshot';
import { addColumn, alterColumn, dropColumn } from './columns';
import { AutoOp, Ctx, qualifiedName } from './context';
import { createCheck, createForeignKey, createIndex, createPrimaryKey, createUnique, dropConstraint, dropIndex } from './constraints';
import { changeEnum, createEnum, dropEnum } from './enums';
import { createTable, dependencyOrder, dropTable, tableComment } from './tables';
import { sequenceOps, viewOpsAfter, viewOpsBefore } from './objects';

const sorted = (o: object) => Object.keys(o).sort();

export function planOps(ctx: Ctx): AutoOp[] {
  const { from, to } = ctx;
  const ops: AutoOp[] = [...viewOpsBefore(ctx), ...sequenceOps(ctx, 'create')];
  const batch = ctx.style.batch && ctx.dialect === 'sqlite';

  if (ctx.dialect === 'postgresql') {
    for (const k of sorted(to.enums)) ops.push(...(from.enums[k] ? changeEnum(ctx, k) : [createEnum(ctx, k)]));
  }

  const created = sorted(to.tables).filter((k) => !from.tables[k]);
  const dropped = sorted(from.tables).filter((k) => !to.tables[k]);
  const { order, cut } = dependencyOrder(to.tables, created);
  const renameNote = created.length && dropped.length
    ? ctx.note(`table(s) ${dropped.join(', ')} dropped and ${created.join(', ')} created: if one is a rename, use op.rename_table instead, or its rows are lost`)
    : undefined;
  for (const k of order) {
    const t = to.tables[k];
    ops.push(createTable(ctx, t, cut));
    for (const ix of t.indexes) ops.push(createIndex(ctx, t, ix));
  }
  for (const k of order) for (const f of to.tables[k].foreignKeys) if (cut.has(f)) ops.push(createForeignKey(ctx, to.tables[k], f));

  const both = sorted(to.tables).filter((k) => from.tables[k]);
  const changes = both.map((k) => compareTable(ctx, from.tables[k], to.tables[k]));
  if (batch) {
    for (const c of changes) ops.push(...withBatchNote(ctx, c.table, to.tables[qualifiedName(c.table)], [...c.body, ...c.dropFks, ...c.createFks, ...c.dropColumns]));
  } else {
    // PostgreSQL checks foreign keys as they are made: every table's are dropped first, created last.
    for (const c of changes) ops.push(...c.dropFks);
    for (const c of changes) ops.push(...c.body, ...c.dropColumns);
    for (const c of changes) ops.push(...c.createFks);
  }

  // Dropped tables: the ones referring to others first; a cycle's key dropped before.
  const drops = dependencyOrder(from.tables, dropped);
  for (const k of dropped) for (const f of from.tables[k].foreignKeys) if (drops.cut.has(f)) ops.push(dropConstraint(ctx, from.tables[k], f.name, 'foreignkey', 'foreign key'));
  drops.order.reverse().forEach((k, i) => {
    const lost = ctx.note(`table ${k} is dropped with its rows (the other way, it comes back empty)`);
    ops.push(dropTable(from.tables[k], i === 0 && renameNote ? `${lost}\n${renameNote}` : lost));
  });

  if (ctx.dialect === 'postgresql') for (const k of sorted(from.enums)) if (!to.enums[k]) ops.push(dropEnum(ctx, k));
  ops.push(...sequenceOps(ctx, 'drop'), ...viewOpsAfter(ctx));
  return ops;
}

interface TableChanges { table: TableSnapshot; dropFks: AutoOp[]; body: AutoOp[]; createFks: AutoOp[]; dropColumns: AutoOp[] }

function compareTable(ctx: Ctx, a: TableSnapshot, b: TableSnapshot): TableChanges {
  const name = qualifiedName(a);
  // Alembic's order within a table: added columns, altered ones, indexes, unique constraints,
  // (CHECKs and the primary key, which it does not compare), foreign keys, dropped columns.
  const constraints: AutoOp[] = [];
  const replace = (drop: AutoOp[], create: AutoOp[]) => constraints.push(...drop, ...create);

  const ix = pairObjects(a.indexes, b.indexes, (i) => i.name);
  const ixChanged = ix.pairs.filter(([x, y]) => !sameIndex(x, y));
  // What is added to a table that exists may fail on the rows it holds: said, as for NOT NULL.
  const onRows = (op: AutoOp, what: string): AutoOp => ({ ...op, review: ctx.note(`${what} is added to ${name}: this fails if ${what.startsWith('check') ? 'a row does not satisfy it' : 'rows hold the same values there'} (fix those rows first)`) });
  replace([...ixChanged.map(([x]) => x), ...ix.missing].map((x) => dropIndex(ctx, a, x)), [...ixChanged.map(([, y]) => y), ...ix.extra]
    .map((y) => (y.unique ? onRows(createIndex(ctx, b, y), `unique index ${y.name}`) : createIndex(ctx, b, y))));

  const uq = pairObjects(a.uniques, b.uniques, (u) => u.columns.join(','));
  const uqChanged = uq.pairs.filter(([x, y]) => x.columns.join(',') !== y.columns.join(','));
  replace([...uqChanged.map(([x]) => x), ...uq.missing].map((x) => dropConstraint(ctx, a, x.name, 'unique', `unique constraint (${x.columns.join(', ')})`)),
    [...uqChanged.map(([, y]) => y), ...uq.extra].map((y) => onRows(createUnique(ctx, b, y), `unique constraint ${y.name ?? `(${y.columns.join(', ')})`}`)));

  const ck = pairObjects(a.checks, b.checks, (c) => canonicalSql(c.sql));
  const ckChanged = ck.pairs.filter(([x, y]) => !sameSql(x.sql, y.sql));
  replace([...ckChanged.map(([x]) => x), ...ck.missing].map((x) => dropConstraint(ctx, a, x.name, 'check', `check constraint (${x.sql})`)),
    [...ckChanged.map(([, y]) => y), ...ck.extra].map((y) => onRows(createCheck(ctx, b, y), `check constraint ${y.name ?? `(${y.sql})`}`)));

  const pkA = a.primaryKey;
  const pkB = b.primaryKey;
  if (JSON.stringify(pkA ?? null) !== JSON.stringify(pkB ?? null)) {
    const note = ctx.note(`the primary key of ${name} changes: check that no foreign key points at it, and that the new key's columns hold no duplicates or NULLs`);
    replace(pkA ? [{ ...dropConstraint(ctx, a, pkA.name, 'primary', 'primary key'), review: note }] : [],
      pkB ? [{ ...createPrimaryKey(ctx, b, pkB), ...(!pkA && { review: note }) }] : []);
  }

  const fks = pairObjects(a.foreignKeys, b.foreignKeys, fkKey);
  const fkChanged = fks.pairs.filter(([x, y]) => fkKey(x) !== fkKey(y) || fkOptions(x) !== fkOptions(y));
  const dropFks = [...fkChanged.map(([x]) => x), ...fks.missing].map((f) => dropConstraint(ctx, a, f.name, 'foreignkey', 'foreign key'));
  const createFks = [...fkChanged.map(([, y]) => y), ...fks.extra].map((f) => createForeignKey(ctx, b, f));

  const aCols = new Map(a.columns.map((c) => [c.name, c]));
  const bCols = new Map(b.columns.map((c) => [c.name, c]));
  const added = b.columns.filter((c) => !aCols.has(c.name));
  const removed = a.columns.filter((c) => !bCols.has(c.name));
  const alters = a.columns.flatMap((c) => {
    const y = bCols.get(c.name);
    const op = y && alterColumn(ctx, a, c, y);
    return op ? [op] : [];
  });
  const rename = added.length && removed.length
    ? ctx.note(`${name}: column(s) ${removed.map((c) => c.name).join(', ')} dropped and ${added.map((c) => c.name).join(', ')} added: if one is a rename, use op.alter_column('${a.name}', '<old>', new_column_name='<new>') instead, or its data is lost`)
    : undefined;
  const comment = (a.comment ?? null) !== (b.comment ?? null) ? [tableComment(a, b.comment)] : [];
  for (const c of a.columns) {
    const y = bCols.get(c.name);
    if (y && ((c.identity ?? null) !== (y.identity ?? null) || (c.generated ?? null) !== (y.generated ?? null))) {
      ctx.note(`column ${name}.${c.name}: its identity or generated expression changes, which autogenerate does not write: drop and re-add the column, or write the ALTER yourself`);
    }
  }
  return {
    table: a, dropFks, createFks,
    body: [...added.map((c) => addColumn(ctx, b, c)), ...alters, ...constraints, ...comment],
    dropColumns: removed.map((c, i) => dropColumn(a, c, i === 0 ? rename : undefined)),
  };
}

const fkOptions = (f: ForeignKeySnapshot) => `${f.onDelete ?? ''}|${f.onUpdate ?? ''}|${!!f.deferrable}|${!!f.initiallyDeferred}`;

function sameIndex(x: IndexSnapshot, y: IndexSnapshot): boolean {
  return x.unique === y.unique && x.columns.length === y.columns.length && x.columns.every((c, i) => sameSql(c, y.columns[i]))
    && sameSql(x.where ?? '', y.where ?? '') && sameSql(x.definition ?? '', y.definition ?? '');
}

/** SQLite's batch rebuild loses unnamed CHECK constraints (in Alembic as here): said above the table's first op. */
function withBatchNote(ctx: Ctx, a: TableSnapshot, b: TableSnapshot, ops: AutoOp[]): AutoOp[] {
  // As Alembic decides: adding columns and indexes is done in place, anything else rebuilds.
  const rebuilds = ops.some((o) => !['add_column', 'create_index', 'drop_index'].includes(o.kind));
  if (!rebuilds || !b.checks.some((c) => c.name === undefined)) return ops;
  const note = ctx.note(`${qualifiedName(a)} is rebuilt by batch mode, which loses its unnamed CHECK constraint(s) (${b.checks.filter((c) => c.name === undefined).map((c) => c.sql).join('; ')}): name them`);
  return [{ ...ops[0], review: ops[0].review ? `${ops[0].review}\n${note}` : note }, ...ops.slice(1)];
}
