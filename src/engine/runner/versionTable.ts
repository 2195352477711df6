/**
 * The version table, kept row for row as Alembic keeps it: created with Alembic's own DDL on first
 * use, one row per current head.
 */
import { CommandError } from '../errors';
import type { TableName } from '../dialects';
import { versionTableDdl } from '../dialects/versionTable';
import { Connection } from './connection';

export type VersionTableName = TableName;

const qualified = (conn: Connection, t: VersionTableName) => conn.dialect.qualified(t.table, t.schema);

export async function versionTableExists(conn: Connection, t: VersionTableName): Promise<boolean> {
  const q = conn.dialect.tableExistsQuery(t);
  return (await conn.all(q.sql, q.params)).length > 0;
}

export async function readHeads(conn: Connection, t: VersionTableName): Promise<string[]> {
  if (!(await versionTableExists(conn, t))) return [];
  return (await conn.all<{ version_num: string }>(`SELECT version_num FROM ${qualified(conn, t)}`)).map((r) => r.version_num);
}

/** Hears each statement run, with its values in place (for the log). */
export type OnStatement = (sql: string) => void;

/** Runs `sql`, telling `onStatement` what ran with the values written in (version ids: plain strings). */
function logged(conn: Connection, onStatement?: OnStatement) {
  return (sql: string, values: string[] = []) => {
    // Only statements with values have placeholders (a `$` or `?` may also be part of a table's name).
    if (onStatement) onStatement(values.length ? conn.dialect.inlineParams(sql, values.map((v) => conn.dialect.literal(v))) : sql);
    return conn.run(sql, values);
  };
}

/** Alembic's `_ensure_version_table`: the same DDL SQLAlchemy emits for it. */
export async function ensureVersionTable(conn: Connection, t: VersionTableName, purge = false, onStatement?: OnStatement): Promise<void> {
  const run = logged(conn, onStatement);
  if (!(await versionTableExists(conn, t))) {
    await run(versionTableDdl(conn.dialect, t));
  }
  if (purge) await run(`DELETE FROM ${qualified(conn, t)}`);
}

export interface VersionRows {
  insert(version: string): Promise<void>;
  delete(version: string): Promise<void>;
  update(from: string, to: string): Promise<void>;
}

/** Row operations with Alembic's checks: a DELETE or UPDATE must touch exactly one row. */
export function versionRows(conn: Connection, t: VersionTableName, onStatement?: OnStatement): VersionRows {
  const p = (i: number) => conn.dialect.placeholder(i);
  const table = qualified(conn, t);
  const run = logged(conn, onStatement);
  return {
    async insert(version) { await run(`INSERT INTO ${table} (version_num) VALUES (${p(1)})`, [version]); },
    async delete(version) {
      const n = await run(`DELETE FROM ${table} WHERE version_num = ${p(1)}`, [version]);
      if (n !== 1) throw new CommandError(`Online migration expected to match one row when deleting '${version}' in '${t.table}'; ${n} found`);
    },
    async update(from, to) {
      const n = await run(`UPDATE ${table} SET version_num = ${p(1)} WHERE version_num = ${p(2)}`, [to, from]);
      if (n !== 1) throw new CommandError(`Online migration expected to match one row when updating '${from}' to '${to}' in '${t.table}'; ${n} found`);
    },
  };
}
