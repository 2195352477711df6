/**
 * The registry of dialects: a new database is one folder exporting its `Dialect` object, listed
 * here once. `dialectFor` is how the rest of the engine gets one.
 */
import type { Dialect, DialectName } from './dialect';
import { POSTGRESQL } from './postgresql';
import { SQLITE } from './sqlite';
import type { SqlalchemyVersion } from '../config/sqlalchemyVersion';

export type { Dialect, DialectName, TableName } from './dialect';
export { NeedsRebuild, NotPossibleOnDialect, assertAlterInPlace } from './dialect';
export { POSTGRESQL } from './postgresql';
export { SQLITE } from './sqlite';

export const DIALECTS: readonly Dialect[] = [SQLITE, POSTGRESQL];

/** The dialect a project without a database URL is shown in (Show SQL). */
export const DEFAULT_DIALECT: Dialect = SQLITE;

/** The dialect, following the given SQLAlchemy's rules (default 2.0's). */
export function dialectFor(name: DialectName, sqlalchemy?: SqlalchemyVersion): Dialect {
  const d = DIALECTS.find((x) => x.name === name);
  if (!d) throw new Error(`no dialect named ${name}`);
  return sqlalchemy && d.forSqlalchemy ? d.forSqlalchemy(sqlalchemy) : d;
}
