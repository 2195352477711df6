/**
 * What differs between databases, in one object per database (Alembic's `DefaultImpl` subclasses
 * plus SQLAlchemy's dialect): quoting and literals, placeholders, type and default rendering, what
 * cannot be done in place, the offline script's wrapper, the version table, and connecting.
 * Code elsewhere asks the dialect; it never tests a dialect's name.
 */
import type { DatabaseUrl } from '../config/url';
import type { TypeSpec } from '../ops/ddl/types';
import type { ComputedSpec, IdentitySpec, TableSpec } from '../ops/ddl/schema';
import type { Connection, ConnectOptions } from '../runner/connection';
import type { SessionOptions } from '../runner/session';
import type { PgDumpOptions } from '../db/pgDump';
import type { OpSpec } from '../ops/registry/types';
import type { IntrospectOptions, Queryable } from '../schema/introspection';
import type { InspectorQueries } from './inspector';
import type { SchemaSnapshot } from '../schema/snapshot';
import { Unsupported, type PyValue } from '../ops/values';
import type { SqlalchemyVersion } from '../config/sqlalchemyVersion';

/** The dialects the engine knows (the names SQLAlchemy gives them). */
export type DialectName = 'sqlite' | 'postgresql';

/** Dialect-only index clauses, in SQLAlchemy's order around the column list. */
export interface IndexOptions {
  concurrently?: boolean;
  using?: string;
  /** Operator class per column name. */
  ops?: Record<string, string>;
  include?: string[];
  with?: [string, string][];
  tablespace?: string;
  /** `postgresql_nulls_not_distinct=` (SQLAlchemy 2.0): NULLS NOT DISTINCT (true) / NULLS DISTINCT (false). */
  nullsNotDistinct?: boolean;
}

export interface TableName { table: string; schema?: string }

/** Helpers a dialect's type hook may use (the generic renderer's). */
export interface TypeContext {
  /** `base(length)` when the type has a length. */
  len(base: string): string;
  /** Renders a nested type (an ARRAY's item). */
  render(t: TypeSpec): string;
  /** SQLAlchemy cannot render this type for the dialect. */
  cannot(): never;
}

export interface Dialect {
  readonly name: DialectName;
  /** As people write it: `SQLite`, `PostgreSQL`. */
  readonly displayName: string;
  /** Alembic's implementation class, as its log names it ("Context impl SQLiteImpl."). */
  readonly implName: string;
  /** DDL runs inside a transaction (Alembic's `transactional_ddl`): offline scripts get BEGIN/COMMIT. */
  readonly transactionalDdl: boolean;
  /** CREATE / DROP SEQUENCE exist (SQLAlchemy's `supports_sequences`). */
  readonly supportsSequences: boolean;
  /** CREATE / DROP SCHEMA exist (SQLite attaches databases instead). */
  readonly supportsSchemaDdl: boolean;
  /** ALTER TABLE ... ADD CONSTRAINT exists (SQLAlchemy's `supports_alter`): a `use_alter=True` foreign key is then left out of CREATE TABLE. */
  readonly supportsAlter: boolean;

  // Names and values
  /** A name as SQLAlchemy writes it: bare when legal, else double-quoted. */
  quote(name: string): string;
  /** `schema.name`, each part quoted as needed. */
  qualified(name: string, schema?: string): string;
  /** A string literal: `'it''s'`. */
  literal(value: string): string;
  /** The driver's placeholder for the i-th parameter (1-based): `?` or `$1`. */
  placeholder(i: number): string;
  /** `sql` with its placeholders replaced by the given SQL texts (for logs and offline scripts). */
  inlineParams(sql: string, values: string[]): string;
  /** A Python value as the driver binds it for a column of `typeName` (SQLite: True is 1). */
  bindParam(v: string | number | boolean, typeName: string | undefined, line: number): unknown;

  // DDL
  /** `sa.true()` / `sa.false()`. */
  booleanLiteral(v: boolean): string;
  /** A function SQLAlchemy renders another way on this dialect (SQLite: `now()` is CURRENT_TIMESTAMP). */
  functionSql(lowerName: string): string | undefined;
  /** A server default that is an SQL expression (SQLite under SQLAlchemy 1.4 wants it in parentheses). */
  defaultExpression(sql: string): string;
  /** A rendered server default as a column specification writes it (SQLite under SQLAlchemy 2.0: in parentheses unless a plain word or quoted). */
  columnDefault?(sql: string): string;
  /** The SQLAlchemy whose rules it follows, where they differ between versions. */
  readonly sqlalchemy?: SqlalchemyVersion;
  /** This dialect under another SQLAlchemy's rules (the dialect itself follows 2.0's). */
  forSqlalchemy?(version: SqlalchemyVersion): Dialect;
  /** The type an auto-increment integer primary key gets instead of its own (PostgreSQL: SERIAL). */
  serialType?(t: TypeSpec): string;
  /** A type rendered differently from the generic rendering, or undefined for the generic one. */
  renderType(t: TypeSpec, ctx: TypeContext): string | undefined;
  /** A type name the generic renderer does not know (PostgreSQL writes it as is). */
  unknownType?(t: TypeSpec): string | undefined;
  /**
   * Statements before CREATE TABLE (PostgreSQL: its named ENUM types), each with the key that
   * makes it run once in a migration (SQLAlchemy creates a named type the first time only).
   */
  beforeCreateTable?(t: TableSpec): { sql: string; once?: string }[];
  /** Written after an added CHECK or FOREIGN KEY constraint (PostgreSQL: `NOT VALID`). */
  constraintValidity?(kw: ReadonlyMap<string, PyValue>): string;
  /** Between UNIQUE and its columns (PostgreSQL, SQLAlchemy 2.0: `NULLS [NOT] DISTINCT ` from `postgresql_nulls_not_distinct=`). */
  uniqueNulls?(notDistinct: boolean | undefined): string;
  /** The index options (`<dialect>_<option>=` keywords) this dialect renders. */
  indexOptions?(kw: ReadonlyMap<string, PyValue>, line: number): IndexOptions;
  /** A computed column's clause (`GENERATED ALWAYS AS (...)` and its persistence). */
  computedColumn(c: ComputedSpec, line: number): string;
  /** The computed clause comes after NOT NULL (SQLite's column specification order). */
  readonly computedAfterNotNull: boolean;
  /** BOOLEAN is a native type: `Boolean(create_constraint=True)` brings no CHECK (SQLAlchemy's `supports_native_boolean`). */
  readonly nativeBoolean: boolean;
  /** ENUM is a native type: `Enum(create_constraint=True)` brings a CHECK only with `native_enum=False`. */
  readonly nativeEnum: boolean;
  /** `sa.Identity()` columns are rendered; elsewhere Identity only makes the column NOT NULL. */
  readonly identityColumns: boolean;
  /** The tail of `ALTER TABLE t ALTER COLUMN c ` adding, dropping or changing an identity, where it can be done. */
  alterIdentity?(to: IdentitySpec | undefined, from: IdentitySpec | undefined): string;
  /** SQLite's `sqlite_autoincrement=True` table option is rendered (`PRIMARY KEY AUTOINCREMENT` on the column). */
  readonly inlineAutoincrement?: boolean;
  /** SQLite's `ON CONFLICT` clauses (`sqlite_on_conflict_*=`) are rendered. */
  readonly onConflict?: boolean;
  /** How ALTER TABLE renames a column: `RENAME` (Alembic's generic form) or `RENAME COLUMN`. */
  readonly renameColumn: 'RENAME' | 'RENAME COLUMN';
  /** CREATE INDEX puts the schema on the table (PostgreSQL) rather than on the index name. */
  readonly indexSchemaOnTable: boolean;
  /**
   * A foreign key references a table of its own table's schema only (SQLite's DDL compiler): one
   * to another schema is left out of CREATE TABLE, and the referenced table is named without schema.
   */
  readonly foreignKeysWithinSchema?: boolean;
  /** `MATCH` on foreign keys is rendered. */
  readonly foreignKeyMatch: boolean;
  /** COMMENT ON TABLE / COLUMN exists (else comments are left out, as SQLAlchemy does). */
  readonly comments: boolean;
  /**
   * Why columns and constraints cannot be ALTERed in place (SQLite), or undefined when they can.
   * Batch mode then rebuilds the table.
   */
  readonly cannotAlterInPlace?: string;
  /** Why a column cannot be ALTERed (type, default, comment; nullability too unless `alterNotNull`), where it cannot. */
  readonly cannotAlterColumn?: string;
  /**
   * Where a dialect that cannot ALTER a column otherwise can SET / DROP NOT NULL in place (SQLite
   * since 3.53): what the user is told when it runs, as older versions of that database reject it.
   */
  readonly alterNotNull?: string;
  /**
   * The offline INSERT of a version row ends with RETURNING (SQLAlchemy's implicit returning):
   * 'qualified' `RETURNING alembic_version.version_num` (PostgreSQL), 'bare' `RETURNING version_num` (SQLite, SQLAlchemy 2.0).
   */
  readonly insertReturning: false | 'qualified' | 'bare';

  // The version table
  /** Whether a table exists (in `schema`, or where unqualified names resolve). */
  tableExistsQuery(t: TableName): { sql: string; params: unknown[] };

  // Connecting
  /** A connection for a run (everything in one transaction). */
  connect(url: DatabaseUrl, cwd: string, o: ConnectOptions): Promise<Connection>;
  /** The version table's rows, read-only; [] when there is no table (or no database yet). */
  readVersions(url: DatabaseUrl, cwd: string, t: TableName, onWarning?: (m: string) => void): Promise<string[]>;
  /** Starts a run inside its transaction (PostgreSQL: the run lock and timeouts). */
  startRun?(conn: Connection, t: TableName, o: SessionOptions): Promise<void>;
  /**
   * Around an `autocommit_block()`, outside any transaction: 'hold' keeps other runs out and the
   * run's timeouts in force until 'release' (PostgreSQL: a session-level run lock and SET).
   */
  autocommitRun?(conn: Connection, t: TableName, o: SessionOptions, phase: 'hold' | 'release'): Promise<void>;
  /** A copy of the database made before a run changes it, if the dialect has a tool for it. */
  dump?(url: DatabaseUrl, o: PgDumpOptions, signal?: AbortSignal): Promise<string>;

  // The schema
  /** The database's schema as one normalized value (for verify's comparisons), in a few queries. */
  introspect(db: Queryable, o: IntrospectOptions): Promise<SchemaSnapshot>;
  /** SQLAlchemy's Inspector (`sa.inspect(bind)`) for migrations that read the schema: a catalog query per method. */
  readonly inspector: InspectorQueries;

  /** Ops only this dialect has (e.g. PostgreSQL's `create_exclude_constraint`), declared in its folder. */
  readonly ops?: readonly OpSpec[];
}

/** Migration code that cannot work on this database whoever runs it (Alembic fails on it too). */
export class NotPossibleOnDialect extends Unsupported {}

/** An op the dialect cannot run in place, which batch mode's table rebuild can (the planner may rebuild instead). */
export class NeedsRebuild extends NotPossibleOnDialect {}

/** Stops where the dialect cannot ALTER a constraint (or, with `column`, a column) in place. */
export function assertAlterInPlace(d: Dialect, line: number, what: string, kind: 'constraint' | 'column' = 'constraint'): void {
  const why = kind === 'column' ? d.cannotAlterColumn ?? d.cannotAlterInPlace : d.cannotAlterInPlace;
  if (why) throw new NeedsRebuild(line, what, why);
}
