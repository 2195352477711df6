/**
 * SQLite, as Alembic's `SQLiteImpl` and SQLAlchemy's SQLite dialect see it: no transactional DDL,
 * no ALTER of columns or constraints in place (batch mode rebuilds the table), `?` placeholders,
 * booleans stored as 1/0, expression defaults in parentheses.
 */
import { Unsupported } from '../../ops/values';
import type { Dialect } from '../dialect';
import { makeQuote, replacePlaceholders, sqlLiteral } from '../naming';
import { connectSqlite } from './connection';
import { introspectSqlite } from './introspect';
import { SQLITE_INSPECTOR } from './inspectorQueries';
import { readSqliteVersions } from './readVersions';
import { SQLITE_RESERVED } from './reservedWords';
import { sqliteType } from './types';

const quote = makeQuote(SQLITE_RESERVED);
const DATE_TYPES = new Set(['DateTime', 'Date', 'Time', 'DATETIME', 'DATE', 'TIME']);

/** SQLAlchemy's SQLite compiler: `visit_now_func`, `visit_localtimestamp_func` (1.4 double-quoted 'localtime'). */
const SQLITE_FUNCTIONS = new Map([['now', 'CURRENT_TIMESTAMP'], ['localtimestamp', "DATETIME(CURRENT_TIMESTAMP, 'localtime')"]]);
const SQLITE_FUNCTIONS_SA14 = new Map([...SQLITE_FUNCTIONS, ['localtimestamp', 'DATETIME(CURRENT_TIMESTAMP, "localtime")']]);

export const SQLITE: Dialect = {
  name: 'sqlite',
  displayName: 'SQLite',
  implName: 'SQLiteImpl',
  transactionalDdl: false,
  supportsSequences: false,
  supportsSchemaDdl: false,
  supportsAlter: false,
  quote,
  qualified: (n, schema) => (schema ? `${quote(schema)}.` : '') + quote(n),
  literal: sqlLiteral,
  placeholder: () => '?',
  inlineParams: (sql, values) => replacePlaceholders(sql, '\\?', (m, i) => values[i] ?? m),
  bindParam(v, typeName, line) {
    if (typeof v === 'boolean') return v ? 1 : 0;
    if (typeof v === 'string' && typeName && DATE_TYPES.has(typeName)) {
      // SQLAlchemy's SQLite date types take only Python date/time objects.
      throw new Unsupported(line, 'op.bulk_insert(...)', `SQLite ${typeName} type only accepts Python ${typeName.toLowerCase().startsWith('datetime') ? 'datetime' : typeName.toLowerCase()} objects as input`);
    }
    return v;
  },
  booleanLiteral: (v) => (v ? '1' : '0'),
  functionSql: (lc) => SQLITE_FUNCTIONS.get(lc),
  // SQLAlchemy 2.0's get_column_specification: `DEFAULT 0`, `DEFAULT 'x'`, `DEFAULT (lower('x'))`.
  defaultExpression: (sql) => sql,
  columnDefault: (sql) => (!/^\s*['"(]/.test(sql) && /\W/.test(sql) ? `(${sql})` : sql),
  sqlalchemy: '2.0',
  forSqlalchemy: (v) => (v === '1.4' ? SQLITE_SA14 : SQLITE),
  renderType: sqliteType('2.0'),
  onConflict: true,
  computedColumn: (c) => `GENERATED ALWAYS AS (${c.sql})${c.persisted === true ? ' STORED' : c.persisted === false ? ' VIRTUAL' : ''}`,
  computedAfterNotNull: true,
  inlineAutoincrement: true,
  nativeBoolean: false,
  nativeEnum: false,
  identityColumns: false,
  renameColumn: 'RENAME COLUMN',
  indexSchemaOnTable: false,
  foreignKeysWithinSchema: true,
  foreignKeyMatch: true, // SQLAlchemy writes MATCH on SQLite too (which parses and ignores it)
  comments: false,
  cannotAlterInPlace: 'No support for ALTER of constraints in SQLite (Alembic raises this too, online and with --sql); use `with op.batch_alter_table(...) as batch_op:`, which rebuilds the table',
  cannotAlterColumn: "SQLite's ALTER COLUMN only sets or drops NOT NULL: Alembic's --sql output writes the ALTER of a type, default or comment anyway and SQLite rejects it when run (online, Alembic fails there); use `with op.batch_alter_table(...) as batch_op:`, which rebuilds the table",
  alterNotNull: 'ALTER COLUMN ... SET / DROP NOT NULL runs on SQLite 3.53 and later (the embedded engine\'s is 3.54); Alembic fails here where Python\'s sqlite3 is older (python3 -c "import sqlite3; print(sqlite3.sqlite_version)"); batch_alter_table works on both',
  insertReturning: 'bare', // SQLAlchemy 2.0's SQLite dialect has implicit RETURNING; 1.4's has none
  tableExistsQuery: (t) => ({
    sql: `SELECT name FROM ${t.schema ? `${quote(t.schema)}.` : ''}sqlite_master WHERE type = 'table' AND name = ?`,
    params: [t.table],
  }),
  connect: (url, cwd, o) => connectSqlite(SQLITE, url, cwd, o),
  readVersions: (url, cwd, t, onWarning) => readSqliteVersions(SQLITE, url, cwd, t, onWarning),
  introspect: introspectSqlite,
  inspector: SQLITE_INSPECTOR,
};

/** SQLAlchemy 1.4's rules: only expression defaults (functions, `sa.true()`) in parentheses, text as written. */
const SQLITE_SA14: Dialect = {
  ...SQLITE, sqlalchemy: '1.4', insertReturning: false, renderType: sqliteType('1.4'), defaultExpression: (sql) => `(${sql})`, columnDefault: undefined, functionSql: (lc) => SQLITE_FUNCTIONS_SA14.get(lc),
};
