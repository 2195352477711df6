/**
 * Deletes every row of every table, referring tables before the tables they refer to (foreign
 * keys are enforced on PostgreSQL), so a step can be tried again on empty tables.
 */
import type { Connection } from '../runner/connection';
import type { SchemaSnapshot } from '../schema/snapshot';

export async function emptyTables(conn: Connection, schema: SchemaSnapshot): Promise<void> {
  const d = conn.dialect;
  let left = Object.keys(schema.tables);
  while (left.length) {
    // A table no other remaining table refers to can go now.
    const free = left.filter((t) => !left.some((o) => o !== t && schema.tables[o].foreignKeys.some((fk) => fk.referredTable === t)));
    const batch = free.length ? free : left; // a cycle: delete all, the database decides
    for (const name of batch) {
      const t = schema.tables[name];
      await conn.run(`DELETE FROM ${d.qualified(t.name, t.schema)}`);
    }
    left = left.filter((t) => !batch.includes(t));
  }
}
