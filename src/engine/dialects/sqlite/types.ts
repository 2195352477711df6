/**
 * SQLite's part of type rendering (SQLAlchemy's SQLiteTypeCompiler, a GenericTypeCompiler): FLOAT
 * without its precision, and of the PostgreSQL types only those with a generic name (which SQLAlchemy
 * 2.0 widened to DOUBLE_PRECISION and UUID); any other PostgreSQL type has no SQLite name.
 */
import type { SqlalchemyVersion } from '../../config/sqlalchemyVersion';
import type { TypeSpec } from '../../ops/ddl/types';
import type { TypeContext } from '../dialect';

/** PostgreSQL types SQLAlchemy's SQLite compiler writes by their generic name (checked on 1.4.46 and 2.0.52). */
const PG_GENERIC = new Set(['BIGINT', 'BOOLEAN', 'CHAR', 'DATE', 'FLOAT', 'INTEGER', 'NUMERIC', 'REAL', 'SMALLINT', 'TEXT', 'TIME', 'TIMESTAMP', 'VARCHAR']);
const PG_GENERIC_SA20 = new Set(['DOUBLE_PRECISION', 'UUID']);

export const sqliteType = (version: SqlalchemyVersion) => (t: TypeSpec, ctx: TypeContext): string | undefined => {
  if (t.name === 'Float' || t.name === 'FLOAT') return 'FLOAT'; // visit_FLOAT: no precision outside PostgreSQL, MySQL, Oracle
  if (t.origin !== 'pg' || ['JSON', 'ARRAY', 'ENUM'].includes(t.name)) return undefined;
  if (PG_GENERIC.has(t.name) || (version !== '1.4' && PG_GENERIC_SA20.has(t.name))) return ctx.render({ ...t, origin: 'sa' });
  return ctx.cannot();
};
