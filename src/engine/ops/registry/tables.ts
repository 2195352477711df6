/** Table ops: create, drop, rename, and table comments. */
import { commentOn, createTableStatements } from '../ddl/render';
import { readTable } from '../ddl/schema';
import { optString } from '../values';
import type { OpSpec } from './types';
import { name, target } from './util';

export const createTable: OpSpec = {
  name: 'create_table',
  compile: (c, d, _a, _t, names) => createTableStatements(readTable(c, names), d),
  inverse: ({ args: [a0] }) => a0 && `op.drop_table(${a0})`,
};

export const dropTable: OpSpec = {
  name: 'drop_table',
  params: { label: 'op.drop_table', positional: ['table_name'], keywords: ['schema', 'if_exists', 'info'] },
  compile: (c, d, a) => [{ sql: `DROP TABLE ${a.if_exists === true ? 'IF EXISTS ' : ''}${d.qualified(name(c, a.table_name, 'table name'), optString(a.schema, c.line, 'schema'))}` }],
};

export const renameTable: OpSpec = {
  name: 'rename_table',
  params: { label: 'op.rename_table', positional: ['old_table_name', 'new_table_name'], keywords: ['schema'] },
  compile(c, d, a) {
    const schema = optString(a.schema, c.line, 'schema');
    return [{ sql: `ALTER TABLE ${d.qualified(name(c, a.old_table_name, 'table name'), schema)} RENAME TO ${d.quote(name(c, a.new_table_name, 'table name'))}` }];
  },
  inverse: ({ args: [a0, a1] }) => (a0 && a1 ? `op.rename_table(${a1}, ${a0})` : undefined),
};

/**
 * `COMMENT ON TABLE`, on every dialect: Alembic runs SQLAlchemy's SetTableComment as is, so on
 * SQLite `--sql` prints it and a live database rejects it (create_table leaves comments out there).
 */
const tableComment = (opName: string, create: boolean): OpSpec => ({
  name: opName,
  params: { label: opName, positional: ['table_name', ...(create ? ['comment'] : [])], keywords: ['existing_comment', 'schema'], tableParam: 'table_name' },
  compile(c, d, a, table) {
    const comment = create ? name(c, a.comment, 'comment') : null;
    const t = target(c, a, table);
    return [{ sql: commentOn(d, 'TABLE', d.qualified(t.name, t.schema), comment) }];
  },
  // A rebuild carries no comment where CREATE TABLE has none (SQLite): the table is copied as it is.
  batch: { recreate() { /* nothing to change in the copy */ } },
});

export const createTableComment = tableComment('create_table_comment', true);
export const dropTableComment = tableComment('drop_table_comment', false);
