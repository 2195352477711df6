/**
 * The real Alembic's autogenerate (test/diff/autogen_alembic.py) on two databases, and the
 * comparison of its ops and lines with ours.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { REPO } from './oracle';
import { autogenerate } from '../../src/engine/autogen';
import type { SchemaSnapshot } from '../../src/engine/schema/snapshot';
import type { SchemaDatabase } from '../support/schemaDatabases';

const PYTHON = process.env.ORACLE_PYTHON ?? '/usr/bin/python3';

interface Reference { upgrade: string; downgrade: string; upgradeOps: [string, string][]; downgradeOps: [string, string][] }
function alembicAutogenerate(base: string, changed: string, batch: boolean): Reference {
  const out = execFileSync(PYTHON, [path.join(REPO, 'test/diff/autogen_alembic.py'), base, changed, batch ? '1' : '0'],
    { encoding: 'utf8', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', PYTHONWARNINGS: 'ignore' } });
  return JSON.parse(out) as Reference;
}

/**
 * Alembic's text without what comes from reflecting the changed database rather than reading
 * models, which we leave out: `autoincrement=False` on every PostgreSQL column, an empty
 * `postgresql_include=[]`, a SERIAL's `nextval(...)` default, `unique=1` from SQLite's reflection, a
 * partial index's condition as a string (we write `sa.text(...)`, as for a model); and an ENUM
 * column, which we write `create_type=False` because the revision creates the type itself (Alembic's
 * add_column would not create it).
 */
function alembicLines(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'))) {
    if (line === 'autoincrement=False)') { out[out.length - 1] = out[out.length - 1].replace(/,$/, ')'); continue; }
    out.push(line.replace(/autoincrement=False, /g, '').replace(/,\s*autoincrement=False\)/g, ')').replace(/, postgresql_include=\[\]/g, '')
      .replace(/server_default=sa\.text\("nextval\('[^']+'::regclass\)"\), /, '')
      .replace(/postgresql_where='\((.*)\)'/, "postgresql_where=sa.text('$1')").replace(/unique=1\b/, 'unique=True').replace(/unique=0\b/, 'unique=False')
      .replace(/(postgresql\.ENUM\([^)]*name='[^']+')\)/g, '$1, create_type=False)'));
  }
  return out;
}

/** The kinds of change Alembic's autogenerate compares (not CHECK constraints, enum labels, views). */
const ALEMBIC_KINDS = new Set(['create_table_comment', 'drop_table_comment', 'create_table', 'drop_table', 'add_column', 'drop_column', 'alter_column', 'create_index', 'drop_index', 'create_foreign_key', 'create_unique_constraint', 'drop_constraint']);
const key = ([k, o]: [string, string]) => `${k} ${o}`;

/**
 * The real Alembic on the same two databases: the same changes, apart from what it does not compare
 * (`departures`), and every line it writes one of ours. Both texts are printed where they differ.
 */
export function compareWithAlembic(kind: 'sqlite' | 'postgresql', base: SchemaDatabase, changed: SchemaDatabase, before: SchemaSnapshot, after: SchemaSnapshot,
  departures: { ours: string[]; alembic: string[] }): void {
  const batch = kind === 'sqlite';
  const ref = alembicAutogenerate(base.url, changed.url, batch);
  const ours = autogenerate(before, after, { dialect: kind, useOpF: false, batch });
  const oursSet = ours.upgradeOps.filter((o) => ALEMBIC_KINDS.has(o.kind) && !/^ck_/.test(o.object)).map((o) => `${o.kind} ${o.object}`).sort();
  const refSet = ref.upgradeOps.map(key).sort();
  const onlyOurs = oursSet.filter((x) => !refSet.includes(x));
  const onlyAlembic = refSet.filter((x) => !oursSet.includes(x));
  if (onlyOurs.length || onlyAlembic.length || ref.upgrade !== ours.upgrades) {
    console.log(`--- ${kind}: Alembic's autogenerate wrote\n${ref.upgrade}\n--- ours\n${ours.upgrades}\n--- only ours: ${JSON.stringify(onlyOurs)}\n--- only Alembic's: ${JSON.stringify(onlyAlembic)}`);
  }
  assert.deepEqual(onlyOurs, departures.ours, 'changes we write that Alembic does not (each explained in the test)');
  // Line by line, every line Alembic writes is one of ours, once its reflection artifacts are
  // taken out (see alembicLines).
  const ourLines = new Set([...ours.upgrades.split('\n'), ...ours.downgrades.split('\n')].map((l) => l.trim()));
  assert.deepEqual([...alembicLines(ref.upgrade), ...alembicLines(ref.downgrade)].filter((l) => !ourLines.has(l)), [], 'Alembic\'s lines, written as we write them');
  assert.deepEqual(onlyAlembic, departures.alembic, 'changes Alembic writes that we do not');

}
