import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findMigrationFunctions } from '../../../src/engine/analysis/migrationFunctions';
import { inverseOperations } from '../../../src/engine/analysis/inverseOps';

const upgradeOf = (body: string) => findMigrationFunctions(`revision = 'a'\ndown_revision = None\n\n\ndef upgrade():\n${body}\n`, 'python')[0];

test('derives the inverse operations in reverse order', () => {
  const up = upgradeOf([
    "    op.create_table(",
    "        'tags',",
    "        sa.Column('id', sa.Integer(), primary_key=True),",
    "    )",
    "    op.add_column('users', sa.Column(\"nickname\", sa.String(50), nullable=True))",
    "    op.create_index(op.f('ix_users_nickname'), 'users', ['nickname'], unique=False)",
    "    op.create_foreign_key('fk_tags_user', 'tags', 'users', ['user_id'], ['id'])",
    "    op.create_unique_constraint('uq_tags_name', 'tags', ['name'])",
    "    op.rename_table('old_name', 'new_name')",
  ].join('\n'));
  assert.deepEqual(inverseOperations(up.body!), {
    complete: true,
    lines: [
      "op.rename_table('new_name', 'old_name')",
      "op.drop_constraint('uq_tags_name', 'tags', type_='unique')",
      "op.drop_constraint('fk_tags_user', 'tags', type_='foreignkey')",
      "op.drop_index(op.f('ix_users_nickname'), table_name='users')",
      "op.drop_column('users', 'nickname')",
      "op.drop_table('tags')",
    ],
  });
});

test('what cannot be inverted becomes a TODO with its line, and the stub refuses to run', () => {
  const up = upgradeOf([
    "    op.add_column('users', sa.Column('age', sa.Integer()))",
    "    op.execute(\"UPDATE users SET age = 0\")",
    "    with op.batch_alter_table('users') as batch_op:",
    "        batch_op.alter_column('age', nullable=False)",
  ].join('\n'));
  const r = inverseOperations(up.body!);
  assert.equal(r.complete, false);
  assert.deepEqual(r.lines, [
    "# TODO: undo line 8: with op.batch_alter_table('users') as batch_op:",
    '# TODO: undo line 7: op.execute("UPDATE users SET age = 0")',
    "op.drop_column('users', 'age')",
    'raise NotImplementedError("finish this downgrade: see the TODO lines")',
  ]);
});

test("the literals it writes follow the quotes of the upgrade's call", () => {
  const up = upgradeOf([
    '    op.add_column("users", sa.Column("nick\\"name", sa.String(50)))',
    '    op.create_unique_constraint("uq_users_nick", "users", ["nick"])',
    "    op.add_column('users', sa.Column(\"it's\", sa.Integer()))",
  ].join('\n'));
  assert.deepEqual(inverseOperations(up.body!).lines, [
    "op.drop_column('users', 'it\\'s')",
    'op.drop_constraint("uq_users_nick", "users", type_="unique")',
    'op.drop_column("users", "nick\\"name")',
  ]);
});
