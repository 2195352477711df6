/**
 * The naming convention from the project to the SQL: planOps' option (and its default), the lookup
 * made only when a name needs it, the refusal when it cannot be read, ProjectConfig.namingConvention()
 * (env.py's target_metadata, then pyproject.toml), and the plan cache keyed by the convention.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { upgradeSteps } from '../../../src/engine/commands/migrate';
import { loadProjectConfig } from '../../../src/engine/config/project';
import { POSTGRESQL, SQLITE } from '../../../src/engine/dialects';
import { conventionFromRecord } from '../../../src/engine/naming/convention';
import { describeConvention, ProjectConvention } from '../../../src/engine/naming/opNames';
import { workspaceRootFor } from '../../../src/engine/naming/projectConvention';
import { planOps, PlannedStep } from '../../../src/engine/ops/plan';
import { readMigrationFunctions } from '../../../src/engine/ops/python/reader';
import { Unsupported } from '../../../src/engine/ops/values';
import { planRevisionSteps } from '../../../src/engine/runner/migrationSource';
import { PlanCache } from '../../../src/engine/runner/planCache';
import { loadScriptDirectory } from '../../../src/engine/scripts/scriptDirectory';
import { writeTree } from '../tmpProject';

const upgrade = (body: string) =>
  readMigrationFunctions(`from alembic import op\nimport sqlalchemy as sa\n\ndef upgrade():\n${body.replace(/^/gm, '    ')}\n`).find((f) => f.name === 'upgrade')!.ops!;
const sql = (steps: PlannedStep[]) => steps.flatMap((p) => (p.kind === 'sql' ? p.statements.map((s) => s.sql) : []));

const FULL = conventionFromRecord({
  ix: 'ix_%(column_0_label)s', uq: 'uq_%(table_name)s_%(column_0_name)s', ck: 'ck_%(table_name)s_%(constraint_name)s',
  fk: 'fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s', pk: 'pk_%(table_name)s',
});
const MISSING: ProjectConvention = { convention: undefined, reason: 'env.py: target_metadata comes from the running Flask app' };

test('planOps(ops, d) keeps SQLAlchemy\'s default convention; { convention } names every constraint and index', () => {
  const ops = upgrade("op.create_table('t', sa.Column('id', sa.Integer(), primary_key=True), sa.Column('a', sa.Integer(), index=True, unique=True), sa.Column('b', sa.Integer(), unique=True), sa.Column('p', sa.Integer(), sa.ForeignKey('parent.id')))\nop.create_index(None, 't', ['b'])");
  assert.deepEqual(sql(planOps(ops, POSTGRESQL)), [
    'CREATE TABLE t (\n\tid SERIAL NOT NULL, \n\ta INTEGER, \n\tb INTEGER, \n\tp INTEGER, \n\tPRIMARY KEY (id), \n\tUNIQUE (b), \n\tFOREIGN KEY(p) REFERENCES parent (id)\n)',
    'CREATE UNIQUE INDEX ix_t_a ON t (a)',
    'CREATE INDEX ix_t_b ON t (b)',
  ]);
  assert.deepEqual(sql(planOps(ops, POSTGRESQL, { convention: FULL })), [
    'CREATE TABLE t (\n\tid SERIAL NOT NULL, \n\ta INTEGER, \n\tb INTEGER, \n\tp INTEGER, \n\tCONSTRAINT pk_t PRIMARY KEY (id), \n\tCONSTRAINT uq_t_b UNIQUE (b), \n\tCONSTRAINT fk_t_p_parent FOREIGN KEY(p) REFERENCES parent (id)\n)',
    'CREATE UNIQUE INDEX ix_t_a ON t (a)',
    'CREATE INDEX ix_t_b ON t (b)',
  ]);
});

test('explicit names go through %(constraint_name)s; op.f() names are taken as they are', () => {
  const ops = upgrade("op.create_check_constraint('positive', 't', 'x > 0')\nop.drop_constraint('positive', 't', type_='check')\nop.create_check_constraint(op.f('ck_t_as_is'), 't', 'x > 0')\nop.drop_constraint('other', 't')");
  assert.deepEqual(sql(planOps(ops, POSTGRESQL, { convention: FULL })), [
    'ALTER TABLE t ADD CONSTRAINT ck_t_positive CHECK (x > 0)',
    'ALTER TABLE t DROP CONSTRAINT ck_t_positive',
    'ALTER TABLE t ADD CONSTRAINT ck_t_as_is CHECK (x > 0)',
    'ALTER TABLE t DROP CONSTRAINT other', // no type_: a plain Constraint, which no template names
  ]);
});

test('an unreadable convention: SQLAlchemy without one (a plain MetaData()), said in the log; a drop that needs a name is refused', () => {
  // Unnamed indexes: the default ix_ name; other unnamed constraints: left to the database; written names kept.
  assert.deepEqual(sql(planOps(upgrade([
    "op.create_index(None, 't', ['a'])", "op.create_unique_constraint('uq_given', 't', ['a'])",
    "op.create_table('n', sa.Column('id', sa.Integer(), primary_key=True), sa.Column('u', sa.Integer(), unique=True, index=True))",
    "op.create_unique_constraint(None, 't', ['b'])",
  ].join('\n')), POSTGRESQL, { convention: MISSING })), [
    'CREATE INDEX ix_t_a ON t (a)', 'ALTER TABLE t ADD CONSTRAINT uq_given UNIQUE (a)',
    'CREATE TABLE n (\n\tid SERIAL NOT NULL, \n\tu INTEGER, \n\tPRIMARY KEY (id)\n)', 'CREATE UNIQUE INDEX ix_n_u ON n (u)',
    'ALTER TABLE t ADD UNIQUE (b)',
  ]);
  assert.throws(() => planOps(upgrade("op.drop_constraint(None, 't', type_='unique')"), POSTGRESQL, { convention: MISSING }), Unsupported);
  const log = describeConvention(MISSING);
  assert.match(log, /naming convention: not found \(env\.py: target_metadata comes from the running Flask app/);
  assert.match(log, /pyproject\.toml: \[tool\.alembic-migrations\] naming_convention = \{/);
});

test('the lookup runs only when a name needs it, once per run', () => {
  let calls = 0;
  const lookup = () => { calls++; return { convention: FULL, source: 'models.py:3', isDefault: false } as ProjectConvention; };
  planOps(upgrade("op.alter_column('t', 'b', new_column_name='c')\nop.drop_column('t', 'b')\nop.execute('SELECT 1')"), POSTGRESQL, { convention: lookup });
  assert.equal(calls, 0);
  planOps(upgrade("op.create_index(None, 't', ['a'])\nop.create_index(None, 't', ['b'])"), SQLITE, { convention: lookup });
  assert.equal(calls, 1);
});

test('Alembic\'s errors from the convention are refusals with the convention\'s source: no name is guessed', () => {
  const pk = { convention: conventionFromRecord({ pk: 'pk_%(constraint_name)s' }), source: 'app/models.py:4', isDefault: false };
  assert.throws(() => planOps(upgrade("op.add_column('t', sa.Column('b', sa.Integer()))"), SQLITE, { convention: pk }),
    /Alembic raises InvalidRequestError here: Naming convention including %\(constraint_name\)s token requires that constraint is explicitly named\. \(naming convention from app\/models\.py:4\)/);
  const noIx = { convention: conventionFromRecord({ ix: null as unknown as string }), source: 'x', isDefault: false };
  assert.throws(() => planOps(upgrade("op.create_index(None, 't', ['a'])"), SQLITE, { convention: noIx }), /the index has no name/);
});

function project(files: Record<string, string>) {
  const root = writeTree({
    '.git/HEAD': 'ref: refs/heads/main\n',
    'backend/alembic.ini': '[alembic]\nscript_location = %(here)s/migrations\nprepend_sys_path = .\n',
    'backend/migrations/versions/a.py': "revision = 'a'\ndown_revision = None\nfrom alembic import op\nimport sqlalchemy as sa\n\ndef upgrade():\n    op.create_index(None, 't', ['email'])\n\ndef downgrade():\n    pass\n",
    ...files,
  });
  const config = loadProjectConfig({ iniPath: path.join(root, 'backend/alembic.ini'), cwd: path.join(root, 'backend'), env: {} });
  return { root, config };
}

const ENV_IMPORTING = 'from app.models import Base\ntarget_metadata = Base.metadata\n';

test('ProjectConfig.namingConvention(): env.py\'s target_metadata through the models module, looked up once', () => {
  const { config } = project({
    'backend/migrations/env.py': ENV_IMPORTING,
    'backend/app/__init__.py': '',
    'backend/app/models.py': 'import sqlalchemy as sa\nfrom sqlalchemy.orm import declarative_base\nBase = declarative_base(metadata=sa.MetaData(naming_convention={"ix": "idx_%(table_name)s_%(column_0_name)s"}))\n',
  });
  const c = config.namingConvention();
  assert.ok(c.convention, JSON.stringify(c));
  assert.deepEqual(c.convention.keys, { ix: 'idx_%(table_name)s_%(column_0_name)s' });
  assert.match((c as { source: string }).source, /^backend\/app\/models\.py:3$/);
  assert.equal(config.namingConvention(), c, 'cached');
});

test('ProjectConfig.namingConvention(): pyproject.toml\'s [tool.alembic-migrations] when env.py cannot be followed, and both reasons when neither gives one', () => {
  const env = 'from flask import current_app\ntarget_metadata = current_app.extensions["migrate"].db.metadata\n';
  const bare = project({ 'backend/migrations/env.py': env }).config.namingConvention();
  assert.equal(bare.convention, undefined);
  assert.match((bare as { reason: string }).reason, /env\.py's target_metadata could not be followed: .*current_app.*; and no pyproject\.toml has \[tool\.alembic-migrations\] naming_convention/);

  const withSetting = project({ 'backend/migrations/env.py': env, 'backend/pyproject.toml': '[tool.alembic-migrations.naming_convention]\nix = "ix_%(column_0_label)s"\nuq = "uq_%(table_name)s_%(column_0_name)s"\n' });
  const c = withSetting.config.namingConvention();
  assert.ok(c.convention);
  assert.deepEqual(c.convention.keys, { ix: 'ix_%(column_0_label)s', uq: 'uq_%(table_name)s_%(column_0_name)s' });
  assert.match((c as { source: string }).source, /^pyproject\.toml \[tool\.alembic-migrations\] naming_convention \(env\.py's target_metadata could not be followed: /);
});

test('the workspace read for env.py\'s imports is the repository holding alembic.ini (models beside it, not under it)', () => {
  const envPy = 'import sys, os\nfrom alembic import context\nsys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", ".."))\nfrom shared.models import metadata as target_metadata\n';
  const { root, config } = project({
    'backend/migrations/env.py': envPy + 'context.configure(url="sqlite://", target_metadata=target_metadata)\n',
    'shared/__init__.py': '',
    'shared/models.py': 'import sqlalchemy as sa\nmetadata = sa.MetaData(naming_convention={"uq": "uq_%(table_name)s_%(column_0_name)s"})\n',
  });
  assert.equal(workspaceRootFor(path.join(root, 'backend'), path.join(root, 'backend')), root);
  const c = config.namingConvention();
  assert.ok(c.convention, JSON.stringify(c));
  assert.deepEqual(c.convention.keys, { uq: 'uq_%(table_name)s_%(column_0_name)s' });
  // Bound by the import alone (no configure() call to read): still that MetaData's, not SQLAlchemy's default.
  fs.writeFileSync(path.join(root, 'backend/migrations/env.py'), envPy);
  const again = loadProjectConfig({ iniPath: path.join(root, 'backend/alembic.ini'), cwd: path.join(root, 'backend'), env: {} }).namingConvention();
  assert.deepEqual(again.convention?.keys, { uq: 'uq_%(table_name)s_%(column_0_name)s' });
});

test('planRevisionSteps takes the project\'s convention; a cached plan that took names from it is not served under another', () => {
  const { root, config } = project({ 'backend/migrations/env.py': ENV_IMPORTING });
  const dir = loadScriptDirectory(config);
  const steps = upgradeSteps(dir, 'head', []);
  const run = (ix: string, cache?: PlanCache) => planRevisionSteps(steps, SQLITE, root, cache, { convention: { convention: conventionFromRecord({ ix }), source: 'test', isDefault: false } })
    .flatMap((p) => sql(p.planned));
  assert.deepEqual(run('ix_%(column_0_label)s'), ['CREATE INDEX ix_t_email ON t (email)']);
  const cache = new PlanCache();
  assert.deepEqual(run('i1_%(column_0_name)s', cache), ['CREATE INDEX i1_email ON t (email)']);
  assert.deepEqual(run('i2_%(column_0_name)s', cache), ['CREATE INDEX i2_email ON t (email)']);
  assert.deepEqual(run('i1_%(column_0_name)s', cache), ['CREATE INDEX i1_email ON t (email)']);
  assert.equal(cache.hits, 1);
  fs.rmSync(root, { recursive: true, force: true });
});
