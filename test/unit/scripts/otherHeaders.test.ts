import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readRevisionFile, revisionFileKind } from '../../../src/engine/scripts/revisionFile';

test('TypeScript revision headers: doc comment and exported constants', () => {
  const info = readRevisionFile('/p/versions/ae1027a6acf0_users.ts', `/**
 * Add users table
 *
 * Longer text.
 */
import type { Knex } from 'knex';

export const revision = 'ae1027a6acf0';
export const downRevision: string | string[] | null = ['1975ea83b712', "27c6a30d7c24"];
export const branchLabels = ['auth'] as const;
export const dependsOn = null;

export async function upgrade(knex: Knex) { await knex.schema.createTable('users', () => {}); }
`);
  assert.equal(info.kind, 'typescript');
  assert.equal(info.revision, 'ae1027a6acf0');
  assert.deepEqual(info.downRevision, ['1975ea83b712', '27c6a30d7c24']);
  assert.deepEqual(info.branchLabels, ['auth']);
  assert.deepEqual(info.dependsOn, []);
  assert.equal(info.longdoc, 'Add users table\n\nLonger text.');
  assert.equal(info.lines.down_revision, 9);
  assert.deepEqual(info.problems, []);
});

test('a TypeScript header computed at run time is reported, not guessed', () => {
  const info = readRevisionFile('/p/v/x.ts', "export const revision = makeId();\nexport const downRevision = null;\n");
  assert.equal(info.revision, undefined);
  assert.equal(info.problems[0].code, 'non-literal');
  assert.equal(info.problems[0].line, 1);
});

test('SQL revision headers: the leading comment block carries the fields', () => {
  const info = readRevisionFile('/p/v/b2_merge.sql', `-- merge auth and billing
--
-- Revision ID: b2c3d4e5f6a7
-- Revises: 1975ea83b712, 27c6a30d7c24
-- Branch Labels: billing
-- Create Date: 2026-11-24 10:00:00

-- migrate:upgrade
SELECT 1;
-- migrate:downgrade
SELECT 1;
`);
  assert.equal(info.kind, 'sql');
  assert.equal(info.revision, 'b2c3d4e5f6a7');
  assert.deepEqual(info.downRevision, ['1975ea83b712', '27c6a30d7c24']);
  assert.deepEqual(info.branchLabels, ['billing']);
  assert.equal(info.longdoc.split('\n')[0], 'merge auth and billing');
  const base = readRevisionFile('/p/v/first.sql', '-- first\n-- Revision ID: aaaa1111\n-- Revises:\n');
  assert.equal(base.downRevision, null);
});

test('which files are revision files, as Alembic decides for .py', () => {
  assert.equal(revisionFileKind('abc_add.py'), 'python');
  assert.equal(revisionFileKind('__init__.py'), undefined);
  assert.equal(revisionFileKind('.#abc.py'), undefined);
  assert.equal(revisionFileKind('abc.pyc'), undefined);
  assert.equal(revisionFileKind('types.d.ts'), undefined);
  assert.equal(revisionFileKind('x.mjs'), 'javascript');
  assert.equal(revisionFileKind('README.md'), undefined);
});

test('a Python file without revision falls back to a hex file name, else says what to do', () => {
  assert.equal(readRevisionFile('/p/v/abc123.py', 'down_revision = None\n').revision, 'abc123');
  const bad = readRevisionFile('/p/v/helpers.py', 'X = 1\n');
  assert.match(bad.problems[0].message, /Could not determine revision id from filename helpers.py/);
});

import { findGraphProblems } from '../../../src/engine/scripts/graphProblems';

test('graph problems are collected with file and line, all at once', () => {
  const file = (name: string, rev: string, down: string, extra = '') =>
    readRevisionFile(`/p/v/${name}.py`, `"""m"""\nrevision = '${rev}'\ndown_revision = ${down}\n${extra}`);
  const problems = findGraphProblems([
    file('a', 'aaaa', 'None', "branch_labels = 'x'\n"),
    file('b', 'bbbb', "'aaaa'", "branch_labels = 'x'\n"),
    file('c', 'cccc', "'zzzz'"),
    file('d', 'dddd', "'eeee'"),
    file('e', 'eeee', "'dddd'"),
    file('a2', 'aaaa', 'None'),
  ]);
  const codes = problems.map((p) => `${p.code}@${p.file?.split('/').pop()}:${p.line}`).sort();
  assert.deepEqual(codes, [
    'cycle@d.py:3', 'cycle@e.py:3', 'duplicate-label@b.py:4', 'duplicate-revision@a2.py:2', 'missing-parent@c.py:3',
  ]);
  assert.match(problems.find((p) => p.code === 'missing-parent')!.message, /'zzzz' names no revision/);
});
