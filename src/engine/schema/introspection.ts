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
  sortBy(t.foreignKeys);
  sortBy(t.uniques);
  sortBy(t.checks);
  sortBy(t.indexes);
}

/** By name (unnamed last), then by content. */
function sortBy<T extends { name?: string }>(xs: T[]): void {
  if (xs.length < 2) return;
  const keyed = xs.map((x) => ({ x, k: `${x.name ?? '\uffff'}\u0000${JSON.stringify(x)}` }));
  keyed.sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
  keyed.forEach((e, i) => { xs[i] = e.x; });
}
