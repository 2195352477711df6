/**
 * What a dialect's `introspect` reads through and is asked: any connection that returns rows
 * (the engine's Connection, or a bare sql.js / node-pg / PGlite handle wrapped in a line),
 * and the tables to leave out (the version table).
 */
import type { QualifiedName, SchemaSnapshot, TableSnapshot } from './snapshot';

export interface Queryable {
  all<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
}

export interface IntrospectOptions {
  /**
   * Tables left out, with everything on them. Without `schema`, the table where an unqualified
   * name lands: `main` on SQLite, the current schema (first on the search path) on PostgreSQL.
   */
  exclude?: { table: string; schema?: string }[];
}

/** `schema.name` outside the default schema, else `name`. */
export const qualify = (name: string, schema: string | undefined, defaultSchema: string): QualifiedName =>
  schema && schema !== defaultSchema ? `${schema}.${name}` : name;

/** Removes the excluded tables; `current` is where an unqualified name lands. */
export function dropExcluded(s: SchemaSnapshot, o: IntrospectOptions, defaultSchema: string, current: string): void {
  for (const e of o.exclude ?? []) delete s.tables[qualify(e.table, e.schema ?? current, defaultSchema)];
}

/** Constraint and index lists in one order, so equal schemas give deeply equal snapshots. */
export function sortTable(t: TableSnapshot): void {
  const key = (x: { name?: string }) => `${x.name ?? '\uffff'}\u0000${JSON.stringify(x)}`;
  const by = <T extends { name?: string }>(a: T, b: T) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
  t.foreignKeys.sort(by);
  t.uniques.sort(by);
  t.checks.sort(by);
  t.indexes.sort(by);
}
