/**
 * Random Python that parses (indentation kept), built from the evaluator's subset and around it:
 * the names it models (op, sa, the ORM session, reflection, datetime/json/collections, event
 * listeners on TypeDecorator subclasses, autocommit blocks, sync_enum_values) combined with
 * hostile values (huge numbers and ranges, odd unicode, None where an object is expected, wrong
 * arities, self-reference, recursion). Random concatenation of fragments mostly yields syntax
 * errors, which stop before the evaluator; these reach it.
 */
import fc from 'fast-check';

export const PRELUDE = `from alembic import op, context
import sqlalchemy as sa
from sqlalchemy import event, orm
from sqlalchemy.orm import Session, declarative_base
from sqlalchemy.dialects import postgresql
from alembic_postgresql_enum import TableReference, ColumnType
import datetime, json, collections, uuid, time
from collections import defaultdict, OrderedDict, Counter, namedtuple

Base = declarative_base()


class T(Base):
    __tablename__ = "t"
    id = sa.Column(sa.Integer, primary_key=True)
    a = sa.Column(sa.String(10))


class MyType(sa.types.TypeDecorator):
    impl = sa.Integer
    cache_ok = True


t = sa.table("t", sa.column("id", sa.Integer), sa.column("a", sa.String))
x = 1
s = "abc"
d = {"k": [1, 2]}
`;

const NAMES = ['x', 'y', 's', 'd', 't', 'e', 'f', 'g', 'col', 'rows', 'conn', 'meta', 'session', 'MyType', 'T', 'Base', 'i', 'k', 'v', 'op', 'sa'];
const ATTRS = ['c', 'c.id', 'c.a', 'name', 'columns', 'tables', 'insert()', 'values', 'where', 'execute', 'scalar', 'fetchall', 'first', 'one', 'all', 'query', 'filter',
  'get_bind()', 'dialect.name', 'dialect', 'engine.url', '__class__', '__dict__', '__name__', '__bases__', 'append', 'items', 'keys', 'get', 'update', 'pop', 'setdefault',
  'strftime', 'isoformat()', 'now()', 'date()', 'info', 'table', 'enum', 'impl', 'type', 'key', 'format', 'join', 'split', 'encode', 'mappings()', '_mapping', '_asdict()',
  'label', 'in_', 'is_', 'like', 'desc()', 'add', 'flush', 'commit', 'delete', 'count', 'get_columns', 'get_table_names', 'reflect', 'autocommit_block()', 'batch_alter_table'];
const LITERALS = ['None', 'True', 'False', '0', '1', '-1', '3', '2 ** 53', '2 ** 62', '10 ** 6', '10 ** 9', '1e308', '-0.0', '0.5', 'float("nan")', 'float("inf")', '...',
  '"a"', '""', '"t"', '"id"', '"%s"', '"{}"', '"{0}{1}"', '"%(a)s"', '"e\\u0301"', '"\\ud800"', '"\\x00"', '"\u202e"', '"\u{1F600}"', '"\u0130"', '"\uFB01"', '"ß"', "'''a\nb'''",
  'r"\\d+"', '"%Y-%m-%d %H:%M:%S.%f"', '"%q"', '"SELECT 1"', '"SELECT id, a FROM t"', '"DROP TABLE t"', '"a" * 1000', '"x" * 10 ** 6', '[0] * 10 ** 6', 'list(range(10 ** 5))'];
const CALLS = ['op.execute', 'op.create_table', 'op.add_column', 'op.drop_column', 'op.alter_column', 'op.bulk_insert', 'op.create_index', 'op.sync_enum_values', 'op.f',
  'op.get_bind().execute', 'op.get_context().autocommit_block', 'sa.Column', 'sa.table', 'sa.column', 'sa.Table', 'sa.MetaData', 'sa.text', 'sa.select', 'sa.insert', 'sa.update',
  'sa.and_', 'sa.or_', 'sa.func.lower', 'sa.func.now', 'sa.CheckConstraint', 'sa.Enum', 'sa.String', 'sa.Integer', 'sa.inspect', 'sa.type_coerce', 'sa.literal_column', 'postgresql.ENUM',
  'Session', 'orm.sessionmaker', 'TableReference', 'event.listen', 'event.listens_for', 'datetime.datetime', 'datetime.date', 'datetime.timedelta', 'datetime.datetime.now',
  'datetime.datetime.utcnow', 'uuid.uuid4', 'uuid.UUID', 'time.time', 'json.dumps', 'json.loads', 'defaultdict', 'OrderedDict', 'Counter', 'namedtuple', 'range', 'sorted', 'reversed', 'enumerate', 'zip', 'map',
  'filter', 'isinstance', 'len', 'str', 'repr', 'int', 'float', 'bool', 'dict', 'list', 'tuple', 'set', 'min', 'max', 'sum', 'any', 'all', 'abs', 'round', 'print', 'type',
  'hasattr', 'getattr', 'super', 'iter', 'next', 'id', 'hash', 'chr', 'ord', 'hex', 'divmod', 'pow', 'format', 'vars', 'locals', 'globals', 'T', 'MyType', 'f', 'g', 'context.get_x_argument',
  'context.config.get_main_option', 'context.is_offline_mode'];
const BINOPS = ['+', '-', '*', '/', '//', '%', '**', '==', '!=', '<', '>=', 'in', 'not in', 'is', 'is not', 'and', 'or', '&', '|', '^', '<<', '>>', '@'];
const EXCEPTIONS = ['KeyError', 'Exception', 'BaseException', 'ValueError', '(KeyError, IndexError)', 'sa.exc.IntegrityError', 'sa.exc.OperationalError', 'ImportError', 'NameError', 'Nope', 'e'];
const EVENTS = ['"before_parent_attach"', '"after_parent_attach"', '"before_create"', '"after_create"', '"nope"', 'None', '1'];

const name = fc.constantFrom(...NAMES);
const pick = <T>(xs: T[]) => fc.constantFrom(...xs);

/** Expressions, nested up to `depth`. */
function expr(depth: number): fc.Arbitrary<string> {
  const leaf = fc.oneof({ weight: 4, arbitrary: pick(LITERALS) }, { weight: 4, arbitrary: name },
    fc.string({ maxLength: 4 }).map((x) => JSON.stringify(x)), fc.integer({ min: -3, max: 1000 }).map(String));
  if (depth <= 0) return leaf;
  const e = expr(depth - 1);
  // Positional arguments, then keywords (else it is a syntax error, refused before evaluation).
  const args = fc.tuple(fc.array(e, { maxLength: 3 }), fc.array(fc.tuple(pick(['name', 'type_', 'k', 'x', 'bind', 'only', 'schema', 'days', 'default']), e), { maxLength: 2 }),
    fc.constantFrom('', '', '', ', *d', ', **d', ', *[]'))
    .map(([pos, kw, star]) => [...pos, ...kw.map(([k, v]) => `${k}=${v}`)].join(', ') + (pos.length || kw.length ? star : ''));
  return fc.oneof(
    { weight: 6, arbitrary: leaf },
    { weight: 4, arbitrary: fc.tuple(pick(CALLS), args).map(([f, a]) => `${f}(${a})`) },
    { weight: 2, arbitrary: fc.tuple(e, pick(ATTRS)).map(([o, a]) => `${o}.${a}`) },
    fc.tuple(e, args).map(([f, a]) => `${f}(${a})`),
    fc.tuple(e, e).map(([o, i]) => `${o}[${i}]`),
    fc.tuple(e, e, e).map(([o, a, b]) => `${o}[${a}:${b}]`),
    { weight: 2, arbitrary: fc.tuple(e, pick(BINOPS), e).map(([l, op, r]) => `(${l} ${op} ${r})`) },
    fc.tuple(pick(['not ', '-', '~', '+']), e).map(([op, v]) => `(${op}${v})`),
    fc.array(e, { maxLength: 3 }).map((xs) => `[${xs.join(', ')}]`),
    fc.array(e, { maxLength: 3 }).map((xs) => (xs.length ? `(${xs.join(', ')},)` : '()')),
    fc.array(fc.tuple(e, e), { maxLength: 3 }).map((xs) => `{${xs.map(([k, v]) => `${k}: ${v}`).join(', ')}}`),
    fc.tuple(e, e, e).map(([v, it, c]) => `[${v} for i in ${it} if ${c}]`),
    fc.tuple(e, e).map(([v, it]) => `{k: ${v} for k, v in ${it}}`),
    fc.tuple(e, e).map(([v, it]) => `(${v} for i in ${it})`),
    e.map((v) => `(lambda *a, **k: ${v})`),
    fc.tuple(e, e).map(([v, w]) => `f"{${v.replace(/"/g, "'")}!r:>{${w.replace(/"/g, "'")}}}"`),
    fc.tuple(e, e, e).map(([a, c, b]) => `(${a} if ${c} else ${b})`),
    fc.tuple(e, e).map(([a, b]) => `"{0[0]}{x.y}".format(${a}, x=${b})`),
  );
}

const indent = (lines: string[]) => lines.map((l) => `    ${l}`);

/** Statements as lines, nested up to `depth`. */
function statements(depth: number, maxLength = 4): fc.Arbitrary<string[]> {
  return fc.array(statement(depth), { minLength: 1, maxLength }).map((xs) => xs.flat());
}

function statement(depth: number): fc.Arbitrary<string[]> {
  const e = expr(depth > 0 ? 2 : 1);
  const simple = fc.oneof(
    { weight: 4, arbitrary: fc.tuple(name, e).map(([n, v]) => [`${n} = ${v}`]) },
    { weight: 4, arbitrary: e.map((v) => [v]) },
    { weight: 3, arbitrary: fc.tuple(pick(CALLS), fc.array(e, { maxLength: 3 })).map(([f, a]) => [`${f}(${a.join(', ')})`]) },
    fc.tuple(name, name, e).map(([a, b, v]) => [`${a}, ${b} = ${v}`]),
    fc.tuple(name, pick(['+=', '*=', '-=', '//=', '|=']), e).map(([n, op, v]) => [`${n} ${op} ${v}`]),
    fc.tuple(name, e, e).map(([n, k, v]) => [`${n}[${k}] = ${v}`]),
    fc.tuple(name, pick(ATTRS), e).map(([n, a, v]) => [`${n}.${a.replace(/\(\)$/, '')} = ${v}`]),
    fc.constantFrom<string[]>(['pass'], ['global x'], ['nonlocal x'], ['return'], ['break'], ['continue'], ['raise'], ['del x'], ['import os'], ['import json'],
      ['from myapp import models'], ['d[d] = d'], ['d["self"] = d'], ['l = []', 'l.append(l)'], ['x = x'], ['yield 1'], ['f()'], ['g(g)']),
    e.map((v) => [`return ${v}`]),
    e.map((v) => [`raise ${v}`]),
    fc.tuple(e, e).map(([a, b]) => [`assert ${a}, ${b}`]),
  );
  if (depth <= 0) return simple;
  const body = statements(depth - 1);
  const params = fc.constantFrom('', 'a', 'a, b=1', '*args, **kw', 'a, *, k', 'type_, column', 'column, table', 'self', 'a=[]', 'a, a');
  return fc.oneof(
    { weight: 6, arbitrary: simple },
    fc.tuple(e, body, body).map(([c, a, b]) => [`if ${c}:`, ...indent(a), 'else:', ...indent(b)]),
    fc.tuple(name, e, body).map(([n, it, b]) => [`for ${n} in ${it}:`, ...indent(b)]),
    fc.tuple(e, body).map(([c, b]) => [`while ${c}:`, ...indent(b)]),
    fc.tuple(body, pick(EXCEPTIONS), body, fc.boolean(), body).map(([b, ex, h, fin, f]) => [
      'try:', ...indent(b), `except ${ex} as err:`, ...indent(h), ...(fin ? ['finally:', ...indent(f)] : ['else:', ...indent(f)])]),
    fc.tuple(pick(['f', 'g', '_l', 'upgrade_helper']), params, body).map(([n, p, b]) => [`def ${n}(${p}):`, ...indent(b)]),
    fc.tuple(pick(['op.batch_alter_table("t") as b', 'op.get_context().autocommit_block()', 'Session(bind=op.get_bind()) as session', 'open("f") as fh', 'x']), body)
      .map(([w, b]) => [`with ${w}:`, ...indent(b)]),
    fc.tuple(pick(['MyType', 'T', 'sa.Integer', 'x', 'None', 'col']), pick(EVENTS), params, body).map(([target, ev, p, b]) => [
      `@event.listens_for(${target}, ${ev})`, `def _l(${p}):`, ...indent(b)]),
    fc.tuple(pick(['Base', 'sa.types.TypeDecorator', 'MyType', 'object', 'T', 'x']), body).map(([base, b]) => [
      `class K(${base}):`, '    __tablename__ = "k"', '    impl = sa.String', '    id = sa.Column(sa.Integer, primary_key=True)', ...indent(b)]),
  );
}

/** A revision file: the prelude, module-level code, and upgrade()/downgrade() bodies. */
export const pythonProgram: fc.Arbitrary<string> = fc.tuple(fc.array(statement(2), { maxLength: 2 }), statements(2, 5), statements(1, 2))
  .map(([mod, up, down]) => [PRELUDE, ...mod.flat(), '', 'def upgrade():', ...indent(up), '', 'def downgrade():', ...indent(down), ''].join('\n'));
