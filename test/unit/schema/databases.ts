/**
 * The three kinds of connection introspection must work through, each as a bare Queryable with
 * `exec` for setting a schema up: sql.js, node-pg on the real server (a database of its own,
 * dropped at the end), and PGlite.
 */
import { Client } from 'pg';
import { loadSqlJs } from '../../../src/engine/db/sqlJs';
import type { Queryable } from '../../../src/engine/schema/introspection';

export interface TestDb extends Queryable {
  /** Runs a script of one or more statements. */
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}

export async function sqliteDb(): Promise<TestDb> {
  const SQL = await loadSqlJs();
  const db = new SQL.Database();
  return {
    async all<T>(sql: string, params?: unknown[]) {
      const st = db.prepare(sql, params as never);
      const rows: T[] = [];
      while (st.step()) rows.push(st.getAsObject() as T);
      st.free();
      return rows;
    },
    async exec(sql) { db.exec(sql); },
    async close() { db.close(); },
  };
}

const ADMIN = 'postgresql://postgres@127.0.0.1:5432/postgres';

/** A fresh database on the real server, dropped by close(). */
export async function postgresDb(suffix = ''): Promise<TestDb> {
  const name = `introspect_test_${process.pid}${suffix}`;
  const admin = new Client({ connectionString: ADMIN });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name}`);
  await admin.query(`CREATE DATABASE ${name}`);
  const client = new Client({ connectionString: `postgresql://postgres@127.0.0.1:5432/${name}` });
  await client.connect();
  return {
    async all<T>(sql: string, params?: unknown[]) { return (await client.query(sql, params)).rows as T[]; },
    async exec(sql) { await client.query(sql); },
    async close() {
      await client.end();
      await admin.query(`DROP DATABASE IF EXISTS ${name}`);
      await admin.end();
    },
  };
}

export async function pgliteDb(): Promise<TestDb> {
  const { PGlite } = await import('@electric-sql/pglite');
  const pg = new PGlite();
  await pg.waitReady;
  return {
    async all<T>(sql: string, params?: unknown[]) { return (await pg.query<T>(sql, params)).rows; },
    async exec(sql) { await pg.exec(sql); },
    async close() { await pg.close(); },
  };
}
