/**
 * Offline SQL of revision files, from the real Alembic (test/diff/revision_offline.py) and from the
 * engine, in the same shape, for tests that compare them function by function and database by database.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { readMigrationFunctions } from '../../src/engine/ops/python/reader';
import { planOps } from '../../src/engine/ops/plan';
import { dialectFor, DialectName } from '../../src/engine/ops/ddl/dialect';
import { referenceSqlalchemy } from '../unit/pythonOracle';

const REPO = path.resolve(__dirname, '../../..');
const PYTHON = process.env.ORACLE_PYTHON ?? '/usr/bin/python3';

export interface Expected { file: string; dialect: DialectName; fn: 'upgrade' | 'downgrade'; statements?: string[]; error?: string }

/** What Alembic --sql writes for each function of `files` on SQLite and PostgreSQL (`roots`: importable project folders). */
export function alembicOffline(files: string[], roots: string[]): Expected[] {
  const out = execFileSync(PYTHON, [path.join(REPO, 'test/diff/revision_offline.py')], {
    input: JSON.stringify({ files, roots, dialects: ['sqlite', 'postgresql'] }), encoding: 'utf8', maxBuffer: 64 << 20,
  });
  return JSON.parse(out) as Expected[];
}

/** The engine's offline statements for one function, or its refusal; an error while planning is thrown. */
export function engineOffline(file: string, dialect: DialectName, fn: 'upgrade' | 'downgrade', roots: string[]): string[] | { refused: string } {
  const f = readMigrationFunctions(fs.readFileSync(file, 'utf8'), { dialect, offline: true, file, importRoots: roots }).filter((x) => x.name === fn).pop()!;
  if (f.unsupported) return { refused: f.unsupported.message };
  const out: string[] = [];
  for (const step of planOps(f.ops!, dialectFor(dialect, referenceSqlalchemy()))) {
    if (step.kind !== 'sql') return { refused: `a ${step.kind} step (needs a live database)` };
    out.push(...step.statements.map((s) => s.sql.replace(/\t/g, '    ').replace(/\\:/g, ':')));
  }
  return out;
}
