/**
 * What the fuzzer (`npm run fuzz`) found the evaluator doing with hostile input, each fixed and kept
 * here: control flow escaping a module or a function (a JavaScript exception instead of a refusal,
 * or a migration silently cut short), and huge values making a few steps run for seconds or fill
 * memory.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readMigrationFunctions, ReadFunction } from '../../../src/engine/ops/python/reader';

const HEAD = 'from alembic import op\nimport sqlalchemy as sa\n';

function upgrade(src: string, ctx: Parameters<typeof readMigrationFunctions>[1] = { dialect: 'sqlite' }): ReadFunction {
  return readMigrationFunctions(src, ctx).find((f) => f.name === 'upgrade')!;
}

test('a raise at module level: the file does not load (it escaped as a JavaScript exception)', () => {
  const f = upgrade(`${HEAD}raise RuntimeError("not on production")\n\ndef upgrade():\n    op.execute("x")\n`);
  assert.equal(f.unsupported?.line, 3);
  assert.match(f.unsupported!.message, /raise: loading the module raises RuntimeError: not on production/);
  const inClass = upgrade(`${HEAD}class A:\n    raise ValueError("in a class body")\n\ndef upgrade():\n    pass\n`);
  assert.equal(inClass.unsupported?.line, 4);
  assert.match(inClass.unsupported!.why, /ValueError: in a class body/);
});

test('return, break and continue outside a function or a loop: a SyntaxError, refused at its line', () => {
  for (const [src, line, what] of [
    [`${HEAD}return\n\ndef upgrade():\n    pass\n`, 3, "'return' outside function"],
    [`${HEAD}def upgrade():\n    op.execute("x")\n    break\n`, 5, "'break' outside loop"],
    [`${HEAD}def helper():\n    continue\n\ndef upgrade():\n    helper()\n`, 4, "'continue' not properly in loop"],
  ] as const) {
    const f = upgrade(src);
    assert.equal(f.unsupported?.line, line, f.unsupported?.message);
    assert.equal(f.unsupported!.construct, what);
    assert.match(f.unsupported!.why, /SyntaxError/);
  }
});

test('a project module that raises when imported: refused where it is used, not a migration cut short there', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'eval-raise-'));
  try {
    fs.mkdirSync(path.join(root, 'myapp'));
    fs.writeFileSync(path.join(root, 'myapp', '__init__.py'), '');
    fs.writeFileSync(path.join(root, 'myapp', 'guard.py'), 'import os\n\nraise RuntimeError("configure me")\nNAME = "t"\n');
    const f = upgrade(`${HEAD}def upgrade():\n    op.execute("before")\n    from myapp.guard import NAME\n    op.execute(NAME)\n`, { dialect: 'sqlite', importRoots: [root] });
    assert.ok(f.unsupported, `refused, not cut short: ${JSON.stringify(f.ops)}`);
    assert.equal(f.unsupported.line, 6);
    assert.match(f.unsupported.message, /myapp\.guard cannot be imported: line 3 of its file: raise: loading the module raises RuntimeError: configure me/);
  } finally { fs.rmSync(root, { recursive: true, force: true }); }
});

test('values of millions of items are charged to the step budget: no minutes-long loop, no memory exhausted', () => {
  let t = Date.now();
  // Each list is 5,000,000 items: without the charge, 1,000 of them (40 GB) were built one step at a time.
  const bomb = upgrade(`${HEAD}def upgrade():\n    keep = []\n    for i in range(1000):\n        keep.append([0] * 5000000)\n`);
  assert.match(bomb.unsupported!.message, /line 6: a value of 5,000,000 items or characters: the code runs too long to be evaluated/);
  assert.ok(Date.now() - t < 5000, `${Date.now() - t} ms`);
  t = Date.now();
  // `[i] * 1000` took 0.3 ms a step (Array.from(...).flat()): 20,000 of them took 6 s.
  const small = upgrade(`${HEAD}def upgrade():\n    for i in range(10000):\n        x = [i] * 1000\n    op.execute(str(len(x)))\n`);
  assert.equal(small.unsupported, undefined, small.unsupported?.message);
  assert.ok(Date.now() - t < 2000, `${Date.now() - t} ms`);
});

test('a sequence times a number: either order, and a float is a TypeError as in Python', () => {
  const f = upgrade(`${HEAD}def upgrade():\n    op.execute(str(3 * [1, 2]) + str(2 * "ab"))\n`);
  assert.equal((f.ops![0] as { call: { args: unknown[] } }).call.args[0], '[1, 2, 1, 2, 1, 2]abab');
  const bad = upgrade(`${HEAD}def upgrade():\n    op.execute(str([1] * 2.5))\n`);
  assert.match(bad.unsupported!.message, /TypeError: can't multiply sequence by non-int of type 'float'/);
});

test('event listeners: a missing argument is a TypeError, an identifier that is no string is named by its type (it was JSON.stringify: undefined, or a crash on a cyclic object)', () => {
  const prelude = `${HEAD}from sqlalchemy import event\n\nclass MyType(sa.types.TypeDecorator):\n    impl = sa.Integer\n\ndef _l(type_, column):\n    pass\n\n`;
  const missing = upgrade(`${prelude}def upgrade():\n    event.listens_for(MyType)(_l)\n`);
  assert.match(missing.unsupported!.message, /line 12: TypeError: listens_for\(\) missing 1 required positional argument: 'identifier'/);
  const listen = upgrade(`${prelude}def upgrade():\n    event.listen(MyType)\n`);
  assert.match(listen.unsupported!.message, /listen\(\) missing 2 required positional arguments: 'identifier' and 'fn'/);
  const cyclic = upgrade(`${prelude}def upgrade():\n    event.listen(MyType, op, _l)\n`);
  assert.match(cyclic.unsupported!.message, /^line 12: event\.listens_for\(class MyType, Operations\) at <revision>:8: only the before_parent_attach/);
  assert.doesNotMatch(cyclic.unsupported!.message, /undefined|\[object/);
});

test('errors raised and caught, and classes defined, in an endless loop: stopped by the budget within seconds (7 s and 3 s before)', () => {
  for (const body of ['while True:\n        try:\n            {}["x"]\n        except KeyError:\n            pass', 'while True:\n        class K(object):\n            x = nope']) {
    const t = Date.now();
    const f = upgrade(`${HEAD}def upgrade():\n    ${body}\n`);
    assert.match(f.unsupported!.message, /an error raised and caught: the code runs too long to be evaluated \(more than 2,000,000 steps\)/);
    assert.ok(Date.now() - t < 4000, `${Date.now() - t} ms`);
  }
});

test('a raise in a class body inside a function fails the step there, as a raise does (only a module\'s top level stops loading)', () => {
  const f = upgrade(`${HEAD}def upgrade():\n    op.execute("one")\n    class A:\n        raise ValueError("in a class body")\n`);
  assert.equal(f.unsupported, undefined, f.unsupported?.message);
  assert.deepEqual(f.ops!.map((o) => (o as { name: string }).name), ['execute', 'raise']);
});
