/**
 * `try`/`except`/`else`/`finally`, `global` and `nonlocal` in migration code: each program's result
 * is the one /usr/bin/python3 gives; what cannot be known before the run (a handler that would
 * catch the database's errors around statements) is refused, saying why.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readMigrationFunctions, ReadFunction } from '../../../src/engine/ops/python/reader';
import { Call, TextClause } from '../../../src/engine/ops/values';

const indent = (s: string) => s.replace(/^/gm, '    ');

// Each program defines f(); the evaluator must return what Python returns, repr for repr.
const PROGRAMS = [
  'def f():\n    try:\n        return {"a": 1}["b"]\n    except KeyError as e:\n        return "caught " + str(e)',
  'def f():\n    log = []\n    try:\n        log.append("body")\n    except ValueError:\n        log.append("handler")\n    else:\n        log.append("else")\n    finally:\n        log.append("finally")\n    return log',
  'def f():\n    log = []\n    try:\n        try:\n            [][1]\n        except IndexError:\n            log.append("inner")\n            raise\n    except LookupError as e:\n        log.append("outer: " + str(e))\n    return log',
  'def f():\n    try:\n        raise ValueError("bad value")\n    except (TypeError, ValueError) as e:\n        return [type(e).__name__ if False else "ValueError", str(e)]',
  'def f():\n    out = []\n    for d in [1, 0, 2]:\n        try:\n            out.append(10 // d)\n        except ArithmeticError:\n            out.append(None)\n            continue\n        finally:\n            out.append("f")\n    return out',
  'def f():\n    try:\n        return len(None)\n    except Exception as e:\n        return str(e)',
  'log = []\ndef g():\n    try:\n        return "from try"\n    finally:\n        log.append("finally ran")\ndef f():\n    return [g(), log]',
  'N = 0\ndef bump():\n    global N\n    N += 1\n    return N\ndef f():\n    bump()\n    return [bump(), N]',
  'class MigrationError(Exception):\n    pass\ndef f():\n    out = []\n    for cls in (MigrationError, Exception):\n        try:\n            raise MigrationError("boom")\n        except cls as e:\n            out.append(str(e))\n    return out',
  'def pair(s):\n    try:\n        group, name = s.split(":")\n    except ValueError as exc:\n        raise ValueError("invalid " + s) from exc\n    return group, name\ndef f():\n    g, n = pair("aiida.node:process.calculation.calcjob")\n    return [n, pair("a:b")]',
  'def deep(n):\n    return deep(n + 1)\ndef f():\n    out = []\n    for i in range(3):\n        try:\n            deep(0)\n        except RecursionError:\n            out.append(i)\n    return out',
  'def f():\n    count = 0\n    def inc():\n        nonlocal count\n        count += 2\n    inc()\n    inc()\n    return count',
  'try:\n    WIDTH = int("wide")\nexcept ValueError as e:\n    WIDTH = str(e)\ndef f():\n    return WIDTH',
];

function evaluate(prelude: string, body: string, ctx: Parameters<typeof readMigrationFunctions>[1] = { dialect: 'postgresql' }): ReadFunction {
  return readMigrationFunctions(`from alembic import op\nimport sqlalchemy as sa\n\n${prelude}\n\ndef upgrade():\n${indent(body)}\n\ndef downgrade():\n    pass\n`, ctx).find((x) => x.name === 'upgrade')!;
}

test('try/except/else/finally, global and nonlocal: each program gives what Python gives', () => {
  const python = execFileSync('/usr/bin/python3', ['-c', 'import json,sys\nfor p in json.load(sys.stdin):\n    g = {}\n    exec(p, g)\n    print(json.dumps(repr(g["f"]())))'],
    { input: JSON.stringify(PROGRAMS), encoding: 'utf8' }).trim().split('\n').map((l) => JSON.parse(l) as string);
  PROGRAMS.forEach((p, i) => {
    const f = evaluate(p, 'op.execute(repr(f()))');
    assert.equal(f.unsupported, undefined, `${p}\n${f.unsupported?.message}`);
    const sql = (f.ops![0] as { call: Call }).call.args[0];
    assert.equal(sql instanceof TextClause ? sql.sql : sql, python[i], p);
  });
});

test('a raise no handler catches fails the step where it runs, after the statements before it', () => {
  const f = evaluate('', 'op.execute("one")\ntry:\n    raise RuntimeError("cannot downgrade")\nexcept KeyError:\n    pass\nop.execute("never")');
  assert.equal(f.unsupported, undefined);
  assert.deepEqual(f.ops!.map((o) => (o as { name: string }).name), ['execute', 'raise']);
  assert.equal((f.ops![1] as { call: Call }).call.args[0], 'RuntimeError: cannot downgrade');
});

test('an error no handler catches is the Python error it is', () => {
  const f = evaluate('', 'try:\n    x = {}["k"]\nexcept ValueError:\n    pass');
  assert.match(f.unsupported!.message, /KeyError: 'k' \(Python raises KeyError here too; fix the migration\)/);
});

const REFUSED: [string, RegExp][] = [
  ['try:\n    op.add_column("t", sa.Column("c", sa.Integer))\nexcept Exception:\n    pass', /try: \.\.\. except Exception:: whether the database raises here is known only when its statements run/],
  ['try:\n    op.execute("ALTER TABLE t CONVERT TO CHARACTER SET utf8mb4")\nexcept sa.exc.OperationalError as e:\n    pass', /except sa\.exc\.OperationalError:: whether the database raises/],
  ['try:\n    op.drop_column("t", "c")\nexcept:\n    pass', /try: \.\.\. except:: whether the database raises/],
  ['try:\n    x = 1\nexcept psycopg2.Error:\n    pass\nraise_it = {}["k"] if False else 0\ntry:\n    {}["k"]\nexcept psycopg2.Error:\n    pass', /a handler names an exception class the engine does not know/],
];

for (const [body, why] of REFUSED) {
  test(`refused before the run: ${body.split('\n')[1].trim()} / ${body.split('\n')[2].trim()}`, () => {
    const f = evaluate('import psycopg2', body);
    assert.ok(f.unsupported, JSON.stringify(f.ops));
    assert.match(f.unsupported!.message, why);
  });
}

test('the same try is evaluated when its handler catches only Python errors: the statements before the error stay', () => {
  const f = evaluate('', 'try:\n    op.execute("kept")\n    value = {}["missing"]\n    op.execute("skipped")\nexcept KeyError:\n    op.execute("handled")');
  assert.equal(f.unsupported, undefined, f.unsupported?.message);
  assert.deepEqual(f.ops!.map((o) => String(((o as { call: Call }).call.args[0] as TextClause).sql ?? (o as { call: Call }).call.args[0])), ['kept', 'handled']);
});
