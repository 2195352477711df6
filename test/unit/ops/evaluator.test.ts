/**
 * The safe evaluator: Python semantics checked against Python itself, what it refuses (each with
 * its line and its words), Python errors as Python names them, and its limits (no file, process or
 * network access, no import outside the project, a step budget).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readMigrationFunctions, ReadFunction } from '../../../src/engine/ops/python/reader';
import { Call, TextClause } from '../../../src/engine/ops/values';
import { PythonError } from '../../../src/engine/ops/python/eval/errors';
import { planOps } from '../../../src/engine/ops/plan';
import { dialectFor } from '../../../src/engine/ops/ddl/dialect';
import { DEFAULT_CONVENTION } from '../../../src/engine/naming/convention';
import { writeTree } from '../tmpProject';

const HEAD = 'from alembic import op\nimport sqlalchemy as sa\nfrom sqlalchemy.dialects import postgresql\nimport myapp.helpers as helpers\n\n';
const HEAD_LINES = 6;

function upgrade(body: string, ctx: Parameters<typeof readMigrationFunctions>[1] = { dialect: 'postgresql' }, prelude = ''): ReadFunction {
  return readMigrationFunctions(`${HEAD}${prelude}def upgrade():\n${body.replace(/^/gm, '    ')}\n\ndef downgrade():\n    pass\n`, ctx).find((f) => f.name === 'upgrade')!;
}

/** The SQL strings op.execute() received, in order. */
function executed(f: ReadFunction): string[] {
  assert.equal(f.unsupported, undefined, f.unsupported?.message);
  return f.ops!.map((o) => {
    assert.equal(o.kind, 'op');
    const a = (o as { call: Call }).call.args[0];
    return a instanceof TextClause ? a.sql : String(a);
  });
}

// Expressions whose repr() Python itself gives: the evaluator must agree, character for character.
const EXPRESSIONS = [
  '"a" + "b" * 3', '"%s-%05.1f-%r-%d%%" % ("x", 3.14159, "q", 7)', '"%(a)s/%(b)03d" % {"a": "k", "b": 5}',
  '"{}-{:>6}-{:<4}|{:^7}|{!r}".format(1, "ab", "c", "mid", "s")', '"{0}{1}{0}".format("x", "y")', '"{name}={v:.2f}".format(name="n", v=2.5)',
  'f"{1 + 2} {\'x\'!r} {3.5:08.3f} {\'é\'} {{}}"', 'f"{[1, 2]!s:>10}|"', '"  a b  ".strip() + "|" + "xxaxx".strip("x")',
  '"a,b,,c".split(",")', '"a b  c".split()', '"a.b.c".rsplit(".", 1)', '"-".join(["p", "q"])', '"ab".upper() + "CD".lower() + "hello world".title()',
  '"abc"[::-1] + "abcdef"[1:4] + "abc"[-1]', '[1, 2, 3, 4][1:] + [0]', '(1, 2) + (3,)', '[x * 2 for x in range(5) if x % 2 == 0]',
  '{k: v for k, v in zip("abc", range(3))}', 'sorted({"b": 1, "a": 2}.items(), key=lambda kv: kv[1])', 'list(enumerate(["x", "y"], 1))',
  'sorted(["b", "C", "a"], key=str.lower) if False else sorted(["b", "C", "a"])', '[min(3, 1, 2), max([4, 9, 2]), sum(range(4)), abs(-3), round(2.5), round(3.5)]',
  '7 // 2, -7 // 2, 7 % 3, -7 % 3, 2 ** 10, 7 / 2', 'not 1 and 0 or 5', 'not (1 and 0) or 5', '1 < 2 < 3, 1 < 3 < 2', '"b" in "abc", 3 in [1, 2], "k" in {"k": 1}',
  '[str(None), str(True), repr("it\'s"), repr(\'q"\'), str(1.5), str(10)]', 'len("héllo"), len([1, 2]), len({})', 'int("42") + int(3.9) + int(True)',
  'dict(a=1, **{"b": 2})', '[*range(2), *"ab"]', '{**{"a": 1}, "b": 2}', '"x" if 0 else "y"', '[i for row in [[1, 2], [3]] for i in row]',
  '"abc".startswith(("x", "a")), "abc".endswith("bc"), "abc".find("c"), "a-b".replace("-", "_")', '"ab" * 0 + "z".zfill(3) + "7".rjust(3, "0")',
  'any([0, "", None]), all([1, "x"]), bool([]), bool("0")', 'tuple("ab"), list((1,)), set() == set()', '"%s" % ((1, 2),)', '"%s|%s" % (None, True)',
  '",".join(str(x) for x in range(3) if x)', '"{:,}".format(1234567) + "{:x}".format(255) + "{:+d}".format(5)', '[1, 2, 3].index(2), "banana".count("a")', 'isinstance("a", str), isinstance(1, (str, int)), isinstance([], tuple)',
];

test('Python semantics: each expression evaluates to what Python gives (repr compared with /usr/bin/python3)', () => {
  const python = execFileSync('/usr/bin/python3', ['-c', 'import json,sys\nfor e in json.load(sys.stdin): print(json.dumps(repr(eval(e))))'],
    { input: JSON.stringify(EXPRESSIONS), encoding: 'utf8' }).trim().split('\n').map((l) => JSON.parse(l) as string);
  const body = EXPRESSIONS.map((e) => `op.execute(repr((${e})))`).join('\n');
  const ours = executed(upgrade(body));
  EXPRESSIONS.forEach((e, i) => assert.equal(ours[i], python[i], e));
});

test('statements: if/elif/else, for/else, while, break/continue, nested functions, defaults and *args/**kwargs, augmented assignment, unpacking', () => {
  const prelude = 'TABLES = ["a", "b", "c"]\n\ndef cols(*names, prefix="c_", **kw):\n    out = []\n    for n in names:\n        out.append(prefix + n + kw.get("suffix", ""))\n    return out\n\n';
  const body = [
    'n = 0', 'for t in TABLES:', '    if t == "b":', '        continue', '    elif t == "c":', '        break', '    else:', '        n += 1',
    'else:', '    n = 100', 'i = 3', 'while i:', '    i -= 1', 'a, (b, c) = 1, (2, 3)', 'def inner(x):', '    return x * n',
    'op.execute(repr([n, i, a + b + c, inner(5), cols("x", "y", suffix="!"), cols(prefix="")]))',
  ].join('\n');
  assert.deepEqual(executed(upgrade(body, undefined, prelude)), ["[1, 0, 6, 5, ['c_x!', 'c_y!'], []]"]);
});

test('what is known before the run: the dialect and --sql; the rest of each branch never runs', () => {
  const body = 'bind = op.get_bind()\nif bind.dialect.name == "postgresql":\n    op.execute("pg")\nelif op.get_context().dialect.name == "sqlite":\n    op.execute("lite")\nfrom alembic import context\nif context.is_offline_mode():\n    op.execute("offline")\nelse:\n    op.get_bind().execute(sa.text("SELECT :x").bindparams(x="it\'s"))';
  assert.deepEqual(executed(upgrade(body, { dialect: 'postgresql' })), ['pg', "SELECT 'it''s'"]);
  assert.deepEqual(executed(upgrade(body, { dialect: 'sqlite', offline: true })), ['lite', 'offline']);
  const unknown = upgrade(body, {});
  assert.match(unknown.unsupported!.why, /known only when the migration runs/);
});

test('SQLAlchemy constructs: with_variant per database, a shared Enum, Enum.create(bind) / drop only on PostgreSQL', () => {
  const prelude = 'kind = postgresql.ENUM("a", "b", name="kind", create_type=False)\n\n';
  const body = 'kind.create(op.get_bind(), checkfirst=False)\nop.add_column("t", sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite")))\nkind.drop(op.get_bind(), checkfirst=False)';
  const pg = upgrade(body, { dialect: 'postgresql' }, prelude).ops!;
  assert.deepEqual(pg.map((o) => o.kind === 'op' && o.name), ['execute', 'add_column', 'execute']);
  assert.equal(((pg[1] as { call: Call }).call.args[1] as Call).args[1] instanceof Call && (((pg[1] as { call: Call }).call.args[1] as Call).args[1] as Call).fn, 'sa.BigInteger');
  const lite = upgrade(body, { dialect: 'sqlite' }, prelude).ops!;
  assert.deepEqual(lite.map((o) => o.kind === 'op' && o.name), ['add_column']);
  assert.equal((((lite[0] as { call: Call }).call.args[1] as Call).args[1] as Call).fn, 'sa.Integer');
});

test('Enum.create(bind) with checkfirst: --sql writes the plain CREATE TYPE / DROP TYPE, as Alembic does; online checks the catalog', () => {
  const body = 'kind = postgresql.ENUM("a", "b", name="kind")\nkind.create(op.get_bind())\nkind.drop(op.get_bind(), checkfirst=True)';
  // Alembic's offline MockConnection forces checkfirst=False (SQLAlchemy 1.4 and 2.0 alike).
  assert.deepEqual(executed(upgrade(body, { dialect: 'postgresql', offline: true })), ["CREATE TYPE kind AS ENUM ('a', 'b')", 'DROP TYPE kind']);
  const online = executed(upgrade(body, { dialect: 'postgresql' }));
  assert.match(online[0], /^DO \$\$ BEGIN IF NOT EXISTS \(SELECT 1 FROM pg_catalog\.pg_type .* THEN CREATE TYPE kind AS ENUM \('a', 'b'\); END IF; END \$\$$/);
  assert.match(online[1], /^DO \$\$ BEGIN IF EXISTS .* THEN DROP TYPE kind; END IF; END \$\$$/);
});

// Constructs the evaluator refuses: the line (in the body) and the words of the message.
const CODED = 'from sqlalchemy import event\nclass Coded(sa.types.TypeDecorator):\n    impl = sa.Integer\n';
const REFUSED: [string, number, RegExp][] = [
  ['rows = op.get_bind().execute(sa.text("SELECT 1")).fetchall()', 1, /fetchall: it reads from the database while the migration runs/],
  ['for r in op.get_bind().execute(sa.text("SELECT id FROM t")):\n    op.execute("x")', 1, /reads from the database/],
  ['n = op.get_bind().execute(sa.text("SELECT 1")).scalar()', 1, /scalar: it reads from the database/],
  ['v = op.get_bind().dialect.server_version_info', 1, /server_version_info.*reads from the database/],
  ['helpers.create_views(op)', 1, /myapp\.helpers\.create_views: .*(not a module of the project|outside the migration)/],
  ['import json\nop.execute(json.JSONEncoder().encode({}))', 2, /json\.JSONEncoder: this part of Python's json module is not evaluated/],
  ['import random\nop.execute(str(random.randint(1, 3)))', 2, /Python's random module is not evaluated/],
  ['import os\nop.execute(os.environ["X"])', 2, /Python's os module/],
  ['import subprocess\nsubprocess.run(["ls"])', 2, /Python's subprocess module/],
  ['open("/etc/passwd")', 1, /open\(\): a Python built-in the embedded engine never runs/],
  ['eval("1")', 1, /eval\(\): a Python built-in the embedded engine never runs/],
  ['exec("x = 1")', 1, /exec\(\): a Python built-in the embedded engine never runs/],
  ['__import__("os")', 1, /__import__\(\): a Python built-in the embedded engine never runs/],
  ['getattr(op, "execute")("x")', 1, /getattr\(\): a Python built-in the embedded engine never runs/],
  ['try:\n    op.execute("x")\nexcept Exception:\n    pass', 1, /whether the database raises here is known only when its statements run/],
  ['with op.batch_alter_table("t") as b:\n    with op.batch_alter_table("u") as c:\n        pass', 2, /a batch inside a batch/],
  ['with open("f") as f:\n    pass', 1, /open\(\): a Python built-in the embedded engine never runs/],
  ['with op.get_context().autocommit_block():\n    with op.get_context().autocommit_block():\n        op.execute("x")', 2, /an autocommit block inside another/],
  ['with op.batch_alter_table("t") as b:\n    with op.get_context().autocommit_block():\n        pass', 2, /an autocommit block inside a batch block/],
  ['op.invoke(None)', 1, /runs a Python operation object/],
  ['op.replace_sproc("a")', 1, /op\.replace_sproc\(\): not an operation the embedded engine runs/],
  ['Base = sa.orm.declarative_base()\nclass T(Base):\n    __tablename__ = "t"\n    id = sa.Column(sa.Integer, primary_key=True)\n    at = sa.Column(sa.String, onupdate=helpers.now)\ns = sa.orm.Session(bind=op.get_bind())\ns.query(T).update({"id": 2})', 7, /T\.at \(onupdate=\.\.\.\): SQLAlchemy would call the column's Python-side onupdate= here, which needs Python/],
  ['Base = sa.orm.declarative_base()\nclass T(Base):\n    __tablename__ = "t"\n    id = sa.Column(sa.Integer, primary_key=True)\n    uid = sa.Column(sa.String, default=helpers.new_id)\ns = sa.orm.Session(bind=op.get_bind())\ns.add(T(id=1))\ns.flush()', 8, /T\.uid \(default=\.\.\.\): SQLAlchemy would call the column's Python-side default= here/],
  ['Base = sa.orm.declarative_base()\nclass T(Base):\n    __tablename__ = "t"\n    id = sa.Column(sa.Integer, primary_key=True)\n    kids = sa.orm.relationship("Kid")\nT.kids', 6, /T\.kids: relationships are not loaded by the embedded engine/],
  ['s = sa.orm.Session(bind=op.get_bind())\ns.query(sa.column("x")).all()', 2, /only session\.query\(Model\), a table, or columns of one model or one table/],
  ['t = sa.table("t", sa.column("x"))\ns = sa.orm.Session(bind=op.get_bind())\ns.query(t).update({"x": 1})', 3, /query\(\.\.\.\)\.update\(\.\.\.\): run on session\.query\(Model\) only/],
  ['s = sa.orm.Session(bind=op.get_bind())\ns.rollback()', 2, /session\.rollback: this part of the ORM Session is not run/],
  ['x = b"bytes"', 1, /a bytes literal/],
  ['x = 1j', 1, /complex number/],
  ['x = 10 ** 400', 1, /(too large|inf)/],
  ['x = lambda: 1\n@x\ndef f():\n    pass', 2, /<lambda>\(\) takes 0 positional arguments but 1 was given/],
  ['async def f():\n    pass', 1, /async def/],
  ['op.execute(sa.select(sa.column("a")).where(sa.column("a") == 1).returning(1))', 1, /(returning|reads rows back)/],
  ['t = sa.table("t", sa.column("a"))\nop.execute(t.update().values(b=1))', 2, /Unconsumed column names: b/],
  ['op.execute(f"{1 = }")', 1, /`=` specifier|not evaluated|Unsupported/],
  ['raise', 1, /bare raise/],
  ['from alembic import context\ncontext.get_x_argument(as_dictionary=True)', 2, /-x arguments/],
  ['import requests\nrequests.get("http://example.com")', 2, /not a module of the project|outside the migration/],  // Event listeners (events.ts): only the parent-attach events of a project's column type, and only constraints attached.
  ['from sqlalchemy import event\nevent.listen(sa.Table, "after_create", lambda *a: None)', 2, /event\.listens_for\(sa\.Table, "after_create"\) at <revision>:8: only the before_parent_attach \/ after_parent_attach events of a column type and its columns are modelled/],
  [`${CODED}def _l(type_, column):\n    pass\nevent.listen(Coded, "before_create", _l)`, 6, /event\.listens_for\(class Coded, "before_create"\) at <revision>:10: only the before_parent_attach/],
  [`${CODED}def _l(type_, column):\n    pass\nevent.listen(Coded, "before_parent_attach", _l, once=True)`, 6, /the listener option once= is not modelled/],
  [`${CODED}event.listen(Coded, "before_parent_attach", print)`, 4, /event\.listens_for\(class Coded, "before_parent_attach"\): the listener is not a function of the project/],
  [`${CODED}def _t(column, table):\n    sa.Index("ix", column)\ndef _l(type_, column):\n    event.listen(column, "after_parent_attach", _t)\nevent.listen(Coded, "before_parent_attach", _l)\nop.add_column("t", sa.Column("c", Coded()))`, 9,
    /sa\.Index\(\.\.\.\) \(in the event listener at <revision>:11\): a schema item built over a column while it attaches to its table is not modelled \(only CheckConstraint\)/],
  [`${CODED}def _t(column, table):\n    table.name\ndef _l(type_, column):\n    event.listen(column, "after_parent_attach", _t)\nevent.listen(Coded, "before_parent_attach", _l)\nop.add_column("t", sa.Column("c", Coded()))`, 9,
    /table\.name \(in the event listener at <revision>:11\): the table a column joins is known only to the op that adds the column/],
  // try/except around what the database may raise (tryStatement.ts).
  ['try:\n    op.execute("INSERT INTO t VALUES (1)")\nexcept sa.exc.IntegrityError:\n    pass', 1, /try: \.\.\. except sa\.exc\.IntegrityError:: whether the database raises here is known only when its statements run/],
  ['try:\n    op.execute("x")\nexcept:\n    pass', 1, /try: \.\.\. except:: whether the database raises here/],
  // Reflection and the Inspector (reflect.ts, inspector.ts).
  ['meta = sa.MetaData()\nmeta.sorted_tables', 2, /metadata\.sorted_tables: the dependency order of tables is not computed/],
  ['meta = sa.MetaData()\nsa.Table("t", meta, autoload=True)', 2, /autoload=True reflects through MetaData\(bind=\.\.\.\), which SQLAlchemy 2\.0 removed: use autoload_with=op\.get_bind\(\)/],
  ['meta = sa.MetaData()\nmeta.reflect(op.get_bind(), views=True, foo=1)', 2, /metadata\.reflect\(\.\.\., foo=\.\.\.\): an argument the embedded engine does not apply/],
  ['sa.inspect(op.get_bind()).get_multi_columns()', 1, /inspector\.get_multi_columns: this part of SQLAlchemy's Inspector is not evaluated/],
  // The standard library's modelled parts (stdlib.ts, jsonModule.ts) and the ORM session.
  ['import json\nop.execute(json.dumps({"a": 1}, cls=None))', 2, /json\.dumps\(\.\.\., cls=\.\.\.\): this option is not evaluated/],
  ['import collections\ncollections.ChainMap()', 2, /collections\.ChainMap: this part of Python's collections module is not evaluated/],
  ['import datetime\ndatetime.datetime.now().strftime("%Q")', 2, /strftime\("%Q"\): this format code is not evaluated/],
  ['s = sa.orm.Session(bind=op.get_bind())\ns.merge(None)', 2, /session\.merge: this part of the ORM Session is not run/],
  ['op.get_bind().execute(sa.text("SELECT 1")).first()', 1, /conn\.execute\(\.\.\.\)\.first: it reads from the database while the migration runs/],
  // What Python has but the engine does not model is the engine's limit, never "Python raises here too".
  ['op.execute("abc".casefold())', 1, /str\.casefold\(\): a method the embedded engine does not evaluate: run this migration with alembic/],
  ['import datetime\ndatetime.datetime.now().astimezone()', 2, /datetime\.astimezone: an attribute the embedded engine does not model/],
  ['import datetime\nhasattr(datetime.datetime.now(), "astimezone")', 2, /datetime\.astimezone: an attribute the embedded engine does not model/],
  // Control flow Python itself rejects (found by the fuzzer: it escaped as a JavaScript exception).
  ['x = 1\nbreak', 2, /'break' outside loop: a SyntaxError: Python cannot load this file/],
  ['def f():\n    continue\nf()', 2, /'continue' not properly in loop: a SyntaxError/],
];

for (const [body, line, why] of REFUSED) {
  test(`refused, saying where and why: ${body.split('\n')[0]}`, () => {
    const f = upgrade(body);
    assert.ok(f.unsupported, `refused: ${JSON.stringify(f.ops)}`);
    assert.equal(f.unsupported!.line, HEAD_LINES + line, `the line in the file: ${f.unsupported!.message}`);
    assert.match(`${f.unsupported!.construct}: ${f.unsupported!.why}`, why);
  });
}

const ERRORS: [string, string, RegExp][] = [
  ['op.execute(undefined_name)', 'NameError', /name 'undefined_name' is not defined/],
  ['op.execute("a" + 1)', 'TypeError', /can only concatenate str \(not "int"\) to str/],
  ['op.execute({"a": 1}["b"])', 'KeyError', /'b'/],
  ['op.execute([1][3])', 'IndexError', /list index out of range/],
  ['op.execute(1 / 0)', 'ZeroDivisionError', /division by zero/],
  ['op.execute("x".nope())', 'AttributeError', /'str' object has no attribute 'nope'/],
  ['a, b = [1, 2, 3]', 'ValueError', /too many values to unpack/],
  ['a, = [1, 2]', 'ValueError', /too many values to unpack \(expected 1, got 2\)/],
  ['for a, in [(1, 2)]:\n    pass', 'ValueError', /too many values to unpack \(expected 1, got 2\)/],
  ['def f(x):\n    return x\nf()', 'TypeError', /missing required argument: 'x'/],
  ['def f():\n    return f()\nf()', 'RecursionError', /too deeply/],
  ['assert 1 == 2, "no"', 'AssertionError', /no/],
  [`${CODED}def _l(type_, column):\n    _l(type_, column)\nevent.listen(Coded, "before_parent_attach", _l)\nop.add_column("t", sa.Column("c", Coded()))`, 'RecursionError', /_l\(\) calls itself too deeply \(in the event listener at <revision>:11\)/],
];

for (const [body, type, detail] of ERRORS) {
  test(`a Python error is reported as Python names it: ${type}`, () => {
    const f = upgrade(body);
    assert.ok(f.unsupported instanceof PythonError, f.unsupported?.message ?? 'no error');
    assert.equal((f.unsupported as PythonError).pyType, type);
    assert.match(f.unsupported!.why, detail);
    assert.match(f.unsupported!.why, /fix the migration/);
  });
}

test('hasattr() answers as Python where the engine knows the attributes', () => {
  const f = upgrade('class A:\n    x = 1\nfor v in [hasattr("x", "upper"), hasattr("x", "nope"), hasattr([], "append"), hasattr({}, "items"), hasattr(A(), "x"), hasattr(A(), "nope")]:\n    op.execute(str(v))');
  assert.deepEqual(executed(f), ['True', 'False', 'True', 'True', 'True', 'False']);
  // A part of a library the engine models only in part: refused rather than guessed.
  assert.match(upgrade('hasattr(op.get_context(), "nope")').unsupported!.why, /not known to the embedded engine/);
});

test('a loop that does not end is stopped by the step budget, quickly', () => {
  const t0 = Date.now();
  const f = upgrade('while True:\n    pass', { dialect: 'sqlite', budget: 200_000 });
  assert.match(f.unsupported!.why, /runs too long to be evaluated/);
  assert.ok(Date.now() - t0 < 5000);
  const big = upgrade('x = list(range(10 ** 9))', { dialect: 'sqlite' });
  assert.match(big.unsupported!.why, /a range of 1,000,000,000 numbers is more than the embedded engine evaluates/);
  assert.ok(!(big.unsupported instanceof PythonError), 'Python itself runs it: not reported as a Python error');
  const long = upgrade("x = 'ab' * (10 ** 8)", { dialect: 'sqlite' });
  assert.match(long.unsupported!.why, /200,000,000 items or characters are more than the embedded engine evaluates/);
});

test('project modules: followed under the import roots only, never outside them (symlinks included)', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'eval-roots-'));
  const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'eval-outside-'));
  try {
    fs.mkdirSync(path.join(root, 'myapp'));
    fs.writeFileSync(path.join(root, 'myapp', '__init__.py'), '');
    fs.writeFileSync(path.join(root, 'myapp', 'helpers.py'), 'from alembic import op\nfrom .names import TABLE\n\ndef create_views(o):\n    o.execute(f"CREATE VIEW v AS SELECT * FROM {TABLE}")\n');
    fs.writeFileSync(path.join(root, 'myapp', 'names.py'), 'TABLE = "accounts"\n');
    fs.writeFileSync(path.join(outside, 'secret.py'), 'TABLE = "leaked"\n');
    fs.symlinkSync(path.join(outside, 'secret.py'), path.join(root, 'myapp', 'secret.py'));
    const ok = upgrade('helpers.create_views(op)', { dialect: 'sqlite', importRoots: [root] });
    assert.deepEqual(executed(ok), ['CREATE VIEW v AS SELECT * FROM accounts']);
    const linked = upgrade('from myapp.secret import TABLE\nop.execute(TABLE)', { dialect: 'sqlite', importRoots: [root] });
    assert.match(linked.unsupported!.message, /myapp\.secret.*not a module of the project/);
    const none = upgrade('helpers.create_views(op)', { dialect: 'sqlite', importRoots: [] });
    assert.match(none.unsupported!.message, /myapp\.helpers\.create_views/);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(outside, { recursive: true, force: true });
  }
});

test('a value the engine could not compute fails with its own reason wherever it is used, never as a TypeError Python would not raise', () => {
  // From an installed package: Python has the value; the engine does not, and says which.
  const prelude = 'from neutron_lib import constants\nNAMES = constants.PORT_NAMES\n\n';
  for (const body of ['x = NAMES % {"a": 1}', 'for n in NAMES:\n    op.execute(n)', 'if NAMES:\n    op.execute("x")', 'x = "a" in NAMES', 'x = NAMES == "a"', 'x = -NAMES', 'x = f"{NAMES}"']) {
    const f = upgrade(body, { dialect: 'postgresql', importRoots: [os.tmpdir()] }, prelude);
    assert.ok(f.unsupported, body);
    assert.doesNotMatch(f.unsupported.message, /TypeError|Python raises/, body);
    assert.match(f.unsupported.message, /neutron_lib\.constants\.PORT_NAMES/, body);
  }
  // A type union in an annotation stays unknown until used, as a class's base subscript does.
  const annotated = upgrade('def f(x: uuid.UUID | None) -> None:\n    pass\nop.execute("ok")', { dialect: 'postgresql' }, 'import uuid\n\n');
  assert.deepEqual(executed(annotated), ['ok']);
});

test('MetaData(naming_convention=...).naming_convention, and IntEnum / ReprEnum members in f-strings, as Python gives them', () => {
  const f = upgrade([
    'meta = sa.MetaData(naming_convention={"fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s"})',
    'op.execute(meta.naming_convention["fk"] % dict(table_name="t", column_0_name="c", referred_table_name="r"))',
    'op.execute(sa.MetaData().naming_convention["ix"])',
    'op.execute(f"{Kind.event} {Kind.event.value} {Plain.a} {Repr.b}")',
  ].join('\n'), { dialect: 'postgresql' }, 'import enum\n\nclass Kind(enum.IntEnum):\n    event = 2\n\nclass Plain(enum.Enum):\n    a = 1\n\nclass Repr(int, enum.ReprEnum):\n    b = 3\n\n');
  assert.deepEqual(executed(f), ['fk_t_c_r', 'ix_%(column_0_label)s', '2 2 Plain.a 3']);
});

test('iter() and next() as Python gives them; a Python built-in the engine lacks is refused as such, not as a NameError', () => {
  assert.deepEqual(executed(upgrade('it = iter(["a", "b"])\nop.execute(next(it))\nop.execute(next(it, "z"))\nop.execute(next(it, "z"))', { dialect: 'sqlite' })), ['a', 'b', 'z']);
  assert.match(upgrade('next(iter([]))', { dialect: 'sqlite' }).unsupported!.message, /StopIteration/);
  assert.match(upgrade('next([1])', { dialect: 'sqlite' }).unsupported!.message, /TypeError: 'list' object is not an iterator/);
  const missing = upgrade('x = divmod(7, 2)', { dialect: 'sqlite' }).unsupported!;
  assert.match(missing.message, /divmod\(\): a Python built-in the embedded engine does not evaluate/);
  assert.doesNotMatch(missing.message, /NameError/);
  assert.match(upgrade('x = divmodd(7, 2)', { dialect: 'sqlite' }).unsupported!.message, /NameError: name 'divmodd' is not defined/);
});

test('Core values() keyed by the table\'s columns, as SQLAlchemy takes them (buildbot)', () => {
  const f = upgrade('t = sa.Table("steps", sa.MetaData(), sa.Column("started_at", sa.Integer), sa.Column("locks_acquired_at", sa.Integer))\n'
    + 'op.execute(t.update().values({t.c.locks_acquired_at: t.c.started_at}))\nop.execute(t.insert().values({t.c.started_at: 5}))', { dialect: 'postgresql' });
  assert.deepEqual(executed(f), ['UPDATE steps SET locks_acquired_at=steps.started_at', 'INSERT INTO steps (started_at) VALUES (5)']);
});

test('Python 3.10 parenthesized context managers (`with (... as b):`) are read, and the lines after them keep their numbers', () => {
  const src = 'from alembic import op\nimport sqlalchemy as sa\n\ndef upgrade():\n'
    + '    with (op.batch_alter_table("server",  # a comment (with a paren\n'
    + '                               table_kwargs={"sqlite_autoincrement": True})\n'
    + '          as batch_op):\n'
    + '        batch_op.add_column(sa.Column("is_adhoc", sa.Integer()))\n'
    + '        x = undefined_name\n';
  const [f] = readMigrationFunctions(src, { dialect: 'postgresql' });
  assert.match(f.unsupported!.message, /^line 9: NameError: name 'undefined_name' is not defined/);
  const [ok] = readMigrationFunctions(src.replace('        x = undefined_name\n', ''), { dialect: 'postgresql' });
  assert.equal(ok.unsupported, undefined, ok.unsupported?.message);
  assert.equal((ok.ops![0] as { kind: string }).kind, 'batch');
  // A real syntax error is still one, on its own line.
  assert.match(readMigrationFunctions('def upgrade():\n    with (op.batch_alter_table("t") as b):\n        x = (1 +\n', { dialect: 'sqlite' })[0].unsupported!.message, /^line \d: a syntax error/);
});

test('context.get_impl() and op.get_context().impl: their connection and dialect, known before the run (pgadmin)', () => {
  for (const dialect of ['sqlite', 'postgresql'] as const) {
    const f = upgrade('from alembic import context\nif context.get_impl().bind.dialect.name == "sqlite":\n    op.execute("a")\nop.execute(op.get_context().impl.dialect.name)', { dialect });
    assert.deepEqual(executed(f), dialect === 'sqlite' ? ['a', 'sqlite'] : ['postgresql']);
  }
});

test('constraint arguments are applied or refused, never dropped: unknown ones and INCLUDE columns refused, postgresql_include=[] accepted', () => {
  const plan = (body: string) => {
    const f = upgrade(body, { dialect: 'postgresql' });
    if (f.unsupported) return f.unsupported.message;
    try { return planOps(f.ops!, dialectFor('postgresql'), { convention: DEFAULT_CONVENTION }).flatMap((p) => (p as { statements: { sql: string }[] }).statements.map((s) => s.sql)).join('; '); } catch (e) { return (e as Error).message; }
  };
  assert.match(plan('op.create_table("t", sa.Column("a", sa.Integer), sa.UniqueConstraint("a", bogus=1))'), /sa\.UniqueConstraint\(\.\.\., bogus=\.\.\.\): an argument the embedded engine does not know or apply/);
  assert.match(plan('op.create_table("t", sa.Column("a", sa.Integer), sa.Column("b", sa.Integer), sa.UniqueConstraint("a", postgresql_include=["b"]))'), /INCLUDE columns of a constraint are not written/);
  assert.match(plan('op.create_table("t", sa.Column("a", sa.Integer), sa.UniqueConstraint("a", postgresql_include=[], deferrable=True))'), /UNIQUE \(a\) DEFERRABLE\n\)/);
});

test('a target written with a trailing comma unpacks its one item, in assignments, for loops and comprehensions', () => {
  const f = upgrade('only, = [("a",)]\nfor name, in [("b",), ("c",)]:\n    op.execute(name)\nop.execute(only[0] + "".join([x for x, in [("d",), ("e",)]]))');
  assert.equal(f.unsupported, undefined, f.unsupported?.message);
  assert.deepEqual(executed(f), ['b', 'c', 'ade']);
});

test('bind.engine.name is the dialect\'s name (neutron branches on it); a Connection has no name online, Alembic\'s offline MockConnection has', () => {
  const body = 'bind = op.get_bind()\nengine = bind.engine\nif engine.name == "mysql":\n    op.execute("mysql")\nelse:\n    op.execute(engine.name + " " + bind.engine.engine.name)';
  assert.deepEqual(executed(upgrade(body, { dialect: 'postgresql' })), ['postgresql postgresql']);
  assert.deepEqual(executed(upgrade(body, { dialect: 'sqlite' })), ['sqlite sqlite']);
  assert.deepEqual(executed(upgrade('op.execute(op.get_bind().name)', { dialect: 'sqlite', offline: true })), ['sqlite']);
  assert.match(upgrade('op.execute(op.get_bind().name)', { dialect: 'sqlite' }).unsupported!.message, /bind\.name/);
});

test('from pkg import name: the package\'s own binding wins over its submodule of the same name, as in Python (pgadmin\'s user_info)', () => {
  const root = writeTree({
    'setup/__init__.py': 'from .user_info import user_info\nfrom .versions import current as version_now\n',
    'setup/user_info.py': 'def user_info():\n    return "admin@example.com"\n',
    'setup/versions.py': 'current = 7\n',
  });
  try {
    const f = upgrade('from setup import user_info, versions\nop.execute(user_info() + " %d" % versions.current)', { dialect: 'sqlite', importRoots: [root] });
    assert.equal(f.unsupported, undefined, f.unsupported?.message);
    assert.deepEqual(executed(f), ['admin@example.com 7']);
  } finally { fs.rmSync(root, { recursive: true, force: true }); }
});

test('a name missing from a class is Python\'s AttributeError only where the engine knows every base whole; else it is refused, never told as Python\'s error', () => {
  const own = upgrade('class A(object):\n    x = 1\nclass B(A):\n    pass\nop.execute(B().y)');
  assert.ok(own.unsupported instanceof PythonError, own.unsupported?.message);
  assert.match(own.unsupported!.why, /'B' object has no attribute 'y'/);
  const inherited = upgrade('from flask_sqlalchemy import SQLAlchemy\nclass MyDb(SQLAlchemy):\n    pass\ndb = MyDb()\nop.execute(db.String)');
  assert.ok(!(inherited.unsupported instanceof PythonError), inherited.unsupported?.message);
  assert.match(inherited.unsupported!.message, /MyDb\.String: an attribute MyDb may inherit from flask_sqlalchemy\.SQLAlchemy, which the embedded engine does not model/);
  const imported = upgrade('class T(helpers.Base):\n    pass\nop.execute(T.name)', { dialect: 'postgresql', importRoots: [] });
  assert.ok(!(imported.unsupported instanceof PythonError), imported.unsupported?.message);
});
