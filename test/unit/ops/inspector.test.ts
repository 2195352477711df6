/**
 * SQLAlchemy's Inspector as the engine answers it (`dialects/<name>/inspectorQueries.ts`), against
 * SQLAlchemy itself on the same database: a SQLite file and a PostgreSQL database with named and
 * unnamed constraints, composite and schema-qualified foreign keys, partial / expression /
 * covering indexes, generated and identity columns, enums, views. Every method's answer must
 * equal SQLAlchemy 2.0's (the reference folder's, the version the engine follows), types compared
 * by the SQL they render; SQLAlchemy 1.4 (Debian's) must agree on what migrations read (names,
 * columns, nullability, types).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testDatabases } from '../../support/pgDatabases';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dialectFor } from '../../../src/engine/dialects';
import { InspectorError, type InspectorMethod, type Reflected, ReflectedType } from '../../../src/engine/dialects/inspector';
import { parseDatabaseUrl } from '../../../src/engine/config/url';
import { Call, PyValue } from '../../../src/engine/ops/values';
import { readType, renderType } from '../../../src/engine/ops/ddl/types';
import { PYTHON } from '../pythonOracle';

/** SQLAlchemy 2.0 as the survey's reference (test/survey/fetch-reference.sh). */
const SA20 = process.env.SA20_PATH ?? '/work/survey-projects/.reference';
/**
 * Where the reference is not fetched (CI: Debian's SQLAlchemy 1.4 only), the answers are compared
 * with 1.4 on what both versions agree on; the exact 2.0 comparison runs where the reference is.
 */
const HAVE_SA20 = fs.existsSync(path.join(SA20, 'sqlalchemy'));

type Ask = [InspectorMethod, string?, string?];

const HARNESS = `
import json, sys, warnings
warnings.simplefilter('ignore')
import sqlalchemy as sa
from sqlalchemy.sql.elements import TextClause
spec = json.load(sys.stdin)
engine = sa.create_engine(spec['url'])
with engine.begin() as conn:
    for ddl in spec['ddl']:
        conn.exec_driver_sql(ddl)
def enc(v, dialect):
    if isinstance(v, sa.types.TypeEngine): return {'__type__': str(v.compile(dialect=dialect))}
    if isinstance(v, TextClause): return {'__text__': v.text}
    if isinstance(v, dict): return {k: enc(x, dialect) for k, x in v.items()}
    if isinstance(v, (list, tuple)): return [enc(x, dialect) for x in v]
    return v
out = []
with engine.connect() as conn:
    for ask in spec['asks']:
        method, name, schema = (ask + [None, None])[:3]
        insp = sa.inspect(conn)
        args = [] if name is None else [name]
        kw = {} if schema is None else {'schema': schema}
        try:
            out.append(enc(getattr(insp, method)(*args, **kw), conn.dialect))
        except Exception as e:
            out.append({'__error__': type(e).__name__})
print(json.dumps(out))
`;

function sqlalchemy(url: string, ddl: string[], asks: Ask[], sa20: boolean): unknown[] {
  const env = { ...process.env, ...(sa20 ? { PYTHONPATH: SA20 } : {}) };
  const check = execFileSync(PYTHON, ['-c', 'import sqlalchemy; print(sqlalchemy.__version__)'], { env, encoding: 'utf8' });
  assert.equal(check.trim().split('.')[0], sa20 ? '2' : '1');
  return JSON.parse(execFileSync(PYTHON, ['-c', HARNESS], { env, input: JSON.stringify({ url, ddl, asks }), encoding: 'utf8' })) as unknown[];
}

function encode(v: Reflected, dialect: 'sqlite' | 'postgresql'): unknown {
  if (v instanceof ReflectedType) {
    if (v.fn === 'sa.text') return { __text__: v.args[0] };
    if (!v.fn) return { __type__: 'NULL' };
    const call = (t: ReflectedType): Call => new Call(t.fn!, t.args.map((a) => (a instanceof ReflectedType ? call(a) : a)) as PyValue[], new Map(Object.entries(t.kwargs)), 1);
    return { __type__: renderType(readType(call(v), 1), dialectFor(dialect)) };
  }
  if (Array.isArray(v)) return v.map((x) => encode(x, dialect));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, encode(x, dialect)]));
  return v;
}

async function ours(url: string, asks: Ask[]): Promise<unknown[]> {
  const u = parseDatabaseUrl(url);
  const d = dialectFor(u.dialect);
  const conn = await d.connect(u, os.tmpdir(), {});
  const out: unknown[] = [];
  try {
    for (const [method, name, schema] of asks) {
      try {
        const q = d.inspector[method]!({ name: name ?? undefined, schema: schema ?? undefined });
        out.push(encode(q.shape(await conn.query(q.sql)), d.name));
      } catch (e) {
        if (!(e instanceof InspectorError)) throw e;
        out.push({ __error__: e.pythonType });
      }
    }
  } finally { await conn.close(); }
  return out;
}

/** What migrations read, the same in SQLAlchemy 1.4 and 2.0. */
function essentials(v: unknown): unknown {
  const KEEP = new Set(['name', 'column_names', 'constrained_columns', 'referred_table', 'referred_columns', 'nullable', 'type', '__type__']);
  if (Array.isArray(v)) return v.map(essentials);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).filter(([k]) => KEEP.has(k)).map(([k, x]) => [k, essentials(x)]));
  return v;
}

function compare(asks: Ask[], mine: unknown[], sa20: unknown[] | undefined, sa14: unknown[], same14: (a: Ask) => boolean): void {
  asks.forEach((a, i) => {
    if (sa20) assert.deepEqual(mine[i], sa20[i], `${a.join(' ')}: SQLAlchemy 2.0 answers ${JSON.stringify(sa20[i])}`);
    if (same14(a)) assert.deepEqual(essentials(mine[i]), essentials(sa14[i]), `${a.join(' ')}: SQLAlchemy 1.4 answers ${JSON.stringify(sa14[i])}`);
  });
}

const TABLE_METHODS: InspectorMethod[] = ['get_columns', 'get_pk_constraint', 'get_foreign_keys', 'get_indexes', 'get_unique_constraints', 'get_check_constraints'];

const SQLITE_DDL = [
  // One clause a line, as SQLAlchemy writes DDL (1.4 reads a UNIQUE's name across the line otherwise).
  'CREATE TABLE parent (\n id INTEGER NOT NULL,\n code VARCHAR(10),\n CONSTRAINT pk_parent PRIMARY KEY (id),\n CONSTRAINT uq_parent_code UNIQUE (code)\n)',
  `CREATE TABLE child (
    id INTEGER PRIMARY KEY,
    parent_id INTEGER REFERENCES parent (id),
    parent_code VARCHAR(10),
    other_id INTEGER,
    amount NUMERIC(10, 2) DEFAULT 0,
    price FLOAT,
    created DATETIME DEFAULT CURRENT_TIMESTAMP,
    flag BOOLEAN NOT NULL DEFAULT 1,
    note TEXT,
    raw BLOB,
    odd MONEYTYPE,
    email VARCHAR(50) UNIQUE,
    total INTEGER GENERATED ALWAYS AS (id * 2) VIRTUAL,
    CONSTRAINT fk_child_parent_code FOREIGN KEY (parent_code) REFERENCES parent (code) ON DELETE CASCADE ON UPDATE SET NULL,
    FOREIGN KEY (other_id) REFERENCES parent,
    CONSTRAINT ck_amount CHECK (amount >= 0),
    CHECK (flag IN (0, 1))
  )`,
  'CREATE INDEX ix_child_note ON child (note)',
  'CREATE UNIQUE INDEX ix_child_pair ON child (parent_id, other_id)',
  'CREATE INDEX ix_child_partial ON child (parent_id) WHERE flag = 1',
  'CREATE INDEX ix_child_expr ON child (lower(note))',
  'CREATE VIEW v_child AS SELECT id FROM child',
  'CREATE TABLE nopk (a INTEGER, b VARCHAR)',
];

test('the Inspector on SQLite answers as SQLAlchemy does', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inspector-unit-'));
  const asks: Ask[] = [['get_table_names'], ['get_view_names'], ['has_table', 'child'], ['has_table', 'v_child'], ['has_table', 'nowhere'], ['get_schema_names'],
    ...['parent', 'child', 'nopk'].flatMap((t) => TABLE_METHODS.map((m): Ask => [m, t])), ['get_columns', 'nowhere'], ['get_indexes', 'nowhere'], ['get_pk_constraint', 'nowhere']];
  const url = (f: string) => `sqlite:///${path.join(dir, f)}`;
  const sa20 = HAVE_SA20 ? sqlalchemy(url('a.db'), SQLITE_DDL, asks, true) : (sqlalchemy(url('a.db'), SQLITE_DDL, [], false), undefined);
  const sa14 = sqlalchemy(url('b.db'), SQLITE_DDL, asks, false);
  const mine = await ours(url('a.db'), asks);
  // 1.4 returns [] where 2.0 raises NoSuchTableError, and reads no CHECK on a line of its own.
  compare(asks, mine, sa20, sa14, ([m, t]) => t !== 'nowhere' && m !== 'get_check_constraints');
  assert.ok(JSON.stringify(mine).includes('"fk_child_parent_code"'), 'a named foreign key has its name');
});

const PG_DDL = [
  "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')",
  'CREATE SCHEMA other',
  'CREATE TABLE other.ref (id SERIAL PRIMARY KEY, label VARCHAR(20) NOT NULL)',
  'CREATE TABLE parent (id SERIAL, code VARCHAR(10), CONSTRAINT pk_parent PRIMARY KEY (id), CONSTRAINT uq_parent_code UNIQUE (code))',
  `CREATE TABLE child (
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    parent_id INTEGER REFERENCES parent (id),
    parent_code VARCHAR(10),
    ref_id INTEGER,
    amount NUMERIC(10, 2) DEFAULT 0 NOT NULL,
    price DOUBLE PRECISION,
    created TIMESTAMP WITH TIME ZONE DEFAULT now(),
    at_time TIME,
    flag BOOLEAN NOT NULL DEFAULT true,
    note TEXT,
    data JSONB,
    tags TEXT[],
    uid UUID,
    feeling mood,
    feelings mood[],
    raw BYTEA,
    span INTERVAL,
    letter CHAR(1),
    total INTEGER GENERATED ALWAYS AS (parent_id * 2) STORED,
    CONSTRAINT fk_child_parent_code FOREIGN KEY (parent_code) REFERENCES parent (code) ON DELETE CASCADE ON UPDATE SET NULL DEFERRABLE INITIALLY DEFERRED,
    CONSTRAINT fk_child_ref FOREIGN KEY (ref_id) REFERENCES other.ref (id),
    CONSTRAINT ck_amount CHECK (amount >= 0),
    CONSTRAINT uq_child_pair UNIQUE (parent_id, ref_id)
  )`,
  "COMMENT ON COLUMN child.note IS 'free text'",
  'CREATE INDEX ix_child_note ON child (note DESC)',
  'CREATE INDEX ix_child_partial ON child (parent_id) WHERE flag',
  'CREATE INDEX ix_child_expr ON child (lower(note))',
  'CREATE INDEX ix_child_gin ON child USING gin (data)',
  'CREATE INDEX ix_child_incl ON child (parent_id) INCLUDE (note)',
  'CREATE SEQUENCE counter',
  'CREATE VIEW v_child AS SELECT id FROM child',
  'CREATE TABLE nopk (a INTEGER, b VARCHAR)',
];

const databases = testDatabases('inspector_unit');
const pgUrl = databases.url;

test('the Inspector on PostgreSQL answers as SQLAlchemy does', async () => {
  const asks: Ask[] = [['get_table_names'], ['get_view_names'], ['get_table_names', undefined, 'other'], ['has_table', 'child'], ['has_table', 'v_child'],
    ['has_table', 'ref'], ['has_table', 'ref', 'other'], ['get_schema_names'], ['has_sequence', 'counter'], ['has_sequence', 'nowhere'], ['get_enums'],
    ...['parent', 'child', 'nopk'].flatMap((t) => TABLE_METHODS.map((m): Ask => [m, t])),
    ...TABLE_METHODS.map((m): Ask => [m, 'ref', 'other']), ['get_columns', 'nowhere'], ['get_foreign_keys', 'child', 'public']];
  const a = await pgUrl('a');
  const sa20 = HAVE_SA20 ? sqlalchemy(a, PG_DDL, asks, true) : (sqlalchemy(a, PG_DDL, [], false), undefined);
  const sa14 = sqlalchemy(await pgUrl('b'), PG_DDL, asks, false);
  const mine = await ours(a, asks);
  // 1.4 has no get_enums on the base Inspector, and reflects expression indexes another way.
  compare(asks, mine, sa20, sa14, ([m, t]) => m !== 'get_enums' && t !== 'nowhere' && !(m === 'get_indexes' && t === 'child'));
  assert.ok(JSON.stringify(mine).includes('"referred_schema":"other"'), 'a foreign key to another schema names it');
});
