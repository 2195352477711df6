/**
 * PostgreSQL, as Alembic's `PostgresqlImpl` and SQLAlchemy's psycopg2 dialect see it: transactional
 * DDL (offline scripts in BEGIN/COMMIT), ALTER in place, `$n` placeholders (node-pg), SERIAL for an
 * auto-increment key, named ENUM types, comments, and a run lock on a shared server.
 */
import { dumpDatabase } from '../../db/pgDump';
import type { Dialect } from '../dialect';
import { makeQuote, replacePlaceholders, sqlLiteral } from '../naming';
import { connectPostgres } from './connection';
import { createExcludeConstraint } from './excludeConstraint';
import { postgresqlAlterIdentity, postgresqlComputed } from './identity';
import { postgresqlIndexOptions } from './indexes';
import { introspectPostgres } from './introspect';
import { POSTGRESQL_INSPECTOR } from './inspectorQueries';
import { readPostgresVersions } from './readVersions';
import { POSTGRESQL_RESERVED } from './reservedWords';
import { startPostgresRun, autocommitPostgresRun } from './runLock';
import { createEnumTypes, postgresqlType, serialType } from './types';

const quote = makeQuote(POSTGRESQL_RESERVED);

/** Whether a table exists: in the given schema ($2), or on the search path when $2 is null. */
export const PG_TABLE_EXISTS = 'SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace ' +
  "WHERE c.relname = $1 AND c.relkind IN ('r', 'p') AND (($2::text IS NULL AND pg_catalog.pg_table_is_visible(c.oid)) OR n.nspname = $2)";

export const POSTGRESQL: Dialect = {
  name: 'postgresql',
  displayName: 'PostgreSQL',
  implName: 'PostgresqlImpl',
  transactionalDdl: true,
  supportsSequences: true,
  supportsSchemaDdl: true,
  supportsAlter: true,
  sqlalchemy: '2.0',
  forSqlalchemy: (v) => (v === '1.4' ? POSTGRESQL_SA14 : POSTGRESQL),
  quote,
  qualified: (n, schema) => (schema ? `${quote(schema)}.` : '') + quote(n),
  literal: sqlLiteral,
  placeholder: (i) => `$${i}`,
  inlineParams: (sql, values) => replacePlaceholders(sql, '\\$\\d+', (m) => values[Number(m.slice(1)) - 1] ?? m),
  // SQLAlchemy's Boolean takes 0 and 1 as False and True (`_strict_as_bool`); --sql writes them as false / true.
  bindParam: (v, typeName) => ((typeName === 'Boolean' || typeName === 'BOOLEAN') && (v === 0 || v === 1) ? v === 1 : v),
  booleanLiteral: (v) => (v ? 'true' : 'false'),
  functionSql: () => undefined,
  defaultExpression: (sql) => sql,
  serialType,
  renderType: postgresqlType(quote),
  unknownType: (t) => t.name,
  beforeCreateTable: (t) => createEnumTypes(t, quote, sqlLiteral),
  indexOptions: postgresqlIndexOptions,
  uniqueNulls: (notDistinct) => (notDistinct === true ? 'NULLS NOT DISTINCT ' : notDistinct === false ? 'NULLS DISTINCT ' : ''),
  computedColumn: postgresqlComputed,
  computedAfterNotNull: false,
  nativeBoolean: true,
  nativeEnum: true,
  identityColumns: true,
  alterIdentity: postgresqlAlterIdentity,
  constraintValidity: (kw) => (kw.get('postgresql_not_valid') === true ? ' NOT VALID' : ''),
  renameColumn: 'RENAME',
  indexSchemaOnTable: true,
  foreignKeyMatch: true,
  comments: true,
  insertReturning: 'qualified',
  tableExistsQuery: (t) => ({ sql: PG_TABLE_EXISTS, params: [t.table, t.schema ?? null] }),
  connect: (url, _cwd, o) => connectPostgres(POSTGRESQL, url, o.session ?? {}),
  readVersions: (url, _cwd, t) => readPostgresVersions(POSTGRESQL, url, t),
  introspect: introspectPostgres,
  inspector: POSTGRESQL_INSPECTOR,
  startRun: startPostgresRun,
  autocommitRun: autocommitPostgresRun,
  dump: dumpDatabase,
  ops: [createExcludeConstraint],
};

/** Under SQLAlchemy 1.4's rules (what differs is read from `sqlalchemy` where it is used). */
const POSTGRESQL_SA14: Dialect = { ...POSTGRESQL, sqlalchemy: '1.4' };
