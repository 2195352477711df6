/**
 * `op.get_context().autocommit_block()` in a run, as Alembic runs it: the run's transaction is
 * committed before the block (the steps done so far and their version rows are kept), the block's
 * statements run outside any transaction (each commits on its own: `CREATE INDEX CONCURRENTLY`,
 * `ALTER TYPE ... ADD VALUE`), and a new transaction begins after it. The run is then no longer
 * all or nothing: a later failure rolls back only what followed the block, and the version table
 * still names the last step that completed before it, which is what Alembic leaves too.
 * PostgreSQL keeps the run lock (at session level) while the block runs; SQLite writes the file
 * back when the block starts and when it ends.
 */
import path from 'node:path';
import type { Connection } from './connection';
import { startRun, SessionOptions } from './session';
import type { VersionTableName } from './versionTable';

export class AutocommitBlocks {
  /** Set once a block has committed the run: where, and the heads the database then recorded. */
  committed?: { file: string; line: number; heads: string[] };
  private inside = false;

  constructor(private readonly conn: Connection, private readonly table: VersionTableName, private readonly o: SessionOptions & { onLog?: (text: string) => void },
    private readonly heads: () => string[]) {}

  readonly hook = async (phase: 'begin' | 'end', file: string, line: number): Promise<void> => {
    const { conn, table, o } = this;
    const where = `${path.basename(file)}:${line}`;
    if (phase === 'begin') {
      if (this.inside) return;
      await conn.dialect.autocommitRun?.(conn, table, o, 'hold');
      await conn.commit();
      this.inside = true;
      const heads = this.heads();
      this.committed = { file, line, heads };
      o.onLog?.(`autocommit_block() at ${where}: committed the run so far (the database records ${describeHeads(heads)}); the block's statements commit one by one`);
      return;
    }
    if (!this.inside) return;
    await conn.afterCommit(); // SQLite: the block's statements are kept in the file, as they are committed
    await conn.begin();
    await startRun(conn, table, o);
    await conn.dialect.autocommitRun?.(conn, table, o, 'release');
    this.inside = false;
    o.onLog?.(`autocommit_block() at ${where} ended: the run goes on in a new transaction`);
  };

  /**
   * After a failure: what a block's statements did before it stays, as under Alembic (SQLite: the
   * file is written back; PostgreSQL committed each one), and the words that say what was kept.
   */
  async failed(): Promise<string | undefined> {
    if (!this.committed) return undefined;
    if (this.inside) { await this.conn.afterCommit().catch(() => undefined); this.inside = false; }
    const c = this.committed;
    return `Not everything was rolled back: autocommit_block() (${path.basename(c.file)}:${c.line}) committed the run up to there, as Alembic does. `
      + `The database records ${describeHeads(c.heads)}; what the failing migration ran before the end of its last autocommit block (inside one: before the failing statement) is kept. `
      + 'Fix the migration, then run again (IF NOT EXISTS / IF EXISTS makes such statements safe to repeat).';
  }
}

const describeHeads = (heads: string[]) => (heads.length ? `revision ${heads.join(', ')}` : 'no revision');
