/** A SQLite scratch database: sql.js in memory; nothing is ever written to disk. */
import { loadSqlJs } from '../db/sqlJs';
import { SQLITE } from '../dialects';
import { sqliteConnection } from '../dialects/sqlite/connection';
import type { ScratchDatabase } from './index';

export async function openSqliteScratch(): Promise<ScratchDatabase> {
  const SQL = await loadSqlJs();
  const db = new SQL.Database();
  let open = true;
  const free = () => { if (open) { open = false; db.close(); } };
  const conn = sqliteConnection(SQLITE, db, { save() { /* in memory only */ }, close() { /* dispose() frees it */ } });
  return { connection: conn, label: 'SQLite (in memory)', url: { drivername: 'sqlite', text: 'sqlite://' }, async dispose() { free(); } };
}
