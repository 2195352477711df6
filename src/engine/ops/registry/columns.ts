/** Column ops: add, drop (alter_column has its own file). */
import { assertAlterInPlace } from '../../dialects/dialect';
import { bind } from '../args';
import { commentOn, renderColumnConstraints, renderColumnSpec, renderConstraint, renderCreateIndex, renderDefault, renderForeignKey, renderInlineReferences } from '../ddl/render';
import { readColumn, type TableSpec } from '../ddl/schema';
import { renderType, schemaType, typeBoundCheck } from '../ddl/types';
import { dropNamed } from './alterColumn';
import { asString, Call, isCall, optString, TextClause, Unsupported } from '../values';
import type { BatchColumn, OpSpec, Out, RecreateTable } from './types';
import { target } from './util';

export const addColumn: OpSpec = {
  name: 'add_column',
  params: {
    label: 'add_column', positional: ['table_name', 'column'], tableParam: 'table_name',
    keywords: ['schema', 'if_not_exists', 'inline_references', 'inline_primary_key'], batchKeywords: ['insert_before', 'insert_after'], notInBatch: ['schema'],
  },
  compile(c, d, a, table, names) {
    const { name: tname, schema } = target(c, a, table);
    if (table && ((a.insert_before ?? null) !== null || (a.insert_after ?? null) !== null)) {
      throw new Unsupported(c.line, 'batch_op.add_column(..., insert_before/insert_after=...)', "Can't specify insert_before or insert_after when using ALTER; please specify recreate='always' (Alembic raises here too)");
    }
    const col = readColumn(a.column!, c.line);
    // Alembic attaches the column to a table of its own: SQLAlchemy's SERIAL rule sees a one-column table.
    const own: TableSpec = { name: tname, schema, columns: [col], constraints: col.primaryKey ? [{ kind: 'primary', columns: [col.name] }] : [], indexes: [], line: c.line };
    let spec = renderColumnSpec(col, d, own);
    if (a.inline_primary_key === true && col.primaryKey) spec += ' PRIMARY KEY';
    // inline_references= puts a single foreign key in the column (`REFERENCES t (c)`) instead of an ADD CONSTRAINT.
    const inlineFk = a.inline_references === true && col.foreignKeys.length === 1 ? col.foreignKeys[0] : undefined;
    if (inlineFk) spec += ` ${renderInlineReferences(inlineFk, d)}`;
    spec += renderColumnConstraints(col, d);
    const out: Out[] = [{ sql: `ALTER TABLE ${d.qualified(tname, schema)} ADD COLUMN ${a.if_not_exists === true ? 'IF NOT EXISTS ' : ''}${spec}` }];
    // Names as the column's Table gets them in Alembic (a foreign key's referred table is not in its MetaData).
    const construct = `op.add_column(${JSON.stringify(tname)}, sa.Column(${JSON.stringify(col.name)}, ...))`;
    const ownName = { table: tname, schema, columns: [col.name] };
    // Constraints the column brings are added separately (SQLite cannot: Alembic stops).
    const adds = [
      ...(col.unique && !col.index ? [{ kind: 'unique' as const, columns: [col.name], name: names.name({ kind: 'uq', ...ownName }, c.line, construct) }] : []),
      // Those its type's event listeners attach (Alembic adds them from the column's Table too).
      ...col.attached.map((k) => ({ ...k, name: names.name({ kind: 'ck', ...ownName, columns: k.columns ?? [], name: k.name, conv: k.conv }, c.line, construct) })),
      ...col.foreignKeys.filter((fk) => fk !== inlineFk).map((fk) => ({ kind: 'foreign' as const, ...fk, name: names.name({ kind: 'fk', ...ownName, name: fk.name, conv: fk.conv, referredTable: fk.refTable, referredSchema: fk.refSchema, referredColumns: fk.refColumns, referredTableKnown: fk.refTable === tname && fk.refSchema === schema }, c.line, construct) })),
    ];
    for (const k of adds) {
      assertAlterInPlace(d, c.line, `add_column(... ${k.kind === 'foreign' ? 'ForeignKey' : k.kind === 'check' ? `a type whose event listener (${col.attachedBy}) adds a CHECK` : 'unique=True'} ...)`);
      out.push({ sql: `ALTER TABLE ${d.qualified(tname, schema)} ADD ${renderConstraint(k, d)}` });
    }
    // The CHECK of a Boolean / non-native Enum with create_constraint=True: added where the database
    // needs it; SQLite cannot ALTER one in, and Alembic skips it there with a warning (batch mode rebuilds).
    const typeCheck = d.cannotAlterInPlace ? undefined : typeBoundCheck(col.type, d, col.name);
    if (typeCheck) {
      const name = names.name({ kind: 'ck', ...ownName, columns: [col.name], name: typeCheck.name }, c.line, construct);
      out.push({ sql: `ALTER TABLE ${d.qualified(tname, schema)} ADD ${renderConstraint({ kind: 'check', name, sql: typeCheck.sql }, d)}` });
    }
    if (col.index) {
      const ixName = names.name({ kind: 'ix', ...ownName }, c.line, construct);
      if (ixName === undefined) throw new Unsupported(c.line, construct, 'index=True: the naming convention gives the index no name (no "ix" template); SQLAlchemy cannot compile it');
      out.push({ sql: renderCreateIndex({ name: ixName, table: tname, schema, columns: [col.name], unique: col.unique, kw: new Map(), line: c.line }, d) });
    }
    if (d.comments && col.comment) out.push({ sql: commentOn(d, 'COLUMN', `${d.qualified(tname, schema)}.${d.quote(col.name)}`, col.comment) });
    return out;
  },
  batch: {
    // In place unless its server default is an SQL expression (SQLite's ALTER TABLE ADD COLUMN cannot).
    inPlace(c) {
      const a = bind(c, 'add_column', ['column'], [], true);
      const col = a.column;
      const dflt = isCall(col) ? col.kw('server_default') : undefined;
      // A stored computed column too (SQLite cannot ADD COLUMN one).
      const computed = isCall(col) ? [...col.args, dflt].find((x) => isCall(x, 'sa.Computed')) : undefined;
      if (isCall(computed) && (computed.args[1] ?? computed.kw('persisted')) === true) return false;
      // A Boolean / Enum making a CHECK: Alembic's add_column adds it as a constraint, which needs the rebuild.
      const type = isCall(col) ? col.args[1] ?? col.kw('type_') : undefined;
      if (schemaType(type, c.line)?.constraint?.create) return false;
      // Likewise a foreign key, unique=True or a CHECK a type's event listener attaches: Alembic adds them as constraints of their own.
      // (inline_references=True writes a lone foreign key in the column instead.)
      const spec = readColumn(col ?? null, c.line);
      const inlined = a.inline_references === true && spec.foreignKeys.length === 1 ? 1 : 0;
      if (spec.foreignKeys.length > inlined || (spec.unique && !spec.index) || spec.attached.length) return false;
      return !((isCall(dflt) && !isCall(dflt, 'sa.Identity', 'sa.Computed')) || dflt instanceof TextClause);
    },
    check(c) {
      const spec = readColumn(bind(c, 'add_column', ['column'], [], true).column!, c.line);
      if (spec.attached.length) throw new Unsupported(c.line, `batch_op.add_column(sa.Column(${JSON.stringify(spec.name)}, ...))`, `its type's event listener (${spec.attachedBy}) attaches a CHECK constraint; a table rebuild with it is not modelled by the embedded engine`);
    },
    recreate: recreateAddColumn,
  },
  inverse({ args }, h) {
    const [a0, a1] = args;
    const name = args.length > 1 && /^sa\.Column\(/.test(a1) ? h.columnName(a1) : undefined;
    return a0 && name !== undefined ? `op.drop_column(${a0}, ${h.quote(name)})` : undefined;
  },
};

function recreateAddColumn(t: RecreateTable, c: Call): void {
  const { d, existingOrdering } = t;
  const a = bind(c, 'batch_op.add_column', ['column'], [], true);
  const spec = readColumn(a.column!, c.line);
  const col: Omit<BatchColumn, 'key'> = { name: spec.name, type: renderType(spec.type, d), nullable: spec.nullable, dflt: spec.serverDefault ? renderDefault(spec.serverDefault, d) : undefined, pk: spec.primaryKey ? 1 : 0, extra: ((spec.computed ? ` ${d.computedColumn(spec.computed, c.line)}` : '') + renderColumnConstraints(spec, d)) || undefined };
  let before = optString(a.insert_before, c.line, 'insert_before');
  let after = optString(a.insert_after, c.line, 'insert_after');
  const idx = new Map(existingOrdering.map((n, i) => [n, i]));
  if (after && !before) {
    if (idx.has(after)) { const i = idx.get(after)! + 1; if (i < existingOrdering.length) before = existingOrdering[i]; }
    else before = new Map(t.addColOrdering).get(after);
  }
  if (before && !after) {
    if (idx.has(before)) { const i = idx.get(before)! - 1; if (i >= 0) after = existingOrdering[i]; }
    else after = new Map(t.addColOrdering.map(([x, y]) => [y, x])).get(before);
  }
  if (before) t.addColOrdering = [...t.addColOrdering, [spec.name, before]];
  if (after) t.addColOrdering = [...t.addColOrdering, [after, spec.name]];
  if (!before && !after && existingOrdering.length) t.addColOrdering = [...t.addColOrdering, [existingOrdering[existingOrdering.length - 1], spec.name]];
  // Its type's CHECK comes twice, as in Alembic: with the column, and as the constraint add_column adds.
  const check = typeBoundCheck(spec.type, d, spec.name);
  const render = (cols: string[]) => typeBoundCheck(spec.type, d, cols[0])!.sql;
  t.cols.push({ ...col, key: spec.name, nullableUnset: !spec.nullableGiven, ...(check ? { typeCheck: { name: check.name, render: (n: string) => render([n]) } } : {}) });
  if (check) {
    const k = { name: check.name, kind: 'check' as const, columns: [spec.name], body: `CHECK (${check.sql})`, render: (cols: string[]) => `CHECK (${render(cols)})` };
    if (k.name !== undefined) t.addNamed(k); else t.cons.push(k);
  }
  // Alembic's batch adds the column's constraints by name (ApplyBatchImpl.add_constraint): an unnamed one stops it.
  const unnamed = spec.foreignKeys.some((fk) => fk.name === undefined) ? 'ForeignKey' : spec.unique && !spec.index ? 'unique=True' : undefined;
  if (unnamed) throw new Unsupported(c.line, `batch_op.add_column(sa.Column(${JSON.stringify(spec.name)}, ... ${unnamed} ...))`, 'Alembic raises ValueError here: Constraint must have a name (give it name=..., or a naming convention that names it)');
  for (const fk of spec.foreignKeys) t.cons.push({ name: fk.name, kind: 'foreign', columns: [spec.name], body: renderForeignKey(fk, d), render: (columns) => renderForeignKey({ ...fk, columns }, d) });
  if (spec.index) t.newIndexes.push({ name: `ix_${t.table}_${spec.name}`, unique: spec.unique, columns: [spec.name] });
}

export const dropColumn: OpSpec = {
  name: 'drop_column',
  // Alembic passes its other keywords to the implementation, which ignores them (existing_type=...).
  params: { label: 'drop_column', positional: ['table_name', 'column_name'], keywords: ['schema', 'if_exists', 'existing_type', 'existing_nullable', 'existing_server_default', 'existing_comment'], tableParam: 'table_name' },
  compile(c, d, a, table) {
    const t = target(c, a, table);
    return [{ sql: `ALTER TABLE ${d.qualified(t.name, t.schema)} DROP COLUMN ${a.if_exists === true ? 'IF EXISTS ' : ''}${d.quote(asString(a.column_name, c.line, 'column name'))}` }];
  },
  batch: {
    recreate(t, c) {
      const a = bind(c, 'batch_op.drop_column', ['column_name'], [], true);
      const name = asString(a.column_name, c.line, 'column name');
      const col = t.findByKey(name, c.line);
      t.cols.splice(t.cols.indexOf(col), 1);
      t.existingOrdering.splice(t.existingOrdering.indexOf(col.key), 1);
      // existing_type= a named Boolean / Enum: Alembic drops the constraint of that name too.
      const existing = schemaType(a.existing_type, c.line);
      if (existing?.constraint?.name !== undefined) dropNamed(t, existing.constraint.name);
    },
  },
};
