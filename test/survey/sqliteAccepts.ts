/**
 * Whether SQLite itself would take the SQL Alembic writes offline: its parser (sql.js, the engine's
 * SQLite) reads each statement on an empty database. A syntax error (`ALTER TABLE t ALTER COLUMN
 * ...`) means Alembic's run fails on SQLite too. A table the statement names is made first (SQLite
 * looks an ALTER's table up before it reads the rest); a missing column does not count.
 */
import { loadSqlJs } from '../../src/engine/db/sqlJs';

export type SqliteRejects = (statements: readonly string[]) => string | undefined;

export async function sqliteSyntaxCheck(): Promise<SqliteRejects> {
  const SQL = await loadSqlJs();
  return (statements) => {
    const db = new SQL.Database();
    try {
      for (const sql of statements) {
        for (let tries = 0; tries < 8; tries++) {
          try { db.prepare(sql).free(); break; } catch (e) {
            const message = (e as Error).message;
            if (/syntax error|incomplete input/.test(message)) return `SQLite rejects Alembic's SQL: ${message} (${sql.trim().split('\n')[0].slice(0, 60)})`;
            const table = /^no such table: (?:main\.)?(.+)$/.exec(message)?.[1];
            if (!table) break;
            try { db.run(`CREATE TABLE "${table.replace(/"/g, '""')}" (x)`); } catch { break; } // a schema SQLite has not attached
          }
        }
      }
      return undefined;
    } finally { db.close(); }
  };
}
