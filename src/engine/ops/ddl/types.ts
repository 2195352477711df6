/**
 * SQLAlchemy column types, read from `sa.String(50)`-style calls and rendered as SQLAlchemy 1.4 /
 * 2.0 render them for SQLite and PostgreSQL (e.g. DateTime is DATETIME on SQLite and
 * TIMESTAMP WITHOUT TIME ZONE on PostgreSQL; Enum is VARCHAR(n) on SQLite and a named type on
 * PostgreSQL).
 */
import { isCall, PyValue, Unsupported } from '../values';
import { DialectName, POSTGRESQL } from './dialect';

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
      break;
    case 'Numeric': case 'NUMERIC': case 'DECIMAL': case 'Float': case 'FLOAT': case 'REAL': case 'Double': case 'DOUBLE': case 'DOUBLE_PRECISION':
      t.precision = num(v.args[0] ?? v.kw('precision'), 'precision');
      t.scale = num(v.args[1] ?? v.kw('scale'), 'scale');
      break;
    case 'DateTime': case 'DATETIME': case 'TIMESTAMP': case 'Time': case 'TIME':
      t.timezone = v.args[0] === true || v.kw('timezone') === true;
      t.precision = num(v.kw('precision'), 'precision');
      break;
    case 'Enum': case 'ENUM': {
      const values = v.args.filter((a): a is string => typeof a === 'string');
      if (values.length !== v.args.length) throw new Unsupported(v.line, `${v.fn}(...)`, 'enum values must be string literals (a Python Enum class needs Python)');
      t.values = values;
      const n = v.kw('name');
      t.enumName = typeof n === 'string' ? n : undefined;
      t.native = v.kw('native_enum') !== false;
      t.createType = v.kw('create_type') !== false;
      t.length = num(v.kw('length'), 'length');
      break;
    }
    case 'ARRAY':
      t.item = readType(v.args[0] ?? v.kw('item_type'), v.line);
      t.dimensions = num(v.kw('dimensions'), 'dimensions');
      break;
    case 'Boolean': case 'BOOLEAN': case 'Integer': case 'INTEGER': case 'INT': case 'BigInteger': case 'BIGINT':
    case 'SmallInteger': case 'SMALLINT': case 'Date': case 'DATE': case 'JSON': case 'JSONB': case 'LargeBinary': case 'BLOB':
    case 'BYTEA': case 'Uuid': case 'UUID': case 'Interval': case 'INTERVAL': case 'INET': case 'CIDR': case 'MACADDR':
    case 'CITEXT': case 'TSVECTOR': case 'MONEY': case 'HSTORE': case 'OID': case 'BIT': case 'BINARY': case 'VARBINARY':
    case 'PickleType':
      t.length = num(v.kw('length'), 'length');
      break;
    default:
      throw new Unsupported(v.line, v.fn, 'a column type the embedded engine does not know yet');
  }
  return t;
}

/** The type as SQLAlchemy writes it in DDL for the dialect. */
export function renderType(t: TypeSpec, dialect: DialectName): string {
  const pg = dialect === 'postgresql';
  const len = (base: string) => (t.length !== undefined ? `${base}(${t.length})` : base);
  const cannot = (): never => { throw new Unsupported(t.line, `${t.origin}.${t.name}`, `SQLAlchemy cannot render this type for ${pg ? 'PostgreSQL' : 'SQLite'}`); };
  if (t.origin === 'mysql' && !/^[A-Z_]+$/.test(t.name)) return cannot();
  if (t.origin === 'pg' && !pg && !['JSON', 'ARRAY', 'ENUM'].includes(t.name)) {
    // PostgreSQL-only types on SQLite: SQLAlchemy's SQLite compiler has no name for most of them.
    const generic: Record<string, string> = { UUID: 'UUID', TIMESTAMP: 'TIMESTAMP', INTEGER: 'INTEGER', BIGINT: 'BIGINT', VARCHAR: len('VARCHAR'), TEXT: 'TEXT', BOOLEAN: 'BOOLEAN', DATE: 'DATE', NUMERIC: 'NUMERIC', FLOAT: 'FLOAT', REAL: 'REAL' };
    if (t.name in generic) return generic[t.name];
    return cannot();
  }
  switch (t.name) {
    case 'Integer': case 'INTEGER': case 'INT': return 'INTEGER';
    case 'BigInteger': case 'BIGINT': return 'BIGINT';
    case 'SmallInteger': case 'SMALLINT': return 'SMALLINT';
    case 'String': case 'Unicode': case 'VARCHAR': return len('VARCHAR');
    case 'NVARCHAR': return pg ? len('VARCHAR') : len('NVARCHAR');
    case 'CHAR': return len('CHAR');
    case 'NCHAR': return pg ? len('CHAR') : len('NCHAR');
    case 'Text': case 'UnicodeText': case 'TEXT': return len('TEXT');
    case 'CLOB': return 'CLOB';
    case 'Boolean': case 'BOOLEAN': return 'BOOLEAN';
    case 'DATETIME': return 'DATETIME'; // the uppercase type keeps its name, which PostgreSQL rejects
    case 'DateTime':
      if (!pg) return 'DATETIME';
      return `TIMESTAMP${t.precision !== undefined ? `(${t.precision})` : ''} ${t.timezone ? 'WITH' : 'WITHOUT'} TIME ZONE`;
    case 'TIMESTAMP':
      if (!pg) return 'TIMESTAMP';
      return `TIMESTAMP${t.precision !== undefined ? `(${t.precision})` : ''} ${t.timezone ? 'WITH' : 'WITHOUT'} TIME ZONE`;
    case 'Time': case 'TIME':
      if (!pg) return 'TIME';
      return `TIME${t.precision !== undefined ? `(${t.precision})` : ''} ${t.timezone ? 'WITH' : 'WITHOUT'} TIME ZONE`;
    case 'Date': case 'DATE': return 'DATE';
    case 'Numeric': case 'NUMERIC': case 'DECIMAL': {
      const base = t.name === 'DECIMAL' ? 'DECIMAL' : 'NUMERIC';
      if (t.precision === undefined) return base;
      return t.scale === undefined ? `${base}(${t.precision})` : `${base}(${t.precision}, ${t.scale})`;
    }
    case 'Float': case 'FLOAT': return t.precision === undefined ? 'FLOAT' : `FLOAT(${t.precision})`;
    case 'REAL': return 'REAL';
    case 'Double': case 'DOUBLE': case 'DOUBLE_PRECISION': return pg || t.name === 'DOUBLE_PRECISION' ? 'DOUBLE PRECISION' : 'DOUBLE';
    case 'JSON': return 'JSON';
    case 'JSONB': return pg ? 'JSONB' : cannot();
    case 'LargeBinary': case 'BYTEA': case 'PickleType': return pg ? 'BYTEA' : 'BLOB';
    case 'BLOB': return 'BLOB';
    case 'BINARY': case 'VARBINARY': return len(t.name);
    case 'Uuid': return pg ? 'UUID' : 'CHAR(32)';
    case 'UUID': return 'UUID';
    case 'Interval': case 'INTERVAL': return pg ? 'INTERVAL' : 'DATETIME';
    case 'Enum': case 'ENUM': {
      const native = pg && t.native !== false;
      if (native) {
        if (!t.enumName) throw new Unsupported(t.line, `${t.origin}.${t.name}(...)`, 'PostgreSQL ENUM type requires a name.');
        return POSTGRESQL.quote(t.enumName);
      }
      const longest = Math.max(0, ...(t.values ?? []).map((v) => v.length));
      return `VARCHAR(${t.length ?? longest})`;
    }
    case 'ARRAY':
      if (!pg) return cannot();
      return renderType(t.item!, dialect) + '[]'.repeat(t.dimensions ?? 1);
    default:
      if (pg) return t.name;
      return cannot();
  }
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
