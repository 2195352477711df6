/**
 * What a dialect answers for SQLAlchemy's `Inspector` (`sa.inspect(bind).get_foreign_keys('t')`):
 * per method, one catalog query and how to turn its rows into what SQLAlchemy 2.0 returns, as plain
 * data (dict keys in SQLAlchemy's order). The evaluator records the query as a read of the
 * migration (run in the run's transaction, so it sees what the migration's earlier statements
 * did) and turns the answer into Python values.
 */

/** The Inspector methods migrations call that the engine answers. */
export type InspectorMethod =
  | 'get_table_names' | 'get_view_names' | 'has_table' | 'get_columns' | 'get_pk_constraint' | 'get_foreign_keys'
  | 'get_indexes' | 'get_unique_constraints' | 'get_check_constraints' | 'get_schema_names' | 'has_schema'
  | 'has_sequence' | 'get_sequence_names' | 'get_enums';

export interface InspectorArgs {
  /** The table (or sequence) asked about. */
  name?: string;
  schema?: string;
}

/** A reflected column type: the SQLAlchemy type SQLAlchemy would build (`sa.VARCHAR(100)`), or one it does not model. */
export class ReflectedType {
  constructor(
    /** Canonical constructor name (`sa.VARCHAR`, `pg.UUID`), or undefined for a type the engine does not model. */
    readonly fn: string | undefined,
    readonly args: (string | number | ReflectedType)[] = [],
    readonly kwargs: Record<string, string | number | boolean> = {},
    /** The database's own spelling, for messages. */
    readonly text = '',
  ) {}
}

export type Reflected = null | boolean | number | string | ReflectedType | Reflected[] | { [key: string]: Reflected };

/** SQLAlchemy raises this (NoSuchTableError...) where the shape is computed. */
export class InspectorError extends Error {
  constructor(readonly pythonType: string, message: string) { super(message); }
}

export interface InspectorQuery {
  sql: string;
  /** The answer from the query's result (rows as arrays in column order). */
  shape(r: { columns: string[]; rows: unknown[][] }): Reflected;
}

export type InspectorQueries = Partial<Record<InspectorMethod, (a: InspectorArgs) => InspectorQuery>>;

/** The one JSON text a catalog query answers with (as text: drivers parse json columns each their own way). */
export function jsonCell<T>(r: { rows: unknown[][] }): T {
  const v = r.rows[0]?.[0];
  return (typeof v === 'string' ? JSON.parse(v) : v) as T;
}

export const noSuchTable = (a: InspectorArgs): InspectorError => new InspectorError('NoSuchTableError', a.schema ? `${a.schema}.${a.name}` : a.name ?? '');

/** A list query: the first column of every row. */
export const firstColumn = (r: { rows: unknown[][] }): Reflected => r.rows.map((x) => x[0] as Reflected);

/** SQLAlchemy's ON DELETE / ON UPDATE options: NO ACTION left out. */
export function fkOptions(o: { onupdate?: string; ondelete?: string; initially?: string; deferrable?: boolean; match?: string }): { [k: string]: Reflected } {
  const out: { [k: string]: Reflected } = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined && v !== null && v !== 'NO ACTION') out[k] = v;
  return out;
}
