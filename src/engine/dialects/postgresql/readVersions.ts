/** The version table's rows from a PostgreSQL server, on a connection of their own. */
import { DatabaseUrl, renderUrl } from '../../config/url';
import { CommandError } from '../../errors';
import { describePgError, pgClientConfig } from '../../db/pgConnect';
import type { Dialect, TableName } from '../dialect';

export async function readPostgresVersions(d: Dialect, url: DatabaseUrl, ref: TableName): Promise<string[]> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Client } = require('pg') as typeof import('pg');
  const client = new Client(pgClientConfig(url));
  client.on('error', () => { /* reported through the awaited calls */ });
  try {
    await client.connect();
  } catch (e) {
    throw describePgError(e, url);
  }
  try {
    const exists = d.tableExistsQuery(ref);
    if (!(await client.query(exists.sql, exists.params)).rowCount) return [];
    const res = await client.query<{ version_num: string }>(`SELECT version_num FROM ${d.qualified(ref.table, ref.schema)}`);
    return res.rows.map((r) => r.version_num);
  } catch (e) {
    throw new CommandError(`Cannot read ${ref.table} on ${renderUrl(url)}: ${(e as Error).message}`, renderUrl(url));
  } finally {
    await client.end().catch(() => undefined);
  }
}
