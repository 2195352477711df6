/**
 * Column types as autogenerate writes them, against SQLAlchemy 1.4 reflecting the same columns and
 * Alembic 1.8 rendering them (`render._repr_type`), on a real PostgreSQL database and a real SQLite
 * file; and Python's repr() of strings.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pythonType } from '../../../src/engine/autogen';
import { pyStr } from '../../../src/engine/autogen/pyRepr';
import { testDatabases } from '../../support/pgDatabases';
import { postgresDatabase, sqliteDatabase } from '../../support/schemaDatabases';
import { TYPE_TABLES } from '../../support/typeTables';
import { runPython } from '../pythonOracle';

const pg = testDatabases('migrations_autogen_types');

/** Alembic's rendering of every column type of table `t`, reflected by SQLAlchemy. */
const ALEMBIC_TYPES = `
import json, sys, warnings
warnings.simplefilter('ignore')
from sqlalchemy import create_engine, MetaData
from alembic.autogenerate import render
from alembic.autogenerate.api import AutogenContext
from alembic.migration import MigrationContext
url = json.load(sys.stdin)
engine = create_engine(url)
md = MetaData()
md.reflect(engine, only=['t'])
with engine.connect() as conn:
    ctx = AutogenContext(MigrationContext.configure(conn), opts={'sqlalchemy_module_prefix': 'sa.', 'alembic_module_prefix': 'op.', 'user_module_prefix': None})
    print(json.dumps({c.name: render._repr_type(c.type, ctx) for c in md.tables['t'].columns}))
`;

async function compare(db: ReturnType<typeof sqliteDatabase>, dialect: 'sqlite' | 'postgresql', ddl: string) {
  await db.exec(ddl);
  const snap = await db.snapshot();
  const theirs = runPython(ALEMBIC_TYPES, db.url) as Record<string, string>;
  const ours = Object.fromEntries(snap.tables.t.columns.map((c) => [c.name, pythonType(c.type, dialect, { enums: snap.enums }).expr]));
  assert.deepEqual(ours, theirs);
  assert.ok(Object.keys(ours).length > 15);
}

test('PostgreSQL: every type format_type reports is written as Alembic writes the reflected type', async () => {
  const db = postgresDatabase(await pg.url('types'));
  await compare(db, 'postgresql', TYPE_TABLES.postgresql);
});

test('SQLite: declared types go through SQLAlchemy 1.4\'s reflection and are written as Alembic writes them', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'autogen-types-'));
  try { await compare(sqliteDatabase(path.join(dir, 'types.db')), 'sqlite', TYPE_TABLES.sqlite); } finally { fs.rmSync(dir, { recursive: true, force: true }); }
});

test('strings are written as Python writes their repr()', () => {
  const cases = ['plain', "it's", 'say "hi"', `both ' and "`, 'back\\slash', 'new\nline', 'tab\there', 'é ü 日本', '\u0001'];
  assert.deepEqual(cases.map(pyStr), runPython('import json, sys; print(json.dumps([repr(s) for s in json.load(sys.stdin)]))', cases));
});
