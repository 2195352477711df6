import { test } from 'node:test';
import assert from 'node:assert/strict';
import { iniGet, parseIni } from '../../../src/engine/config/ini';
import { runPython } from '../pythonOracle';

const INIS = [
  `[alembic]\nscript_location = %(here)s/alembic\nsqlalchemy.url = sqlite:///app.db\n`,
  `[alembic]\n# comment\n; other comment\nScript_Location: migrations\nversion_locations = %(here)s/a\n    %(here)s/b\n\n    %(here)s/c\npath_separator = newline\n`,
  `[alembic]\nfile_template = %%(year)d_%%(month).2d_%%(rev)s_%%(slug)s\ntimezone = UTC\nempty =\n`,
  `[DEFAULT]\nbase = /srv\n[alembic]\nscript_location = %(base)s/migrations\nsqlalchemy.url = postgresql://u:p%%40ss@h/db\n`,
  `[loggers]\nkeys = root\n[alembic]\nscript_location=alembic\nrecursive_version_locations = true\n`,
];

const ORACLE = `
import json, sys, configparser
out = []
for text in json.load(sys.stdin):
    cp = configparser.ConfigParser({'here': '/proj'})
    cp.read_string(text)
    out.append({k: cp.get('alembic', k) for k in cp.options('alembic') if k != 'here' and k not in cp.defaults()})
print(json.dumps(out))
`;

test('alembic.ini values equal Python configparser (continuations, comments, %(here)s, %%)', () => {
  const expected = runPython(ORACLE, INIS) as Record<string, string>[];
  INIS.forEach((text, i) => {
    const ini = parseIni(text, 'alembic.ini', { here: '/proj' });
    const actual: Record<string, string> = {};
    for (const key of ini.sections.get('alembic')!.keys()) actual[key] = iniGet(ini, 'alembic', key)!;
    assert.deepEqual(actual, expected[i], `case ${i}`);
  });
});

test('a file without a section header is a clear error naming the line', () => {
  assert.throws(() => parseIni('script_location = x\n', '/p/alembic.ini'), /File contains no section headers[\s\S]*line: 1/);
});

test('a lone % is reported, with the way to write a literal percent', () => {
  const ini = parseIni('[alembic]\nurl = postgresql://u:50%off@h/db\n', '/p/alembic.ini');
  assert.throws(() => iniGet(ini, 'alembic', 'url'), (e: Error & { hint?: string }) => /'%' must be followed/.test(e.message) && /%%/.test(e.hint ?? ''));
});
