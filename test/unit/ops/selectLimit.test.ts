/**
 * `select(...).limit(n)` / `.offset(n)` (CTFd's `configs_table.select().where(...).limit(1)`): written
 * as SQLAlchemy writes each dialect's LIMIT / OFFSET, compared with SQLAlchemy itself (literal binds).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readMigrationFunctions } from '../../../src/engine/ops/python/reader';
import { planOps } from '../../../src/engine/ops/plan';
import { dialectFor } from '../../../src/engine/ops/ddl/dialect';
import { runPython } from '../pythonOracle';

const T = 'configs = sa.table("config", sa.column("id", sa.Integer), sa.column("key", sa.Text))';
const SELECTS = [
  'configs.select().where(configs.c.key == "css").limit(1)',
  'sa.select(configs.c.id).order_by(configs.c.id).limit(5).offset(10)',
  'configs.select().limit(0)',
];

const python = runPython(`
import json, sys
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
${T}
selects = json.load(sys.stdin)
out = {}
for d, dialect in (("postgresql", postgresql.dialect()), ("sqlite", sqlite.dialect())):
    out[d] = [str(eval(e).compile(dialect=dialect, compile_kwargs={"literal_binds": True})) for e in selects]
print(json.dumps(out))
`, SELECTS) as Record<string, string[]>;

for (const d of ['postgresql', 'sqlite'] as const) {
  test(`LIMIT / OFFSET on ${d}: SQLAlchemy's text`, () => {
    const [f] = readMigrationFunctions(`from alembic import op\nimport sqlalchemy as sa\n${T}\ndef upgrade():\n${SELECTS.map((s) => `    op.execute(${s})`).join('\n')}\n`, { dialect: d, offline: true });
    assert.equal(f.unsupported, undefined, f.unsupported?.message);
    const ours = planOps(f.ops!, dialectFor(d)).flatMap((s) => ('statements' in s ? s.statements.map((x) => x.sql) : []));
    assert.deepEqual(ours, python[d]);
  });
}

test('a limit that is not a whole number is refused, not written; so is an OFFSET alone on SQLite (SQLAlchemy writes LIMIT ?)', () => {
  const [f] = readMigrationFunctions(`from alembic import op\nimport sqlalchemy as sa\n${T}\ndef upgrade():\n    op.execute(configs.select().limit(configs.c.id))\n`, { dialect: 'sqlite' });
  assert.match(f.unsupported!.message, /select\(\)\.limit\(\.\.\.\): a whole number is rendered/);
  const [g] = readMigrationFunctions(`from alembic import op\nimport sqlalchemy as sa\n${T}\ndef upgrade():\n    op.execute(sa.select(configs.c.id).offset(3))\n`, { dialect: 'sqlite', offline: true });
  assert.match(g.unsupported!.message, /line 5: select\(\)\.offset\(\.\.\.\): an OFFSET without a LIMIT/);
  const [h] = readMigrationFunctions(`from alembic import op\nimport sqlalchemy as sa\n${T}\ndef upgrade():\n    op.execute(sa.select(configs.c.id).offset(3))\n`, { dialect: 'postgresql', offline: true });
  assert.match(JSON.stringify(planOps(h.ops!, dialectFor('postgresql'))), /LIMIT ALL OFFSET 3/);
});
