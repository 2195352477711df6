/**
 * The project's own decorators and `@contextlib.contextmanager` generators (neutron's
 * `@raise_if_offline` helpers and `with migration.remove_fks_from_table(...)`): the statements a
 * migration runs through them, in Python's order, compared with what Python itself runs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readMigrationFunctions } from '../../../src/engine/ops/python/reader';
import type { Call } from '../../../src/engine/ops/values';
import { runPython } from '../pythonOracle';

const PROGRAMS: Record<string, string> = {
  'a decorator of the file, with functools.wraps': `
import functools

def logged(func):
    @functools.wraps(func)
    def inner(*args, **kwargs):
        op.execute("before " + func.__name__)
        return func(*args, **kwargs)
    return inner

@logged
def add(name):
    op.execute("add " + name)
    return name.upper()

def upgrade():
    op.execute(add("x"))
`,
  'a decorator factory, decorators applied bottom up': `
def tag(label):
    def wrap(func):
        def inner():
            op.execute("<" + label)
            func()
            op.execute(label + ">")
        return inner
    return wrap

@tag("a")
@tag("b")
def body():
    op.execute("body")

def upgrade():
    body()
`,
  'a contextmanager around the block, its finally after it': `
import contextlib

@contextlib.contextmanager
def fks_removed(table):
    try:
        op.execute("drop fks " + table)
        yield table + "!"
    finally:
        op.execute("create fks " + table)

def upgrade():
    with fks_removed("ports") as t:
        op.execute("inside " + t)
    op.execute("after")
`,
  'an error of the block comes out of the yield: swallowed by the generator, or seen by its finally': `
from contextlib import contextmanager

@contextmanager
def swallow():
    try:
        yield
    except KeyError as e:
        op.execute("swallowed %s" % e)
    op.execute("after yield")

@contextmanager
def cleanup():
    try:
        yield
    finally:
        op.execute("cleanup")

def upgrade():
    with swallow():
        {}["k"]
        op.execute("never")
    try:
        with cleanup():
            [][1]
    except IndexError:
        op.execute("caught outside")
`,
  'return, break and continue out of the block let the generator finish first': `
from contextlib import contextmanager

@contextmanager
def step(i):
    op.execute("enter %d" % i)
    yield i
    op.execute("exit %d" % i)

def first_over(n):
    for i in range(5):
        with step(i) as j:
            if j == 1:
                continue
            if j > n:
                return j
    return None

def upgrade():
    op.execute("got %s" % first_over(2))
    for i in range(3):
        with step(10 + i):
            break
`,
};

function ours(program: string): string[] {
  const [f] = readMigrationFunctions(`from alembic import op\n${program}`, { dialect: 'postgresql' });
  assert.equal(f.unsupported, undefined, f.unsupported?.message);
  return f.ops!.map((o) => String(((o as { call: Call }).call.args[0])));
}

const PYTHON_RUN = `
import json, sys
out = []
class Op:
    def execute(self, sql): out.append(sql)
programs = json.load(sys.stdin)
result = {}
for name, src in programs.items():
    out = []
    g = {"op": Op()}
    exec(compile(src, name, "exec"), g)
    g["upgrade"]()
    result[name] = out
print(json.dumps(result))
`;

const python = runPython(PYTHON_RUN, PROGRAMS) as Record<string, string[]>;

for (const [name, program] of Object.entries(PROGRAMS)) {
  test(`${name}: the statements Python runs, in its order`, () => {
    assert.deepEqual(ours(program), python[name]);
    assert.ok(python[name].length > 1);
  });
}

const REFUSED: [string, string, RegExp][] = [
  ['a generator not entered by with', 'def gen():\n    yield "a"\n\ndef upgrade():\n    for x in gen():\n        op.execute(x)\n', /yield: a generator is run by the embedded engine only as a @contextlib\.contextmanager entered by a with statement/],
  ['yield from', 'import contextlib\n@contextlib.contextmanager\ndef cm():\n    yield from [1]\n\ndef upgrade():\n    with cm():\n        pass\n', /yield from/],
  ['a contextmanager that yields twice', 'import contextlib\n@contextlib.contextmanager\ndef cm():\n    yield\n    yield\n\ndef upgrade():\n    with cm():\n        op.execute("x")\n', /RuntimeError: generator didn't stop/],
  ['a contextmanager that never yields', 'import contextlib\n@contextlib.contextmanager\ndef cm():\n    op.execute("x")\n\ndef upgrade():\n    with cm():\n        op.execute("y")\n', /RuntimeError: generator didn't yield/],
  ['a yield of a function nested in the contextmanager (not the generator\'s own)', 'import contextlib\n@contextlib.contextmanager\ndef cm():\n    def inner():\n        yield 1\n    inner()\n    yield\n\ndef upgrade():\n    with cm():\n        op.execute("x")\n', /yield: a generator is run by the embedded engine only as a @contextlib\.contextmanager entered by a with statement/],
  ['a decorator of an installed package', 'import somelib\n@somelib.retry\ndef f():\n    pass\n\ndef upgrade():\n    f()\n', /@somelib\.retry: a decorator the engine cannot evaluate: somelib\.retry: the embedded engine does not run Python code from outside the migration/],
];

for (const [name, program, message] of REFUSED) {
  test(`refused, saying why: ${name}`, () => {
    const [f] = readMigrationFunctions(`from alembic import op\n${program}`, { dialect: 'postgresql', importRoots: [] });
    assert.ok(f.unsupported, 'expected a refusal');
    assert.match(f.unsupported!.message, message);
  });
}

test('a read inside the block of a generator stops the evaluation there: its finally is not run early', () => {
  const program = 'import contextlib\nimport sqlalchemy as sa\n@contextlib.contextmanager\ndef cm():\n    try:\n        op.execute("before")\n        yield\n    finally:\n        op.execute("finally")\n\n' +
    'def upgrade():\n    with cm():\n        n = op.get_bind().execute(sa.text("SELECT 1")).scalar()\n        op.execute("after %s" % n)\n';
  const [f] = readMigrationFunctions(`from alembic import op\n${program}`, { dialect: 'sqlite' });
  assert.match(f.unsupported!.message, /reads from the database/);
  const ran = f.ops!.map((o) => String((o as { call: Call }).call.args[0]));
  assert.equal(ran[0], 'before');
  assert.ok(!ran.includes('finally'), `what ran before the read, nothing of the finally: ${ran.join(', ')}`);
});
