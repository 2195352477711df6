import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadProjectConfig } from '../../../src/engine/config/project';
import { walkRevisions } from '../../../src/engine/graph';
import { assertReadable, loadScriptDirectory } from '../../../src/engine/scripts/scriptDirectory';
import { pyRevision, writeTree } from '../tmpProject';

test('one graph mixes Python, TypeScript, JavaScript and SQL revisions', () => {
  const root = writeTree({
    'alembic.ini': '[alembic]\nscript_location = migrations\n',
    'migrations/env.py': '',
    'migrations/versions/a1_base.py': pyRevision('a1a1a1a1a1a1', null, 'create users'),
    'migrations/versions/b2_orders.ts': `/**\n * add orders\n */\nexport const revision = 'b2b2b2b2b2b2';\nexport const downRevision = 'a1a1a1a1a1a1';\nexport async function upgrade() {}\n`,
    'migrations/versions/c3_audit.sql': `-- audit table\n--\n-- Revision ID: c3c3c3c3c3c3\n-- Revises: a1a1a1a1a1a1\n-- Branch Labels: audit\n\n-- migrate:upgrade\nCREATE TABLE audit (id INTEGER);\n-- migrate:downgrade\nDROP TABLE audit;\n`,
    'migrations/versions/d4_merge.js': `/** merge orders and audit */\nexports.x = 1;\nexport const revision = "d4d4d4d4d4d4";\nexport const downRevision = ["b2b2b2b2b2b2", "c3c3c3c3c3c3"];\n`,
    'migrations/versions/helpers.ts': 'export function helper() {}\n',
  });
  const dir = loadScriptDirectory(loadProjectConfig({ cwd: root, env: {} }));
  assertReadable(dir);
  const history = [...walkRevisions(dir.map)].map((s) => `${s.revision} ${s.info.kind} ${s.doc}`);
  assert.deepEqual(history, [
    'd4d4d4d4d4d4 javascript merge orders and audit',
    'b2b2b2b2b2b2 typescript add orders',
    'c3c3c3c3c3c3 sql audit table',
    'a1a1a1a1a1a1 python create users',
  ]);
  assert.deepEqual(dir.map.heads, ['d4d4d4d4d4d4']);
  assert.deepEqual(dir.map.getRevisions('audit@head').map((s) => s && typeof s !== 'string' ? s.revision : s), ['d4d4d4d4d4d4']);
  assert.equal(dir.files.length, 5, 'helpers.ts is listed but declares no revision');
  assert.equal(dir.problems.length, 0);
});

test('a file problem does not hide the other revisions: it is collected with its line', () => {
  const root = writeTree({
    'alembic.ini': '[alembic]\nscript_location = migrations\n',
    'migrations/env.py': '',
    'migrations/versions/a.py': pyRevision('a1a1a1a1a1a1', null),
    'migrations/versions/b.py': `"""b"""\nimport consts\nrevision = consts.NEXT\ndown_revision = 'a1a1a1a1a1a1'\n`,
  });
  const dir = loadScriptDirectory(loadProjectConfig({ cwd: root, env: {} }));
  assert.equal(dir.scripts.length, 1);
  assert.equal(dir.problems.length, 1);
  assert.equal(dir.problems[0].line, 3);
  assert.match(dir.problems[0].message, /revision = consts.NEXT is not a literal value/);
  assert.throws(() => assertReadable(dir), /b\.py:3: revision = consts.NEXT is not a literal/);
});

test('a header value written as an expression is computed as Alembic imports the module: neutron\'s branch_labels = (cli.CONTRACT_BRANCH,)', () => {
  const root = writeTree({
    'alembic.ini': '[alembic]\nscript_location = migrations\n',
    'migrations/env.py': '',
    'myapp/__init__.py': '',
    'myapp/cli.py': 'import oslo_config\nCONTRACT_BRANCH = "contract"\nEXPAND_BRANCH = "expand"\nHEADS = [CONTRACT_BRANCH, EXPAND_BRANCH]\n',
    'migrations/versions/a.py': pyRevision('a1a1a1a1a1a1', null),
    'migrations/versions/b.py': `"""contract start"""\nfrom myapp import cli\nrevision = 'b2b2b2b2b2b2'\ndown_revision = 'a1a1a1a1a1a1'\nbranch_labels = (cli.CONTRACT_BRANCH,)\n`,
    'migrations/versions/c.py': `"""expand start"""\nfrom myapp.cli import EXPAND_BRANCH as E\nrevision = 'c3c3c3c3c3c3'\ndown_revision = 'a1a1a1a1a1a1'\nbranch_labels = E\ndepends_on = "b2b2b2b2b2b2" if True else None\n`,
  });
  const dir = loadScriptDirectory(loadProjectConfig({ cwd: root, env: {} }));
  assertReadable(dir);
  assert.deepEqual(dir.map.heads.map((h) => `${h} ${[...dir.map.map.get(h)!.branchLabels].join(',')}`).sort(), ['b2b2b2b2b2b2 contract', 'c3c3c3c3c3c3 expand']);
  assert.deepEqual(dir.files.find((f) => f.revision === 'c3c3c3c3c3c3')!.dependsOn, ['b2b2b2b2b2b2']);

  // What the evaluator cannot compute stays a problem, and says why.
  const broken = writeTree({
    'alembic.ini': '[alembic]\nscript_location = migrations\n',
    'migrations/env.py': '',
    'migrations/versions/b.py': `"""b"""\nimport neutron_lib\nrevision = 'b2b2b2b2b2b2'\ndown_revision = None\nbranch_labels = (neutron_lib.CONTRACT,)\n`,
  });
  const d2 = loadScriptDirectory(loadProjectConfig({ cwd: broken, env: {} }));
  assert.throws(() => assertReadable(d2), /b\.py:5: branch_labels = \(neutron_lib\.CONTRACT,\) is not a literal value; it cannot be read without running Python \(the embedded engine cannot compute it: neutron_lib\.CONTRACT: it is not a module of the project nor a Python source of its virtualenv/);
});
