/**
 * A database's schema as one normalized value, the same shape for every dialect, so that two
 * snapshots (before an upgrade and after its downgrade; the live database and the one the
 * migrations build) can be compared field by field and their difference told in words.
 * Names are as the database stores them; types, defaults and constraint bodies are the text the
 * database reports (SQLite: as declared; PostgreSQL: format_type / pg_get_expr / pg_get_*def),
 * so that equal text means an equal schema on that database.
 */

/** `schema.name` when the object is outside the default schema (`public` / `main`), else `name`. */
export type QualifiedName = string;

export interface SchemaSnapshot {
  dialect: 'sqlite' | 'postgresql';
  /** Keyed by qualified table name. The version table is left out. */
  tables: Record<QualifiedName, TableSnapshot>;
  /** PostgreSQL enum types: their labels in order. */
  enums: Record<QualifiedName, string[]>;
  /** Sequences not owned by a column (a SERIAL's own sequence goes with its column). */
  sequences: Record<QualifiedName, SequenceSnapshot>;
  /** Views: their definition as the database reports it. */
  views: Record<QualifiedName, string>;
}

export interface TableSnapshot {
  name: string;
  schema?: string;
  comment?: string;
  /** In the table's order; compared by name (a downgrade that re-adds a column puts it last). */
  columns: ColumnSnapshot[];
  primaryKey?: { name?: string; columns: string[] };
  foreignKeys: ForeignKeySnapshot[];
  uniques: UniqueSnapshot[];
  checks: CheckSnapshot[];
  indexes: IndexSnapshot[];
  /** Rows in the table when the snapshot was taken (filled by the stairway, not by introspection). */
  rowCount?: number;
}

export interface ColumnSnapshot {
  name: string;
  /** As the database reports it: `VARCHAR(50)` (SQLite, as declared), `character varying(50)` (PostgreSQL). */
  type: string;
  nullable: boolean;
  /** The default expression's text, if any (a SERIAL's `nextval(...)` included). */
  default?: string;
  /** `always` / `by default` for identity columns (PostgreSQL). */
  identity?: 'always' | 'by default';
  /** A generated column's expression. */
  generated?: string;
  comment?: string;
}

export interface ForeignKeySnapshot {
  /** Absent where the database keeps no name (SQLite's unnamed constraints). */
  name?: string;
  columns: string[];
  referredTable: QualifiedName;
  referredColumns: string[];
  /** Uppercase SQL words; absent for NO ACTION. */
  onDelete?: string;
  onUpdate?: string;
  deferrable?: boolean;
  initiallyDeferred?: boolean;
}

export interface UniqueSnapshot { name?: string; columns: string[] }

export interface CheckSnapshot { name?: string; /** The condition as the database reports it. */ sql: string }

export interface IndexSnapshot {
  name: string;
  unique: boolean;
  /** Column names; an expression's text in its place for expression indexes. */
  columns: string[];
  /** A partial index's condition. */
  where?: string;
  /** PostgreSQL: the whole definition (pg_get_indexdef), which also covers method, opclasses, INCLUDE. */
  definition?: string;
}

export interface SequenceSnapshot { start?: string; increment?: string }

export const emptySnapshot = (dialect: SchemaSnapshot['dialect']): SchemaSnapshot => ({ dialect, tables: {}, enums: {}, sequences: {}, views: {} });
