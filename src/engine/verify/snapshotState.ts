/**
 * The state a stairway step compares: the schema (the version table left out) and how many rows
 * each table holds.
 */
import type { TableName } from '../dialects';
import type { Connection } from '../runner/connection';
import type { SchemaSnapshot } from '../schema/snapshot';

export interface State { schema: SchemaSnapshot; rows: Map<string, number> }

export async function takeState(conn: Connection, versionTable: TableName): Promise<State> {
  const schema = await conn.dialect.introspect(conn, { exclude: [versionTable] });
  return { schema, rows: await rowCounts(conn, schema) };
}

/** Every table's row count in one statement. */
async function rowCounts(conn: Connection, schema: SchemaSnapshot): Promise<Map<string, number>> {
  const d = conn.dialect;
  const tables = Object.entries(schema.tables);
  if (!tables.length) return new Map();
  const sql = tables.map(([name, t]) => `SELECT ${d.literal(name)} AS t, COUNT(*) AS n FROM ${d.qualified(t.name, t.schema)}`).join(' UNION ALL ');
  const rows = await conn.all<{ t: string; n: number | string }>(sql);
  return new Map(rows.map((r) => [r.t, Number(r.n)]));
}

/** Tables present in both states that hold fewer rows in `after`. */
export function lostRows(before: State, after: State): string[] {
  const out: string[] = [];
  for (const [t, n] of before.rows) {
    const m = after.rows.get(t);
    if (m !== undefined && m < n) out.push(`table ${t} lost its rows (${n} before, ${m} after)`);
  }
  return out;
}
