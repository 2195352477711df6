/**
 * DDL text exactly as SQLAlchemy's DDL compiler writes it (spacing included: SQLite stores the
 * CREATE TABLE text verbatim, so the schema Alembic builds and ours compare byte for byte).
 */
import { Call, ExpressionText, PyValue, TextClause, Unsupported } from '../values';
import type { Dialect } from '../../dialects';
import { ColumnSpec, ConstraintSpec, DefaultSpec, ForeignKeySpec, IdentitySpec, IndexSpec, TableSpec } from './schema';
import { isIntegerType, isNumericType, renderType, typeBoundCheck } from './types';

export function renderDefault(d: DefaultSpec, dialect: Dialect): string {
  if (d.kind === 'literal') return dialect.literal(d.value);
  if (d.kind === 'text') return d.sql;
  return dialect.defaultExpression(renderExpression(d.call, dialect));
}

/** A rendered default as the dialect's column specification writes it. */
export const columnDefault = (sql: string, dialect: Dialect): string => dialect.columnDefault?.(sql) ?? sql;

/** SQL functions SQLAlchemy renders as bare keywords. */
const ANSI_FUNCTIONS = new Set(['current_timestamp', 'current_date', 'current_time', 'localtime', 'localtimestamp', 'current_user', 'session_user', 'user']);

export function renderExpression(c: Call, dialect: Dialect): string {
  switch (c.fn) {
    case 'sa.true': return dialect.booleanLiteral(true);
    case 'sa.false': return dialect.booleanLiteral(false);
    case 'sa.null': return 'NULL';
    case 'sa.literal_column': {
      if (typeof c.args[0] !== 'string') throw new Unsupported(c.line, 'sa.literal_column(...)', 'expected a string literal');
      return c.args[0];
    }
  }
  const fname = c.fn.startsWith('sa.func.') ? c.fn.slice('sa.func.'.length) : '';
  if (!fname || fname.includes('.')) throw new Unsupported(c.line, c.fn, 'an SQL expression the embedded engine cannot render');
  const lc = fname.toLowerCase();
  const own = dialect.functionSql(lc);
  if (own !== undefined) return own;
  if (ANSI_FUNCTIONS.has(lc) && c.args.length === 0) return fname.toUpperCase();
  const args = c.args.map((a) => renderLiteralArg(a, dialect, c.line));
  return `${fname}(${args.join(', ')})`;
}

function renderLiteralArg(a: PyValue, dialect: Dialect, line: number): string {
  if (typeof a === 'string') return dialect.literal(a);
  if (typeof a === 'number') return String(a);
  if (a instanceof TextClause) return a.sql;
  // A column inside a function (`sa.func.lower(sa.Column('email'))`): its name, as DDL renders it (no table).
  if (a instanceof Call && (a.fn === 'sa.Column' || a.fn === 'sa.column') && typeof a.args[0] === 'string') return dialect.quote(a.args[0]);
  if (a instanceof Call && (a.fn.startsWith('sa.func.') || a.fn.startsWith('sa.'))) return renderExpression(a, dialect);
  throw new Unsupported(line, String(a), 'an SQL function argument the embedded engine cannot render');
}

/** SQLAlchemy's choice of the table's auto-increment column (PrimaryKeyConstraint._autoincrement_column). */
export function autoincrementColumn(t: TableSpec): ColumnSpec | undefined {
  const pk = t.constraints.find((c) => c.kind === 'primary') as { columns: string[] } | undefined;
  if (!pk || pk.columns.length !== 1) {
    return pk ? t.columns.find((c) => pk.columns.includes(c.name) && c.autoincrement === true) : undefined;
  }
  const col = t.columns.find((c) => c.name === pk.columns[0]);
  if (!col) return undefined;
  if (col.autoincrement === true) return col;
  if (col.autoincrement === false) return undefined;
  if (!isNumericType(col.type)) return undefined;
  if (col.pythonDefault || col.serverDefault || col.computed) return undefined;
  // Its foreign keys include those of table-level ForeignKeyConstraints naming it.
  const hasFk = col.foreignKeys.length > 0 || t.constraints.some((k) => k.kind === 'foreign' && k.columns.includes(col.name));
  if (hasFk && col.autoincrement !== 'ignore_fk') return undefined;
  return col;
}

/** A column in CREATE TABLE: its specification, then its own constraints (a column-level CHECK). */
export function renderColumn(col: ColumnSpec, dialect: Dialect, table?: TableSpec): string {
  return renderColumnSpec(col, dialect, table) + renderColumnConstraints(col, dialect);
}

/** The constraints given to the column itself, each after a space (SQLAlchemy's visit_create_column). */
export function renderColumnConstraints(col: ColumnSpec, d: Dialect): string {
  return col.checks.map((k) => ` ${renderConstraint(k, d)}`).join('');
}

/** Alembic's `add_column(..., inline_references=True)`: `REFERENCES t (c)` with the key's options. */
export function renderInlineReferences(fk: ForeignKeySpec, d: Dialect): string {
  let s = `REFERENCES ${d.qualified(fk.refTable, fk.refSchema)} (${d.quote(fk.refColumns[0])})`;
  if (fk.match && d.foreignKeyMatch) s += ` MATCH ${fk.match}`;
  if (fk.onDelete) s += ` ON DELETE ${fk.onDelete}`;
  if (fk.onUpdate) s += ` ON UPDATE ${fk.onUpdate}`;
  return s + renderDeferrability(fk);
}

/** SQLAlchemy's `get_column_specification`: name, type (or SERIAL), default, NOT NULL. */
export function renderColumnSpec(col: ColumnSpec, dialect: Dialect, table?: TableSpec): string {
  let s = dialect.quote(col.name);
  // A dialect without identity columns (SQLite) leaves Identity out (it only made the column NOT NULL).
  const identity = dialect.identityColumns ? col.identity : undefined;
  if (dialect.serialType && table && col.primaryKey && !identity && autoincrementColumn(table) === col) {
    s += ' ' + dialect.serialType(col.type);
  } else {
    s += ' ' + renderType(col.type, dialect);
    if (col.serverDefault) s += ' DEFAULT ' + columnDefault(renderDefault(col.serverDefault, dialect), dialect);
  }
  const generated = col.computed ? ` ${dialect.computedColumn(col.computed, col.line)}` : '';
  if (!dialect.computedAfterNotNull) s += generated;
  if (identity) s += ` ${renderIdentity(identity)}`;
  if (!col.nullable && !identity) s += ' NOT NULL' + (col.onConflictNotNull && dialect.onConflict ? ` ON CONFLICT ${col.onConflictNotNull}` : '');
  else if (col.nullable && identity) s += ' NULL';
  if (table && inlineAutoincrement(table, dialect) === col) s += ' PRIMARY KEY AUTOINCREMENT';
  if (dialect.computedAfterNotNull) s += generated;
  return s;
}

/** SQLAlchemy's `visit_identity_column`. */
export function renderIdentity(i: IdentitySpec): string {
  const options = renderIdentityOptions(i.options);
  return `GENERATED ${i.always ? 'ALWAYS' : 'BY DEFAULT'} AS IDENTITY${options ? ` (${options})` : ''}`;
}

/** SQLAlchemy's `get_identity_options`, in its order. */
export function renderIdentityOptions(o: Record<string, number | boolean>): string {
  const out: string[] = [];
  const n = (k: string) => Math.trunc(Number(o[k]));
  if (o.increment !== undefined) out.push(`INCREMENT BY ${n('increment')}`);
  if (o.start !== undefined) out.push(`START WITH ${n('start')}`);
  if (o.minvalue !== undefined) out.push(`MINVALUE ${n('minvalue')}`);
  if (o.maxvalue !== undefined) out.push(`MAXVALUE ${n('maxvalue')}`);
  if (o.nominvalue !== undefined) out.push('NO MINVALUE');
  if (o.nomaxvalue !== undefined) out.push('NO MAXVALUE');
  if (o.cache !== undefined) out.push(`CACHE ${n('cache')}`);
  if (o.order !== undefined) out.push(o.order ? 'ORDER' : 'NO ORDER');
  if (o.cycle !== undefined) out.push(o.cycle ? 'CYCLE' : 'NO CYCLE');
  return out.join(' ');
}

const names = (cols: string[], d: Dialect) => cols.map((c) => d.quote(c)).join(', ');

export function renderForeignKey(fk: ForeignKeySpec, d: Dialect): string {
  const refSchema = d.foreignKeysWithinSchema ? undefined : fk.refSchema;
  let s = `FOREIGN KEY(${names(fk.columns, d)}) REFERENCES ${d.qualified(fk.refTable, refSchema)} (${names(fk.refColumns, d)})`;
  if (fk.onDelete) s += ` ON DELETE ${fk.onDelete}`;
  if (fk.onUpdate) s += ` ON UPDATE ${fk.onUpdate}`;
  s += renderDeferrability(fk);
  if (fk.match && d.foreignKeyMatch) s += ` MATCH ${fk.match}`;
  return s;
}

/** SQLAlchemy's `define_constraint_deferrability`. */
export function renderDeferrability(o: { deferrable?: boolean; initially?: string }): string {
  return (o.deferrable === undefined ? '' : o.deferrable ? ' DEFERRABLE' : ' NOT DEFERRABLE') + (o.initially ? ` INITIALLY ${o.initially}` : '');
}

export function renderConstraint(c: ConstraintSpec, d: Dialect): string {
  const head = c.name ? `CONSTRAINT ${d.quote(c.name)} ` : '';
  switch (c.kind) {
    case 'primary': return `${head}PRIMARY KEY (${names(c.columns, d)})${renderDeferrability(c)}`;
    case 'unique': return `${head}UNIQUE ${d.uniqueNulls?.(c.nullsNotDistinct) ?? ''}(${names(c.columns, d)})${renderDeferrability(c)}`;
    case 'check': return `${head}CHECK (${c.sql})${renderDeferrability(c)}`;
    case 'foreign': return head + renderForeignKey(c, d);
  }
}

/**
 * SQLite's `sqlite_autoincrement=True`: the one integer primary key column without a foreign key
 * carries PRIMARY KEY AUTOINCREMENT, and the table-level PRIMARY KEY is left out (SQLAlchemy's SQLite compiler).
 */
function inlineAutoincrement(t: TableSpec, d: Dialect): ColumnSpec | undefined {
  if (!t.sqliteAutoincrement || !d.inlineAutoincrement) return undefined;
  const pk = t.constraints.find((k) => k.kind === 'primary');
  const col = pk?.columns.length === 1 ? t.columns.find((c) => c.name === pk.columns[0]) : undefined;
  if (!col || !isIntegerType(col.type)) return undefined;
  const hasFk = col.foreignKeys.length > 0 || t.constraints.some((k) => k.kind === 'foreign' && k.columns.includes(col.name));
  return hasFk ? undefined : col;
}

export function renderCreateTable(t: TableSpec, d: Dialect): string {
  const parts = t.columns.map((c) => renderColumn(c, d, t));
  const inlinePk = inlineAutoincrement(t, d) !== undefined;
  for (const c of t.constraints) {
    if (c.kind === 'primary' && (!c.columns.length || inlinePk)) continue;
    if (c.kind === 'foreign' && d.foreignKeysWithinSchema && (c.refSchema ?? undefined) !== (t.schema ?? undefined)) continue;
    if (c.kind === 'foreign' && c.useAlter && d.supportsAlter) continue; // SQLAlchemy would add it with ALTER after metadata.create_all(); Alembic never does
    if (c.kind === 'check' && c.type) {
      const k = typeBoundCheck(c.type.spec, d, c.type.column);
      if (k) parts.push(renderConstraint({ ...c, sql: k.sql }, d));
      continue;
    }
    parts.push(renderConstraint(c, d));
  }
  return `CREATE TABLE ${t.ifNotExists ? 'IF NOT EXISTS ' : ''}${d.qualified(t.name, t.schema)} (\n${parts.length ? `\t${parts.join(', \n\t')}\n` : ''})`;
}

/** A name in quotes whatever it is (`quote=True`, SQLAlchemy's `quoted_name(..., True)`). */
export const forceQuote = (n: string): string => `"${n.replace(/"/g, '""')}"`;

export function renderCreateIndex(ix: IndexSpec, d: Dialect): string {
  // Options are keyword arguments prefixed with the dialect's name (SQLAlchemy's rule); the
  // others' are ignored here as SQLAlchemy does. The op declarations refuse unknown ones.
  const o = d.indexOptions?.(ix.kw, ix.line) ?? {};
  let s = `CREATE ${ix.unique ? 'UNIQUE ' : ''}INDEX `;
  if (o.concurrently) s += 'CONCURRENTLY ';
  if (ix.kw.get('if_not_exists') === true) s += 'IF NOT EXISTS ';
  const ixName = ix.kw.get('quote') === true ? forceQuote(ix.name) : d.quote(ix.name);
  // PostgreSQL puts an index in its table's schema; the index name itself is not qualified.
  const onTable = d.indexSchemaOnTable;
  s += `${onTable || !ix.schema ? ixName : `${d.quote(ix.schema)}.${ixName}`} ON ${onTable ? d.qualified(ix.table, ix.schema) : d.quote(ix.table)} `;
  if (o.using !== undefined) s += `USING ${o.using} `;
  // An operator class is keyed by the element's key: a column's name, a text()'s text (Alembic's textual index element).
  const opclass = (key: string | undefined) => (key !== undefined && o.ops?.[key] ? ` ${o.ops[key]}` : '');
  s += `(${ix.columns.map((c) => (typeof c === 'string' ? d.quote(c) + opclass(c) : c.sql + opclass(c instanceof ExpressionText ? undefined : c.sql))).join(', ')})`;
  if (o.include) s += ` INCLUDE (${o.include.map((c) => d.quote(c)).join(', ')})`;
  if (o.nullsNotDistinct !== undefined) s += o.nullsNotDistinct ? ' NULLS NOT DISTINCT' : ' NULLS DISTINCT';
  if (o.with?.length) s += ` WITH (${o.with.map(([k, v]) => `${k} = ${v}`).join(', ')})`;
  if (o.tablespace) s += ` TABLESPACE ${d.quote(o.tablespace)}`;
  const where = ix.kw.get(`${d.name}_where`);
  if (where instanceof TextClause) s += ` WHERE ${where.sql}`;
  else if (where !== undefined && where !== null) throw new Unsupported(ix.line, `${d.name}_where=...`, 'expected sa.text(...)');
  return s;
}

/** The statements `op.create_table` runs: the dialect's types (PostgreSQL's ENUMs), the table, its indexes, comments. */
export function createTableStatements(t: TableSpec, d: Dialect): { sql: string; once?: string }[] {
  const out: { sql: string; once?: string }[] = [...(d.beforeCreateTable?.(t) ?? [])];
  const add = (sql: string) => out.push({ sql });
  add(renderCreateTable(t, d));
  for (const ix of t.indexes) add(renderCreateIndex(ix, d));
  if (d.comments) {
    if (t.comment) add(commentOn(d, 'TABLE', d.qualified(t.name, t.schema), t.comment));
    for (const c of t.columns) if (c.comment) add(commentOn(d, 'COLUMN', `${d.qualified(t.name, t.schema)}.${d.quote(c.name)}`, c.comment));
  }
  return out;
}

/** `COMMENT ON TABLE t` / `COMMENT ON COLUMN t.c`; null drops the comment. */
export function commentOn(d: Dialect, kind: 'TABLE' | 'COLUMN', target: string, comment: string | null): string {
  return `COMMENT ON ${kind} ${target} IS ${comment === null ? 'NULL' : d.literal(comment)}`;
}
