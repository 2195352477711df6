/**
 * PostgreSQL's part of type rendering (SQLAlchemy's PGTypeCompiler): time zones spelled out, BYTEA,
 * UUID and INTERVAL as themselves, native ENUM types by name, ARRAY, and any other type name as is.
 */
import type { TableSpec } from '../../ops/ddl/schema';
import { enumTypesToCreate, integerSize, TypeSpec } from '../../ops/ddl/types';
import { Unsupported } from '../../ops/values';
import type { TypeContext } from '../dialect';

const precision = (t: TypeSpec) => (t.precision !== undefined ? `(${t.precision})` : '');
const zone = (t: TypeSpec) => ` ${t.timezone ? 'WITH' : 'WITHOUT'} TIME ZONE`;

export function postgresqlType(quote: (n: string) => string) {
  return (t: TypeSpec, ctx: TypeContext): string | undefined => {
    switch (t.name) {
      case 'DateTime': case 'TIMESTAMP': return `TIMESTAMP${precision(t)}${zone(t)}`;
      case 'Time': case 'TIME': return `TIME${precision(t)}${zone(t)}`;
      case 'Double': case 'DOUBLE_PRECISION': return 'DOUBLE PRECISION'; // sa.DOUBLE keeps its name, as SQLAlchemy writes it
      case 'JSONB': return 'JSONB';
      case 'LargeBinary': case 'BYTEA': case 'PickleType': return 'BYTEA';
      case 'Uuid': return 'UUID';
      case 'Interval': return 'INTERVAL';
      case 'INTERVAL': return `INTERVAL${t.fields ? ` ${t.fields}` : ''}${t.precision !== undefined ? ` (${t.precision})` : ''}`;
      case 'Enum': case 'ENUM':
        if (t.native === false) return undefined; // VARCHAR, as everywhere
        if (!t.enumName) throw new Unsupported(t.line, `${t.origin}.${t.name}(...)`, 'PostgreSQL ENUM type requires a name.');
        return quote(t.enumName);
      case 'ARRAY': return ctx.render(t.item!) + '[]'.repeat(t.dimensions ?? 1);
      case 'BIT': return ctx.len('BIT');
    }
    return undefined;
  };
}

/** SQLAlchemy's SERIAL family for an auto-increment integer primary key. */
export function serialType(t: TypeSpec): string {
  const size = integerSize(t);
  return size === 'big' ? 'BIGSERIAL' : size === 'small' ? 'SMALLSERIAL' : 'SERIAL';
}

/** The named ENUM types a table's columns need, created before it. */
export function createEnumTypes(t: TableSpec, quote: (n: string) => string, literal: (v: string) => string): { sql: string; once: string }[] {
  return enumTypesToCreate(t.columns.map((c) => c.type))
    .map((e) => ({ sql: `CREATE TYPE ${quote(e.enumName!)} AS ENUM (${e.values!.map(literal).join(', ')})`, once: `type:${e.enumName}` }));
}
