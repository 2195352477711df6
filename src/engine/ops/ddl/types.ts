/**
 * SQLAlchemy column types, read from `sa.String(50)`-style calls and rendered as SQLAlchemy 1.4 /
 * 2.0 render them: the generic rendering here, each dialect's differences in its folder (e.g.
 * DateTime is DATETIME generically and TIMESTAMP WITHOUT TIME ZONE on PostgreSQL; Enum is
 * VARCHAR(n) generically and a named type on PostgreSQL).
 */
import { isCall, PyValue, Unsupported } from '../values';
import type { Dialect } from '../../dialects';

export interface TypeSpec {
  /** Canonical type name without prefix, e.g. `String`, `VARCHAR`, `JSONB`. */
  name: string;
  /** Where it came from: `sa`, `pg`, `sqlite`. */
  origin: string;
  length?: number;
  precision?: number;
  scale?: number;
  timezone?: boolean;
  /** Enum values, name, and whether PostgreSQL gets a native type. */
  values?: string[];
  enumName?: string;
  native?: boolean;
  createType?: boolean;
  item?: TypeSpec;
  dimensions?: number;
  /** PostgreSQL INTERVAL's fields (`DAY TO SECOND`). */
  fields?: string;
  /** Boolean / Enum (SQLAlchemy's SchemaType): its name, and `create_constraint=True` (a CHECK where the database has no native form). */
  constraint?: { create: boolean; name?: string };
  line: number;
}

const INTEGER = new Set(['Integer', 'INTEGER', 'INT', 'BigInteger', 'BIGINT', 'SmallInteger', 'SMALLINT']);
const NUMERIC = new Set(['Numeric', 'NUMERIC', 'DECIMAL', 'Float', 'FLOAT', 'REAL', 'Double', 'DOUBLE', 'DOUBLE_PRECISION']);

export const isIntegerType = (t: TypeSpec): boolean => INTEGER.has(t.name);
export const isNumericType = (t: TypeSpec): boolean => NUMERIC.has(t.name) && !['Float', 'FLOAT', 'REAL', 'Double', 'DOUBLE', 'DOUBLE_PRECISION'].includes(t.name) || INTEGER.has(t.name);
export const integerSize = (t: TypeSpec): 'big' | 'small' | 'int' =>
  ['BigInteger', 'BIGINT'].includes(t.name) ? 'big' : ['SmallInteger', 'SMALLINT'].includes(t.name) ? 'small' : 'int';

/** Reads a type given as a call (`sa.String(50)`) or a class (`sa.Text`). */
export function readType(v: PyValue | undefined, line: number): TypeSpec {
  if (!isCall(v)) throw new Unsupported(line, String(v), 'expected a SQLAlchemy type');
  const [origin, ...rest] = v.fn.split('.');
  const name = rest.join('.');
  if (!['sa', 'pg', 'sqlite', 'mysql'].includes(origin) || !name) throw new Unsupported(v.line, v.fn, 'not a SQLAlchemy type the embedded engine knows');
  const t: TypeSpec = { name, origin, line: v.line };
  const num = (x: PyValue | undefined, what: string): number | undefined => {
    if (x === undefined || x === null) return undefined;
    if (typeof x !== 'number') throw new Unsupported(v.line, `${v.fn}(${what}=...)`, 'expected a number');
    return x;
  };
  switch (name) {
    case 'String': case 'VARCHAR': case 'Unicode': case 'NVARCHAR': case 'CHAR': case 'NCHAR': case 'Text': case 'TEXT': case 'UnicodeText': case 'CLOB':
      t.length = num(v.args[0] ?? v.kw('length'), 'length');
      // SQLAlchemy writes `COLLATE "x"` after the type: refused rather than left out.
      if ((v.args[1] ?? v.kw('collation') ?? null) !== null) throw new Unsupported(v.line, `${v.fn}(..., collation=...)`, 'a collation the embedded engine does not write yet');
      break;
    case 'Numeric': case 'NUMERIC': case 'DECIMAL': case 'Float': case 'FLOAT': case 'REAL': case 'Double': case 'DOUBLE': case 'DOUBLE_PRECISION':
      t.precision = num(v.args[0] ?? v.kw('precision'), 'precision');
      t.scale = num(v.args[1] ?? v.kw('scale'), 'scale');
      break;
    case 'DateTime': case 'DATETIME': case 'TIMESTAMP': case 'Time': case 'TIME':
      t.timezone = v.args[0] === true || v.kw('timezone') === true;
      // postgresql.TIMESTAMP / TIME(timezone=False, precision=None); SQLAlchemy's own take the time zone only.
      t.precision = num((origin === 'pg' ? v.args[1] : undefined) ?? v.kw('precision'), 'precision');
      break;
    case 'Enum': case 'ENUM': {
      const values = v.args.filter((a): a is string => typeof a === 'string');
      if (values.length !== v.args.length) throw new Unsupported(v.line, `${v.fn}(...)`, 'enum values must be string literals (a Python Enum class needs Python)');
      t.values = values;
      const n = v.kw('name');
      t.enumName = typeof n === 'string' ? n : undefined;
      // A type in another schema is named `schema.name` everywhere it is created, used and dropped: not done yet, so refused.
      if ((v.kw('schema') !== undefined && v.kw('schema') !== null) || v.kw('inherit_schema') === true) {
        throw new Unsupported(v.line, `${v.fn}(..., ${v.kw('inherit_schema') === true ? 'inherit_schema=True' : 'schema=...'})`, 'an enum type in another schema is not supported by the embedded engine yet');
      }
      t.native = v.kw('native_enum') !== false;
      t.createType = v.kw('create_type') !== false;
      t.length = num(v.kw('length'), 'length');
      t.constraint = { create: v.kw('create_constraint') === true, name: t.enumName };
      break;
    }
    case 'ARRAY':
      t.item = readType(v.args[0] ?? v.kw('item_type'), v.line);
      t.dimensions = num(v.kw('dimensions'), 'dimensions');
      break;
    case 'Boolean': case 'BOOLEAN': {
      // Boolean(create_constraint=False, name=None)
      const n = v.args[1] ?? v.kw('name');
      t.constraint = { create: (v.args[0] ?? v.kw('create_constraint')) === true, name: typeof n === 'string' ? n : isCall(n, 'op.f', 'sa.conv') && typeof n.args[0] === 'string' ? n.args[0] : undefined };
      break;
    }
    case 'BIT': case 'BINARY': case 'VARBINARY': case 'LargeBinary':
      t.length = num(v.args[0] ?? v.kw('length'), 'length');
      break;
    case 'INTERVAL':
      if (origin === 'pg') {
        // postgresql.INTERVAL(precision=None, fields=None): `INTERVAL DAY TO SECOND (3)`.
        t.precision = num(v.args[0] ?? v.kw('precision'), 'precision');
        const fields = v.args[1] ?? v.kw('fields');
        if (fields !== undefined && fields !== null && typeof fields !== 'string') throw new Unsupported(v.line, `${v.fn}(fields=...)`, 'expected a string');
        t.fields = fields ?? undefined;
      }
      break;
    case 'Integer': case 'INTEGER': case 'INT': case 'BigInteger': case 'BIGINT':
    case 'SmallInteger': case 'SMALLINT': case 'Date': case 'DATE': case 'JSON': case 'JSONB': case 'BLOB':
    case 'BYTEA': case 'Uuid': case 'UUID': case 'Interval': case 'INET': case 'CIDR': case 'MACADDR':
    case 'CITEXT': case 'TSVECTOR': case 'MONEY': case 'HSTORE': case 'OID':
    case 'PickleType':
      t.length = num(v.kw('length'), 'length');
      break;
    default:
      throw new Unsupported(v.line, v.fn, 'a column type the embedded engine does not know yet');
  }
  return t;
}

/**
 * The type as SQLAlchemy writes it in DDL for the dialect: the dialect's own rendering first
 * (`Dialect.renderType`), else SQLAlchemy's generic one.
 */
export function renderType(t: TypeSpec, dialect: Dialect): string {
  const len = (base: string) => (t.length !== undefined ? `${base}(${t.length})` : base);
  const cannot = (): never => { throw new Unsupported(t.line, `${t.origin}.${t.name}`, `SQLAlchemy cannot render this type for ${dialect.displayName}`); };
  if (t.origin === 'mysql' && !/^[A-Z_]+$/.test(t.name)) return cannot();
  const own = dialect.renderType(t, { len, cannot, render: (x) => renderType(x, dialect) });
  if (own !== undefined) return own;
  return genericType(t, len) ?? dialect.unknownType?.(t) ?? cannot();
}

/** SQLAlchemy's generic type compiler (what SQLite gets). */
function genericType(t: TypeSpec, len: (base: string) => string): string | undefined {
  switch (t.name) {
    case 'Integer': case 'INTEGER': case 'INT': return 'INTEGER';
    case 'BigInteger': case 'BIGINT': return 'BIGINT';
    case 'SmallInteger': case 'SMALLINT': return 'SMALLINT';
    case 'String': case 'Unicode': case 'VARCHAR': return len('VARCHAR');
    case 'NVARCHAR': return len('NVARCHAR');
    case 'CHAR': return len('CHAR');
    case 'NCHAR': return len('NCHAR');
    case 'Text': case 'UnicodeText': case 'TEXT': return len('TEXT');
    case 'CLOB': return 'CLOB';
    case 'Boolean': case 'BOOLEAN': return 'BOOLEAN';
    case 'DATETIME': return 'DATETIME'; // the uppercase type keeps its name, which PostgreSQL rejects
    case 'DateTime': return 'DATETIME';
    case 'TIMESTAMP': return 'TIMESTAMP';
    case 'Time': case 'TIME': return 'TIME';
    case 'Date': case 'DATE': return 'DATE';
    case 'Numeric': case 'NUMERIC': case 'DECIMAL': {
      const base = t.name === 'DECIMAL' ? 'DECIMAL' : 'NUMERIC';
      if (t.precision === undefined) return base;
      return t.scale === undefined ? `${base}(${t.precision})` : `${base}(${t.precision}, ${t.scale})`;
    }
    case 'Float': case 'FLOAT': return t.precision === undefined ? 'FLOAT' : `FLOAT(${t.precision})`;
    case 'REAL': return 'REAL';
    case 'Double': case 'DOUBLE': return 'DOUBLE';
    case 'DOUBLE_PRECISION': return 'DOUBLE PRECISION';
    case 'JSON': return 'JSON';
    case 'LargeBinary': case 'BYTEA': case 'PickleType': return 'BLOB';
    case 'BLOB': return 'BLOB';
    case 'BINARY': case 'VARBINARY': return len(t.name);
    case 'Uuid': return 'CHAR(32)';
    case 'UUID': return 'UUID';
    case 'Interval': case 'INTERVAL': return 'DATETIME';
    case 'Enum': case 'ENUM': {
      // A non-native enum: VARCHAR as long as the longest value.
      const longest = Math.max(0, ...(t.values ?? []).map((v) => v.length));
      return `VARCHAR(${t.length ?? longest})`;
    }
  }
  return undefined;
}

/**
 * The CHECK constraint a Boolean or Enum with `create_constraint=True` adds to the table its column
 * joins, where the database has no native type for it (SQLAlchemy's `_should_create_constraint`).
 */
export function typeBoundCheck(t: TypeSpec, d: Dialect, column: string): { name?: string; sql: string } | undefined {
  if (!t.constraint?.create) return undefined;
  const col = d.quote(column);
  if ((t.name === 'Boolean' || t.name === 'BOOLEAN') && !d.nativeBoolean) return { name: t.constraint.name, sql: `${col} IN (0, 1)` };
  if ((t.name === 'Enum' || t.name === 'ENUM') && (t.native === false || !d.nativeEnum)) return { name: t.constraint.name, sql: `${col} IN (${(t.values ?? []).map((x) => d.literal(x)).join(', ')})` };
  return undefined;
}

/** An `existing_type=` read only when it is a Boolean or an Enum (the only existing types batch mode acts on). */
export function schemaType(v: PyValue | undefined, line: number): TypeSpec | undefined {
  return isCall(v) && /^(sa|pg|sqlite)\.(Boolean|BOOLEAN|Enum|ENUM)$/.test(v.fn) ? readType(v, line) : undefined;
}

/** PostgreSQL: the named ENUM types a column list needs created first. */
export function enumTypesToCreate(types: TypeSpec[]): TypeSpec[] {
  const out = new Map<string, TypeSpec>();
  for (const t of types) {
    const e = t.name === 'ARRAY' ? t.item! : t;
    if ((e.name === 'Enum' || e.name === 'ENUM') && e.native !== false && e.createType !== false && e.enumName && !out.has(e.enumName)) out.set(e.enumName, e);
  }
  return [...out.values()];
}

/** SQLAlchemy's `_type_affinity` (the generic class a type belongs to), by type name or rendered SQL type. */
const AFFINITY: Record<string, string> = {};
const affinities: [string, string][] = [
  ['Integer', 'Integer INTEGER INT BigInteger BIGINT SmallInteger SMALLINT'],
  ['String', 'String Unicode VARCHAR NVARCHAR CHAR NCHAR Text UnicodeText TEXT CLOB Enum ENUM'],
  ['Numeric', 'Numeric NUMERIC DECIMAL Float FLOAT REAL Double DOUBLE DOUBLE_PRECISION'],
  ['DateTime', 'DateTime DATETIME TIMESTAMP'], ['Date', 'Date DATE'], ['Time', 'Time TIME'],
  ['Boolean', 'Boolean BOOLEAN'], ['_Binary', 'LargeBinary BLOB BINARY VARBINARY'], ['JSON', 'JSON'],
];
for (const [a, names] of affinities) for (const n of names.split(' ')) AFFINITY[n] = a;

export function typeAffinity(nameOrSql: string): string {
  const n = nameOrSql.replace(/\(.*$/, '').trim().replace(/ /g, '_');
  return AFFINITY[n] ?? n;
}
