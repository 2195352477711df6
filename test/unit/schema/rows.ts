/** Fills each table's rowCount, as the stairway does before and after a step. */
import type { Queryable } from '../../../src/engine/schema/introspection';
import type { SchemaSnapshot } from '../../../src/engine/schema/snapshot';

export async function countRows(db: Queryable, s: SchemaSnapshot): Promise<SchemaSnapshot> {
  for (const t of Object.values(s.tables)) {
    const name = (t.schema ? `"${t.schema}".` : '') + `"${t.name}"`;
    const [row] = await db.all<{ n: number | string }>(`SELECT count(*) AS n FROM ${name}`);
    t.rowCount = Number(row.n);
  }
  return s;
}
