/**
 * Column types of the project that add a CHECK constraint to the table their column joins, through
 * SQLAlchemy events (`@event.listens_for(MyType, 'before_parent_attach')` registering a column
 * `after_parent_attach` listener, as indico's PyIntEnum does; `event.listen(...)` alike): the
 * statements Alembic writes in `--sql` mode, function by function and on both databases, in
 * CREATE TABLE (the constraints' order), ADD COLUMN and in place in a batch. What the engine does
 * not model (alter_column to such a type, other events, a listener doing something else) is
 * refused with the listener's file:line, where Alembic writes SQL: never dropped silently.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { DialectName } from '../../src/engine/ops/ddl/dialect';
import { alembicOffline, engineOffline } from './offlineOracle';

const REPO = path.resolve(__dirname, '../../..');
const PROJECT = path.join(REPO, 'test/fixtures/attach/project');
const files = (dir: string) => fs.readdirSync(path.join(PROJECT, dir)).filter((f) => f.endsWith('.py')).sort().map((f) => path.join(PROJECT, dir, f));

const alembic = (list: string[]) => alembicOffline(list, [PROJECT]);

/** A planning error is this test's refusal too (the listener's message is what is checked). */
function ours(file: string, dialect: DialectName, fn: 'upgrade' | 'downgrade'): string[] | { refused: string } {
  try { return engineOffline(file, dialect, fn, [PROJECT]); } catch (e) { return { refused: (e as Error).message }; }
}

test('types whose listeners attach a CHECK: the same statements as Alembic --sql, per function and database', () => {
  let compared = 0;
  let checks = 0;
  for (const e of alembic(files('versions'))) {
    const got = ours(e.file, e.dialect, e.fn);
    const where = `${path.basename(e.file)} ${e.fn} on ${e.dialect}`;
    if (e.error) {
      // Alembic cannot (SQLite: no ALTER of constraints; batch offline needs the live table): neither do we.
      assert.ok(!Array.isArray(got), `${where}: Alembic raised ${e.error}, we wrote ${JSON.stringify(got)}`);
      continue;
    }
    assert.deepEqual(got, e.statements, where);
    checks += (e.statements ?? []).join('\n').match(/CHECK \(/g)?.length ?? 0;
    compared++;
  }
  assert.ok(compared >= 8, `compared ${compared} functions`);
  // CREATE TABLE (3 on each database), ADD COLUMN and the batch's in-place ADD on PostgreSQL.
  assert.equal(checks, 8, 'the CHECK constraints the listeners attach');
});

test('SQLite: ADD COLUMN with such a type is refused as Alembic refuses the ALTER of constraints', () => {
  const got = ours(path.join(PROJECT, 'versions/b2_add.py'), 'sqlite', 'upgrade');
  assert.ok(!Array.isArray(got));
  assert.match(got.refused, /event listener \(myapp\/coded\.py:\d+\) adds a CHECK/);
});

test('what the engine does not model is refused with the listener\'s file:line, where Alembic writes SQL', () => {
  const expected = alembic(files('refused'));
  const want: Record<string, RegExp> = {
    'd4_alter.py upgrade': /alter_column\(\.\.\., type_=\.\.\.\): the type's event listener \(myapp\/coded\.py:41\) attaches constraints/,
    'e5_unmodelled.py upgrade': /event\.listens_for\(class Stamp, "after_create"\) at myapp\/badtype\.py:12: only the before_parent_attach \/ after_parent_attach events/,
    'e5_unmodelled.py downgrade': /\.comment = \.\.\. \(in the event listener at myapp\/badtype\.py:23\)/,
  };
  let seen = 0;
  for (const e of expected) {
    const key = `${path.basename(e.file)} ${e.fn}`;
    if (!(key in want)) continue;
    if (e.dialect === 'sqlite' && key.startsWith('d4')) { assert.match(e.error ?? '', /No support for ALTER of constraints/); continue; }
    assert.ok(e.statements?.length, `${key} on ${e.dialect}: Alembic writes SQL (${e.error ?? ''})`);
    const got = ours(e.file, e.dialect, e.fn);
    assert.ok(!Array.isArray(got), `${key} on ${e.dialect}: we wrote ${JSON.stringify(got)}, Alembic ${JSON.stringify(e.statements)}`);
    assert.match(got.refused, want[key], `${key} on ${e.dialect}`);
    seen++;
  }
  assert.equal(seen, 5);
});
