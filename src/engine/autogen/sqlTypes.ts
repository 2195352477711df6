/**
 * A column's type as the database reports it (SQLite: as declared; PostgreSQL: format_type) written
 * as the SQLAlchemy expression Alembic's autogenerate writes for a reflected column of that type:
 * `character varying(50)` → `sa.VARCHAR(length=50)`, `timestamp with time zone` →
 * `postgresql.TIMESTAMP(timezone=True)`, an enum type → `postgresql.ENUM('a', 'b', name='status')`.
 * SQLite types go through SQLAlchemy 1.4's reflection rules first (`INT` → `sa.INTEGER()`).
 */
import { resolveType } from '../ops/sqliteReflect';
import type { SchemaSnapshot } from '../schema/snapshot';
import { pyStr } from './pyRepr';

export interface PythonType {
  /** The expression: `sa.VARCHAR(length=50)`. */
  expr: string;
  /** Import lines it needs besides `import sqlalchemy as sa`. */
  imports: string[];
  /** False when the type is not one SQLAlchemy reflects (written as `sa.NullType()`, to review). */
  known: boolean;
}

export const PG_IMPORT = 'from sqlalchemy.dialects import postgresql';
export const SQLITE_IMPORT = 'from sqlalchemy.dialects import sqlite';

export interface TypeContext {
  /** The snapshot's enum types (PostgreSQL), for a type that names one. */
  enums: SchemaSnapshot['enums'];
  /** Write `create_type=False` on ENUM types (the revision creates and drops them itself). */
  enumCreateTypeFalse?: boolean;
}

const sa = (expr: string): PythonType => ({ expr: `sa.${expr}`, imports: [], known: true });
const pg = (expr: string): PythonType => ({ expr: `postgresql.${expr}`, imports: [PG_IMPORT], known: true });
const unknown: PythonType = { expr: 'sa.NullType()', imports: [], known: false };

/** `VARCHAR(length=50)` / `VARCHAR()` for an optional number. */
const withLength = (name: string, n: string | undefined, kw = 'length') => `${name}(${n !== undefined ? `${kw}=${Number(n)}` : ''})`;

export function pythonType(typeText: string, dialect: SchemaSnapshot['dialect'], ctx: TypeContext = { enums: {} }): PythonType {
  return dialect === 'sqlite' ? sqliteType(typeText) : postgresType(typeText.trim(), ctx);
}

function sqliteType(declared: string): PythonType {
  let t: string;
  try { t = resolveType(declared, '', '').type; } catch { return unknown; }
  const m = /^(\w+)(?:\((\d+)(?:, (\d+))?\))?$/.exec(t);
  if (!m) return unknown;
  const [, name, a, b] = m;
  switch (name) {
    case 'VARCHAR': case 'CHAR': case 'TEXT': case 'NCHAR': case 'NVARCHAR': return sa(withLength(name, a));
    case 'NUMERIC': case 'DECIMAL':
      return sa(`${name}(${[a !== undefined && `precision=${Number(a)}`, b !== undefined && `scale=${Number(b)}`].filter(Boolean).join(', ')})`);
    case 'JSON': return { expr: 'sqlite.JSON()', imports: [SQLITE_IMPORT], known: true };
    default: return sa(`${name}()`);
  }
}

const PG_SIMPLE: Record<string, PythonType> = {
  integer: sa('INTEGER()'), bigint: sa('BIGINT()'), smallint: sa('SMALLINT()'), boolean: sa('BOOLEAN()'), text: sa('TEXT()'),
  date: sa('DATE()'), real: sa('REAL()'), 'double precision': pg('DOUBLE_PRECISION(precision=53)'), interval: pg('INTERVAL()'),
  json: pg('JSON(astext_type=sa.Text())'), jsonb: pg('JSONB(astext_type=sa.Text())'), uuid: pg('UUID()'), bytea: pg('BYTEA()'),
  inet: pg('INET()'), cidr: pg('CIDR()'), macaddr: pg('MACADDR()'), money: pg('MONEY()'), tsvector: pg('TSVECTOR()'), oid: pg('OID()'),
};

function postgresType(t: string, ctx: TypeContext): PythonType {
  if (t.endsWith('[]')) {
    const item = postgresType(t.replace(/(\[\])+$/, ''), ctx);
    const dims = (t.match(/\[\]/g) ?? []).length;
    return { ...item, expr: `postgresql.ARRAY(${item.expr}${dims > 1 ? `, dimensions=${dims}` : ''})`, imports: [...new Set([PG_IMPORT, ...item.imports])] };
  }
  if (PG_SIMPLE[t]) return PG_SIMPLE[t];
  let m: RegExpExecArray | null;
  if ((m = /^character varying(?:\((\d+)\))?$/.exec(t))) return sa(withLength('VARCHAR', m[1]));
  if ((m = /^character(?:\((\d+)\))?$/.exec(t))) return sa(withLength('CHAR', m[1]));
  if ((m = /^numeric(?:\((\d+),(\d+)\))?$/.exec(t))) return sa(m[1] ? `NUMERIC(precision=${m[1]}, scale=${m[2]})` : 'NUMERIC()');
  if ((m = /^(timestamp|time)(?:\((\d+)\))? (with|without) time zone$/.exec(t))) {
    const args = [m[3] === 'with' && 'timezone=True', m[2] !== undefined && `precision=${m[2]}`].filter(Boolean);
    return pg(`${m[1].toUpperCase()}(${args.join(', ')})`);
  }
  if ((m = /^bit(?:\((\d+)\))?$/.exec(t))) return pg(withLength('BIT', m[1]));
  const labels = enumLabels(t, ctx.enums);
  if (labels) {
    const name = enumName(t);
    const kws = [`name=${pyStr(name.name)}`, ...(name.schema ? [`schema=${pyStr(name.schema)}`] : []), ...(ctx.enumCreateTypeFalse ? ['create_type=False'] : [])];
    return pg(`ENUM(${[...labels.map(pyStr), ...kws].join(', ')})`);
  }
  return unknown;
}

/** `status`, `"Status"`, `other.status` as format_type writes an enum type's name. */
export function enumName(t: string): { name: string; schema?: string } {
  const parts = [...t.matchAll(/"((?:[^"]|"")*)"|([^."]+)/g)].map((p) => (p[1] !== undefined ? p[1].replace(/""/g, '"') : p[2]));
  return parts.length === 2 ? { schema: parts[0], name: parts[1] } : { name: parts[0] ?? t };
}

/** The snapshot key (`status` / `other.status`) of the enum type a column's type names, if any. */
export function enumKey(t: string, enums: SchemaSnapshot['enums']): string | undefined {
  const n = enumName(t.replace(/(\[\])+$/, ''));
  const key = n.schema && n.schema !== 'public' ? `${n.schema}.${n.name}` : n.name;
  return Object.prototype.hasOwnProperty.call(enums, key) ? key : undefined;
}

const enumLabels = (t: string, enums: SchemaSnapshot['enums']): string[] | undefined => {
  const k = enumKey(t, enums);
  return k === undefined ? undefined : enums[k];
};
