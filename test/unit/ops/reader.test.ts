/**
 * The Python body reader: what it accepts (straight-line op calls with literals) and how it names
 * what it cannot run (file line, the construct, why), which is what stops a run before it starts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readMigrationFunctions, OpCall } from '../../../src/engine/ops/python/reader';
import { planOps, NotPossibleOnDialect } from '../../../src/engine/ops/plan';
import { SQLITE, POSTGRESQL } from '../../../src/engine/dialects';
import { Call, PyDict, TextClause } from '../../../src/engine/ops/values';

const HEAD = 'from alembic import op\nimport sqlalchemy as sa\nfrom sqlalchemy.dialects import postgresql\nimport myapp.helpers as helpers\nfrom myapp import something\n\nTABLE = "acc" "ounts"\n\n';

function upgrade(body: string) {
  const fns = readMigrationFunctions(`${HEAD}def upgrade():\n${body.replace(/^/gm, '    ')}\n\ndef downgrade():\n    pass\n`);
  return fns.find((f) => f.name === 'upgrade')!;
}

test('literals, names bound at module level, kwargs and nested calls are read as Python evaluates them', () => {
  const f = upgrade(`op.create_table(TABLE, sa.Column('id', sa.Integer, primary_key=True), sa.Column("n", sa.Numeric(10, 2), server_default=sa.text('0')), comment='it''s')\nop.execute(r"SELECT '\\n'" + ' -- x')\nop.bulk_insert(sa.table('t', sa.column('j', sa.JSON)), [{'j': {'a': [1, -2.5, None, True]}}])`);
  assert.equal(f.unsupported, undefined);
  const [create, execute, bulk] = f.ops as OpCall[];
  assert.equal(create.call.args[0], 'accounts');
  assert.ok(create.call.args[1] instanceof Call && (create.call.args[1] as Call).kw('primary_key') === true);
  assert.ok((create.call.args[2] as Call).kw('server_default') instanceof TextClause);
  assert.equal(execute.call.args[0], "SELECT '\\n' -- x");
  const row = (bulk.call.args[1] as PyDict[])[0];
  assert.deepEqual((row.entries.get('j') as PyDict).entries.get('a'), [1, -2.5, null, true]);
});

const UNSUPPORTED: [string, number, RegExp][] = [
  ['for row in op.get_bind().execute(sa.text("SELECT id FROM t")):\n    op.drop_table(row.name)', 1, /reads from the database/],
  ['try:\n    op.execute("x")\nexcept Exception:\n    pass', 1, /whether the database raises here/],
  ['op.execute("x")\nhelpers.create_views(op)', 2, /myapp\.helpers\.create_views: the embedded engine does not run Python code from outside the migration/],
  ['op.add_column("t", sa.Column("x", something.Type()))', 1, /myapp\.something\.Type/],
  ['op.create_table("t", *cols)', 1, /name 'cols' is not defined/],
  ['x = some_function()', 1, /name 'some_function' is not defined/],
];

for (const [body, line, why] of UNSUPPORTED) {
  test(`names what it cannot run: ${body.split('\n')[0]}`, () => {
    const f = upgrade(body);
    assert.ok(f.unsupported, 'refused');
    assert.equal(f.unsupported!.line, 9 + line, 'the line in the file');
    assert.match(`${f.unsupported!.construct}: ${f.unsupported!.why}`, why);
  });
}

test('a batch block collects batch_op calls; op calls inside it run first, as in Alembic', () => {
  const f = upgrade(`with op.batch_alter_table("users", schema=None) as batch_op:\n    batch_op.add_column(sa.Column("x", sa.String(5)))\n    op.execute("SELECT 1")\n    batch_op.create_index(batch_op.f("ix_users_x"), ["x"])`);
  assert.equal(f.unsupported, undefined);
  assert.deepEqual(f.ops!.map((o) => o.kind === 'batch' ? `batch:${o.ops.map((x) => x.name).join(',')}` : o.name), ['execute', 'batch:add_column,create_index']);
});

test('SQLite cannot ALTER in place: outside batch mode the run stops (Alembic fails there too); PostgreSQL gets the ALTER', () => {
  const f = upgrade('op.alter_column("users", "name", nullable=False)\nop.create_foreign_key("fk", "a", "b", ["b_id"], ["id"], ondelete="CASCADE")');
  assert.throws(() => planOps(f.ops!, SQLITE), (e) => e instanceof NotPossibleOnDialect && /batch_alter_table/.test(e.why));
  const pg = planOps(f.ops!, POSTGRESQL).flatMap((p) => (p.kind === 'sql' ? p.statements.map((s) => s.sql) : []));
  assert.deepEqual(pg, ['ALTER TABLE users ALTER COLUMN name SET NOT NULL', 'ALTER TABLE a ADD CONSTRAINT fk FOREIGN KEY(b_id) REFERENCES b (id) ON DELETE CASCADE']);
});

test('names SQLAlchemy quotes (reserved words, capitals) are quoted per dialect', () => {
  const f = upgrade('op.create_table("order", sa.Column("User", sa.Integer), sa.Column("key", sa.Text))');
  const sql = (d: typeof SQLITE) => planOps(f.ops!, d).flatMap((p) => (p.kind === 'sql' ? p.statements.map((s) => s.sql) : []))[0];
  assert.equal(sql(SQLITE), 'CREATE TABLE "order" (\n\t"User" INTEGER, \n\t"key" TEXT\n)');
  assert.equal(sql(POSTGRESQL), 'CREATE TABLE "order" (\n\t"User" INTEGER, \n\tkey TEXT\n)');
});

test('raise fails the step with its message when it runs; print is ignored; a None index name takes the default convention', () => {
  const f = readMigrationFunctions(`${HEAD}def upgrade():\n    pass\n\ndef downgrade():\n    print("going down")\n    raise RuntimeError("Cannot downgrade past this revision")\n    op.drop_table("never")\n`).find((x) => x.name === 'downgrade')!;
  const planned = planOps(f.ops!, SQLITE).flatMap((p) => (p.kind === 'sql' ? p.statements : []));
  assert.deepEqual(planned.map((s) => s.fail), ['RuntimeError: Cannot downgrade past this revision'], 'nothing after the raise');
  const g = upgrade('op.create_index(None, "t", ["a"])');
  assert.deepEqual(planOps(g.ops!, POSTGRESQL).flatMap((p) => (p.kind === 'sql' ? p.statements.map((x) => x.sql) : [])), ['CREATE INDEX ix_t_a ON t (a)']);
});
