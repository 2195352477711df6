/**
 * sqlalchemy_utils' column types against the real library: each form is compiled by SQLAlchemy
 * (`CREATE TABLE t (c <type>)`) for PostgreSQL and SQLite in /usr/bin/python3, and the type text
 * must be what our DDL compiler renders for the Call we model it as. Fails (never skips) when the
 * library is not installed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { Call, PyDict, PyValue, Unsupported } from '../../../src/engine/ops/values';
import { readType, renderType } from '../../../src/engine/ops/ddl/types';
import { dialectFor } from '../../../src/engine/dialects';
import { PythonError } from '../../../src/engine/ops/python/eval/errors';
import { sqlalchemyUtilsAttr, sqlalchemyUtilsCall, sqlalchemyUtilsKind } from '../../../src/engine/ops/python/eval/libraries/sqlalchemyUtils';
import { PYTHON } from '../pythonOracle';

const DIALECTS = ['postgresql', 'sqlite'] as const;
type Outcome = { ok: string } | { error: string };

const HARNESS = `
import json, sys, warnings, functools, inspect
warnings.simplefilter('ignore')
try:
    import sqlalchemy as sa
    import sqlalchemy_utils, cryptography, pytz, dateutil  # the last three: the encrypted types and TimezoneType's backends
    from sqlalchemy.dialects import postgresql, sqlite
    from sqlalchemy.schema import CreateTable
    from sqlalchemy_utils.types.encrypted.encrypted_type import AesEngine, FernetEngine
except ImportError as e:
    print(json.dumps({'missing': str(e)})); sys.exit(0)
req = json.load(sys.stdin)
def column(expr, dialect):
    try:
        t = eval(expr)
        ddl = str(CreateTable(sa.Table('t', sa.MetaData(), sa.Column('c', t))).compile(dialect=dialect))
        return {'ok': ddl.split('\\tc ', 1)[1].split('\\n)')[0]}
    except Exception as e:
        return {'error': '%s: %s' % (type(e).__name__, e)}
def kind(path):
    try:
        obj = functools.reduce(getattr, path.split('.'), sqlalchemy_utils)
    except AttributeError:
        return None
    if inspect.ismodule(obj): return 'module'
    if isinstance(obj, type) and issubclass(obj, sa.types.TypeDecorator) and obj.__name__ == path.split('.')[-1]: return 'type'
    return 'value'
print(json.dumps({
    'columns': [{d: column(e, dd) for d, dd in (('postgresql', postgresql.dialect()), ('sqlite', sqlite.dialect()))} for e in req['exprs']],
    'kinds': [kind(p) for p in req['paths']],
}))
`;

function oracle(exprs: string[], paths: string[]): { columns: Record<string, Outcome>[]; kinds: (string | null)[] } {
  const out = JSON.parse(execFileSync(PYTHON, ['-c', HARNESS], { input: JSON.stringify({ exprs, paths }), encoding: 'utf8', maxBuffer: 64 << 20 }));
  if (out.missing) {
    assert.fail(`sqlalchemy_utils (or a library its types need) is not importable by ${PYTHON} (${out.missing}). Install it: apt-get install python3-sqlalchemy-utils python3-cryptography python3-tz python3-dateutil`);
  }
  return out;
}

// ---- the forms, written once: our call, and the same call as Python source ----

/** A class passed as a value (`engine=AesEngine`): kept as a call without arguments, as the evaluator keeps it. */
const cls = (name: string): Call => new Call(`sqlalchemy_utils.types.encrypted.encrypted_type.${name}`, [], new Map(), 1);
const saType = (fn: string, args: PyValue[] = [], kw: Record<string, PyValue> = {}): Call => new Call(fn, args, new Map(Object.entries(kw)), 1);

function py(v: PyValue): string {
  if (v === null) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(py).join(', ')}]`;
  if (v instanceof PyDict) return `{${[...v.entries].map(([k, x]) => `${py(k)}: ${py(x)}`).join(', ')}}`;
  if (v instanceof Call) {
    if (v.fn.startsWith('sqlalchemy_utils.')) return v.fn.split('.').pop()!;
    const fn = v.fn.replace(/^pg\./, 'postgresql.');
    return `${fn}(${[...v.args.map(py), ...[...v.kwargs].map(([k, x]) => `${k}=${py(x)}`)].join(', ')})`;
  }
  throw new Error(`no Python form for ${String(v)}`);
}

interface Form { name: string; args?: PyValue[]; kw?: Record<string, PyValue>; array?: boolean }
const pyForm = (f: Form): string => {
  const call = `sqlalchemy_utils.${f.name}(${[...(f.args ?? []).map(py), ...Object.entries(f.kw ?? {}).map(([k, x]) => `${k}=${py(x)}`)].join(', ')})`;
  return f.array ? `sa.ARRAY(${call})` : call;
};

const CHOICES: PyValue = [['admin', 'Admin'], ['user', 'User']];

// Every form the survey projects use, and each argument that changes the column.
const FORMS: Form[] = [
  { name: 'UUIDType' }, { name: 'UUIDType', kw: { binary: false } }, { name: 'UUIDType', args: [false] },
  { name: 'UUIDType', kw: { binary: false, native: false } }, { name: 'UUIDType', kw: { native: false } }, { name: 'UUIDType', args: [true, false] },
  { name: 'UUIDType', kw: { binary: 0 } }, { name: 'UUIDType', kw: { binary: false }, array: true },
  { name: 'ChoiceType', args: [CHOICES] }, { name: 'ChoiceType', args: [CHOICES], kw: { impl: saType('sa.String') } },
  { name: 'ChoiceType', args: [CHOICES], kw: { impl: saType('sa.String', [10]) } }, { name: 'ChoiceType', args: [CHOICES, saType('sa.Integer')] },
  { name: 'ChoiceType', args: [CHOICES], kw: { impl: null } }, { name: 'ChoiceType', args: [CHOICES], array: true },
  { name: 'ArrowType' }, { name: 'ArrowType', kw: { timezone: true } }, { name: 'ArrowType', kw: { timezone: false } },
  { name: 'TSVectorType' }, { name: 'TSVectorType', args: ['name', 'description'], kw: { weights: new PyDict(new Map([['name', 'A'], ['description', 'B']])) } },
  { name: 'TSVectorType', args: ['name'], kw: { regconfig: 'pg_catalog.simple' } },
  { name: 'JSONType' }, { name: 'JSONType', kw: { length: 5 } }, { name: 'JSONType', args: [8] },
  { name: 'EmailType' }, { name: 'EmailType', kw: { length: 100 } }, { name: 'EmailType', args: [64] },
  { name: 'URLType' }, { name: 'URLType', args: [20] }, { name: 'URLType', kw: { length: 30 } },
  { name: 'IPAddressType' }, { name: 'IPAddressType', kw: { length: 50 } }, { name: 'IPAddressType', kw: { max_length: 30 } }, { name: 'IPAddressType', args: [45] },
  { name: 'IPAddressType', args: [45, 10] },
  { name: 'LocaleType' }, { name: 'TimezoneType' }, { name: 'TimezoneType', kw: { backend: 'pytz' } }, { name: 'TimezoneType', args: ['dateutil'] },
  { name: 'ScalarListType' }, { name: 'ScalarListType', kw: { separator: ';' } },
  { name: 'CountryType' }, { name: 'CountryType', args: [3] }, { name: 'CurrencyType' }, { name: 'CurrencyType', kw: { length: 9 } },
  { name: 'StringEncryptedType' }, { name: 'StringEncryptedType', args: [saType('sa.String'), 'key', cls('AesEngine'), 'pkcs5'] },
  { name: 'StringEncryptedType', kw: { key: 'k', engine: cls('AesEngine'), padding: 'pkcs5' } },
  { name: 'StringEncryptedType', args: [saType('sa.Unicode', [10]), 'k'], kw: { length: 30 } },
  { name: 'EncryptedType', args: [saType('sa.String'), 'key', cls('AesEngine'), 'pkcs5'] },
  { name: 'EncryptedType', args: [saType('sa.String'), 'key', cls('FernetEngine')], kw: { length: 20 } },
  // Python errors: both sides must refuse.
  { name: 'ArrowType', args: [true] }, { name: 'LocaleType', args: ['en'] }, { name: 'ChoiceType' }, { name: 'UUIDType', args: [true, true, true] },
  { name: 'UUIDType', kw: { length: 3 } }, { name: 'TimezoneType', kw: { backend: 'nope' } }, { name: 'EmailType', args: [10], kw: { length: 5 } },
  { name: 'StringEncryptedType', args: [null, null, null, null, null] },
];

function ours(f: Form, dialect: (typeof DIALECTS)[number]): Outcome {
  try {
    const kwargs = new Map(Object.entries(f.kw ?? {}));
    let c = sqlalchemyUtilsCall(f.name, f.args ?? [], kwargs, dialect, 7);
    if (f.array) c = new Call('sa.ARRAY', [c], new Map(), 7);
    return { ok: renderType(readType(c, 7), dialectFor(dialect)) };
  } catch (e) {
    if (!(e instanceof Unsupported)) throw e;
    return { error: e.message };
  }
}

const pySource = pyForm;

test('each modelled form renders in DDL exactly as SQLAlchemy renders the sqlalchemy_utils type, on PostgreSQL and SQLite', () => {
  const { columns } = oracle(FORMS.map(pySource), []);
  let compared = 0;
  FORMS.forEach((f, i) => {
    for (const d of DIALECTS) {
      const real = columns[i][d];
      const mine = ours(f, d);
      const what = `${pySource(f)} on ${d}: SQLAlchemy ${JSON.stringify(real)}, ours ${JSON.stringify(mine)}`;
      if ('ok' in real) assert.deepEqual(mine, real, what);
      else assert.ok('error' in mine, what); // SQLAlchemy refuses it (TSVECTOR on SQLite, a TypeError): so do we
      compared++;
    }
  });
  assert.equal(compared, FORMS.length * 2);
  // The refusals above are of the right kind: SQLite cannot have TSVECTOR; a Python error is one.
  assert.match((ours({ name: 'TSVectorType' }, 'sqlite') as { error: string }).error, /^line 7: pg\.TSVECTOR: SQLAlchemy cannot render this type for SQLite/);
  assert.throws(() => sqlalchemyUtilsCall('ArrowType', [true], new Map(), 'sqlite', 3), (e: unknown) => e instanceof PythonError && e.pyType === 'TypeError');
});

test('a type used as a class (`sa.Column("c", JSONType)`) is the call without arguments, in SQLAlchemy too', () => {
  const names = ['UUIDType', 'ArrowType', 'TSVectorType', 'JSONType', 'EmailType', 'URLType', 'IPAddressType', 'LocaleType', 'TimezoneType', 'ScalarListType', 'CountryType', 'CurrencyType', 'StringEncryptedType', 'EncryptedType'];
  const { columns } = oracle(names.flatMap((n) => [`sqlalchemy_utils.${n}`, `sqlalchemy_utils.${n}()`]), []);
  const text = (o: Record<string, Outcome>) => JSON.stringify(o).replace(/ at 0x[0-9a-f]+/g, '');
  names.forEach((n, i) => assert.equal(text(columns[2 * i]), text(columns[2 * i + 1]), n));
});

test('names: every path claimed resolves to that kind in the real module; others are not claimed', () => {
  const types = ['UUIDType', 'ChoiceType', 'ArrowType', 'TSVectorType', 'JSONType', 'EmailType', 'URLType', 'IPAddressType', 'LocaleType', 'TimezoneType', 'ScalarListType', 'CountryType', 'CurrencyType', 'StringEncryptedType', 'EncryptedType'];
  const modules: Record<string, string> = { UUIDType: 'uuid', ChoiceType: 'choice', ArrowType: 'arrow', TSVectorType: 'ts_vector', JSONType: 'json', EmailType: 'email', URLType: 'url', IPAddressType: 'ip_address', LocaleType: 'locale', TimezoneType: 'timezone', ScalarListType: 'scalar_list', CountryType: 'country', CurrencyType: 'currency', StringEncryptedType: 'encrypted.encrypted_type', EncryptedType: 'encrypted.encrypted_type' };
  const claimed = [
    'types', 'types.encrypted', ...new Set(Object.values(modules).map((m) => `types.${m}`)),
    ...types.flatMap((t) => [t, `types.${t}`, `types.${modules[t]}.${t}`]),
    'types.encrypted.encrypted_type.AesEngine', 'types.encrypted.encrypted_type.AesGcmEngine', 'types.encrypted.encrypted_type.FernetEngine',
  ];
  const notClaimed = ['generic_repr', 'PasswordType', 'types.password.PasswordType', 'types.uuid.ChoiceType', 'types.ltree', 'database_exists', 'AesEngine', 'types.uuid.uuid', 'Foo'];
  const { kinds } = oracle([], claimed);
  claimed.forEach((p, i) => {
    assert.equal(sqlalchemyUtilsAttr(p), true, p);
    assert.equal(kinds[i], sqlalchemyUtilsKind(p), `sqlalchemy_utils.${p}: Python says ${kinds[i]}, we say ${sqlalchemyUtilsKind(p)}`);
  });
  for (const p of notClaimed) assert.equal(sqlalchemyUtilsAttr(p), false, p);
});

test('a type that differs by database is refused when the database is not known; the others are not', () => {
  for (const [name, kw] of [['UUIDType', { binary: false }], ['UUIDType', {}], ['JSONType', {}]] as const) {
    assert.throws(() => sqlalchemyUtilsCall(name, [], new Map(Object.entries(kw)), undefined, 4),
      (e: unknown) => e instanceof Unsupported && !(e instanceof PythonError) && e.message === `line 4: sqlalchemy_utils.${name}(...): its column type depends on the database, known only when the migration runs`);
  }
  const same = (name: string, args: PyValue[], kw: Record<string, PyValue> = {}) => {
    const c = sqlalchemyUtilsCall(name, args, new Map(Object.entries(kw)), undefined, 4);
    for (const d of DIALECTS) assert.equal(renderType(readType(c, 4), dialectFor(d)), renderType(readType(sqlalchemyUtilsCall(name, args, new Map(Object.entries(kw)), d, 4), 4), dialectFor(d)), `${name} on ${d}`);
  };
  same('UUIDType', [], { native: false }); same('ChoiceType', [CHOICES]); same('ArrowType', [], { timezone: true }); same('EmailType', []);
  same('StringEncryptedType', [], { length: 40 }); same('CountryType', []);
});

test('unknown names and arguments the engine does not model are refused with what and why', () => {
  assert.throws(() => sqlalchemyUtilsCall('PasswordType', [], new Map(), 'postgresql', 9),
    (e: unknown) => e instanceof Unsupported && e.message === 'line 9: sqlalchemy_utils.PasswordType: a sqlalchemy_utils type the embedded engine does not model');
  // A collation would change the DDL: refused rather than dropped.
  assert.throws(() => sqlalchemyUtilsCall('EmailType', [], new Map([['collation', 'C']]), 'postgresql', 9),
    (e: unknown) => e instanceof Unsupported && !(e instanceof PythonError) && /EmailType\(collation=\.\.\.\)/.test(e.message));
  assert.throws(() => sqlalchemyUtilsCall('URLType', [10, 'C'], new Map(), 'sqlite', 9), (e: unknown) => e instanceof Unsupported && /collation/.test(e.message));
});
