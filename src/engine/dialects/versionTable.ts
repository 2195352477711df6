/** Alembic's version table DDL as SQLAlchemy writes it, written once for online runs and offline scripts. */
import type { Dialect, TableName } from './dialect';

export function versionTableDdl(d: Dialect, t: TableName): string {
  return `CREATE TABLE ${d.qualified(t.table, t.schema)} (\n\tversion_num VARCHAR(32) NOT NULL, \n\tCONSTRAINT ${d.quote(`${t.table}_pkc`)} PRIMARY KEY (version_num)\n)`;
}
