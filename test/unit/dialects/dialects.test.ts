/**
 * The dialect objects against SQLAlchemy itself: which names are quoted, the version table's DDL
 * (the same text online, offline and in the read-only path), literals and placeholders.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { DIALECTS, dialectFor, POSTGRESQL, SQLITE } from '../../../src/engine/dialects';
import { versionTableDdl } from '../../../src/engine/dialects/versionTable';
import { parseDatabaseUrl } from '../../../src/engine/config/url';
import { readCurrentHeads } from '../../../src/engine/db/versionTable';
import { connect, inTransaction } from '../../../src/engine/runner/connection';
import { offlineEnsureVersion } from '../../../src/engine/runner/offline';
import { ensureVersionTable, readHeads, versionRows } from '../../../src/engine/runner/versionTable';
import { runPython } from '../pythonOracle';
import { writeTree } from '../tmpProject';

const SAMPLES = ['alembic_version', 'user', 'order', 'index', 'by', 'key', 'values', 'Version', 'my-table', '1abc', 'a$b', '$a', 'x"y', 'analyse', 'off', 'vacuum', 'ÉTÉ', 'snake_case_9'];

/** SQLAlchemy 1.4's quoting of every name above and of every word either dialect reserves. */
const oracle = runPython(`
import json, sys
from sqlalchemy import Column, MetaData, PrimaryKeyConstraint, String, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.schema import CreateTable
samples = json.load(sys.stdin)
dialects = {'sqlite': sqlite.dialect(), 'postgresql': postgresql.dialect()}
words = sorted(set(samples) | set().union(*(d.identifier_preparer.reserved_words for d in dialects.values())))
out = {'quote': {}, 'ddl': {}}
for name, d in dialects.items():
    out['quote'][name] = {w: d.identifier_preparer.quote(w) for w in words}
    ddl = []
    for table in samples:
        for schema in (None, 'Sch', 'public'):
            # Alembic's MigrationContext version table: version_num String(32), PK named <table>_pkc.
            t = Table(table, MetaData(), Column('version_num', String(32), nullable=False), schema=schema)
            t.append_constraint(PrimaryKeyConstraint('version_num', name='%s_pkc' % table))
            ddl.append([table, schema, str(CreateTable(t).compile(dialect=d)).strip()])
    out['ddl'][name] = ddl
print(json.dumps(out))
`, SAMPLES) as { quote: Record<string, Record<string, string>>; ddl: Record<string, [string, string | null, string][]> };

test('every dialect quotes exactly the names SQLAlchemy quotes (reserved words, case, odd characters)', () => {
  for (const d of DIALECTS) {
    const theirs = oracle.quote[d.name];
    const wrong = Object.keys(theirs).filter((w) => d.quote(w) !== theirs[w]).map((w) => `${w}: ${d.quote(w)} vs ${theirs[w]}`);
    assert.deepEqual(wrong, [], d.name);
    assert.ok(Object.keys(theirs).length > 150);
  }
});

test("the version table's DDL is SQLAlchemy's for Alembic's table, for any table name and schema", () => {
  for (const d of DIALECTS) {
    for (const [table, schema, sql] of oracle.ddl[d.name]) {
      assert.equal(versionTableDdl(d, { table, schema: schema ?? undefined }), sql, `${d.name} ${schema}.${table}`);
    }
  }
});

test('offline, the version table DDL is the same text, wrapped in BEGIN/COMMIT where DDL is transactional', () => {
  const t = { table: 'user', schema: 'Sch' };
  const body = `${versionTableDdl(POSTGRESQL, t).replace(/\t/g, '    ')};\n\n`;
  assert.equal(offlineEnsureVersion(POSTGRESQL, t), `BEGIN;\n\n${body}COMMIT;\n\n`);
  assert.equal(offlineEnsureVersion(SQLITE, { table: 'user' }), `${versionTableDdl(SQLITE, { table: 'user' }).replace(/\t/g, '    ')};\n\n`);
});

test('online on SQLite: the version table is created with the same DDL, kept row by row and read back by the read-only path', async () => {
  const root = writeTree({});
  const url = parseDatabaseUrl(`sqlite:///${path.join(root, 'app.db')}`);
  try {
    for (const table of ['user', 'Order Table', 'values', 'a$1?']) {
      const t = { table };
      const seen: string[] = [];
      const conn = await connect(url, root);
      assert.equal(conn.dialect, SQLITE);
      await inTransaction(conn, async () => {
        await ensureVersionTable(conn, t, false, (s) => seen.push(s));
        const rows = versionRows(conn, t, (s) => seen.push(s));
        await rows.insert("ab'c");
        await rows.update("ab'c", 'def');
        assert.deepEqual(await readHeads(conn, t), ['def']);
      });
      const q = SQLITE.qualified(table);
      assert.deepEqual(seen, [
        versionTableDdl(SQLITE, t),
        `INSERT INTO ${q} (version_num) VALUES ('ab''c')`,
        `UPDATE ${q} SET version_num = 'def' WHERE version_num = 'ab''c'`,
      ]);
      assert.deepEqual(await readCurrentHeads(url, root, t), ['def'], 'the read-only path reads the same table');
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('placeholders and inlined values follow the driver: ? in order on SQLite, $n by number on PostgreSQL', () => {
  assert.equal(SQLITE.placeholder(2), '?');
  assert.equal(POSTGRESQL.placeholder(2), '$2');
  assert.equal(SQLITE.inlineParams('INSERT INTO "a$1" VALUES (?, ?)', ["'x'", '2']), `INSERT INTO "a$1" VALUES ('x', 2)`);
  assert.equal(POSTGRESQL.inlineParams('INSERT INTO "a?" VALUES ($2, $1)', ["'x'", '2']), `INSERT INTO "a?" VALUES (2, 'x')`);
  // A placeholder's text inside a quoted name or a literal is not a placeholder.
  assert.equal(POSTGRESQL.inlineParams(`INSERT INTO "x$1""$2" VALUES ('$1', $1)`, ["'v'"]), `INSERT INTO "x$1""$2" VALUES ('$1', 'v')`);
  assert.equal(SQLITE.inlineParams(`SELECT "?", '?''?', ?`, ['1']), `SELECT "?", '?''?', 1`);
  assert.equal(SQLITE.literal("it's"), "'it''s'");
});

test('values bind as the drivers take them: booleans as 1/0 on SQLite; SQLite date types refuse strings', () => {
  assert.equal(SQLITE.bindParam(true, 'Boolean', 1), 1);
  assert.equal(POSTGRESQL.bindParam(true, 'Boolean', 1), true);
  assert.throws(() => SQLITE.bindParam('2020-01-01', 'Date', 7), /line 7: .*SQLite Date type only accepts Python date objects/);
  assert.equal(POSTGRESQL.bindParam('2020-01-01', 'Date', 7), '2020-01-01');
});

test('the registry finds every dialect by its name, and each says what Alembic logs for it', () => {
  assert.deepEqual(DIALECTS.map((d) => d.name), ['sqlite', 'postgresql']);
  for (const d of DIALECTS) assert.equal(dialectFor(d.name), d);
  assert.deepEqual(DIALECTS.map((d) => [d.implName, d.transactionalDdl]), [['SQLiteImpl', false], ['PostgresqlImpl', true]]);
  assert.equal(SQLITE.cannotAlterInPlace !== undefined, true);
  assert.equal(POSTGRESQL.cannotAlterInPlace, undefined);
});
