import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { loadProjectConfig } from '../../../src/engine/config/project';
import { detectSqlalchemy, rulesOf } from '../../../src/engine/config/sqlalchemyVersion';
import { CommandError } from '../../../src/engine/errors';
import { writeTree } from '../tmpProject';

const INI = { 'alembic.ini': '[alembic]\nscript_location = migrations\n', 'migrations/env.py': '' };

const rulesFor = (files: Record<string, string>) => {
  const root = writeTree({ ...INI, ...files });
  return loadProjectConfig({ cwd: root, env: {} }).sqlalchemy();
};

test('versions and specifiers as projects write them map to 1.4 or 2.0 rules', () => {
  const cases: [string, string | undefined][] = [
    ['2.0.30', '2.0'], ['1.4.52', '1.4'], ['1.3.24', '1.4'], ['>=2', '2.0'], ['>=1.4,<2', '1.4'], ['<2.0', '1.4'],
    ['^1.4', '1.4'], ['~=2.0.0', '2.0'], ['==1.4.*', '1.4'], ['>= 2.0.0, < 3', '2.0'], ['latest', undefined],
    // Lower bounds alone: the installer takes the newest release.
    ['>=1.3', '2.0'], ['>1.4,!=1.4.3', '2.0'], ['<=1.4.99', '1.4'], ['<2.1', '2.0'],
  ];
  for (const [spec, want] of cases) assert.equal(rulesOf(spec), want, spec);
});

test('nothing declared: 2.0 rules, and the run says so', () => {
  const r = rulesFor({});
  assert.deepEqual(r, { version: '2.0', source: 'the default: the project declares no SQLAlchemy version' });
});

test('each declaration a project makes is read, the most trusted first', () => {
  const venv = '.venv/lib/python3.11/site-packages/sqlalchemy/__init__.py';
  assert.equal(rulesFor({ [venv]: '__version__ = "1.4.49"\n', 'poetry.lock': '[[package]]\nname = "sqlalchemy"\nversion = "2.0.1"\n' }).source, `from ${venv}: 1.4.49`);
  assert.deepEqual(rulesFor({ 'poetry.lock': '[[package]]\nname = "alembic"\nversion = "1.13.0"\n\n[[package]]\nname = "SQLAlchemy"\nversion = "1.4.52"\n' }),
    { version: '1.4', source: 'from poetry.lock: 1.4.52' });
  assert.equal(rulesFor({ 'uv.lock': '[[package]]\nname = "sqlalchemy"\nversion = "2.0.36"\nsource = { registry = "https://pypi.org/simple" }\n' }).version, '2.0');
  assert.equal(rulesFor({ 'Pipfile.lock': '{"default": {"sqlalchemy": {"hashes": ["sha256:00"], "version": "==1.4.41"}}}' }).source, 'from Pipfile.lock: ==1.4.41');
  assert.equal(rulesFor({ 'requirements.txt': 'flask==2.2\nSQLAlchemy[asyncio]==1.4.46 # via flask-sqlalchemy\n', 'requirements-dev.txt': 'sqlalchemy==2.0.1\n' }).source,
    'from requirements.txt: ==1.4.46');
  assert.equal(rulesFor({ 'pyproject.toml': '[project]\ndependencies = ["alembic>=1.7", "sqlalchemy>=1.3,<2"]\n' }).version, '1.4');
  assert.equal(rulesFor({ 'pyproject.toml': '[tool.poetry.dependencies]\npython = "^3.10"\nSQLAlchemy = {version = "^2.0.1", extras = ["asyncio"]}\n' }).version, '2.0');
  // A lock file outranks the range pyproject.toml allows.
  assert.equal(rulesFor({ 'pyproject.toml': '[project]\ndependencies = ["sqlalchemy>=1.3"]\n', 'uv.lock': '[[package]]\nname = "sqlalchemy"\nversion = "1.4.36"\n' }).version, '1.4');
});

test('[tool.alembic-migrations] sqlalchemy overrides what the project declares', () => {
  const r = rulesFor({ 'pyproject.toml': '[project]\ndependencies = ["sqlalchemy>=2"]\n\n[tool.alembic-migrations]\nsqlalchemy = "1.4"\n' });
  assert.equal(r.version, '1.4');
  assert.match(r.source, /pyproject\.toml \[tool\.alembic-migrations\]$/);
  assert.throws(() => rulesFor({ 'pyproject.toml': '[tool.alembic-migrations]\nsqlalchemy = "newest"\n' }),
    (e: unknown) => e instanceof CommandError && /is not a SQLAlchemy version/.test(e.message) && /sqlalchemy = "1.4"/.test(e.hint ?? ''));
});

test('a declaration at the repository root is found from an alembic.ini in a subfolder', () => {
  const root = writeTree({ '.git/HEAD': '', 'requirements.txt': 'sqlalchemy==1.4.0\n', 'app/alembic.ini': '', 'app/pyproject.toml': '[project]\nname = "x"\n' });
  assert.equal(detectSqlalchemy(path.join(root, 'app'), path.join(root, 'app'), root).source, `from ${path.join('..', 'requirements.txt')}: ==1.4.0`);
});
