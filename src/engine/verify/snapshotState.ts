/**
 * The state a stairway step compares: the schema (the version table left out), each table with
 * the number of rows it holds (`rowCount`, which `diffRowCounts` compares).
 */
import type { TableName } from '../dialects';
import type { Connection } from '../runner/connection';
import type { SchemaSnapshot } from '../schema/snapshot';

export async function takeState(conn: Connection, versionTable: TableName): Promise<SchemaSnapshot> {
  const schema = await conn.dialect.introspect(conn, { exclude: [versionTable] });
  await countRows(conn, schema);
  return schema;
}

/** Every table's row count, in one statement. */
async function countRows(conn: Connection, schema: SchemaSnapshot): Promise<void> {
  const d = conn.dialect;
  const tables = Object.entries(schema.tables);
  if (!tables.length) return;
  const sql = tables.map(([name, t]) => `SELECT ${d.literal(name)} AS t, COUNT(*) AS n FROM ${d.qualified(t.name, t.schema)}`).join(' UNION ALL ');
  for (const r of await conn.all<{ t: string; n: number | string }>(sql)) schema.tables[r.t].rowCount = Number(r.n);
}

/** Some table holds a row. */
export const hasRows = (s: SchemaSnapshot) => Object.values(s.tables).some((t) => (t.rowCount ?? 0) > 0);
