/**
 * DDL text exactly as SQLAlchemy's DDL compiler writes it (spacing included: SQLite stores the
 * CREATE TABLE text verbatim, so the schema Alembic builds and ours compare byte for byte).
 */
import { Call, PyValue, TextClause, Unsupported } from '../values';
import type { Dialect } from '../../dialects';
import { ColumnSpec, ConstraintSpec, DefaultSpec, ForeignKeySpec, IndexSpec, TableSpec } from './schema';
import { isNumericType, renderType } from './types';

export function renderDefault(d: DefaultSpec, dialect: Dialect): string {
  if (d.kind === 'literal') return dialect.literal(d.value);
  if (d.kind === 'text') return d.sql;
  return dialect.defaultExpression(renderExpression(d.call, dialect));
}

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
  const fname = c.fn.slice('sa.func.'.length);
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
  if (col.pythonDefault || col.serverDefault) return undefined;
  if (col.foreignKeys.length && col.autoincrement !== 'ignore_fk') return undefined;
  return col;
}

export function renderColumn(col: ColumnSpec, dialect: Dialect, table?: TableSpec): string {
  let s = dialect.quote(col.name);
  if (dialect.serialType && table && col.primaryKey && autoincrementColumn(table) === col) {
    s += ' ' + dialect.serialType(col.type);
  } else {
    s += ' ' + renderType(col.type, dialect);
    if (col.serverDefault) s += ' DEFAULT ' + renderDefault(col.serverDefault, dialect);
  }
  if (!col.nullable) s += ' NOT NULL';
  return s;
}

const names = (cols: string[], d: Dialect) => cols.map((c) => d.quote(c)).join(', ');

export function renderForeignKey(fk: ForeignKeySpec, d: Dialect): string {
  let s = `FOREIGN KEY(${names(fk.columns, d)}) REFERENCES ${d.qualified(fk.refTable, fk.refSchema)} (${names(fk.refColumns, d)})`;
  if (fk.onDelete) s += ` ON DELETE ${fk.onDelete}`;
  if (fk.onUpdate) s += ` ON UPDATE ${fk.onUpdate}`;
  if (fk.deferrable !== undefined) s += fk.deferrable ? ' DEFERRABLE' : ' NOT DEFERRABLE';
  if (fk.initially) s += ` INITIALLY ${fk.initially}`;
  if (fk.match && d.foreignKeyMatch) s += ` MATCH ${fk.match}`;
  return s;
}

export function renderConstraint(c: ConstraintSpec, d: Dialect): string {
  const head = c.name ? `CONSTRAINT ${d.quote(c.name)} ` : '';
  switch (c.kind) {
    case 'primary': return `${head}PRIMARY KEY (${names(c.columns, d)})`;
    case 'unique': return `${head}UNIQUE (${names(c.columns, d)})`;
    case 'check': return `${head}CHECK (${c.sql})`;
    case 'foreign': return head + renderForeignKey(c, d);
  }
}

export function renderCreateTable(t: TableSpec, d: Dialect): string {
  const parts = t.columns.map((c) => renderColumn(c, d, t));
  for (const c of t.constraints) if (c.kind !== 'primary' || c.columns.length) parts.push(renderConstraint(c, d));
  return `CREATE TABLE ${d.qualified(t.name, t.schema)} (\n\t${parts.join(', \n\t')}\n)`;
}

export function renderCreateIndex(ix: IndexSpec, d: Dialect): string {
  for (const k of ix.kw.keys()) {
    if (!['unique', 'postgresql_where', 'sqlite_where', 'postgresql_using', 'postgresql_include', 'if_not_exists', 'schema', 'quote', 'info'].includes(k) && !k.startsWith('mysql_')) {
      throw new Unsupported(ix.line, `${k}=...`, 'an index option the embedded engine does not apply');
    }
  }
  let s = `CREATE ${ix.unique ? 'UNIQUE ' : ''}INDEX `;
  if (ix.kw.get('if_not_exists') === true) s += 'IF NOT EXISTS ';
  // PostgreSQL puts an index in its table's schema; the index name itself is not qualified.
  const onTable = d.indexSchemaOnTable;
  s += `${onTable ? d.quote(ix.name) : d.qualified(ix.name, ix.schema)} ON ${onTable ? d.qualified(ix.table, ix.schema) : d.quote(ix.table)} `;
  const { using, include } = d.indexClauses?.(ix) ?? {};
  if (using !== undefined) s += `USING ${using} `;
  s += `(${ix.columns.map((c) => (typeof c === 'string' ? d.quote(c) : c.sql)).join(', ')})`;
  if (include) s += ` INCLUDE (${include.map((c) => d.quote(c)).join(', ')})`;
  // Dialect options are keyword arguments prefixed with the dialect's name (SQLAlchemy's rule).
  const where = ix.kw.get(`${d.name}_where`);
  if (where instanceof TextClause) s += ` WHERE ${where.sql}`;
  else if (where !== undefined && where !== null) throw new Unsupported(ix.line, 'postgresql_where=...', 'expected sa.text(...)');
  return s;
}

/** The statements `op.create_table` runs: the dialect's types (PostgreSQL's ENUMs), the table, its indexes, comments. */
export function createTableStatements(t: TableSpec, d: Dialect): string[] {
  const out: string[] = [...(d.beforeCreateTable?.(t) ?? [])];
  out.push(renderCreateTable(t, d));
  for (const ix of t.indexes) out.push(renderCreateIndex(ix, d));
  if (d.comments) {
    if (t.comment) out.push(commentOn(d, 'TABLE', d.qualified(t.name, t.schema), t.comment));
    for (const c of t.columns) if (c.comment) out.push(commentOn(d, 'COLUMN', `${d.qualified(t.name, t.schema)}.${d.quote(c.name)}`, c.comment));
  }
  return out;
}

/** `COMMENT ON TABLE t` / `COMMENT ON COLUMN t.c`; null drops the comment. */
export function commentOn(d: Dialect, kind: 'TABLE' | 'COLUMN', target: string, comment: string | null): string {
  return `COMMENT ON ${kind} ${target} IS ${comment === null ? 'NULL' : d.literal(comment)}`;
}
