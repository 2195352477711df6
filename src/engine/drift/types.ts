/**
 * What `drift` is asked and what it answers: the schema the migrations build at the live
 * database's revision(s) against the live database's own, shared by the CLI and the extension.
 * See docs/DRIFT.md.
 */
import type { DatabaseUrl } from '../config/url';
import type { SchemaDifference } from '../schema/diff';
import type { SchemaSnapshot } from '../schema/snapshot';

export interface DriftOptions {
  /** The live database: only read (SQLite: a copy in memory; PostgreSQL: a READ ONLY transaction, rolled back). */
  url: DatabaseUrl;
  /** What relative SQLite paths resolve against. */
  cwd: string;
  /** Glob patterns (`*`, `?`, `[abc]`) on qualified table names; added to pyproject.toml's `drift-ignore`. */
  ignore?: string[];
  /** Where the PostgreSQL schema of the migrations is built: PGlite (default) or a temporary database on a server. */
  postgres?: { mode: 'pglite' } | { mode: 'server'; url: string };
  signal?: AbortSignal;
  onLog?: (line: string) => void;
}

export type DriftObjectType = 'table' | 'column' | 'primary key' | 'foreign key' | 'unique constraint' | 'check constraint' | 'index' | 'enum type' | 'sequence';

/**
 * A difference, with the table it belongs to (none for enum types and sequences) and its object in
 * parts, for code that acts on it (a revision written from it): `column users.name` is
 * `{ objectType: 'column', table: 'users', name: 'name' }`.
 */
export interface DriftDifference extends SchemaDifference {
  table?: string;
  objectType: DriftObjectType;
  /** The column's, constraint's or index's name (the qualified name for tables, enum types and sequences); absent for unnamed constraints. */
  name?: string;
  /** For `changed`: what differs (`type`, `nullability`, `default`, `label list`, ...). */
  property?: string;
}

export interface DriftReport {
  dialect: 'sqlite' | 'postgresql';
  /** The live database as people name it (a file path, a URL with its password masked). */
  database: string;
  /** The live database's revisions (alembic_version rows); [] when it has none. */
  heads: string[];
  /** The schema the migrations build at `heads` (ignored tables, views and the version table left out). */
  expected: SchemaSnapshot;
  /** The live database's schema (the same left out). */
  actual: SchemaSnapshot;
  /** Sorted by table, then object. Empty: no drift. */
  differences: DriftDifference[];
  /** The tables (and sequences) left out because an ignore pattern matched them. */
  ignored: string[];
  /** What was not compared and why, and anything else the reader should know. */
  notes: string[];
  /** Where the migrations' schema was built ("SQLite (in memory)", "PGlite"...). */
  scratch: string;
  durationMs: number;
}
