/**
 * The version table, kept row for row as Alembic keeps it: created with Alembic's own DDL on first
 * use, one row per current head.
 */
import { CommandError } from '../errors';
import { Connection } from './connection';
import { PG_TABLE_EXISTS } from '../db/versionTable';

export interface VersionTableName { table: string; schema?: string }

/** SQLAlchemy quotes a name only when it must (upper case, odd characters, reserved words). */
export function quoteName(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) && !RESERVED.has(name) ? name : `"${name.replace(/"/g, '""')}"`;
}
const RESERVED = new Set(['all', 'and', 'as', 'asc', 'between', 'by', 'check', 'column', 'constraint', 'create', 'default', 'delete',
  'desc', 'distinct', 'drop', 'else', 'from', 'group', 'having', 'in', 'index', 'insert', 'into', 'is', 'join', 'key', 'like', 'limit',
  'not', 'null', 'on', 'or', 'order', 'primary', 'references', 'select', 'set', 'table', 'to', 'union', 'unique', 'update', 'user',
  'using', 'values', 'where', 'with']);

const qualified = (t: VersionTableName) => (t.schema ? `${quoteName(t.schema)}.` : '') + quoteName(t.table);

export async function versionTableExists(conn: Connection, t: VersionTableName): Promise<boolean> {
  if (conn.dialect === 'sqlite') {
    const master = t.schema ? `${quoteName(t.schema)}.sqlite_master` : 'sqlite_master';
    return (await conn.all(`SELECT name FROM ${master} WHERE type = 'table' AND name = ?`, [t.table])).length > 0;
  }
  const rows = await conn.all(PG_TABLE_EXISTS, [t.table, t.schema ?? null]);
  return rows.length > 0;
}

export async function readHeads(conn: Connection, t: VersionTableName): Promise<string[]> {
  if (!(await versionTableExists(conn, t))) return [];
  return (await conn.all<{ version_num: string }>(`SELECT version_num FROM ${qualified(t)}`)).map((r) => r.version_num);
}

/** Hears each statement run, with its values in place (for the log). */
export type OnStatement = (sql: string) => void;

/** Runs `sql`, telling `onStatement` what ran with the values written in (version ids: plain strings). */
function logged(conn: Connection, onStatement?: OnStatement) {
  return (sql: string, values: string[] = []) => {
    if (onStatement) {
      // Only statements with values have placeholders (a `$` or `?` may also be part of a table's name).
      let i = 0;
      const literal = (m: string, n?: string) => {
        const v = values[n ? Number(n) - 1 : i++];
        return v === undefined ? m : `'${v.replace(/'/g, "''")}'`;
      };
      onStatement(values.length ? sql.replace(/\?|\$(\d+)/g, literal) : sql);
    }
    return conn.run(sql, values);
  };
}

/** Alembic's `_ensure_version_table`: the same DDL SQLAlchemy emits for it. */
export async function ensureVersionTable(conn: Connection, t: VersionTableName, purge = false, onStatement?: OnStatement): Promise<void> {
  const run = logged(conn, onStatement);
  if (!(await versionTableExists(conn, t))) {
    await run(`CREATE TABLE ${qualified(t)} (\n\tversion_num VARCHAR(32) NOT NULL, \n\tCONSTRAINT ${quoteName(`${t.table}_pkc`)} PRIMARY KEY (version_num)\n)`);
  }
  if (purge) await run(`DELETE FROM ${qualified(t)}`);
}

export interface VersionRows {
  insert(version: string): Promise<void>;
  delete(version: string): Promise<void>;
  update(from: string, to: string): Promise<void>;
}

/** Row operations with Alembic's checks: a DELETE or UPDATE must touch exactly one row. */
export function versionRows(conn: Connection, t: VersionTableName, onStatement?: OnStatement): VersionRows {
  const p = (i: number) => conn.dialect === 'sqlite' ? '?' : `$${i}`;
  const run = logged(conn, onStatement);
  return {
    async insert(version) { await run(`INSERT INTO ${qualified(t)} (version_num) VALUES (${p(1)})`, [version]); },
    async delete(version) {
      const n = await run(`DELETE FROM ${qualified(t)} WHERE version_num = ${p(1)}`, [version]);
      if (n !== 1) throw new CommandError(`Online migration expected to match one row when deleting '${version}' in '${t.table}'; ${n} found`);
    },
    async update(from, to) {
      const n = await run(`UPDATE ${qualified(t)} SET version_num = ${p(1)} WHERE version_num = ${p(2)}`, [to, from]);
      if (n !== 1) throw new CommandError(`Online migration expected to match one row when updating '${from}' to '${to}' in '${t.table}'; ${n} found`);
    },
  };
}
