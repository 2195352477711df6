/** A linear project of `n` revisions, each creating a table and an index: long enough to interrupt mid-run. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const revId = (i: number) => `k${String(i).padStart(11, '0')}`;

export function longProject(n: number, prefix = 'long-'): string {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
  const versions = path.join(root, 'alembic', 'versions');
  fs.mkdirSync(versions, { recursive: true });
  fs.writeFileSync(path.join(root, 'alembic.ini'), '[alembic]\nscript_location = %(here)s/alembic\npath_separator = os\n');
  let prev = 'None';
  for (let i = 0; i < n; i++) {
    const id = revId(i);
    fs.writeFileSync(path.join(versions, `${id}_t${i}.py`), `"""t${i}"""\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = '${id}'\ndown_revision = ${prev}\n\n\n` +
      `def upgrade():\n    op.create_table('t${i}', sa.Column('id', sa.Integer(), primary_key=True), sa.Column('name', sa.String(50)))\n    op.create_index('ix_t${i}_name', 't${i}', ['name'])\n\n\n` +
      `def downgrade():\n    op.drop_index('ix_t${i}_name', table_name='t${i}')\n    op.drop_table('t${i}')\n`);
    prev = `'${id}'`;
  }
  return root;
}
