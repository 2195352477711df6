import { test } from 'node:test';
import assert from 'node:assert/strict';
import { batchForm } from '../../../src/engine/analysis/batchForm';

const lines = (s: string) => batchForm(s)?.lines;

test('batchForm: the op in its own batch_alter_table block, the table (and its schema) moved to the block, arguments as written', () => {
  assert.deepEqual(lines('op.create_foreign_key("fk_a", "t", "p", ["pid"], ["id"], ondelete="CASCADE")'),
    ['with op.batch_alter_table("t") as batch_op:', '    batch_op.create_foreign_key("fk_a", "p", ["pid"], ["id"], ondelete="CASCADE")']);
  assert.deepEqual(lines("op.drop_constraint(op.f('uq_t_a'), table_name='t', type_='unique', schema='app')"),
    ["with op.batch_alter_table('t', schema='app') as batch_op:", "    batch_op.drop_constraint(op.f('uq_t_a'), type_='unique')"]);
  // create_foreign_key's own table is source_table, its schema source_schema (referent_schema stays).
  assert.deepEqual(lines("op.create_foreign_key(None, source_table=T, referent_table='p', local_cols=['a'], remote_cols=['id'], source_schema=S, referent_schema='x')"),
    ['with op.batch_alter_table(T, schema=S) as batch_op:', "    batch_op.create_foreign_key(None, referent_table='p', local_cols=['a'], remote_cols=['id'], referent_schema='x')"]);
  assert.deepEqual(lines("op.alter_column('t', 'name',\n        type_=sa.Text(), existing_type=sa.String(20))"),
    ["with op.batch_alter_table('t') as batch_op:", "    batch_op.alter_column('name', type_=sa.Text(), existing_type=sa.String(20))"]);
  assert.deepEqual(lines("op.add_column('t', sa.Column('pid', sa.Integer(), sa.ForeignKey('p.id', name='fk')))"),
    ["with op.batch_alter_table('t') as batch_op:", "    batch_op.add_column(sa.Column('pid', sa.Integer(), sa.ForeignKey('p.id', name='fk')))"]);
});

test('batchForm: where the call ends (what follows it stays the caller\'s), and nothing when a comment is inside the call', () => {
  const s = "op.create_unique_constraint('uq', 't', ['a'])  # keep me";
  assert.equal(batchForm(s)?.end, s.indexOf('  #'));
  assert.equal(batchForm("op.create_unique_constraint('uq', 't',  # the table\n    ['a'])"), undefined);
  const hash = "op.create_unique_constraint('uq#1', 't', ['a'])";
  assert.equal(batchForm(hash)?.end, hash.length, 'a # inside a string is no comment');
});

test('batchForm: nothing for what is not such an op call', () => {
  for (const s of ['op.execute("ALTER TABLE t ADD x INT")', 'op.create_table("t")', 'x = 1', 'op.create_foreign_key("fk", ', 'helper("t")']) assert.equal(batchForm(s), undefined, s);
});
