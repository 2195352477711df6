/**
 * Throwaway PostgreSQL databases for a test file: `testDatabases('prefix')` registers the hooks
 * that connect as the admin and drop every database the file made; `url(name)` makes a fresh one
 * (`<prefix>_<name>_<pid>`) and returns its URL.
 */
import { after, before } from 'node:test';
import { Client } from 'pg';

export const PGURL = process.env.PGURL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

export function testDatabases(prefix: string): { url(name: string): Promise<string> } {
  let admin: Client;
  const made: string[] = [];
  before(async () => { admin = new Client({ connectionString: PGURL }); await admin.connect(); });
  after(async () => {
    for (const db of made) await admin.query(`DROP DATABASE IF EXISTS "${db}"`);
    await admin.end();
  });
  return {
    async url(name) {
      const db = `${prefix}_${name}_${process.pid}`;
      await admin.query(`DROP DATABASE IF EXISTS "${db}"`);
      await admin.query(`CREATE DATABASE "${db}"`);
      made.push(db);
      const u = new URL(PGURL);
      u.pathname = `/${db}`;
      return u.toString();
    },
  };
}
