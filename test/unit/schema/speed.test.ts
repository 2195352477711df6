/**
 * How long a snapshot of a 20-table schema takes on each database: the stairway takes four per
 * revision, so it must stay in milliseconds. The bounds are loose (a shared machine): they catch a
 * return to a query per table, not noise. The figures are printed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { POSTGRESQL, SQLITE, type Dialect } from '../../../src/engine/dialects';
import { pgliteDb, postgresDb, sqliteDb, type TestDb } from './databases';

const TABLES = 20;

function schema(pg: boolean): string {
  const out: string[] = [];
  for (let i = 1; i <= TABLES; i++) {
    const t = `t${String(i).padStart(2, '0')}`;
    const parent = i > 1 ? `, parent_id INTEGER REFERENCES t${String(i - 1).padStart(2, '0')} (id) ON DELETE CASCADE` : '';
    out.push(`CREATE TABLE ${t} (id INTEGER PRIMARY KEY, name VARCHAR(50) NOT NULL, amount NUMERIC(10, 2) DEFAULT 0, flag BOOLEAN, created_at TIMESTAMP${parent},
      CONSTRAINT uq_${t}_name UNIQUE (name), CONSTRAINT ck_${t}_amount CHECK (amount >= 0))`);
    out.push(`CREATE INDEX ix_${t}_created ON ${t} (created_at)`);
    out.push(`CREATE INDEX ix_${t}_flagged ON ${t} (lower(name)) WHERE flag`);
    if (pg) out.push(`COMMENT ON TABLE ${t} IS 'table ${i}'`);
  }
  return out.join(';\n');
}

async function measure(db: TestDb, d: Dialect): Promise<{ median: number; max: number; cpu: number }> {
  for (let i = 0; i < 10; i++) assert.equal(Object.keys((await d.introspect(db, {})).tables).length, TABLES);
  const times: number[] = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < 30; i++) {
    const t0 = performance.now();
    await d.introspect(db, {});
    times.push(performance.now() - t0);
  }
  const cpu = process.cpuUsage(cpu0);
  times.sort((a, b) => a - b);
  return { median: times[times.length >> 1], max: times[times.length - 1], cpu: (cpu.user + cpu.system) / 1000 / times.length };
}

const cases: [string, () => Promise<TestDb>, Dialect, number][] = [
  ['SQLite (sql.js)', sqliteDb, SQLITE, 50],
  ['PostgreSQL (server)', () => postgresDb('_speed'), POSTGRESQL, 150],
  ['PostgreSQL (PGlite)', pgliteDb, POSTGRESQL, 150],
];

for (const [label, open, d, bound] of cases) {
  test(`${label}: a 20-table snapshot in milliseconds`, async (t) => {
    const db = await open();
    try {
      await db.exec(schema(d === POSTGRESQL));
      const { median, max, cpu } = await measure(db, d);
      // CPU time is this process's (sql.js and PGlite run in it; the server's work is not counted).
      t.diagnostic(`${label}: median ${median.toFixed(1)} ms, max ${max.toFixed(1)} ms, this process's CPU ${cpu.toFixed(1)} ms per snapshot of ${TABLES} tables`);
      assert.ok(median < bound, `median ${median.toFixed(1)} ms (bound ${bound} ms)`);
    } finally { await db.close(); }
  });
}
