/**
 * sqlalchemy_utils' column types, as what SQLAlchemy writes for them in DDL. Each is a
 * TypeDecorator: the database sees its `impl` (or what `load_dialect_impl` picks for the
 * dialect), so a call becomes the plain SQLAlchemy type the DDL compiler already renders:
 * `UUIDType(binary=False)` is `postgresql.UUID()` on PostgreSQL and `CHAR(32)` on SQLite.
 * The Python-side arguments (choices, keys, engines, coercion functions) do not reach the DDL.
 * Checked against sqlalchemy_utils 0.38.2 (test/unit/ops/sqlalchemyUtils.test.ts compiles each
 * form with the real library).
 */
import { Call, PyDict, PyValue, Unsupported } from '../../../values';
import { PythonError } from '../errors';
import { uuidBinding } from '../uuidModule';

type Dialect = 'sqlite' | 'postgresql' | undefined;

/** Each modelled type and the module under `sqlalchemy_utils.types` that defines it. */
const TYPES: Record<string, string> = {
  UUIDType: 'uuid', ChoiceType: 'choice', ArrowType: 'arrow', TSVectorType: 'ts_vector', JSONType: 'json',
  EmailType: 'email', URLType: 'url', IPAddressType: 'ip_address', LocaleType: 'locale', TimezoneType: 'timezone',
  ScalarListType: 'scalar_list', CountryType: 'country', CurrencyType: 'currency',
  StringEncryptedType: 'encrypted.encrypted_type', EncryptedType: 'encrypted.encrypted_type',
};

/** Encryption engines: only passed to the encrypted types (`engine=AesEngine`), never in the DDL. */
const ENGINES = ['AesEngine', 'AesGcmEngine', 'FernetEngine'];

const MODULES = new Set(['types', 'types.encrypted', ...Object.values(TYPES).map((m) => `types.${m}`)]);

/**
 * What `sqlalchemy_utils.<path>` is, when modelled: a module on the way to a type (`types`,
 * `types.uuid`), a type (`UUIDType`, `types.UUIDType`, `types.uuid.UUIDType`), or a value that is
 * only passed along (`types.encrypted.encrypted_type.AesEngine`).
 */
export function sqlalchemyUtilsKind(path: string): 'module' | 'type' | 'value' | undefined {
  if (MODULES.has(path)) return 'module';
  const dot = path.lastIndexOf('.');
  const mod = dot < 0 ? '' : path.slice(0, dot);
  const name = path.slice(dot + 1);
  if (name in TYPES && (mod === '' || mod === 'types' || mod === `types.${TYPES[name]}`)) return 'type';
  if (ENGINES.includes(name) && mod === 'types.encrypted.encrypted_type') return 'value';
  return undefined;
}

/** Whether `sqlalchemy_utils.<path>` is a name modelled here (a module on the way, a type, an engine). */
export function sqlalchemyUtilsAttr(path: string): boolean {
  return sqlalchemyUtilsKind(path) !== undefined;
}

/**
 * `sqlalchemy_utils.<name>(*args, **kwargs)` (name is the class name) as the SQLAlchemy type the
 * database gets for the dialect. A type that differs by database is refused when the dialect is
 * not known; one the dialect cannot have (TSVECTOR on SQLite) is refused where it is rendered,
 * as SQLAlchemy refuses it when it compiles the DDL.
 */
export function sqlalchemyUtilsCall(name: string, args: PyValue[], kwargs: Map<string, PyValue>, dialect: Dialect, line: number): Call {
  const a = new Args(name, args, kwargs, line);
  const sa = (fn: string, pos: PyValue[] = [], kw: [string, PyValue][] = []): Call => new Call(fn, pos, new Map(kw), line);
  const perDialect = (): 'sqlite' | 'postgresql' => {
    if (dialect) return dialect;
    throw new Unsupported(line, `sqlalchemy_utils.${name}(...)`, 'its column type depends on the database, known only when the migration runs');
  };
  switch (name) {
    case 'UUIDType': {
      const [binary, native] = a.bind(['binary', 'native'], [true, true]);
      // Native UUID on PostgreSQL; elsewhere BINARY(16), or CHAR(32) with binary=False.
      // Its bind processor: str(value) for the native type, value.hex for CHAR(32) (value.bytes, not modelled, for BINARY(16)).
      const bound = (t: Call, rule: 'text' | 'hex') => { uuidBinding.set(t, rule); return t; };
      if (truthy(native) && perDialect() === 'postgresql') return bound(sa('pg.UUID'), 'text');
      return truthy(binary) ? sa('sa.BINARY', [], [['length', 16]]) : bound(sa('sa.CHAR', [32]), 'hex');
    }
    case 'ChoiceType': {
      const [choices, impl] = a.bind(['choices', 'impl'], [undefined, null]);
      if (choices === undefined) throw new PythonError(line, 'TypeError', "ChoiceType.__init__() missing 1 required positional argument: 'choices'");
      if (!truthy(impl)) return sa('sa.Unicode', [255]);
      if (!(impl instanceof Call)) throw new Unsupported(line, 'sqlalchemy_utils.ChoiceType(impl=...)', 'expected a SQLAlchemy type');
      return impl;
    }
    case 'ArrowType': {
      // Its arguments go to DateTime, by keyword only (a positional one collides with its own).
      if (args.length) throw new PythonError(line, 'TypeError', "EnrichedDateTimeType.__init__() got multiple values for argument 'datetime_processor'");
      const timezone = a.implKw(['timezone']).get('timezone');
      return sa('sa.DateTime', [], timezone === undefined ? [] : [['timezone', truthy(timezone)]]);
    }
    case 'TSVectorType':
      // Its arguments (column names, weights, regconfig) are for queries; the column is TSVECTOR.
      return sa('pg.TSVECTOR');
    case 'JSONType': {
      const text = a.stringImpl('sa.UnicodeText', args);
      return perDialect() === 'postgresql' ? sa('pg.JSON') : text;
    }
    case 'EmailType': {
      const [length, ...rest] = a.bind(['length'], [255], true) as PyValue[];
      return a.stringImpl('sa.Unicode', [length, ...rest]);
    }
    case 'URLType': return a.stringImpl('sa.UnicodeText', args);
    case 'IPAddressType': {
      // The impl built from the other arguments is replaced by Unicode(max_length).
      const [maxLength, ...rest] = a.bind(['max_length'], [50], true) as PyValue[];
      a.stringImpl('sa.Unicode', rest);
      return sa('sa.Unicode', [maxLength]);
    }
    case 'LocaleType':
      a.bind([], []);
      return sa('sa.Unicode', [10]);
    case 'TimezoneType': {
      const [backend] = a.bind(['backend'], ['dateutil']);
      if (!['dateutil', 'pytz', 'zoneinfo'].includes(backend as string)) throw new PythonError(line, 'ImproperlyConfigured', "'pytz', 'dateutil' or 'zoneinfo' are the backends supported for 'TimezoneType'");
      return sa('sa.Unicode', [50]);
    }
    case 'ScalarListType':
      a.bind(['coerce_func', 'separator'], [null, ',']);
      return sa('sa.UnicodeText');
    // Their impl is an instance: SQLAlchemy drops the arguments (CountryType(3) is still VARCHAR(2)).
    case 'CountryType': return sa('sa.String', [2]);
    case 'CurrencyType': return sa('sa.String', [3]);
    case 'StringEncryptedType': case 'EncryptedType': {
      // type_in, key, engine and padding encrypt values; the other keywords go to the impl.
      a.bind(['type_in', 'key', 'engine', 'padding'], [null, null, null, null], false, true);
      const kw = a.implKw(['length'], ['type_in', 'key', 'engine', 'padding']);
      const length = kw.get('length');
      const fn = name === 'EncryptedType' ? 'sa.LargeBinary' : 'sa.String';
      return length === undefined || length === null ? sa(fn) : sa(fn, [], [['length', length]]);
    }
  }
  throw new Unsupported(line, `sqlalchemy_utils.${name}`, 'a sqlalchemy_utils type the embedded engine does not model');
}

const truthy = (v: PyValue | undefined): boolean =>
  !(v === undefined || v === null || v === false || v === 0 || v === '' || (Array.isArray(v) && v.length === 0) || (v instanceof PyDict && v.entries.size === 0));

/** A call's arguments bound as Python binds them to the type's `__init__`. */
class Args {
  constructor(readonly name: string, readonly args: PyValue[], readonly kwargs: Map<string, PyValue>, readonly line: number) {}

  /**
   * The named parameters' values (positional first, then by keyword, then the default). With
   * `star`, extra positional arguments follow (for `*args`); with `kwStar`, unknown keywords are
   * left to `implKw`.
   */
  bind(params: string[], defaults: (PyValue | undefined)[], star = false, kwStar = false): (PyValue | undefined)[] {
    if (!star && this.args.length > params.length) {
      throw new PythonError(this.line, 'TypeError', `${this.name}.__init__() takes ${params.length + 1} positional arguments but ${this.args.length + 1} were given`);
    }
    const out = params.map((p, i) => {
      if (i < this.args.length) {
        if (this.kwargs.has(p)) throw new PythonError(this.line, 'TypeError', `${this.name}.__init__() got multiple values for argument '${p}'`);
        return this.args[i];
      }
      return this.kwargs.has(p) ? this.kwargs.get(p) : defaults[i];
    });
    if (!star && !kwStar) {
      for (const k of this.kwargs.keys()) {
        if (!params.includes(k)) throw new PythonError(this.line, 'TypeError', `${this.name}.__init__() got an unexpected keyword argument '${k}'`);
      }
    }
    return star ? [...out, ...this.args.slice(params.length)] : out;
  }

  /** The keywords that go on to the impl's constructor (`own` are the type's own parameters). */
  implKw(known: string[], own: string[] = []): Map<string, PyValue> {
    const out = new Map<string, PyValue>();
    for (const [k, v] of this.kwargs) {
      if (own.includes(k)) continue;
      if (!known.includes(k)) throw new Unsupported(this.line, `sqlalchemy_utils.${this.name}(${k}=...)`, 'this argument of the column type is not modelled by the embedded engine');
      out.set(k, v);
    }
    return out;
  }

  /** A String-family impl built from `(length)` positionally or `length=`; other arguments are not modelled. */
  stringImpl(fn: string, pos: PyValue[]): Call {
    const own = this.name === 'EmailType' ? ['length'] : this.name === 'IPAddressType' ? ['max_length'] : [];
    const kw = this.implKw(['length'], own);
    if (pos.length > 1) throw new Unsupported(this.line, `sqlalchemy_utils.${this.name}(...)`, 'arguments after the length (collation) are not modelled by the embedded engine');
    if (pos.length && kw.has('length')) throw new PythonError(this.line, 'TypeError', `${fn.slice(3)}.__init__() got multiple values for argument 'length'`);
    const length = pos.length ? pos[0] : kw.get('length');
    if (length !== undefined && length !== null && typeof length !== 'number') throw new Unsupported(this.line, `sqlalchemy_utils.${this.name}(length=...)`, 'expected a number');
    return new Call(fn, length === undefined || length === null ? [] : [length], new Map(), this.line);
  }
}
