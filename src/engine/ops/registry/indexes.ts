/** Index ops: create and drop (both run in place in batch mode, even on SQLite). */
import { bind } from '../args';
import { renderCreateIndex } from '../ddl/render';
import { INDEX_KEYWORDS, type IndexSpec } from '../ddl/schema';
import { givenName } from '../../naming/opNames';
import { asString, asStringList, optString, TextClause, Unsupported } from '../values';
import type { OpSpec } from './types';
import { name } from './util';

export const createIndex: OpSpec = {
  name: 'create_index',
  params: { label: 'create_index', positional: ['index_name', 'table_name', 'columns'], keywords: ['schema', ...INDEX_KEYWORDS], tableParam: 'table_name' },
  // Alembic indexes a throwaway Table (`no_table` without one); a `sa.text()` element is a column named by its text.
  naming: (a, table) => ({
    param: 'index_name', required: 'index',
    request: {
      kind: 'ix', ...givenName(a.index_name, a.__call.line), table: table?.name ?? optString(a.table_name, a.__call.line, 'table name') ?? 'no_table',
      schema: table?.schema ?? optString(a.schema, a.__call.line, 'schema'),
      columns: (Array.isArray(a.columns) ? a.columns : [a.columns ?? null]).map((x) => (x instanceof TextClause ? x.sql : name(a.__call, x, 'index column'))),
    },
  }),
  compile(c, d, a, table) {
    const cols = Array.isArray(a.columns) ? a.columns : [a.columns ?? null];
    const ix: IndexSpec = {
      name: name(c, a.index_name, 'index name'), table: table?.name ?? name(c, a.table_name, 'table name'),
      schema: table?.schema ?? optString(a.schema, c.line, 'schema'),
      columns: cols.map((x) => (x instanceof TextClause ? x : name(c, x, 'index column'))), unique: a.unique === true,
      kw: new Map([...c.kwargs].filter(([k]) => k !== 'schema' && k !== 'unique')), line: c.line,
    };
    return [{ sql: renderCreateIndex(ix, d) }];
  },
  batch: {
    inPlace: () => true,
    recreate(t, c) {
      const a = bind(c, 'batch_op.create_index', ['index_name', 'columns'], ['unique'], true);
      // A partial index keeps its condition through the rebuild (Alembic's batch creates the Index object as given).
      const where = a.sqlite_where instanceof TextClause ? a.sqlite_where.sql : optString(a.sqlite_where, c.line, 'sqlite_where');
      t.newIndexes.push({
        name: asString(a.index_name, c.line, 'index name'), unique: a.unique === true, columns: asStringList(a.columns, c.line, 'index columns'),
        ...(where !== undefined && { where }),
      });
    },
  },
  inverse: ({ args: [a0, a1] }) => (a0 && a1 ? `op.drop_index(${a0}, table_name=${a1})` : undefined),
};

export const dropIndex: OpSpec = {
  name: 'drop_index',
  // The index's other options are accepted and change nothing in DROP INDEX (as in SQLAlchemy).
  params: { label: 'drop_index', positional: ['index_name', 'table_name'], keywords: ['schema', 'if_exists', ...INDEX_KEYWORDS], tableParam: 'table_name' },
  // Alembic's DropIndexOp builds the index on a dummy column `x`.
  naming: (a, table) => ({
    param: 'index_name', required: 'index',
    request: {
      kind: 'ix', ...givenName(a.index_name, a.__call.line), table: table?.name ?? optString(a.table_name, a.__call.line, 'table name') ?? 'no_table',
      schema: table?.schema ?? optString(a.schema, a.__call.line, 'schema'), columns: ['x'],
    },
  }),
  compile(c, d, a, table) {
    const schema = table?.schema ?? optString(a.schema, c.line, 'schema');
    const concurrently = d.indexOptions?.(c.kwargs, c.line).concurrently ? 'CONCURRENTLY ' : '';
    return [{ sql: `DROP INDEX ${concurrently}${a.if_exists === true ? 'IF EXISTS ' : ''}${d.qualified(name(c, a.index_name, 'index name'), schema)}` }];
  },
  batch: {
    inPlace: () => true,
    recreate(t, c) {
      const ixName = asString(bind(c, 'batch_op.drop_index', ['index_name'], [], true).index_name, c.line, 'index name');
      const i = t.indexes.findIndex((x) => x.name === ixName);
      const j = t.newIndexes.findIndex((x) => x.name === ixName);
      if (i < 0 && j < 0) throw new Unsupported(c.line, `drop_index(${JSON.stringify(ixName)})`, `No such index: '${ixName}'`);
      if (i >= 0) t.indexes.splice(i, 1); else t.newIndexes.splice(j, 1);
    },
  },
};
