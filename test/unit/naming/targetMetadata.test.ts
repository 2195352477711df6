/**
 * Finding target_metadata's naming convention in small projects laid out as real ones are, without
 * running Python; where SQLAlchemy 1.4 can import the project, the real convention is the reference.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { DEFAULT_CONVENTION, nameFor } from '../../../src/engine/naming/convention';
import { readConventionSetting } from '../../../src/engine/naming/conventionSetting';
import { ConventionLookup, findNamingConvention } from '../../../src/engine/naming/targetMetadata';
import { runPython } from '../pythonOracle';
import { writeTree } from '../tmpProject';

const NC = `{
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}`;
const NC_KEYS = {
  ix: 'ix_%(column_0_label)s', uq: 'uq_%(table_name)s_%(column_0_name)s', ck: 'ck_%(table_name)s_%(constraint_name)s',
  fk: 'fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s', pk: 'pk_%(table_name)s',
};

const ENV_TAIL = `
def run_migrations_offline():
    context.configure(url="sqlite://", target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()
`;

function found(r: ConventionLookup): Extract<ConventionLookup, { convention: object }> {
  assert.ok(r.convention, `expected a convention, got: ${'reason' in r ? r.reason : ''}`);
  return r as Extract<ConventionLookup, { convention: object }>;
}
function notFound(r: ConventionLookup): string {
  assert.equal(r.convention, undefined, `expected no convention, got ${JSON.stringify(r)}`);
  return (r as { reason: string }).reason;
}

/** What SQLAlchemy itself holds: imports `module` with `root` on sys.path and prints `expr`'s naming_convention. */
function pythonConvention(root: string, module: string, expr: string): Record<string, string> {
  const script = `
import json, sys
sys.path.insert(0, ${JSON.stringify(root)})
import importlib
m = importlib.import_module(${JSON.stringify(module)})
nc = eval(${JSON.stringify(expr)}, vars(m)).naming_convention
print(json.dumps({(k if isinstance(k, str) else k.__name__): v for k, v in nc.items()}))`;
  return runPython(script, null) as Record<string, string>;
}

test('Flask-SQLAlchemy: db = SQLAlchemy(metadata=MetaData(naming_convention=...)) imported by env.py', () => {
  const root = writeTree({
    'app/__init__.py': `from flask import Flask\nfrom flask_sqlalchemy import SQLAlchemy\nfrom sqlalchemy import MetaData\n\nconvention = ${NC}\n\ndb = SQLAlchemy(metadata=MetaData(naming_convention=convention))\n`,
    'migrations/env.py': `from alembic import context\nfrom app import db\n\ntarget_metadata = db.metadata\n${ENV_TAIL}`,
  });
  const r = found(findNamingConvention({ envPy: path.join(root, 'migrations/env.py'), workspaceRoot: root }));
  assert.deepEqual(r.convention.keys, NC_KEYS);
  assert.equal(r.source, 'app/__init__.py:5');
  assert.equal(r.isDefault, false);
  // And db.Model.metadata is the same MetaData.
  const root2 = writeTree({
    'app/__init__.py': `from flask_sqlalchemy import SQLAlchemy\nimport sqlalchemy as sa\ndb = SQLAlchemy(metadata=sa.MetaData(naming_convention=${NC}))\n`,
    'migrations/env.py': `from alembic import context\nimport app\ntarget_metadata = app.db.Model.metadata\n${ENV_TAIL}`,
  });
  assert.deepEqual(found(findNamingConvention({ envPy: path.join(root2, 'migrations/env.py'), workspaceRoot: root2 })).convention.keys, NC_KEYS);
});

test('declarative Base in app/models/base.py, convention in a constants module, imported via app.models (checked against SQLAlchemy)', () => {
  const root = writeTree({
    'app/__init__.py': '',
    'app/constants.py': `# Naming convention shared by all models\nNAMING_CONVENTION = ${NC}\n`,
    'app/models/__init__.py': 'from .base import Base\nfrom .user import User\n',
    'app/models/base.py': 'from sqlalchemy import MetaData\nfrom sqlalchemy.orm import declarative_base\n\nfrom ..constants import NAMING_CONVENTION\n\nmetadata = MetaData(naming_convention=NAMING_CONVENTION)\nBase = declarative_base(metadata=metadata)\n',
    'app/models/user.py': 'import sqlalchemy as sa\nfrom .base import Base\n\nclass User(Base):\n    __tablename__ = "user"\n    id = sa.Column(sa.Integer, primary_key=True)\n',
    'alembic/env.py': `from logging.config import fileConfig\nfrom alembic import context\nfrom app.models import Base\n\nconfig = context.config\ntarget_metadata = Base.metadata\n${ENV_TAIL}`,
  });
  const r = found(findNamingConvention({ envPy: path.join(root, 'alembic/env.py'), workspaceRoot: root }));
  assert.equal(r.source, 'app/constants.py:2');
  assert.deepEqual(r.convention.keys, pythonConvention(root, 'app.models', 'Base.metadata'));
  assert.equal(nameFor(r.convention, { kind: 'fk', table: 'post', columns: ['user_id'], referredTable: 'user', referredColumns: ['id'], dialect: 'postgresql' }), 'fk_post_user_id_user');
});

test('sys.path.append(os.path.dirname(...)) in env.py, class keys and Base.metadata.naming_convention = ... (checked against SQLAlchemy)', () => {
  const root = writeTree({
    'backend/models.py': 'import sqlalchemy as sa\nfrom sqlalchemy.ext.declarative import declarative_base\n\nBase = declarative_base()\nBase.metadata.naming_convention = {\n    sa.UniqueConstraint: "uq_%(table_name)s_%(column_0_N_name)s",\n    "ix": "ix_%(table_name)s_%(column_0_name)s",\n}\n',
    'backend/migrations/env.py': `import os\nimport sys\n\nsys.path.append(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))\n\nfrom alembic import context\nfrom models import Base\n\ntarget_metadata = Base.metadata\n${ENV_TAIL}`,
  });
  const r = found(findNamingConvention({ envPy: path.join(root, 'backend/migrations/env.py'), workspaceRoot: root }));
  assert.equal(r.source, 'backend/models.py:5');
  assert.deepEqual({ ...r.convention.keys, ...r.convention.classes }, pythonConvention(path.join(root, 'backend'), 'models', 'Base.metadata'));
  assert.deepEqual(r.convention.classes, { UniqueConstraint: 'uq_%(table_name)s_%(column_0_N_name)s' });
  assert.equal(nameFor(r.convention, { kind: 'uq', table: 't', columns: ['a', 'b'], dialect: 'sqlite' }), 'uq_t_a_b');
});

test('pathlib sys.path.insert and a src/ layout; DeclarativeBase subclass with metadata in its body', () => {
  const root = writeTree({
    'src/shop/__init__.py': '',
    'src/shop/db.py': `from sqlalchemy import MetaData\nfrom sqlalchemy.orm import DeclarativeBase\n\n\nclass Base(DeclarativeBase):\n    metadata = MetaData(\n        naming_convention=${NC.replace(/\n/g, '\n        ')}\n    )\n`,
    'migrations/env.py': `import sys\nfrom pathlib import Path\nsys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))\nfrom alembic import context\nfrom shop.db import Base\ntarget_metadata = Base.metadata\n${ENV_TAIL}`,
  });
  const r = found(findNamingConvention({ envPy: path.join(root, 'migrations/env.py'), workspaceRoot: root }));
  assert.deepEqual(r.convention.keys, NC_KEYS);
  assert.equal(r.source, 'src/shop/db.py:7');
});

test('a src/ layout installed in editable mode (pyproject.toml next to src/), no sys.path change', () => {
  const root = writeTree({
    'pyproject.toml': '[project]\nname = "shop"\n',
    'src/shop/__init__.py': '',
    'src/shop/db.py': `import sqlalchemy as sa\nmetadata = sa.MetaData(naming_convention=${NC})\n`,
    'src/shop/migrations/env.py': `from alembic import context\nfrom shop.db import metadata\ntarget_metadata = metadata\n${ENV_TAIL}`,
  });
  const r = found(findNamingConvention({ envPy: path.join(root, 'src/shop/migrations/env.py'), workspaceRoot: root }));
  assert.equal(r.source, 'src/shop/db.py:2');
});

test('SQLModel.metadata with the convention set in an imported models module', () => {
  const root = writeTree({
    'app/models.py': `from sqlmodel import SQLModel, Field\n\nSQLModel.metadata.naming_convention = ${NC}\n\nclass Hero(SQLModel, table=True):\n    id: int = Field(primary_key=True)\n`,
    'migrations/env.py': `from alembic import context\nfrom sqlmodel import SQLModel\nfrom app import models  # noqa: F401\n\ntarget_metadata = SQLModel.metadata\n${ENV_TAIL}`,
  });
  const r = found(findNamingConvention({ envPy: path.join(root, 'migrations/env.py'), workspaceRoot: root }));
  assert.deepEqual(r.convention.keys, NC_KEYS);
  assert.equal(r.source, 'app/models.py:3');
});

test('Flask-Migrate env.py: target_metadata from current_app cannot be followed, and says so', () => {
  const root = writeTree({
    'migrations/env.py': `import logging\nfrom flask import current_app\nfrom alembic import context\n\n\ndef get_metadata():\n    if hasattr(target_db, 'metadatas'):\n        return target_db.metadatas[None]\n    return target_db.metadata\n\n\ntarget_db = current_app.extensions['migrate'].db\n\n\ndef run_migrations_online():\n    with connectable.connect() as connection:\n        context.configure(connection=connection, target_metadata=get_metadata(), **conf_args)\n`,
  });
  const reason = notFound(findNamingConvention({ envPy: path.join(root, 'migrations/env.py'), workspaceRoot: root }));
  assert.match(reason, /^target_metadata = get_metadata\(\) \(migrations\/env\.py:17\): it comes from the running Flask application \(`current_app`/);
  // The older template: a module-level assignment.
  const root2 = writeTree({
    'migrations/env.py': `from flask import current_app\nfrom alembic import context\nconfig = context.config\ntarget_metadata = current_app.extensions['migrate'].db.metadata\n${ENV_TAIL}`,
  });
  assert.match(notFound(findNamingConvention({ envPy: path.join(root2, 'migrations/env.py'), workspaceRoot: root2 })), /cannot be followed without running the app/);
});

test('not found: the exact reason', () => {
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ 'env.py': `from alembic import context\nfrom mylib.models import Base\ntarget_metadata = Base.metadata\n${ENV_TAIL}` },
      /^target_metadata = Base\.metadata \(env\.py:3\): `Base` is imported from `mylib\.models`: `mylib\.models` is not a module of the workspace \(searched: \.\), so it cannot be followed without running Python$/],
    [{ 'env.py': `from alembic import context\nfrom app.models import Base\ntarget_metadata = Base.metadata\n${ENV_TAIL}`, 'app/__init__.py': '', 'app/models.py': 'from sqlalchemy.orm import declarative_base\nModel = declarative_base()\n' },
      /`Base` is not defined in `app\.models` \(app\/models\.py\)/],
    [{ 'env.py': `from alembic import context\nfrom app import Base\ntarget_metadata = Base.metadata\n${ENV_TAIL}`, 'app/__init__.py': 'from sqlalchemy import MetaData\nfrom sqlalchemy.orm import declarative_base\nfrom conventions import make_convention\nBase = declarative_base(metadata=MetaData(naming_convention=make_convention()))\n' },
      /`make_convention` is imported from `conventions`: `conventions` is not a module of the workspace/],
    [{ 'env.py': `from alembic import context\n\ndef f():\n    return f()\n\ntarget_metadata = f()\n${ENV_TAIL}` }, /`f\(\)` calls functions too deeply to follow/],
    [{ 'env.py': `from alembic import context\nimport sqlalchemy as sa\nprefix = "x"\ntarget_metadata = sa.MetaData(naming_convention={"ix": f"{prefix}_%(column_0_label)s"})\n${ENV_TAIL}` },
      /the naming_convention entry 'ix' is unknown: `f"\{prefix\}_%\(column_0_label\)s"` is an f-string/],
  ];
  for (const [files, expected] of cases) {
    const root = writeTree(files);
    const r = findNamingConvention({ envPy: path.join(root, 'env.py'), workspaceRoot: root });
    assert.match(notFound(r), expected);
  }
});

test('sys.path pointing outside the workspace is not followed', () => {
  const root = writeTree({
    'proj/env.py': `import sys\nsys.path.insert(0, "/usr/lib/python3/dist-packages")\nsys.path.append("..")\nfrom alembic import context\nfrom shared.models import Base\ntarget_metadata = Base.metadata\n${ENV_TAIL}`,
    'shared/models.py': 'from sqlalchemy.orm import declarative_base\nBase = declarative_base()\n',
  });
  const reason = notFound(findNamingConvention({ envPy: path.join(root, 'proj/env.py'), workspaceRoot: path.join(root, 'proj') }));
  assert.match(reason, /`shared\.models` is not a module of the workspace/);
  assert.match(reason, /sys\.path entries outside the workspace ignored: \/usr\/lib\/python3\/dist-packages, /);
});

test("SQLAlchemy's default convention: no target_metadata, None, a list, MetaData() without one, an empty dict", () => {
  const cases: Array<[string, RegExp]> = [
    ['from alembic import context\ntarget_metadata = None\n' + ENV_TAIL, /target_metadata is None/],
    ['from alembic import context\nfrom app import a, b\ntarget_metadata = [a.metadata, b.metadata]\n' + ENV_TAIL, /a list of MetaData/],
    ['from alembic import context\nimport sqlalchemy as sa\ntarget_metadata = sa.MetaData()\n' + ENV_TAIL, /has no naming_convention/],
    ['from alembic import context\n\ndef run():\n    context.configure(url="x")\n', /passes no target_metadata/],
  ];
  for (const [env, note] of cases) {
    const root = writeTree({ 'env.py': env, 'app/__init__.py': '' });
    const r = found(findNamingConvention({ envPy: path.join(root, 'env.py'), workspaceRoot: root }));
    assert.equal(r.isDefault, true, env);
    assert.equal(r.convention, DEFAULT_CONVENTION);
    assert.match(r.note ?? '', note);
  }
  const root = writeTree({ 'env.py': 'from alembic import context\nimport sqlalchemy as sa\ntarget_metadata = sa.MetaData(naming_convention={})\n' + ENV_TAIL });
  assert.equal(found(findNamingConvention({ envPy: path.join(root, 'env.py'), workspaceRoot: root })).convention, DEFAULT_CONVENTION);
});

test('a custom token bound to a function is kept as a callable; dict(**base, ...) and {**base} merges are followed', () => {
  const root = writeTree({
    'env.py': `from alembic import context\nfrom sqlalchemy import MetaData\n\ndef short(constraint, table):\n    return table.name[:5]\n\nBASE = dict(ix="ix_%(column_0_label)s")\nNC = {**BASE, "uq": "uq_%(short)s", "short": short}\ntarget_metadata = MetaData(naming_convention=NC)\n${ENV_TAIL}`,
  });
  const r = found(findNamingConvention({ envPy: path.join(root, 'env.py'), workspaceRoot: root }));
  assert.deepEqual(r.convention.keys, { ix: 'ix_%(column_0_label)s', uq: 'uq_%(short)s' });
  assert.deepEqual(r.convention.callables, ['short']);
  assert.equal(r.source, 'env.py:8');
});

test('[tool.alembic-migrations] naming_convention in pyproject.toml', () => {
  const ok = readConventionSetting('[tool.alembic-migrations]\nnaming_convention = { ix = "ix_%(column_0_label)s", uq = "uq_%(table_name)s_%(column_0_name)s" }\n');
  assert.ok(ok && ok.convention);
  assert.deepEqual(ok.convention.keys, { ix: 'ix_%(column_0_label)s', uq: 'uq_%(table_name)s_%(column_0_name)s' });
  assert.equal(readConventionSetting('[tool.alembic]\nscript_location = "x"\n'), undefined);
  const bad = readConventionSetting('[tool.alembic-migrations.naming_convention]\nuq = 3\n');
  assert.deepEqual(bad, { convention: undefined, reason: '[tool.alembic-migrations] naming_convention.uq must be a string' });
  const badKey = readConventionSetting('[tool.alembic-migrations.naming_convention]\nunique = "x"\n');
  assert.match((badKey as { reason: string }).reason, /keys are ix, uq, ck, fk, pk/);
  const cls = readConventionSetting('[tool.alembic-migrations.naming_convention]\nUniqueConstraint = "u_%(table_name)s"\n');
  assert.deepEqual(cls && cls.convention?.classes, { UniqueConstraint: 'u_%(table_name)s' });
  assert.match((readConventionSetting('[tool.alembic-migrations\n') as { reason: string }).reason, /cannot be parsed/);
});
