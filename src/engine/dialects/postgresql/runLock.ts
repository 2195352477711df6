/**
 * A run on a PostgreSQL server shared with others: one run at a time (a transaction-scoped advisory
 * lock keyed on the version table), bounded waits for locks and statements, and a report of who
 * it waits for instead of a silent hang.
 */
import { CommandError } from '../../errors';
import type { Connection } from '../../runner/connection';
import { DEFAULT_LOCK_TIMEOUT_MS, describeHolder, Holder, runLockKey, seconds, SessionOptions } from '../../runner/session';
import type { TableName } from '../dialect';

/**
 * Takes the run lock (waiting at most the lock timeout, and saying for whom it waits), then sets
 * the run's lock and statement timeouts.
 */
export async function startPostgresRun(conn: Connection, t: TableName, o: SessionOptions): Promise<void> {
  const key = runLockKey(t).toString();
  const lockTimeout = o.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  // Bounds the wait for the run lock and, for the rest of the run, for the table locks its statements
  // need: a lock held by another session fails the run after the same wait instead of queueing every
  // other query on that table behind it.
  await conn.run(`SET LOCAL lock_timeout = ${Math.floor(lockTimeout)}`);
  const [{ got }] = await conn.all<{ got: boolean }>('SELECT pg_try_advisory_xact_lock($1::bigint) AS got', [key]);
  if (!got) {
    const holder = await conn.all<Holder>(`SELECT a.pid, a.application_name, host(a.client_addr) AS client, EXTRACT(EPOCH FROM now() - a.xact_start)::int AS secs
      FROM pg_locks l JOIN pg_stat_activity a USING (pid)
      WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 AND ((l.classid::bigint << 32) | l.objid::bigint) = $1::bigint`, [key]);
    o.onWait?.(`Waiting for another migration run to finish (${holder.length ? describeHolder(holder[0]) : 'it is ending'}); `
      + (lockTimeout ? `giving up after ${seconds(lockTimeout)}.` : 'no time limit.'));
    try {
      await conn.run('SELECT pg_advisory_xact_lock($1::bigint)', [key]);
    } catch (e) {
      if ((e as { code?: string }).code === '55P03') {
        throw new CommandError(`Another migration run holds the lock on ${t.table}; waited ${seconds(lockTimeout)}.`, t.table,
          'Wait for the other run (CLI, editor or deployment) to finish, then run the command again.');
      }
      throw e;
    }
  }
  if (o.statementTimeoutMs) await conn.run(`SET LOCAL statement_timeout = ${Math.floor(o.statementTimeoutMs)}`);
}

/**
 * An autocommit block leaves the run's transaction, and with it the transaction-scoped run lock
 * and SET LOCAL timeouts. 'hold' (still inside the transaction, the xact lock held) takes the same
 * key at session level, so no other run starts while the block runs, and sets the timeouts for the
 * session; 'release' (inside the new transaction, after startRun took the xact lock) gives the session lock back.
 */
export async function autocommitPostgresRun(conn: Connection, t: TableName, o: SessionOptions, phase: 'hold' | 'release'): Promise<void> {
  const key = runLockKey(t).toString();
  if (phase === 'hold') {
    await conn.run('SELECT pg_advisory_lock($1::bigint)', [key]);
    await conn.run(`SET lock_timeout = ${Math.floor(o.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS)}`);
    if (o.statementTimeoutMs) await conn.run(`SET statement_timeout = ${Math.floor(o.statementTimeoutMs)}`);
    return;
  }
  // The session's timeouts stay: every later transaction of the run sets its own (SET LOCAL), and the connection ends with the run.
  await conn.run('SELECT pg_advisory_unlock($1::bigint)', [key]);
}
