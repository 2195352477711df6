/** SQLite's part of type rendering: PostgreSQL-only types have no SQLite name, save a few generic ones. */
import type { TypeSpec } from '../../ops/ddl/types';
import type { TypeContext } from '../dialect';

export function sqliteType(t: TypeSpec, ctx: TypeContext): string | undefined {
  if (t.origin !== 'pg' || ['JSON', 'ARRAY', 'ENUM'].includes(t.name)) return undefined;
  // SQLAlchemy's SQLite compiler has no name for most PostgreSQL types.
  const generic: Record<string, string> = { UUID: 'UUID', TIMESTAMP: 'TIMESTAMP', INTEGER: 'INTEGER', BIGINT: 'BIGINT', VARCHAR: ctx.len('VARCHAR'), TEXT: 'TEXT', BOOLEAN: 'BOOLEAN', DATE: 'DATE', NUMERIC: 'NUMERIC', FLOAT: 'FLOAT', REAL: 'REAL' };
  return t.name in generic ? generic[t.name] : ctx.cannot();
}
