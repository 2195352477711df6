/**
 * The evaluator against the real Alembic: revision files written the way teams write them
 * (constants, helpers of the file and of the project, loops, conditions on the dialect,
 * f-strings, Core statements, enum types created by hand) give, function by function and on
 * both databases, the statements Alembic writes in `--sql` mode, and the schema and rows Alembic
 * leaves when they run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { DialectName } from '../../src/engine/ops/ddl/dialect';
import { alembicOffline, engineOffline } from './offlineOracle';

const REPO = path.resolve(__dirname, '../../..');
const PROJECT = path.join(REPO, 'test/fixtures/evaluator/project');
const FILES = fs.readdirSync(path.join(PROJECT, 'versions')).filter((f) => f.endsWith('.py')).sort().map((f) => path.join(PROJECT, 'versions', f));

const alembic = () => alembicOffline(FILES, [PROJECT]);
const ours = (file: string, dialect: DialectName, fn: 'upgrade' | 'downgrade') => engineOffline(file, dialect, fn, [PROJECT]);

test('revision files in the subset: the same statements as Alembic --sql, per function and database', () => {
  const expected = alembic();
  assert.equal(expected.length, FILES.length * 4);
  let compared = 0;
  for (const e of expected) {
    const got = ours(e.file, e.dialect, e.fn);
    const where = `${path.basename(e.file)} ${e.fn} on ${e.dialect}`;
    if (e.error) {
      // Alembic cannot write it offline (batch on SQLite needs the live table): neither can we.
      assert.ok(!Array.isArray(got) || got.length === 0 || /batch/.test(e.error), `${where}: Alembic raised ${e.error}, we wrote ${JSON.stringify(got)}`);
      continue;
    }
    assert.deepEqual(got, e.statements, where);
    compared++;
  }
  assert.ok(compared >= 14, `compared ${compared} functions`);
});
