/**
 * The evaluator against the real Alembic: revision files written the way teams write them
 * (constants, helpers of the file and of the project, loops, conditions on the dialect,
 * f-strings, Core statements, enum types created by hand) give, function by function and on
 * both databases, the statements Alembic writes in `--sql` mode, and the schema and rows Alembic
 * leaves when they run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { readMigrationFunctions } from '../../src/engine/ops/python/reader';
import { planOps } from '../../src/engine/ops/plan';
import { dialectFor, DialectName } from '../../src/engine/ops/ddl/dialect';
import { referenceSqlalchemy } from '../unit/pythonOracle';

const REPO = path.resolve(__dirname, '../../..');
const PROJECT = path.join(REPO, 'test/fixtures/evaluator/project');
const PYTHON = process.env.ORACLE_PYTHON ?? '/usr/bin/python3';
const FILES = fs.readdirSync(path.join(PROJECT, 'versions')).filter((f) => f.endsWith('.py')).sort().map((f) => path.join(PROJECT, 'versions', f));

interface Expected { file: string; dialect: DialectName; fn: 'upgrade' | 'downgrade'; statements?: string[]; error?: string }

function alembic(): Expected[] {
  const out = execFileSync(PYTHON, [path.join(REPO, 'test/diff/revision_offline.py')], {
    input: JSON.stringify({ files: FILES, roots: [PROJECT], dialects: ['sqlite', 'postgresql'] }), encoding: 'utf8', maxBuffer: 64 << 20,
  });
  return JSON.parse(out) as Expected[];
}

function ours(file: string, dialect: DialectName, fn: 'upgrade' | 'downgrade'): string[] | { refused: string } {
  const f = readMigrationFunctions(fs.readFileSync(file, 'utf8'), { dialect, offline: true, file, importRoots: [PROJECT] }).filter((x) => x.name === fn).pop()!;
  if (f.unsupported) return { refused: f.unsupported.message };
  const out: string[] = [];
  for (const step of planOps(f.ops!, dialectFor(dialect, referenceSqlalchemy()))) {
    if (step.kind !== 'sql') return { refused: `a ${step.kind} step (needs a live database)` };
    out.push(...step.statements.map((s) => s.sql.replace(/\t/g, '    ').replace(/\\:/g, ':')));
  }
  return out;
}

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
