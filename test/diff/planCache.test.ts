/**
 * The CLI's plan cache on a real run: the second run of unchanged revisions comes from the cache,
 * and a revision edited between runs is compiled again, so the database matches what the real
 * Alembic builds from the edited files.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import initSqlJs from 'sql.js';
import { runAlembic, runOurs } from './oracle';

const ENV_PY = `import os
from alembic import context
from sqlalchemy import create_engine
engine = create_engine(os.environ["DATABASE_URL"])
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=None)
    with context.begin_transaction():
        context.run_migrations()
`;
const rev = (id: string, down: string | null, up: string, downgrade: string) =>
  `revision = '${id}'\ndown_revision = ${down ? `'${down}'` : 'None'}\nfrom alembic import op\nimport sqlalchemy as sa\n\n\n` +
  `def upgrade():\n    ${up}\n\n\ndef downgrade():\n    ${downgrade}\n`;

async function schema(file: string): Promise<string[][]> {
  const SQL = await initSqlJs();
  const db = new SQL.Database(fs.readFileSync(file));
  try {
    return db.exec("SELECT type, name, sql FROM sqlite_master ORDER BY name")[0].values.map((r) => r.map(String));
  } finally {
    db.close();
  }
}

test('an edited revision is compiled again by the next run; unchanged ones come from the plan cache', async () => {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'migrations-plans-')));
  const versions = path.join(root, 'alembic', 'versions');
  fs.mkdirSync(versions, { recursive: true });
  fs.writeFileSync(path.join(root, 'alembic.ini'), '[alembic]\nscript_location = %(here)s/alembic\n');
  fs.writeFileSync(path.join(root, 'alembic', 'env.py'), ENV_PY);
  fs.writeFileSync(path.join(versions, 'a1_account.py'), rev('a1', null,
    "op.create_table('account', sa.Column('id', sa.Integer(), primary_key=True))", "op.drop_table('account')"));
  const b = path.join(versions, 'b2_contact.py');
  fs.writeFileSync(b, rev('b2', 'a1', "op.add_column('account', sa.Column('email', sa.String(200)))", "op.drop_column('account', 'email')"));
  const cache = path.join(root, 'cache');
  const ours = (...argv: string[]) => runOurs([{ cwd: root, argv, env: { DATABASE_URL: `sqlite:///${root}/ours.db`, XDG_CACHE_HOME: cache, MIGRATIONS_NO_CACHE: '' } }]).then(([r]) => {
    assert.equal(r.code, 0, r.stderr);
    return r;
  });

  await ours('upgrade', 'head');
  const plans = fs.readdirSync(path.join(cache, 'alembic-migrations')).find((f) => f.startsWith('plans-'));
  assert.ok(plans, 'the plan cache was written');
  const stored = JSON.parse(fs.readFileSync(path.join(cache, 'alembic-migrations', plans), 'utf8')) as { entries: [string, unknown][] };
  assert.equal(stored.entries.length, 2, 'one entry per revision upgraded');
  await ours('downgrade', 'base');

  fs.writeFileSync(b, fs.readFileSync(b, 'utf8').replaceAll("'email', sa.String(200)", "'phone', sa.String(20)").replaceAll("'email'", "'phone'"));
  await ours('upgrade', 'head');
  const [alembic] = runAlembic([{ cwd: root, argv: ['upgrade', 'head'], env: { DATABASE_URL: `sqlite:///${root}/alembic.db` } }]);
  assert.equal(alembic.code, 0, alembic.stderr);
  const ourSchema = await schema(path.join(root, 'ours.db'));
  assert.deepEqual(ourSchema, await schema(path.join(root, 'alembic.db')));
  assert.match(ourSchema.find((r) => r[1] === 'account')![2], /phone VARCHAR\(20\)/);
});

test('a revision that uses a project helper is not served from the cache: an edited helper takes effect', async () => {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'migrations-plans-helper-')));
  const versions = path.join(root, 'alembic', 'versions');
  fs.mkdirSync(versions, { recursive: true });
  fs.mkdirSync(path.join(root, 'myapp'));
  fs.writeFileSync(path.join(root, 'myapp', '__init__.py'), '');
  const helper = path.join(root, 'myapp', 'columns.py');
  fs.writeFileSync(helper, "import sqlalchemy as sa\n\ndef email():\n    return sa.Column('email', sa.String(200))\n");
  fs.writeFileSync(path.join(root, 'alembic.ini'), '[alembic]\nscript_location = %(here)s/alembic\nprepend_sys_path = .\n');
  fs.writeFileSync(path.join(root, 'alembic', 'env.py'), ENV_PY);
  fs.writeFileSync(path.join(versions, 'a1_account.py'), rev('a1', null,
    "op.create_table('account', sa.Column('id', sa.Integer(), primary_key=True), columns.email())", "op.drop_table('account')")
    .replace('import sqlalchemy as sa\n', 'import sqlalchemy as sa\nfrom myapp import columns\n'));
  const cache = path.join(root, 'cache');
  const ours = (...argv: string[]) => runOurs([{ cwd: root, argv, env: { DATABASE_URL: `sqlite:///${root}/ours.db`, XDG_CACHE_HOME: cache, MIGRATIONS_NO_CACHE: '' } }]).then(([r]) => {
    assert.equal(r.code, 0, r.stderr);
    return r;
  });
  await ours('upgrade', 'head');
  await ours('downgrade', 'base');
  fs.writeFileSync(helper, "import sqlalchemy as sa\n\ndef email():\n    return sa.Column('email', sa.String(320), nullable=False)\n");
  await ours('upgrade', 'head');
  const [alembic] = runAlembic([{ cwd: root, argv: ['upgrade', 'head'], env: { DATABASE_URL: `sqlite:///${root}/alembic.db` } }]);
  assert.equal(alembic.code, 0, alembic.stderr);
  const ourSchema = await schema(path.join(root, 'ours.db'));
  assert.deepEqual(ourSchema, await schema(path.join(root, 'alembic.db')));
  assert.match(ourSchema.find((r) => r[1] === 'account')![2], /email VARCHAR\(320\) NOT NULL/);
});
