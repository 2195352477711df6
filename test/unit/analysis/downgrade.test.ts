import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findDowngradeProblems } from '../../../src/engine/analysis/downgradeProblems';
import { findMigrationFunctions } from '../../../src/engine/analysis/migrationFunctions';

const py = (up: string, down?: string) => `"""m"""\nfrom alembic import op\nrevision = 'a'\ndown_revision = None\n\n\ndef upgrade() -> None:\n${up}\n${down === undefined ? '' : `\n\ndef downgrade() -> None:\n${down}\n`}`;

test('Python: a missing downgrade is an error at the upgrade line', () => {
  const p = findDowngradeProblems('/v/a.py', py("    op.add_column('users', sa.Column('x', sa.Integer()))"), 'python');
  assert.deepEqual(p.map((x) => [x.code, x.severity, x.line]), [['missing-downgrade', 'error', 7]]);
});

test('Python: a downgrade of pass, ..., a docstring or comments does nothing', () => {
  const up = "    op.add_column('users', sa.Column('x', sa.Integer()))";
  for (const down of ['    pass', '    ...', '    """Downgrade schema."""\n    pass', '    # nothing to undo\n    pass', '    """Only a docstring."""', '    return']) {
    const p = findDowngradeProblems('/v/a.py', py(up, down), 'python');
    assert.deepEqual(p.map((x) => [x.code, x.line]), [['empty-downgrade', 11]], JSON.stringify(down));
  }
});

test('Python: a real downgrade, or an upgrade that also does nothing, is fine', () => {
  assert.deepEqual(findDowngradeProblems('/v/a.py', py("    op.add_column('t', sa.Column('x', sa.Integer()))", "    op.drop_column('t', 'x')"), 'python'), []);
  assert.deepEqual(findDowngradeProblems('/v/a.py', py('    pass', '    pass'), 'python'), []);
  // A string that looks like a def inside upgrade is not a function definition.
  const tricky = py('    op.execute("""\ndef downgrade():\n    pass\n""")', "    op.execute('DELETE FROM t')");
  assert.deepEqual(findMigrationFunctions(tricky, 'python').map((f) => [f.name, f.empty]), [['upgrade', false], ['downgrade', false]]);
});

test('SQL sections and TypeScript functions', () => {
  const sql = '-- m\n-- Revision ID: a\n\n-- migrate:upgrade\nCREATE TABLE t (id INT);\n\n-- migrate:downgrade\n-- nothing\n';
  assert.deepEqual(findDowngradeProblems('/v/a.sql', sql, 'sql').map((x) => [x.code, x.line]), [['empty-downgrade', 7]]);
  const ts = "export const revision = 'a';\nexport async function upgrade(knex: Knex): Promise<void> {\n  await knex.schema.createTable('t', (t) => { t.increments(); });\n}\n";
  assert.deepEqual(findDowngradeProblems('/v/a.ts', ts, 'typescript').map((x) => x.code), ['missing-downgrade']);
  const tsOk = `${ts}export async function downgrade(knex: Knex) {\n  await knex.schema.dropTable('t');\n}\n`;
  assert.deepEqual(findDowngradeProblems('/v/a.ts', tsOk, 'typescript'), []);
});
