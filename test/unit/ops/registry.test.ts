/**
 * The op registry: every declared op compiles on every dialect to the SQL Alembic writes for the
 * same call in offline mode (or is refused where Alembic refuses it), batch mode offers what the
 * declarations say, and the quick fix's inverses come from them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS, Dialect, NotPossibleOnDialect } from '../../../src/engine/dialects';
import { planOps, PlannedStep } from '../../../src/engine/ops/plan';
import { readMigrationFunctions } from '../../../src/engine/ops/python/reader';
import { allOps, isBatchOp, opSpec } from '../../../src/engine/ops/registry';
import { Unsupported } from '../../../src/engine/ops/values';
import { inverseOperations } from '../../../src/engine/analysis/inverseOps';
import { referenceSqlalchemy, runPython } from '../pythonOracle';

/** One ordinary call of every op. */
const SAMPLES: Record<string, string> = {
  create_table: "op.create_table('t', sa.Column('id', sa.Integer(), primary_key=True), sa.Column('flag', sa.Boolean(), server_default=sa.true(), comment='f'), sa.Column('at', sa.DateTime(), server_default=sa.func.now()), comment='tbl')",
  drop_table: "op.drop_table('t')",
  rename_table: "op.rename_table('t', 'user')",
  add_column: "op.add_column('t', sa.Column('x', sa.String(20), nullable=True))",
  drop_column: "op.drop_column('t', 'x')",
  alter_column: "op.alter_column('t', 'x', nullable=False, existing_type=sa.String(20))",
  create_index: "op.create_index('ix_t_x', 't', ['x'], unique=True)",
  drop_index: "op.drop_index('ix_t_x', table_name='t')",
  create_foreign_key: "op.create_foreign_key('fk_t_u', 't', 'u', ['u_id'], ['id'], ondelete='CASCADE')",
  create_unique_constraint: "op.create_unique_constraint('uq_t_x', 't', ['x'])",
  create_check_constraint: "op.create_check_constraint('ck_t_x', 't', 'x > 0')",
  create_primary_key: "op.create_primary_key('pk_t', 't', ['id'])",
  drop_constraint: "op.drop_constraint('uq_t_x', 't', type_='unique')",
  execute: "op.execute('UPDATE t SET x = 1')",
  bulk_insert: "op.bulk_insert(sa.table('t', sa.column('id', sa.Integer()), sa.column('x', sa.String())), [{'id': 1, 'x': \"it's\"}, {'id': 2, 'x': 'b'}])",
  create_table_comment: "op.create_table_comment('t', 'hello')",
  drop_table_comment: "op.drop_table_comment('t')",
  create_exclude_constraint: "op.create_exclude_constraint('ex_t', 't', ('period', '&&'), ('room', '='), where='room > 0', deferrable=True)",
  sync_enum_values: "op.sync_enum_values('public', 'status', ['a', 'b'], [])",
};

/** What Alembic 1.8 writes in offline mode for each sample, per dialect (or the error it raises). */
const ALEMBIC = runPython(`
import io, json, sys
import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.operations import Operations
samples = json.load(sys.stdin)
out = {}
for dialect in ('sqlite', 'postgresql'):
    res = {}
    for name, code in samples.items():
        buf = io.StringIO()
        ctx = MigrationContext.configure(dialect_name=dialect, opts={'as_sql': True, 'output_buffer': buf})
        try:
            exec(code, {'op': Operations(ctx), 'sa': sa})
            res[name] = {'sql': buf.getvalue()}
        except Exception as e:
            res[name] = {'error': '%s: %s' % (type(e).__name__, e)}
    out[dialect] = res
print(json.dumps(out))
`, SAMPLES) as Record<string, Record<string, { sql?: string; error?: string }>>;

/**
 * Where the engine knowingly differs from Alembic's offline output today, and what it does instead.
 * SQLite can run none of these statements: Alembic writes them, then the database refuses them.
 */
const KNOWN: Record<string, Record<string, { refused: true } | { writes: string }>> = {
  // None today: SQLite 3.53 runs the sample's `ALTER COLUMN ... SET NOT NULL` (the test below has what it refuses).
  sqlite: {},
};

const HEAD = 'from alembic import op\nimport sqlalchemy as sa\n\n';
const read = (body: string) => {
  const f = readMigrationFunctions(`${HEAD}def upgrade():\n${body.replace(/^/gm, '    ')}\n\ndef downgrade():\n    pass\n`).find((x) => x.name === 'upgrade')!;
  assert.equal(f.unsupported, undefined, `${body}: ${f.unsupported?.why}`);
  return f.ops!;
};

/** The plan as an offline script's text (values written in, as offline mode does). */
function script(steps: PlannedStep[], d: Dialect): string {
  let out = '';
  for (const step of steps) {
    assert.equal(step.kind, 'sql');
    if (step.kind !== 'sql') continue;
    for (const s of step.statements) {
      const lit = (v: unknown) => (typeof v === 'number' ? String(v) : d.literal(String(v)));
      for (const sql of s.rows ? s.rows.map((r) => d.inlineParams(s.sql, r.map(lit))) : [s.sql]) out += `${sql.replace(/\t/g, '    ').trim()};\n\n`;
    }
  }
  return out;
}

test('every declared op has a sample here (a new op gets one, and with it the checks below)', () => {
  assert.deepEqual(allOps().map((o) => o.name).sort(), Object.keys(SAMPLES).sort());
});

for (const spec of allOps()) {
  test(`op.${spec.name}: the SQL Alembic writes, on every dialect, or refused where Alembic fails`, () => {
    for (const d of DIALECTS.map((x) => x.forSqlalchemy?.(referenceSqlalchemy()) ?? x)) {
      const theirs = ALEMBIC[d.name][spec.name];
      const ops = read(SAMPLES[spec.name]);
      const known = KNOWN[d.name]?.[spec.name];
      if (spec.extension) {
        // Alembic alone has no such op (its package's SQL is checked in test/diff/syncEnumValues.test.ts).
        assert.match(theirs.error ?? '', new RegExp(`AttributeError: .*${spec.name}`), d.name);
      } else if (known) {
        assert.ok(theirs.sql, `${d.name}: Alembic writes SQL here`);
        if ('refused' in known) assert.throws(() => planOps(ops, d), NotPossibleOnDialect);
        else assert.equal(script(planOps(ops, d), d), known.writes);
      } else if (theirs.error !== undefined) {
        assert.throws(() => planOps(ops, d), (e) => e instanceof NotPossibleOnDialect, `${d.name}: Alembic says ${theirs.error}`);
      } else {
        assert.equal(script(planOps(ops, d), d), theirs.sql, d.name);
      }
    }
  });
}

test('batch_op offers exactly the ops whose declaration has batch handling; the reader agrees', () => {
  const batch = allOps().filter((o) => o.batch).map((o) => o.name);
  assert.deepEqual(batch.sort(), ['add_column', 'alter_column', 'create_check_constraint', 'create_foreign_key', 'create_index', 'create_primary_key', 'create_table_comment', 'create_unique_constraint', 'drop_column', 'drop_constraint', 'drop_index', 'drop_table_comment']);
  for (const o of allOps()) {
    assert.equal(isBatchOp(o.name), o.batch !== undefined);
    const f = readMigrationFunctions(`${HEAD}def upgrade():\n    with op.batch_alter_table('t') as batch_op:\n        batch_op.${o.name}('a', 'b')\n\ndef downgrade():\n    pass\n`)[0];
    // batch_op.execute runs in place, as Alembic's batch_execute.
    assert.equal(f.unsupported === undefined, isBatchOp(o.name) || o.name === 'execute', `batch_op.${o.name}: ${f.unsupported?.why}`);
  }
  assert.equal(isBatchOp('create_table'), false);
  assert.equal(opSpec('no_such_op'), undefined);
});

test('in a batch block, SQLite rebuilds the table unless every op can run in place (as its declaration says)', () => {
  const block = (body: string) => read(`with op.batch_alter_table('t') as batch_op:\n    ${body}`);
  const kinds = (body: string) => planOps(block(body), DIALECTS.find((d) => d.cannotAlterInPlace)!).map((p) => p.kind);
  assert.deepEqual(kinds("batch_op.create_index('ix', ['x'])"), ['sql']);
  assert.deepEqual(kinds("batch_op.add_column(sa.Column('y', sa.Integer()))"), ['sql']);
  assert.deepEqual(kinds("batch_op.add_column(sa.Column('y', sa.DateTime(), server_default=sa.func.now()))"), ['recreate']);
  assert.deepEqual(kinds("batch_op.alter_column('x', nullable=False)"), ['recreate']);
  // A rebuild checks its ops before anything runs.
  assert.throws(() => planOps(block("batch_op.alter_column('x', type_=sa.NoSuchType())"), DIALECTS[0]), Unsupported);
});

test("the quick fix's downgrade is the inverse each op declares, in reverse order", () => {
  const body = [
    "op.create_table('t', sa.Column('id', sa.Integer()))",
    "op.add_column('t', sa.Column('x', sa.String()))",
    "op.create_check_constraint('ck', 't', 'x > 0')",
    "op.create_primary_key('pk', 't', ['id'])",
    'op.execute("SELECT 1")',
  ].map((text, i) => ({ text, line: i + 1, indent: 4 }));
  assert.deepEqual(inverseOperations(body).lines, [
    '# TODO: undo line 5: op.execute("SELECT 1")',
    "op.drop_constraint('pk', 't', type_='primary')",
    "op.drop_constraint('ck', 't', type_='check')",
    "op.drop_column('t', 'x')",
    "op.drop_table('t')",
    'raise NotImplementedError("finish this downgrade: see the TODO lines")',
  ]);
  assert.equal(opSpec('drop_table')!.inverse, undefined, 'a drop cannot be inverted from the call alone');
});

test('outside batch mode on SQLite, the refusal says what Alembic does: writes the ALTER COLUMN with --sql, raises on constraints', () => {
  const sqlite = DIALECTS.find((d) => d.cannotAlterInPlace)!;
  const why = (body: string) => {
    try { planOps(read(body), sqlite); } catch (e) { assert.ok(e instanceof NotPossibleOnDialect); return e.why; }
    assert.fail(`${body}: not refused`);
  };
  assert.match(why("op.alter_column('t', 'x', type_=sa.Integer())"), /SQLite's ALTER COLUMN only sets or drops NOT NULL: Alembic's --sql output writes the ALTER of a type, default or comment anyway and SQLite rejects it/);
  assert.match(why("op.alter_column('t', 'x', nullable=False, server_default='0')"), /only sets or drops NOT NULL/);
  // A nullability change is an ALTER SQLite has since 3.53: it runs, and tells the user older SQLite fails.
  const [step] = planOps(read("op.alter_column('t', 'x', nullable=False)"), sqlite);
  assert.deepEqual(step.kind === 'sql' && step.statements.map((s) => [s.sql, /SQLite 3\.53 and later/.test(s.note ?? '')]), [['ALTER TABLE t ALTER COLUMN x SET NOT NULL', true]]);
  // Alembic's own defaults for the other changes mean none: the same single ALTER.
  const [same] = planOps(read("op.alter_column('t', 'x', nullable=False, server_default=False, comment=False)"), sqlite);
  assert.deepEqual(same.kind === 'sql' && same.statements.map((s) => s.sql), ['ALTER TABLE t ALTER COLUMN x SET NOT NULL']);
  assert.match(why("op.create_unique_constraint('uq', 't', ['x'])"), /No support for ALTER of constraints in SQLite \(Alembic raises this too/);
  // A rename alone is an ALTER SQLite has: it runs.
  assert.equal(script(planOps(read("op.alter_column('t', 'x', new_column_name='y')"), sqlite), sqlite), 'ALTER TABLE t RENAME COLUMN x TO y;\n\n');
});

test('an argument the engine does not know is refused with its name, never dropped', () => {
  for (const [body, name] of [
    ["op.add_column('t', sa.Column('x', sa.Integer()), foo=True)", 'foo'],
    ["op.create_index('ix', 't', ['x'], postgresql_foo=1)", 'postgresql_foo'],
    ["op.create_table('t', sa.Column('x', sa.Integer(), system=True))", 'system'],
    ["op.create_primary_key('pk', 't', ['x'], deferrable=True)", 'deferrable'],
  ]) {
    for (const d of DIALECTS) assert.throws(() => planOps(read(body), d), (e) => e instanceof Unsupported && e.construct.includes(`${name}=`), `${body} on ${d.name}`);
  }
  // Another database's options change nothing here, as in SQLAlchemy.
  for (const d of DIALECTS) assert.doesNotThrow(() => planOps(read("op.create_index('ix', 't', ['x'], mysql_length=10)"), d));
});

test('op.sync_enum_values: the other package\'s signature (alembic_autogenerate_enums) and (table, column) pairs are refused, saying why; SQLite gets nothing', () => {
  const pg = DIALECTS.find((d) => d.name === 'postgresql')!;
  const lite = DIALECTS.find((d) => d.name === 'sqlite')!;
  const lemur = read('op.sync_enum_values("public", "log_type", ["key_view"], ["create_cert", "key_view"])');
  assert.throws(() => planOps(lemur, pg), /alembic_autogenerate_enums' op executes COMMIT on the migration's connection and adds the values in Python's set order/);
  const pairs = read('op.sync_enum_values("public", "status", ["a"], [("accounts", "status")])');
  assert.throws(() => planOps(pairs, pg), /reads the column's default from the database first; give a TableReference/);
  assert.deepEqual(planOps(read('op.sync_enum_values("public", "status", ["a"], [])'), lite).flatMap((s) => (s.kind === 'sql' ? s.statements : [])), []);
});
