/**
 * Real databases read and changed by hand in tests: a SQLite file (through sql.js, written back)
 * or a PostgreSQL database (node-pg), each snapshotted by the engine's introspection without the
 * version table.
 */
import fs from 'node:fs';
import { Client } from 'pg';
import { loadSqlJs } from '../../src/engine/db/sqlJs';
import { POSTGRESQL, SQLITE } from '../../src/engine/dialects';
import type { SchemaSnapshot } from '../../src/engine/schema/snapshot';

const EXCLUDE = { exclude: [{ table: 'alembic_version' }] };

export interface SchemaDatabase {
  url: string;
  /** Runs a script of statements (SQLite: the file is written back). */
  exec(sql: string): Promise<void>;
  snapshot(): Promise<SchemaSnapshot>;
}

export function sqliteDatabase(file: string): SchemaDatabase {
  const open = async () => { const SQL = await loadSqlJs(); return new SQL.Database(fs.existsSync(file) ? fs.readFileSync(file) : undefined); };
  return {
    url: `sqlite:///${file}`,
    async exec(sql) {
      const db = await open();
      try { db.exec(sql); fs.writeFileSync(file, Buffer.from(db.export())); } finally { db.close(); }
    },
    async snapshot() {
      const db = await open();
      try {
        return await SQLITE.introspect({
          async all<T>(q: string) {
            const st = db.prepare(q);
            const rows: T[] = [];
            while (st.step()) rows.push(st.getAsObject() as T);
            st.free();
            return rows;
          },
        }, EXCLUDE);
      } finally { db.close(); }
    },
  };
}

export function postgresDatabase(url: string): SchemaDatabase {
  const withClient = async <T>(f: (c: Client) => Promise<T>): Promise<T> => {
    const c = new Client({ connectionString: url });
    await c.connect();
    try { return await f(c); } finally { await c.end(); }
  };
  return {
    url,
    exec: (sql) => withClient(async (c) => { await c.query(sql); }),
    snapshot: () => withClient((c) => POSTGRESQL.introspect({ all: async <T>(q: string, p?: unknown[]) => (await c.query(q, p)).rows as T[] }, EXCLUDE)),
  };
}
