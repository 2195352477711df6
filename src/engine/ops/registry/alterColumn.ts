/** `op.alter_column`: ALTERs on a dialect that can; a rebuild in batch mode on one that cannot. */
import { assertAlterInPlace } from '../../dialects/dialect';
import type { Dialect } from '../../dialects';
import { bind, type Bound } from '../args';
import { commentOn, renderDefault, renderExpression } from '../ddl/render';
import { readDefault, readIdentity } from '../ddl/schema';
import { readType, renderType, schemaType, typeAffinity, typeBoundCheck } from '../ddl/types';
import { asString, Call, isCall, ListenedType, optString, TextClause, Unsupported, type PyValue } from '../values';
import type { OpSpec, Out, RecreateTable } from './types';

/** A server default (new or existing) that is an Identity or a Computed construct. */
const generatedDefault = (a: Bound) => [a.server_default, a.existing_server_default].some((x) => isCall(x, 'sa.Identity', 'sa.Computed'));

/** Alembic's IdentityColumnDefault / ComputedColumnDefault: the ALTER COLUMN tail, or its refusal. */
function alterGenerated(c: Call, d: Dialect, a: Bound): string {
  if ([a.server_default, a.existing_server_default].some((x) => isCall(x, 'sa.Computed'))) {
    throw new Unsupported(c.line, 'alter_column(..., server_default=sa.Computed(...))', 'Adding or removing a "computed" construct, e.g. GENERATED ALWAYS AS, to or from an existing column is not supported (Alembic raises here too)');
  }
  const identity = (x: PyValue | undefined) => (isCall(x, 'sa.Identity') ? readIdentity(x) : undefined);
  if ((a.server_default ?? null) !== null && !isCall(a.server_default, 'sa.Identity')) {
    throw new Unsupported(c.line, 'alter_column(..., server_default=...)', 'replacing an Identity with another server default is not supported by the embedded engine');
  }
  if (!d.alterIdentity) throw new Unsupported(c.line, 'alter_column(..., server_default=sa.Identity(...))', `Adding, removing or modifying an Identity construct, e.g. GENERATED AS IDENTITY, to or from an existing column is not supported in ${d.displayName} (Alembic raises here too)`);
  return d.alterIdentity(identity(a.server_default), identity(a.existing_server_default));
}

/**
 * A project type whose event listeners attach constraints (ListenedType): Alembic drops the
 * existing type's and adds the new type's around the ALTER, which is not modelled.
 */
function refuseListened(c: Call, a: Bound): void {
  const given = a.type_ !== undefined && a.type_ !== null;
  const t = [given ? a.type_ : undefined, given ? a.existing_type : undefined].find((x): x is ListenedType => x instanceof ListenedType);
  if (t) throw new Unsupported(c.line, 'alter_column(..., type_=...)', `the type's event listener (${t.where}) attaches constraints to the column's table, which Alembic drops and adds around the ALTER; the embedded engine does not model that yet`);
}

export const alterColumn: OpSpec = {
  name: 'alter_column',
  params: {
    label: 'alter_column', positional: ['table_name', 'column_name'], tableParam: 'table_name',
    keywords: ['nullable', 'comment', 'server_default', 'new_column_name', 'type_', 'existing_type', 'existing_server_default', 'existing_nullable', 'existing_comment', 'schema', 'autoincrement', 'existing_autoincrement', 'postgresql_using'],
    // Alembic passes them on to an in-place ALTER, which ignores them (only a rebuild reorders).
    batchKeywords: ['insert_before', 'insert_after'],
  },
  compile(c, d, a, table, _names, o) {
    const tname = table?.name ?? asString(a.table_name, c.line, 'table name');
    const t = d.qualified(tname, table?.schema ?? optString(a.schema, c.line, 'schema'));
    const col = d.quote(asString(a.column_name, c.line, 'column name'));
    refuseListened(c, a);
    const out: Out[] = [];
    const using = c.kw('postgresql_using');
    const typeSql = a.type_ !== undefined && a.type_ !== null ? renderType(readType(a.type_, c.line), d) : undefined;
    if (o?.offline && d.cannotAlterColumn !== undefined && (a.comment === undefined || a.comment === false) && !generatedDefault(a)) return genericAlter(c, d, a, t, col, typeSql);
    // `server_default=False` / `comment=False` are Alembic's defaults: no change, no ALTER.
    const changesDefault = c.kwargs.has('server_default') && a.server_default !== false;
    const changesComment = a.comment !== undefined && a.comment !== false;
    if ((a.nullable !== undefined && !d.alterNotNull) || changesDefault || typeSql || changesComment) assertAlterInPlace(d, c.line, 'op.alter_column()', 'column');
    if (typeSql) out.push({ sql: `ALTER TABLE ${t} ALTER COLUMN ${col} TYPE ${typeSql}${using instanceof TextClause || typeof using === 'string' ? ` USING ${using instanceof TextClause ? using.sql : using}` : ''}` });
    if (a.nullable !== undefined && a.nullable !== null) {
      out.push({ sql: `ALTER TABLE ${t} ALTER COLUMN ${col} ${a.nullable ? 'DROP NOT NULL' : 'SET NOT NULL'}`, ...(d.alterNotNull ? { note: d.alterNotNull } : {}) });
    }
    if (c.kwargs.has('server_default') && a.server_default !== false && generatedDefault(a)) {
      out.push({ sql: `ALTER TABLE ${t} ALTER COLUMN ${col} ${alterGenerated(c, d, a)}` });
    } else if (c.kwargs.has('server_default') && a.server_default !== false) {
      const dflt = readDefault(a.server_default, c.line);
      out.push({ sql: `ALTER TABLE ${t} ALTER COLUMN ${col} ${dflt ? `SET DEFAULT ${renderDefault(dflt, d)}` : 'DROP DEFAULT'}` });
    }
    if (d.comments && a.comment !== undefined && a.comment !== false) {
      out.push({ sql: commentOn(d, 'COLUMN', `${t}.${col}`, typeof a.comment === 'string' ? a.comment : null) });
    }
    if (a.new_column_name !== undefined && a.new_column_name !== null) {
      out.push({ sql: `ALTER TABLE ${t} ${d.renameColumn} ${col} TO ${d.quote(asString(a.new_column_name, c.line, 'new column name'))}` });
    }
    return out;
  },
  batch: {
    check(c) {
      const a = bind(c, 'alter_column', ['column_name'], [], true);
      refuseListened(c, a);
      if (a.type_ !== undefined && a.type_ !== null) readType(a.type_, c.line);
      if (c.kwargs.has('server_default') && generatedDefault(a)) throw new Unsupported(c.line, 'batch_op.alter_column(..., server_default=Identity/Computed)', 'not supported in a table rebuild by the embedded engine');
      if (c.kwargs.has('server_default')) readDefault(a.server_default === false ? null : a.server_default, c.line);
    },
    recreate(t, c) {
      const a = bind(c, 'batch_op.alter_column', ['column_name'], [], true);
      const col = t.findByKey(asString(a.column_name, c.line, 'column name'), c.line);
      if (a.nullable !== undefined && a.nullable !== null) col.nullable = a.nullable === true;
      if (c.kwargs.has('server_default') && a.server_default !== false) {
        const dflt = readDefault(a.server_default, c.line);
        col.dflt = dflt ? renderDefault(dflt, t.d) : undefined;
      }
      // A named Boolean / Enum existing type: Alembic drops the constraint of that name on a rename, and
      // on a type change where the type made a CHECK (toimpl's drop_constraint, a no-op when absent).
      const existing = schemaType(a.existing_type, c.line);
      const newType = a.type_ !== undefined && a.type_ !== null;
      const renamed = a.new_column_name !== undefined && a.new_column_name !== null;
      if (renamed && existing?.constraint?.name !== undefined) dropNamed(t, existing.constraint.name);
      const existingCheck = newType && existing ? typeBoundCheck(existing, t.d, col.name) : undefined;
      if (existingCheck?.name !== undefined) dropNamed(t, existingCheck.name);
      if (renamed) {
        const old = col.name;
        col.name = asString(a.new_column_name, c.line, 'new column name');
        // SQLAlchemy's constraints refer to the Column object: they follow the rename (a CHECK's text does not).
        for (const k of t.cons) k.columns = k.columns.map((x) => (x === old ? col.name : x));
        for (const ix of t.indexes) ix.columns = ix.columns.map((x) => (x === old ? col.name : x));
      }
      if (newType) {
        const spec = readType(a.type_, c.line);
        const type = renderType(spec, t.d);
        // SQLite's batch copies with a CAST only across SQLAlchemy type affinities (never to JSON).
        if (typeAffinity(col.type) !== typeAffinity(spec.name) && typeAffinity(spec.name) !== 'JSON') col.cast = true;
        col.type = type;
        // The old type's CHECK goes; the new type's is added as a constraint of the table (Alembic's add_constraint).
        col.typeCheck = undefined;
        const check = typeBoundCheck(spec, t.d, col.name);
        if (check) {
          const render = (cols: string[]) => `CHECK (${typeBoundCheck(spec, t.d, cols[0])!.sql})`;
          const k = { name: check.name, kind: 'check' as const, columns: [col.name], body: render([col.name]), render };
          if (k.name !== undefined) t.addNamed(k); else t.cons.push(k);
        }
      }
    },
  },
};

/**
 * Alembic's offline mode on a database without ALTER COLUMN (SQLite): its generic ALTERs, in its
 * DefaultImpl order (nullability, default, type without USING, then the rename), which the database
 * would reject (the online run refuses them before it starts).
 */
function genericAlter(c: Call, d: Dialect, a: Bound, t: string, col: string, typeSql: string | undefined): Out[] {
  const out: Out[] = [];
  if (a.nullable !== undefined && a.nullable !== null) out.push({ sql: `ALTER TABLE ${t} ALTER COLUMN ${col} ${a.nullable ? 'DROP NOT NULL' : 'SET NOT NULL'}` });
  if (c.kwargs.has('server_default') && a.server_default !== false) {
    const dflt = readDefault(a.server_default, c.line);
    // The default as SQLAlchemy compiles it alone: an expression without the parentheses of a column specification.
    const sql = dflt === undefined ? undefined : dflt.kind === 'expr' ? renderExpression(dflt.call, d) : renderDefault(dflt, d);
    out.push({ sql: `ALTER TABLE ${t} ALTER COLUMN ${col} ${sql !== undefined ? `SET DEFAULT ${sql}` : 'DROP DEFAULT'}` });
  }
  if (typeSql) out.push({ sql: `ALTER TABLE ${t} ALTER COLUMN ${col} TYPE ${typeSql}` });
  if (a.new_column_name !== undefined && a.new_column_name !== null) {
    out.push({ sql: `ALTER TABLE ${t} ${d.renameColumn} ${col} TO ${d.quote(asString(a.new_column_name, c.line, 'new column name'))}` });
  }
  return out;
}

/** Alembic's batch drop of a named constraint that may not be there (a type-bound CHECK is not in the table's constraints). */
export function dropNamed(t: RecreateTable, name: string): void {
  const i = t.cons.findIndex((k) => k.name === name);
  if (i >= 0) t.cons.splice(i, 1);
}
