/**
 * `op.create_exclude_constraint(name, table, (element, operator), ..., where=, using=)`: a
 * PostgreSQL-only op (Alembic's CreateExcludeConstraintOp), written as SQLAlchemy's
 * ExcludeConstraint: `ALTER TABLE t ADD CONSTRAINT n EXCLUDE USING gist (x WITH &&) WHERE (...)`.
 */
import { renderDeferrability } from '../../ops/ddl/render';
import { checkKeywords, fkOptions } from '../../ops/ddl/schema';
import type { OpSpec } from '../../ops/registry/types';
import { asString, isCall, optString, TextClause, Unsupported, type PyValue } from '../../ops/values';
import type { Dialect } from '../dialect';

function element(v: PyValue, d: Dialect, line: number): string {
  if (!Array.isArray(v) || v.length !== 2) throw new Unsupported(line, 'create_exclude_constraint(..., element, ...)', 'expected (column, operator) pairs');
  const [what, op] = v;
  const sql = what instanceof TextClause ? what.sql : isCall(what, 'sa.column') ? d.quote(asString(what.args[0], line, 'a column name')) : d.quote(asString(what, line, 'a column name'));
  return `${sql} WITH ${asString(op, line, 'an operator')}`;
}

export const createExcludeConstraint: OpSpec = {
  name: 'create_exclude_constraint',
  compile(c, d) {
    checkKeywords(c, ['where', 'using', 'deferrable', 'initially', 'schema'], 'op.create_exclude_constraint');
    const [cname, table, ...elements] = c.args;
    if (!elements.length) throw new Unsupported(c.line, 'op.create_exclude_constraint(...)', 'expected at least one (column, operator) element');
    const name = optString(cname, c.line, 'constraint name');
    const using = optString(c.kw('using'), c.line, 'using=') ?? 'gist';
    const where = c.kw('where');
    let sql = `ALTER TABLE ${d.qualified(asString(table, c.line, 'table name'), optString(c.kw('schema'), c.line, 'schema'))} ADD `;
    if (name) sql += `CONSTRAINT ${d.quote(name)} `;
    sql += `EXCLUDE USING ${using.toLowerCase()} (${elements.map((e) => element(e, d, c.line)).join(', ')})`;
    if (where !== undefined && where !== null) sql += ` WHERE (${where instanceof TextClause ? where.sql : asString(where, c.line, 'where=')})`;
    return [{ sql: sql + renderDeferrability(fkOptions(c)) }];
  },
  inverse: ({ args: [a0, a1] }) => (a0 && a1 ? `op.drop_constraint(${a0}, ${a1})` : undefined),
};
