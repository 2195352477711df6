/**
 * `op.bulk_insert` into a Boolean column given 0 / 1 (pgadmin4's macros): the `--sql` script writes
 * what Alembic writes (SQLAlchemy's Boolean takes 0 and 1 as False and True: `false`/`true` on
 * PostgreSQL, `0`/`1` on SQLite), through the runner's own offline writer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dialectFor } from '../../../src/engine/ops/ddl/dialect';
import { planOps } from '../../../src/engine/ops/plan';
import { readMigrationFunctions } from '../../../src/engine/ops/python/reader';
import { offlineStatements } from '../../survey/engine';
import { runPython } from '../pythonOracle';

const BODY = `macros = op.create_table("macros", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("alt", sa.Boolean(), nullable=False))
op.bulk_insert(macros, [{"id": 1, "alt": 0}, {"id": 2, "alt": 1}, {"id": 3, "alt": True}])`;

const ALEMBIC = runPython(`
import io, json, sys
import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.operations import Operations
out = {}
for dialect in ('sqlite', 'postgresql'):
    buf = io.StringIO()
    ctx = MigrationContext.configure(dialect_name=dialect, opts={'as_sql': True, 'output_buffer': buf})
    exec(${JSON.stringify(BODY)}, {'op': Operations(ctx), 'sa': sa})
    out[dialect] = [s.strip().replace('\\t', '    ') for s in buf.getvalue().split(';\\n\\n') if s.strip()]
print(json.dumps(out))
`, null) as Record<'sqlite' | 'postgresql', string[]>;

for (const name of ['postgresql', 'sqlite'] as const) {
  test(`bulk_insert of 0 / 1 into a Boolean column, ${name}: the rows Alembic writes offline`, async () => {
    const f = readMigrationFunctions(`from alembic import op\nimport sqlalchemy as sa\n\ndef upgrade():\n${BODY.replace(/^/gm, '    ')}\n`, { dialect: name, offline: true })[0];
    assert.equal(f.unsupported, undefined, f.unsupported?.message);
    const r = await offlineStatements(planOps(f.ops!, dialectFor(name)), 'x.py', name);
    assert.ok('statements' in r, 'error' in r ? r.error : '');
    const rows = r.statements.filter((s) => s.startsWith('INSERT'));
    assert.deepEqual(rows, ALEMBIC[name].filter((s) => s.startsWith('INSERT')));
    assert.equal(rows.length, 3);
  });
}
