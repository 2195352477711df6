/** Constraint ops: foreign key, unique, check, primary key, and drop_constraint. */
import { assertAlterInPlace } from '../../dialects/dialect';
import { bind } from '../args';
import { renderConstraint, renderDeferrability, renderForeignKey } from '../ddl/render';
import { fkOptions, nullsNotDistinct, readConstraint } from '../ddl/schema';
import type { NameKind } from '../../naming/convention';
import { givenName } from '../../naming/opNames';
import { asString, asStringList, Call, optString, Unsupported } from '../values';
import type { OpSpec } from './types';
import { name } from './util';
import { uniqueBody } from '../sqliteReflect';

/** `op.drop_constraint(name, table, type_=...)`: the inverse of an op creating a constraint. */
const dropConstraint = (type: string): NonNullable<OpSpec['inverse']> =>
  ({ args: [a0, a1] }, h) => (a0 && a1 ? `op.drop_constraint(${a0}, ${a1}, type_=${h.quote(type)})` : undefined);

export const createForeignKey: OpSpec = {
  name: 'create_foreign_key',
  params: {
    label: 'create_foreign_key', positional: ['constraint_name', 'source_table', 'referent_table', 'local_cols', 'remote_cols'], tableParam: 'source_table',
    keywords: ['onupdate', 'ondelete', 'deferrable', 'initially', 'match', 'source_schema', 'referent_schema', 'use_alter', 'postgresql_not_valid'],
  },
  // Alembic puts the referred table in the same throwaway MetaData: %(referred_column_0_name)s resolves.
  naming: (a, table) => ({
    param: 'constraint_name',
    request: {
      kind: 'fk', ...givenName(a.constraint_name, a.__call.line), table: table?.name ?? name(a.__call, a.source_table, 'table name'),
      schema: table?.schema ?? optString(a.source_schema, a.__call.line, 'source_schema'), columns: asStringList(a.local_cols, a.__call.line, 'local columns'),
      referredTable: name(a.__call, a.referent_table, 'referent table'), referredSchema: optString(a.referent_schema, a.__call.line, 'referent_schema'),
      referredColumns: asStringList(a.remote_cols, a.__call.line, 'remote columns'), referredTableKnown: true,
    },
  }),
  compile(c, d, a, table) {
    const src = table?.name ?? name(c, a.source_table, 'table name');
    assertAlterInPlace(d, c.line, 'op.create_foreign_key()');
    const fk = {
      name: optString(a.constraint_name, c.line, 'constraint name'), columns: asStringList(a.local_cols, c.line, 'local columns'),
      refTable: name(c, a.referent_table, 'referent table'), refSchema: optString(a.referent_schema, c.line, 'referent_schema'),
      refColumns: asStringList(a.remote_cols, c.line, 'remote columns'), ...fkOptions(c),
    };
    return [{ sql: `ALTER TABLE ${d.qualified(src, table?.schema ?? optString(a.source_schema, c.line, 'source_schema'))} ADD ${fk.name ? `CONSTRAINT ${d.quote(fk.name)} ` : ''}${renderForeignKey(fk, d)}${d.constraintValidity?.(c.kwargs) ?? ''}` }];
  },
  batch: {
    recreate(t, c) {
      const a = bind(c, 'batch_op.create_foreign_key', ['constraint_name', 'referent_table', 'local_cols', 'remote_cols'], [], true);
      const columns = asStringList(a.local_cols, c.line, 'local columns');
      const fk = { columns, refTable: asString(a.referent_table, c.line, 'referent table'), refSchema: optString(a.referent_schema, c.line, 'referent_schema'), refColumns: asStringList(a.remote_cols, c.line, 'remote columns'), ...fkOptions(c) };
      t.addNamed({ name: optString(a.constraint_name, c.line, 'constraint name'), kind: 'foreign', columns, body: renderForeignKey(fk, t.d), render: (cols) => renderForeignKey({ ...fk, columns: cols }, t.d) });
    },
  },
  inverse: (c, h) => (c.args[2] ? dropConstraint('foreignkey')(c, h) : undefined),
};

/** create_unique_constraint / create_primary_key / create_check_constraint: `ALTER TABLE ... ADD <constraint>`. */
const addConstraint = (opName: string, kind: 'unique' | 'primary' | 'check', batch: NonNullable<OpSpec['batch']>): OpSpec => ({
  name: opName,
  params: {
    label: opName, positional: ['constraint_name', 'table_name', kind === 'check' ? 'condition' : 'columns'], tableParam: 'table_name',
    keywords: kind === 'primary' ? ['schema'] : ['schema', 'deferrable', 'initially', ...(kind === 'check' ? ['postgresql_not_valid'] : ['postgresql_nulls_not_distinct'])],
    // batch_op.create_primary_key(constraint_name, columns) takes nothing else; the others take **kw.
    notInBatch: kind === 'primary' ? ['schema'] : undefined,
  },
  // A CHECK given as a string has no columns for %(column_0_name)s.
  naming: (a, table) => ({
    param: 'constraint_name',
    request: {
      kind: ({ unique: 'uq', primary: 'pk', check: 'ck' } as const)[kind], ...givenName(a.constraint_name, a.__call.line),
      table: table?.name ?? name(a.__call, a.table_name, 'table name'), schema: table?.schema ?? optString(a.schema, a.__call.line, 'schema'),
      columns: kind === 'check' ? [] : asStringList(a.columns, a.__call.line, 'columns'),
    },
  }),
  compile(c, d, a, table) {
    assertAlterInPlace(d, c.line, `op.${opName}()`);
    const cname = optString(a.constraint_name, c.line, 'constraint name');
    const k = kind === 'check'
      ? readConstraint(new Call('sa.CheckConstraint', [a.condition ?? null], new Map([['name', cname ?? null]]), c.line), '')
      : { kind, name: cname, columns: asStringList(a.columns, c.line, 'columns'), ...(kind === 'unique' ? { nullsNotDistinct: nullsNotDistinct(c.kwargs) } : {}) };
    return [{ sql: `ALTER TABLE ${d.qualified(table?.name ?? name(c, a.table_name, 'table name'), table?.schema ?? optString(a.schema, c.line, 'schema'))} ADD ${renderConstraint(k, d)}${renderDeferrability(fkOptions(c))}${kind === 'check' ? d.constraintValidity?.(c.kwargs) ?? '' : ''}` }];
  },
  batch,
  inverse: dropConstraint(kind),
});

export const createUniqueConstraint = addConstraint('create_unique_constraint', 'unique', {
  recreate(t, c) {
    const a = bind(c, 'batch_op.create_unique_constraint', ['constraint_name', 'columns'], [], true);
    const columns = asStringList(a.columns, c.line, 'columns');
    t.addNamed({ name: optString(a.constraint_name, c.line, 'constraint name'), kind: 'unique', columns, body: uniqueBody(columns, t.d), render: (cols) => uniqueBody(cols, t.d) });
  },
});

export const createCheckConstraint = addConstraint('create_check_constraint', 'check', {
  recreate(t, c) {
    const a = bind(c, 'batch_op.create_check_constraint', ['constraint_name', 'condition'], [], true);
    const k = readConstraint(new Call('sa.CheckConstraint', [a.condition ?? null], new Map(), c.line), t.table) as { sql: string };
    t.addNamed({ name: optString(a.constraint_name, c.line, 'constraint name'), kind: 'check', columns: [], body: `CHECK (${k.sql})` });
  },
});

export const createPrimaryKey = addConstraint('create_primary_key', 'primary', {
  recreate(t, c) {
    const a = bind(c, 'batch_op.create_primary_key', ['constraint_name', 'columns'], [], true);
    const names = asStringList(a.columns, c.line, 'columns');
    for (const col of t.cols) {
      col.pk = names.includes(col.name) ? names.indexOf(col.name) + 1 : 0;
      // SQLAlchemy's PrimaryKeyConstraint makes its columns NOT NULL unless nullable= was given.
      if (col.pk && col.nullableUnset) col.nullable = false;
    }
    t.pkConstraintName = optString(a.constraint_name, c.line, 'constraint name');
  },
});

const DROP_KINDS: Record<string, NameKind> = { foreignkey: 'fk', primary: 'pk', unique: 'uq', check: 'ck' };

export const dropConstraintOp: OpSpec = {
  name: 'drop_constraint',
  params: { label: 'drop_constraint', positional: ['constraint_name', 'table_name', 'type_'], keywords: ['schema', 'if_exists'], notInBatch: ['schema', 'if_exists'], tableParam: 'table_name' },
  // Alembic builds an empty constraint of type_'s class (a plain Constraint without type_).
  naming: (a, table) => ({
    param: 'constraint_name', required: 'drop',
    request: {
      kind: DROP_KINDS[String(a.type_)] ?? 'constraint', ...givenName(a.constraint_name, a.__call.line),
      table: table?.name ?? name(a.__call, a.table_name, 'table name'), schema: table?.schema ?? optString(a.schema, a.__call.line, 'schema'), columns: [],
    },
  }),
  compile(c, d, a, table) {
    assertAlterInPlace(d, c.line, 'op.drop_constraint()');
    return [{ sql: `ALTER TABLE ${d.qualified(table?.name ?? name(c, a.table_name, 'table name'), table?.schema ?? optString(a.schema, c.line, 'schema'))} DROP CONSTRAINT ${a.if_exists === true ? 'IF EXISTS ' : ''}${d.quote(name(c, a.constraint_name, 'constraint name'))}` }];
  },
  batch: {
    recreate(t, c) {
      const a = bind(c, 'batch_op.drop_constraint', ['constraint_name', 'type_'], [], true);
      const cname = asString(a.constraint_name, c.line, 'constraint name');
      const i = t.cons.findIndex((k) => k.name === cname);
      if (i >= 0) t.cons.splice(i, 1);
      else if (t.pkConstraintName === cname || a.type_ === 'primary') { for (const col of t.cols) col.pk = 0; t.pkConstraintName = undefined; }
      else throw new Unsupported(c.line, `drop_constraint(${JSON.stringify(cname)})`, `No such constraint: '${cname}'`);
    },
  },
};
