/**
 * A run's SQLite database: the file loaded into memory through the safe file layer, written back
 * (atomically, refusing if it changed meanwhile) only after COMMIT.
 */
import { DatabaseUrl, renderUrl, sqliteFile } from '../../config/url';
import { CommandError, MultipleStatements } from '../../errors';
import { makeBackup } from '../../db/backups';
import { SqliteFile } from '../../db/sqliteFile';
import type { Connection, ConnectOptions } from '../../runner/connection';
import type { Database, Statement } from 'sql.js';
import type { Dialect } from '../dialect';

export async function connectSqlite(d: Dialect, url: DatabaseUrl, cwd: string, o: ConnectOptions): Promise<Connection> {
  const file = sqliteFile(url, cwd);
  if (!file) throw new CommandError('An in-memory SQLite database (sqlite://) cannot be migrated: it is gone when the run ends.', renderUrl(url), 'Point the URL at a file: sqlite:///app.db');
  const f = await SqliteFile.open(file);
  if (o.backups) {
    const keep = o.backups;
    // Once per run: the first save replaces the state the run started from.
    let done = false;
    f.beforeReplace = (path) => { if (done) return; done = true; const b = makeBackup(path, keep); if (b) o.onBackup?.(b); };
  }
  return sqliteConnection(d, f.db, f);
}

/**
 * A Connection over a sql.js database; `store` writes it back at commit and frees it at close
 * (a file's SqliteFile; nothing to write for a scratch database in memory).
 */
export function sqliteConnection(d: Dialect, db: Database, store: { save(): void; close(): void }): Connection {
  // The copy in WASM memory is not the durable one (the file is replaced atomically at commit):
  // its rollback journal can live in memory too. Not persistent: the file's header is unchanged.
  db.exec('PRAGMA journal_mode = MEMORY; PRAGMA cache_size = -65536');
  /**
   * The one statement `sql` holds, prepared once (counting the statements first, then running the
   * string, prepared each twice); several are pysqlite's error. `none`: what an empty string gives.
   */
  const single = <T>(sql: string, use: (stmt: Statement) => T, none: () => T): T => {
    const it = db.iterateStatements(sql);
    try {
      const first = it.next();
      if (first.done) return none();
      if (hasMore(it.getRemainingSQL())) throw new MultipleStatements();
      return use(first.value);
    } finally { it[Symbol.iterator]().return?.(); } // frees the statement and the SQL copy in WASM memory
  };
  const sync = {
    run(sql: string, params?: unknown[]) { db.run(sql, params as never); return db.getRowsModified(); },
    query: (sql: string) => single(sql, (stmt) => {
      const rows: unknown[][] = [];
      while (stmt.step()) rows.push(stmt.get() as unknown[]);
      return { columns: stmt.getColumnNames(), rows, rowCount: rows.length || db.getRowsModified() };
    }, () => { throw new Error('Nothing to prepare'); }),
    runOne: (sql: string) => single(sql, (stmt) => { stmt.run(); return db.getRowsModified(); }, () => 0),
  };
  return {
    dialect: d,
    sync,
    async run(sql, params) { return sync.run(sql, params); },
    async all<T>(sql: string, params?: unknown[]) {
      const stmt = db.prepare(sql, params as never);
      const rows: T[] = [];
      try { while (stmt.step()) rows.push(stmt.getAsObject() as T); } finally { stmt.free(); }
      return rows;
    },
    async query(sql: string) { return sync.query(sql); },
    async begin() { db.run('BEGIN'); },
    async commit() { db.run('COMMIT'); store.save(); },
    async afterCommit() { store.save(); },
    raw: { sqlite: db },
    async rollback() { try { db.run('ROLLBACK'); } catch { /* nothing was open */ } },
    async close() { store.close(); },
    async runOne(sql) { return sync.runOne(sql); },
  };
}

/** What follows the first statement holds another one (not only comments and blanks). */
function hasMore(rest: string): boolean {
  return rest.replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, '').trim() !== '';
}
