// Writes an Alembic project with N revision files shaped like real ones (Alembic's template,
// a table and an index per revision, a branch and merge every 50 revisions).
import fs from 'node:fs';
import path from 'node:path';

const hex = (i, salt) => ((i * 2654435761 + salt) >>> 0).toString(16).padStart(8, '0') + (i % 65536).toString(16).padStart(4, '0');

/**
 * The revisions of a generated project in upgrade order, as `{ i, rev, down }`: a line with, every
 * 50 revisions, a branchpoint (revision 10's parent), a second child (11) and their merge (12).
 * `salt` keeps the ids of different generators apart.
 */
export function* revisionGraph(count, salt) {
  let prev = null;
  let fork = null;
  let firstChild = null;
  for (let i = 0; i < count; i++) {
    const rev = hex(i, salt);
    let down = prev;
    if (i % 50 === 10 && prev) { fork = prev; firstChild = rev; }
    else if (i % 50 === 11 && fork) { down = fork; }
    else if (i % 50 === 12 && fork) { down = [firstChild, prev]; fork = null; }
    yield { i, rev, down };
    prev = rev;
  }
}

/** A revision file as Alembic's template writes it; `upgrade` / `downgrade`: the bodies, indented. */
export function revisionFile({ message, rev, down, upgrade, downgrade }) {
  const downRepr = down === null ? 'None' : Array.isArray(down) ? `(${down.map((d) => `'${d}'`).join(', ')})` : `'${down}'`;
  return `"""${message}

Revision ID: ${rev}
Revises: ${down === null ? '' : [].concat(down).join(', ')}
Create Date: 2026-01-01 00:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '${rev}'
down_revision: Union[str, Sequence[str], None] = ${downRepr}
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
${upgrade}


def downgrade() -> None:
${downgrade}
`;
}

export function generateProject(root, count) {
  fs.rmSync(root, { recursive: true, force: true });
  const versions = path.join(root, 'alembic', 'versions');
  fs.mkdirSync(versions, { recursive: true });
  fs.writeFileSync(path.join(root, 'alembic.ini'), '[alembic]\nscript_location = %(here)s/alembic\npath_separator = os\nsqlalchemy.url = sqlite:///%(here)s/bench.db\n');
  fs.writeFileSync(path.join(root, 'alembic', 'env.py'), 'from alembic import context\n');
  for (const { i, rev, down } of revisionGraph(count, 7)) {
    const upgrade = `    op.create_table(
        't${i}',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_t${i}_name', 't${i}', ['name'])`;
    const downgrade = `    op.drop_index('ix_t${i}_name', table_name='t${i}')
    op.drop_table('t${i}')`;
    fs.writeFileSync(path.join(versions, `${rev}_add_table_t${i}.py`), revisionFile({ message: `add table t${i}`, rev, down, upgrade, downgrade }));
  }
  return root;
}
