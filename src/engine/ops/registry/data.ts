/** Data ops: raw SQL (`op.execute`) and `op.bulk_insert`. */
import { bulkInsert } from '../bulkInsert';
import { Call, TextClause, Unsupported } from '../values';
import { DDL_ELEMENTS, renderDdlElement } from '../ddl/ddlElements';
import type { OpSpec } from './types';

export const execute: OpSpec = {
  name: 'execute',
  params: { label: 'op.execute', positional: ['sqltext'], keywords: ['execution_options'] },
  compile(c, d, a) {
    const v = a.sqltext;
    if (v instanceof Call && DDL_ELEMENTS.includes(v.fn)) return [{ sql: renderDdlElement(v, d) }];
    const sql = v instanceof TextClause ? v.sql : typeof v === 'string' ? v : undefined;
    if (sql === undefined) throw new Unsupported(c.line, 'op.execute(...)', 'expected an SQL string or sa.text(...) (a SQLAlchemy expression needs Python)');
    if (/(?<![:\w\\]):\w+(?!:)/.test(sql)) throw new Unsupported(c.line, 'op.execute(...)', 'the SQL has :name bind parameters, which need values from Python');
    return [{ sql: sql.replace(/\\:/g, ':') }];
  },
};

export const bulkInsertOp: OpSpec = {
  name: 'bulk_insert',
  params: { label: 'op.bulk_insert', positional: ['table', 'rows'], keywords: ['multiinsert'] },
  compile: (c, d, a) => bulkInsert(a.table, a.rows, d, c.line),
};
