import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { loadProjectConfig } from '../../../src/engine/config/project';
import { findProjects } from '../../../src/engine/config/discover';
import { writeTree } from '../tmpProject';
import { readMigrationFunctions } from '../../../src/engine/ops/python/reader';

test('script_location, version_locations with path_separator and %(here)s', () => {
  const root = writeTree({
    'alembic.ini': '[alembic]\nscript_location = %(here)s/alembic\nversion_locations = %(here)s/alembic/versions %(here)s/extra\npath_separator = space\nrecursive_version_locations = true\nversion_table = schema_version\n',
    'alembic/env.py': '',
  });
  const c = loadProjectConfig({ cwd: root, env: {} });
  assert.equal(c.scriptLocation, path.join(root, 'alembic'));
  assert.deepEqual(c.versionLocations, [path.join(root, 'alembic/versions'), path.join(root, 'extra')]);
  assert.equal(c.recursiveVersionLocations, true);
  assert.equal(c.versionTable, 'schema_version');
  assert.equal(c.fileTemplate, '%(rev)s_%(slug)s');
});

test('without path_separator, version_locations splits on spaces and commas with a deprecation note', () => {
  const root = writeTree({ 'alembic.ini': '[alembic]\nscript_location = alembic\nversion_locations = a, b c\n', 'alembic/env.py': '' });
  const c = loadProjectConfig({ cwd: root, env: {} });
  assert.deepEqual(c.versionLocations, ['a', 'b', 'c'].map((x) => path.join(root, x)));
  assert.match(c.warnings[0], /No path_separator found/);
});

test('pyproject.toml [tool.alembic] is used when alembic.ini is absent', () => {
  const root = writeTree({
    'pyproject.toml': '[project]\nname = "svc"\n\n[tool.alembic]\nscript_location = "%(here)s/migrations"\nversion_locations = ["%(here)s/migrations/versions", "%(here)s/more"]\n',
    'migrations/env.py': '',
  });
  const c = loadProjectConfig({ cwd: root, env: {} });
  assert.equal(c.scriptLocation, path.join(root, 'migrations'));
  assert.deepEqual(c.versionLocations, [path.join(root, 'migrations/versions'), path.join(root, 'more')]);
  assert.equal(c.tomlFile, path.join(root, 'pyproject.toml'));
});

test('DATABASE_URL: environment, then .env, then sqlalchemy.url', () => {
  const root = writeTree({ 'alembic.ini': '[alembic]\nscript_location = alembic\nsqlalchemy.url = sqlite:///ini.db\n', 'alembic/env.py': '' });
  assert.equal(loadProjectConfig({ cwd: root, env: {} }).database?.url, 'sqlite:///ini.db');
  writeTreeInto(root, { '.env': '# local\nDATABASE_URL="postgresql://app:s3cret@localhost/app"\n' });
  const fromDotenv = loadProjectConfig({ cwd: root, env: {} }).database!;
  assert.equal(fromDotenv.url, 'postgresql://app:s3cret@localhost/app');
  assert.match(fromDotenv.source, /\.env/);
  assert.equal(loadProjectConfig({ cwd: root, env: { DATABASE_URL: 'sqlite:///env.db' } }).database?.url, 'sqlite:///env.db');
});

test('missing alembic.ini and missing script folder are clear errors', () => {
  const empty = writeTree({ 'README.md': '' });
  assert.throws(() => loadProjectConfig({ cwd: empty, env: {} }), /No 'script_location' key found in configuration/);
  const noDir = writeTree({ 'alembic.ini': '[alembic]\nscript_location = nowhere\n' });
  assert.throws(() => loadProjectConfig({ cwd: noDir, env: {} }), /Path doesn't exist: nowhere/);
});

test('several projects in one workspace are found and kept apart; dependency folders are skipped', () => {
  const root = writeTree({
    'services/api/alembic.ini': '[alembic]\nscript_location = alembic\n',
    'services/billing/pyproject.toml': '[tool.alembic]\nscript_location = "migrations"\n',
    'services/web/pyproject.toml': '[project]\nname = "web"\n',
    'node_modules/pkg/alembic.ini': '[alembic]\n',
    '.venv/lib/alembic.ini': '[alembic]\n',
  });
  const found = findProjects(root).map((p) => path.relative(root, p.root));
  assert.deepEqual(found, ['services/api', 'services/billing']);
});

function writeTreeInto(root: string, files: Record<string, string>) {
  for (const [rel, text] of Object.entries(files)) fs.writeFileSync(path.join(root, rel), text);
}

test('a revision\'s imports of the project\'s own package are found from the project root and its src/, as an editable install finds them', () => {
  // ckan's layout: the ini and the revisions inside the package, the helper imported by its full name.
  const root = writeTree({
    '.git/HEAD': 'ref: refs/heads/main\n',
    'app/__init__.py': '',
    'app/migration/__init__.py': 'STATUS_LENGTH = 30\n',
    'app/migration/alembic.ini': '[alembic]\nscript_location = %(here)s\n',
    'app/migration/env.py': '',
    'src/shared/__init__.py': '',
    'src/shared/names.py': 'TABLE = "things"\n',
  });
  const c = loadProjectConfig({ cwd: path.join(root, 'app/migration'), env: {} });
  assert.deepEqual(c.importRoots.slice(-2), [root, path.join(root, 'src')]);
  const source = 'from alembic import op\nimport sqlalchemy as sa\nfrom app.migration import STATUS_LENGTH\nfrom shared.names import TABLE\n\n' +
    'def upgrade():\n    op.add_column(TABLE, sa.Column("status", sa.String(STATUS_LENGTH)))\n';
  const [f] = readMigrationFunctions(source, { dialect: 'postgresql', importRoots: c.importRoots });
  assert.equal(f.unsupported, undefined, f.unsupported?.message);
  assert.match(JSON.stringify(f.ops), /things/);
  assert.match(JSON.stringify(f.ops), /30/);
});

test('the package that holds the scripts is importable from its parent, as an editable install makes it (buildbot\'s master/)', () => {
  const root = writeTree({
    '.git/HEAD': 'ref: refs/heads/main\n',
    'master/buildbot/__init__.py': '',
    'master/buildbot/util/__init__.py': '',
    'master/buildbot/util/sautils.py': 'CHARSET = "utf8"\n',
    'master/buildbot/db/__init__.py': '',
    'master/buildbot/db/migrations/__init__.py': '',
    'master/buildbot/db/migrations/alembic.ini': '[alembic]\nscript_location = %(here)s\n',
    'master/buildbot/db/migrations/env.py': '',
  });
  const c = loadProjectConfig({ iniPath: path.join(root, 'master/buildbot/db/migrations/alembic.ini'), cwd: root, env: {} });
  assert.ok(c.importRoots.includes(path.join(root, 'master')), c.importRoots.join(', '));
  const [f] = readMigrationFunctions('from alembic import op\nfrom buildbot.util import sautils\n\ndef upgrade():\n    op.execute(sautils.CHARSET)\n', { dialect: 'sqlite', importRoots: c.importRoots });
  assert.equal(f.unsupported, undefined, f.unsupported?.message);
});

test('a library installed in the project\'s virtualenv is read from its site-packages, never run; its package __init__ is not needed', () => {
  // neutron's revisions: `from neutron_lib.db import constants` then `sa.String(constants.UUID_FIELD_SIZE)`;
  // the package's __init__ imports what the engine cannot follow (pbr), as Python would run it.
  const site = '.venv/lib/python3.12/site-packages';
  const root = writeTree({
    '.git/HEAD': 'ref: refs/heads/main\n',
    'alembic.ini': '[alembic]\nscript_location = alembic\n',
    'alembic/env.py': '',
    [`${site}/extlib/__init__.py`]: 'import pbr.version\n__version__ = pbr.version.VersionInfo("extlib").version_string()\n',
    [`${site}/extlib/db/__init__.py`]: '',
    [`${site}/extlib/db/constants.py`]: 'UUID_FIELD_SIZE = 36\nEXPAND_BRANCH = "expand"\n',
  });
  const source = 'from alembic import op\nimport sqlalchemy as sa\nfrom extlib.db import constants\n\n' +
    'def upgrade():\n    op.add_column("ports", sa.Column("hint", sa.String(constants.UUID_FIELD_SIZE)))\n';
  const c = loadProjectConfig({ cwd: root, env: {} });
  assert.equal(c.importRoots[c.importRoots.length - 1], path.join(root, site), 'site-packages comes after the project\'s own folders');
  const [f] = readMigrationFunctions(source, { dialect: 'postgresql', importRoots: c.importRoots });
  assert.equal(f.unsupported, undefined, f.unsupported?.message);
  assert.match(JSON.stringify(f.ops), /"length":36|36/);

  // Without the virtualenv the import is refused, and the message says where the engine looked.
  fs.rmSync(path.join(root, '.venv'), { recursive: true });
  const bare = loadProjectConfig({ cwd: root, env: {} });
  const [g] = readMigrationFunctions(source, { dialect: 'postgresql', importRoots: bare.importRoots });
  assert.match(g.unsupported!.message, /extlib\.db\.constants\.UUID_FIELD_SIZE.*not a module of the project nor a Python source of its virtualenv \(\.venv, venv or env/);
});

test('a package installed in the virtualenv does not shadow the project\'s own module of the same name, nor SQLAlchemy', () => {
  const site = 'venv/lib/python3.11/site-packages';
  const root = writeTree({
    '.git/HEAD': 'ref: refs/heads/main\n',
    'alembic.ini': '[alembic]\nscript_location = alembic\n',
    'alembic/env.py': '',
    'names.py': 'TABLE = "mine"\n',
    [`${site}/names.py`]: 'TABLE = "installed"\n',
    [`${site}/sqlalchemy/__init__.py`]: '__version__ = "1.4.52"\nraise ImportError("not this one")\n',
  });
  const c = loadProjectConfig({ cwd: root, env: {} });
  const [f] = readMigrationFunctions('from alembic import op\nimport sqlalchemy as sa\nfrom names import TABLE\n\ndef upgrade():\n    op.drop_table(TABLE)\n',
    { dialect: 'sqlite', importRoots: c.importRoots });
  assert.equal(f.unsupported, undefined, f.unsupported?.message);
  assert.match(JSON.stringify(f.ops), /mine/);
  assert.equal(c.sqlalchemy().version, '1.4', 'the installed SQLAlchemy still decides the rules');
});
