/**
 * Column types as SQLAlchemy's compilers write them, for every dialect, under SQLAlchemy 1.4 (Debian's)
 * and 2.0 (the survey's reference): every type either written as SQLAlchemy writes it, or refused (REFUSED).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { dialectFor } from '../../../src/engine/dialects';
import { readColumn } from '../../../src/engine/ops/ddl/schema';
import { renderType } from '../../../src/engine/ops/ddl/types';
import { readMigrationFunctions } from '../../../src/engine/ops/python/reader';
import { Call, Unsupported } from '../../../src/engine/ops/values';
import { PYTHON } from '../pythonOracle';

const TYPES = ['sa.Float(53)', 'sa.FLOAT(10)', 'sa.Float()', 'sa.Numeric(10, 2)', 'sa.String(20)', 'sa.DOUBLE_PRECISION()', 'sa.Uuid()',
  'pg.NUMERIC(10, 2)', 'pg.NUMERIC(10)', 'pg.FLOAT(53)', 'pg.CHAR(5)', 'pg.VARCHAR(20)', 'pg.TEXT()', 'pg.TIME(timezone=True)', 'pg.TIME(precision=3)',
  'pg.TIMESTAMP(timezone=True, precision=3)', 'pg.DOUBLE_PRECISION(precision=53)', 'pg.SMALLINT()', 'pg.BIGINT()', 'pg.UUID(as_uuid=False)', 'pg.REAL()',
  'pg.BOOLEAN()', 'pg.DATE()', 'pg.INTEGER()', 'pg.BYTEA()', 'pg.INET()', 'pg.MONEY()', 'pg.INTERVAL()', 'pg.TSVECTOR()', 'pg.CITEXT()', 'pg.JSONB()',
  'sa.Boolean()', 'sa.DateTime(timezone=True)', 'sa.DateTime()', 'sa.TIMESTAMP(timezone=True)', 'sa.Time(timezone=True)', 'sa.Date()', 'sa.Interval()',
  'sa.LargeBinary()', 'sa.LargeBinary(100)', 'sa.JSON()', 'sa.Unicode(10)', 'sa.UnicodeText()', 'sa.Text(100)', 'sa.String()', 'sa.BigInteger()',
  'sa.SmallInteger()', 'sa.NVARCHAR(10)', 'sa.NCHAR(3)', 'sa.CLOB()', 'sa.BLOB()', 'sa.BINARY(10)', 'sa.VARBINARY(10)', 'sa.DECIMAL(10, 2)',
  'sa.Numeric()', 'sa.REAL()', 'sa.DOUBLE()', 'sa.Double()', 'sa.Enum("a", "bb", name="e")', 'sa.Enum("a", "bb", name="e", native_enum=False)',
  'sa.Enum("a", "bb", name="e", length=20, native_enum=False)', 'pg.ARRAY(sa.Integer)', 'pg.ARRAY(sa.String(5), dimensions=2)', 'pg.BIT(3)',
  'pg.MACADDR()', 'pg.CIDR()', 'pg.OID()', 'pg.HSTORE()', 'pg.INT4RANGE()', 'pg.TSRANGE()', 'pg.JSON()', 'pg.INTERVAL(fields="DAY")',
  'pg.INTERVAL(precision=3)', 'pg.INTERVAL(6, "DAY TO SECOND")', 'sa.String(20, collation="C")', 'pg.TIMESTAMP(precision=0)', 'sa.PickleType()', 'sa.ARRAY(sa.Integer)', 'pg.ENUM("x", "y", name="pe")', 'sa.Uuid(as_uuid=False)',
  'sa.Enum("a", name="e", schema="s")', 'pg.ENUM("a", name="e", schema="s")', 'sa.Numeric(10, 2, asdecimal=False)', 'sa.JSON(none_as_null=True)',
  'pg.JSONB(astext_type=sa.Text())', 'pg.UUID(as_uuid=True)', 'sa.TIMESTAMP(True)', 'pg.TIMESTAMP(True, 3)', 'pg.TIME(False, 2)', 'sa.Time(True)',
  'pg.ARRAY(sa.Integer, dimensions=2)', 'sa.Text(length=100)', 'sa.Boolean(create_constraint=True)', 'sa.Enum("a", "b", name="e", create_constraint=True)'];

/** Types the engine refuses though SQLAlchemy writes them (a refusal, never other SQL): kept exact, so one that starts to work is taken off. */
const REFUSED = new Set(['pg.INT4RANGE()', 'pg.TSRANGE()', 'sa.String(20, collation="C")', 'sa.Enum("a", name="e", schema="s")', 'pg.ENUM("a", name="e", schema="s")']);

const REFERENCE = process.env.SURVEY_ALEMBIC_PATH ?? '/work/survey-projects/.reference';

function sqlalchemy(pythonPath: string | undefined): { version: string; out: Record<string, Record<string, string | null>> } {
  const script = `
import json, sys
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg, sqlite, postgresql
out = {}
for name, d in (('sqlite', sqlite.dialect()), ('postgresql', postgresql.dialect())):
    out[name] = {}
    for expr in json.load(open(sys.argv[1])):
        try:
            t = eval(expr)
            out[name][expr] = sa.schema.CreateTable(sa.Table('t', sa.MetaData(), sa.Column('x', t))).compile(dialect=d).string.split('\\n')[2].strip()[2:].rstrip(',').strip()
        except Exception:
            out[name][expr] = None
print(json.dumps({'version': sa.__version__, 'out': out}))
`;
  const file = `${fs.mkdtempSync('/tmp/types-')}/types.json`;
  fs.writeFileSync(file, JSON.stringify(TYPES));
  return JSON.parse(execFileSync(PYTHON, ['-c', script, file], { encoding: 'utf8', env: { ...process.env, PYTHONPATH: pythonPath ?? '' } }));
}

function ours(expr: string, dialect: 'sqlite' | 'postgresql', version: '1.4' | '2.0'): string | null {
  const [f] = readMigrationFunctions(`import sqlalchemy as sa\nfrom sqlalchemy.dialects import postgresql as pg\nfrom alembic import op\n\ndef upgrade():\n    op.add_column("t", sa.Column("x", ${expr}))\n`, { dialect });
  assert.equal(f.unsupported, undefined, `${expr}: ${f.unsupported?.message}`);
  try { return renderType(readColumn((f.ops![0] as { call: Call }).call.args[1], 1).type, dialectFor(dialect, version)); } catch (e) { if (e instanceof Unsupported) return null; throw e; }
}

for (const [label, pythonPath] of [['1.4', undefined], ['2.0', REFERENCE]] as const) {
  test(`column types as SQLAlchemy ${label} writes them, on SQLite and PostgreSQL (or refused where it cannot)`, () => {
    if (pythonPath) assert.ok(fs.existsSync(`${pythonPath}/sqlalchemy`), `${pythonPath}: run test/survey/fetch-reference.sh`);
    const ref = sqlalchemy(pythonPath);
    assert.ok(ref.version.startsWith(label), ref.version);
    const wrong: string[] = [];
    for (const dialect of ['sqlite', 'postgresql'] as const) {
      for (const expr of TYPES) {
        // sa.Uuid, sa.DOUBLE_PRECISION and pg.CITEXT do not exist in 1.4.
        if (label === '1.4' && /^(sa\.(Uuid|DOUBLE_PRECISION|DOUBLE|Double)|pg\.CITEXT)/.test(expr)) continue;
        const mine = ours(expr, dialect, label);
        const theirs = ref.out[dialect][expr];
        if (REFUSED.has(expr) && theirs !== null) { if (mine !== null) wrong.push(`${dialect} ${expr}: now written (${mine}): take it off REFUSED`); continue; }
        if (mine !== theirs) wrong.push(`${dialect} ${expr}: ours ${mine}, SQLAlchemy ${theirs}`);
      }
    }
    assert.deepEqual(wrong, []);
  });
}
