/**
 * A knex instance that runs on the run's own database connection: the sql.js database (through a
 * small knex client for sql.js, which knex does not ship) or the pg client. TypeScript/JavaScript
 * migrations get it as `knex` and share the run's transaction with the Python steps. Loaded only
 * when a run has such a migration.
 */
import type { Knex } from 'knex';
import type { Database } from 'sql.js';
import type { Client as PgClient } from 'pg';

export type RawHandle = { sqlite: Database } | { pg: PgClient };

/* eslint-disable @typescript-eslint/no-require-imports, @typescript-eslint/no-explicit-any */
export function boundKnex(raw: RawHandle, onQuery?: (sql: string) => void): Knex {
  const knexFactory = require('knex') as typeof import('knex').knex;
  let client: any;
  if ('sqlite' in raw) {
    const SQLite3 = require('knex/lib/dialects/sqlite3');
    const db = raw.sqlite;
    // knex's SQLite client, with sql.js underneath instead of node-sqlite3.
    client = class SqlJsClient extends SQLite3 {
      _driver() { return {}; }
      async acquireRawConnection() { return db; }
      async destroyRawConnection() { /* the run owns the database */ }
      async _query(_conn: unknown, obj: any) {
        if (!obj.sql) throw new Error('The query is empty');
        const bindings = (obj.bindings ?? []).map((b: unknown) => (b instanceof Date ? b.valueOf() : typeof b === 'boolean' ? Number(b) : b === undefined ? null : b));
        const stmt = db.prepare(obj.sql);
        const rows: Record<string, unknown>[] = [];
        try {
          stmt.bind(bindings);
          while (stmt.step()) rows.push(stmt.getAsObject());
        } finally { stmt.free(); }
        const changes = db.getRowsModified();
        const lastID = obj.method === 'insert' ? Number(db.exec('SELECT last_insert_rowid()')[0]?.values[0][0] ?? 0) : undefined;
        obj.response = rows;
        obj.context = { lastID, changes };
        return obj;
      }
    };
  } else {
    const Pg = require('knex/lib/dialects/postgres');
    const pg = raw.pg;
    client = class BoundPgClient extends Pg {
      async acquireRawConnection() { return pg; }
      async destroyRawConnection() { /* the run owns the connection */ }
      validateConnection() { return true; }
    };
  }
  const knex = knexFactory({ client, connection: 'sqlite' in raw ? { filename: ':sql.js:' } : {}, pool: { min: 0, max: 1 }, useNullAsDefault: true });
  if (onQuery) knex.on('query', (q: { sql: string }) => onQuery(q.sql));
  return knex;
}
/* eslint-enable @typescript-eslint/no-require-imports, @typescript-eslint/no-explicit-any */
