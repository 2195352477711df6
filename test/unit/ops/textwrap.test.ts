/** `textwrap.dedent` / `indent` in migrations give what Python's textwrap gives, on tricky inputs. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { readMigrationFunctions } from '../../../src/engine/ops/python/reader';
import { dedent } from '../../../src/engine/ops/python/eval/textwrapModule';
import { TextClause } from '../../../src/engine/ops/values';
import { runPython } from '../pythonOracle';

const CASES = [
  '\n    SELECT 1\n    FROM t\n', '  a\n    b\n  c', '\ta\n\t\tb', '  a\n\tb', '    a\n\n    b\n   \n    c', 'no indent\n  x', '   \n  a\n    b',
  '  a\r\n  b', '', '   ', '  α\n  β', ' \t a\n \t b', '        x\n    y\n',
];

test('textwrap.dedent equals Python\'s on hand-picked and random texts', () => {
  const random = fc.sample(fc.array(fc.tuple(fc.constantFrom('', ' ', '  ', '\t', ' \t', '    '), fc.constantFrom('', 'x', 'y z', ' ', '\t')).map(([i, t]) => i + t), { maxLength: 6 }).map((ls) => ls.join('\n')), { numRuns: 300, seed: 42 });
  const inputs = [...CASES, ...random];
  const expected = runPython('import json, sys, textwrap\nprint(json.dumps([textwrap.dedent(s) for s in json.load(sys.stdin)]))', inputs) as string[];
  inputs.forEach((s, i) => assert.equal(dedent(s), expected[i], JSON.stringify(s)));
});

test('from textwrap import dedent / textwrap.indent in a migration: the SQL Python would give', () => {
  const src = 'from alembic import op\nimport textwrap\nfrom textwrap import dedent\n\ndef upgrade():\n'
    + '    op.execute(dedent("""\n        UPDATE t\n        SET a = 1\n    """))\n    op.execute(textwrap.indent("a\\n\\nb\\n", "-- "))\n';
  const [f] = readMigrationFunctions(src, { dialect: 'sqlite' });
  assert.equal(f.unsupported, undefined, f.unsupported?.message);
  const sql = f.ops!.map((o) => { const a = (o as { call: { args: unknown[] } }).call.args[0]; return a instanceof TextClause ? a.sql : String(a); });
  assert.deepEqual(sql, ['\nUPDATE t\nSET a = 1\n', '-- a\n\n-- b\n']);
});
