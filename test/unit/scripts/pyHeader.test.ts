import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readPythonHeader } from '../../../src/engine/scripts/pyHeader';
import { runPython } from '../pythonOracle';

/** Module sources whose docstring and header values Python itself evaluates, for comparison. */
const CASES: string[] = [
  `"""Add users\n\nRevision ID: abc\nRevises:\nCreate Date: 2024-01-01\n\n"""\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = 'abc'\ndown_revision = None\nbranch_labels = None\ndepends_on = None\n\ndef upgrade():\n    pass\n`,
  `# -*- coding: utf-8 -*-\n"""first line\n\nmore text"""\nfrom typing import Union, Sequence\nrevision: str = "ae1027a6acf"\ndown_revision: Union[str, Sequence[str], None] = ("a1", "b2")\nbranch_labels: Union[str, Sequence[str], None] = ('feature',)\ndepends_on: Union[str, Sequence[str], None] = ['x1', 'y2']\n`,
  `from alembic import op\n"""late docstring is not a docstring"""\nrevision = 'kilo'\ndown_revision = 'lima'\n`,
  `'''single quoted triple'''\nrevision = 'r1' ; down_revision = None\n`,
  `r"""raw \\n docstring"""\nrevision = 'r2'\ndown_revision = ('a',\n                 'b',  # comment\n                 )\n`,
  `"""Escapes: tab\\there \\u00e9 \\x41 \\101"""\nrevision = 'r3'\ndown_revision = 'a', 'b'\n`,
  `"implicit " 'concat' """ docstring"""\nrevision = ('r' 'ev4')\ndown_revision = None\n`,
  `"""doc"""\nrevision = 'first'\ndef upgrade():\n    revision = 'inner'\n    x = """\nrevision = 'in a string'\n"""\nrevision = 'last'\ndown_revision = None\n`,
  `"""Doc with 'quotes' and \\"escapes\\" and # hash"""\nrevision = "r5"  # trailing comment\ndown_revision = "r4"\nbranch_labels = 'solo'\n`,
  `\n\n   \n"""\n\n   leading blank lines   \n\nsecond para\n"""\nrevision = 'r6'\ndown_revision = []\n`,
  `u"""unicode prefix ünïcödé"""\nrevision = u'r7'\ndown_revision = \\\n    'r6'\n`,
  `"""doc"""\r\nrevision = 'crlf'\r\ndown_revision = None\r\n`,
  `revision = 'nodoc'\ndown_revision = None\n`,
];

const ORACLE = `
import json, sys
out = []
for src in json.load(sys.stdin):
    ns = {}
    code = compile(src, 'rev.py', 'exec')
    try:
        exec(code, ns)
    except Exception:
        pass
    def conv(v):
        return list(v) if isinstance(v, (tuple, list)) else v
    out.append({'doc': ns.get('__doc__'), 'values': {k: conv(ns[k]) for k in ('revision','down_revision','branch_labels','depends_on') if k in ns}})
print(json.dumps(out))
`;

test('module docstrings and header values equal what Python evaluates', () => {
  const expected = runPython(ORACLE, CASES) as
    { doc: string | null; values: Record<string, unknown> }[];
  CASES.forEach((src, i) => {
    const h = readPythonHeader(src);
    assert.equal(h.docstring ?? null, expected[i].doc, `docstring of case ${i}`);
    const values: Record<string, unknown> = {};
    for (const [k, v] of h.values) if (v.ok) values[k] = v.value;
    assert.deepEqual(values, expected[i].values, `values of case ${i}`);
  });
});

test('non-literal values are reported with their line, not guessed', () => {
  const h = readPythonHeader(`"""x"""\nfrom myapp import LABEL\nrevision = 'a'\ndown_revision = None\nbranch_labels = LABEL\ndepends_on = get_deps()\n`);
  const labels = h.values.get('branch_labels')!;
  assert.equal(labels.ok, false);
  assert.equal(labels.line, 5);
  assert.equal(!labels.ok && labels.source, 'LABEL');
  const deps = h.values.get('depends_on')!;
  assert.equal(deps.ok, false);
  assert.equal(deps.line, 6);
});

test('f-strings with placeholders and bytes are not literals of a revision id', () => {
  const h = readPythonHeader(`revision = f"{x}"\ndown_revision = b'abc'\n`);
  assert.equal(h.values.get('revision')!.ok, false);
  assert.equal(h.values.get('down_revision')!.ok, false);
});
