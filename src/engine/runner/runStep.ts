/**
 * Running one planned revision step on an open connection: its statements in order, SQLite's
 * table rebuilds, TypeScript/JavaScript migrations through knex, and Python migrations that read
 * rows back (evaluated again with each result). `upgrade`/`downgrade` and the stairway check run
 * their steps through here, so a step runs the same way on the configured database and on a scratch one.
 */
import path from 'node:path';
import { CommandError } from '../errors';
import { Dialect } from '../dialects';
import { OnlinePlan, PlannedStep, Statement } from '../ops/plan';
import { recreateStatements } from '../ops/sqliteBatch';
import { Unsupported } from '../ops/values';
import { Connection, QueryResult } from './connection';
import type { PlannedRevisionStep } from './migrationSource';
import type { OpStatement } from '../ops/python/reader';
import { StatementError } from './statementError';
import { assertServed, planOne, singleExecute } from './onlinePlanning';
import { runOnlineInWorker, workerAvailable } from './onlineWorker';

export interface StepOptions {
  /** Hears every statement before it runs. */
  onStatement?: (sql: string) => void;
  /** Cancels the run between statements. */
  signal?: AbortSignal;
  /** The run commits after every migration (changes what a cancel says). */
  transactionPerMigration?: boolean;
  /**
   * `op.get_context().autocommit_block()` starts ('begin': commit the run so far, leave the
   * transaction) or ends ('end': begin again). Without it (a scratch database checked in one
   * transaction) the block's statements run in the enclosing transaction.
   */
  autocommit?: (phase: 'begin' | 'end', file: string, line: number) => Promise<void>;
  /** Hears what a statement's note tells the user (Statement.note), with the file and line. */
  onLog?: (text: string) => void;
  /** The `once` keys met so far (Statement.once): one per command; runStep makes one per step when none is given. */
  memo?: Set<string>;
}

/** Whether a statement runs: not when its `once` key was met before in the command (a named type already created). */
function firstTime(o: StepOptions, s: Statement): boolean {
  if (s.once === undefined) return true;
  if (o.memo?.has(s.once)) return false;
  o.memo?.add(s.once);
  return true;
}

/** A statement's note, told before it runs. */
function tellNote(o: StepOptions, file: string, s: Statement): void {
  if (s.note) o.onLog?.(`${path.basename(file)}:${s.line}: ${s.note}`);
}

/** A connection whose transaction is knex's (TypeScript/JavaScript migrations take part in it). */
export type KnexConnection = Connection & { trx(): unknown };

export { StatementError };

export class RunCancelled extends CommandError {
  /** `kept`: what an autocommit block committed before the cancel (replaces "rolled back"). */
  constructor(perMigration = false, readonly kept?: string) {
    super(kept ? `The run was cancelled. ${kept}` : perMigration ? 'The run was cancelled; the migration in progress was rolled back, the ones before it are committed.'
      : 'The run was cancelled; everything it did was rolled back.');
    this.name = 'RunCancelled';
  }
}

let lastYield = 0;

/**
 * Throws once the run is cancelled. With a signal, first lets the event loop wait a little every
 * 50 ms: a SQLite run never waits on I/O, so without it a host (the editor) would see neither the
 * cancel nor its own progress until the run ended. A bare setImmediate turn was seen not to deliver
 * VS Code's cancel (a run of 0.3 s statements finished uncancelled), so it is a short timer: at most
 * 2 ms per 50 ms of work, longer after a slow statement.
 */
export async function checkCancelled(o: StepOptions): Promise<void> {
  const since = performance.now() - lastYield;
  if (o.signal && since > 50) {
    await new Promise((resolve) => setTimeout(resolve, since > 1000 ? 20 : 2));
    lastYield = performance.now();
  }
  if (o.signal?.aborted) throw new RunCancelled(o.transactionPerMigration);
}

export async function runStep(conn: Connection, d: Dialect, p: PlannedRevisionStep, o: StepOptions): Promise<void> {
  if (!o.memo) o = { ...o, memo: new Set() };
  for (const part of p.planned) {
    if (part.kind === 'online') await runOnline(conn, d, p, part, o);
    else await runPart(conn, d, p, part, o);
  }
}

async function runPart(conn: Connection, d: Dialect, p: PlannedRevisionStep, part: Exclude<PlannedStep, OnlinePlan>, o: StepOptions): Promise<void> {
  const file = p.step.revision.path;
  if (part.kind === 'js') {
    await checkCancelled(o);
    const trx = (conn as Partial<KnexConnection>).trx?.();
    try {
      await part.fn(trx);
    } catch (e) {
      throw new StatementError((e as Error)?.message ?? String(e), file, part.line, '');
    }
    return;
  }
  if (part.kind === 'recreate' && part.note) o.onLog?.(`${path.basename(file)}:${part.line}: ${part.note}`);
  const statements = await statementsOf(part, conn, d, file);
  // A .py revision's strings go one per execute(), as under pysqlite; a .sql file is a script.
  await runStatements(conn, file, statements, o, part.kind === 'sql' && !file.endsWith('.sql'));
}

/**
 * Statements in order, each checked for a cancel, its note told and its failure named by file and
 * line; `single`: a string is one statement (pysqlite's execute()); returns the results `keep` marks.
 */
async function runStatements(conn: Connection, file: string, statements: readonly Statement[], o: StepOptions, single: boolean, keep?: readonly boolean[]): Promise<QueryResult[]> {
  const results: QueryResult[] = [];
  for (const [i, s] of statements.entries()) {
    await checkCancelled(o);
    if (s.fail !== undefined) throw new StatementError(s.fail, file, s.line, '');
    if (s.autocommit) { await o.autocommit?.(s.autocommit, file, s.line); continue; }
    if (!firstTime(o, s)) continue;
    tellNote(o, file, s);
    o.onStatement?.(s.sql);
    try {
      if (keep?.[i]) results.push(await conn.query(s.sql));
      else if (s.rows) for (const row of s.rows) await conn.run(s.sql, row);
      else await (single && conn.runOne ? conn.runOne(s.sql) : conn.run(s.sql));
    } catch (e) {
      if (e instanceof StatementError) throw e;
      throw new StatementError(`${(e as Error).message}`, file, s.line, s.sql);
    }
  }
  return results;
}

/** Evaluations made in this thread before a worker takes over (starting one costs about as much as two). */
const WORKER_AFTER_ROUNDS = 2;

/**
 * A Python migration that reads rows back, run in the run's transaction: each round evaluates it
 * from the start with the results read so far, runs the operations recorded since the last round
 * (keeping every execute()'s result), and stops once the evaluation reaches its end. Where the
 * database answers at once (SQLite), a read is served during the evaluation itself (`readNow`):
 * the operations before it run then, in the same order, and the evaluation goes on, so that a loop
 * of N reads costs one evaluation instead of N.
 */
async function runOnline(conn: Connection, d: Dialect, p: PlannedRevisionStep, part: OnlinePlan, o: StepOptions): Promise<void> {
  const file = p.step.revision.path;
  const reads = new Map<number, QueryResult>();
  let done = 0;
  const sync = conn.sync;
  const plan = (op: OpStatement): PlannedStep[] => planOne(op, d, file, { convention: part.convention, rebuildOutsideBatch: part.rebuildOutsideBatch });
  /** Runs one recorded operation now, without waiting; false where it needs the asynchronous path (a rebuild, an autocommit block). */
  const runNow = (op: OpStatement): boolean => {
    if (!sync) return false;
    const planned = plan(op);
    const only = singleExecute(op, planned);
    const statements = only ? [only] : planned.every((x) => x.kind === 'sql') ? planned.flatMap((x) => (x as { statements: Statement[] }).statements) : undefined;
    if (!statements || statements.some((s) => s.autocommit || s.fail !== undefined)) return false;
    if (o.signal?.aborted) throw new RunCancelled(o.transactionPerMigration);
    for (const s of statements) {
      if (!firstTime(o, s)) continue;
      tellNote(o, file, s);
      o.onStatement?.(s.sql);
      try {
        if (only) reads.set(reads.size, sync.query(s.sql));
        else if (s.rows) for (const row of s.rows) sync.run(s.sql, row);
        else sync.runOne(s.sql);
      } catch (e) {
        if (e instanceof StatementError) throw e;
        throw new StatementError(`${(e as Error).message}`, file, s.line, s.sql);
      }
    }
    done++;
    return true;
  };
  const readNow = sync ? (ops: readonly OpStatement[], k: number) => {
    for (let i = done; i < ops.length && !reads.has(k); i++) if (!runNow(ops[i])) return undefined;
    return reads.get(k);
  } : undefined;
  for (let round = 0; ; round++) {
    // PostgreSQL answers asynchronously: past the first reads (most migrations read once or twice), the
    // evaluation goes on in a worker that waits at each read, so a loop of N reads costs one
    // evaluation, not N; it starts from what this thread ran and read so far.
    if (!sync && part.worker && round >= WORKER_AFTER_ROUNDS && workerAvailable()) {
      return runOnlineInWorker(part, file, { reads: [...reads.values()], done }, (batch) => runStatements(conn, file, batch.statements, o, true, batch.keep));
    }
    let r: ReturnType<OnlinePlan['evaluate']>;
    try { r = part.evaluate(reads, readNow); } catch (e) {
      if (e instanceof Unsupported) throw new StatementError(`${e.construct}: ${e.why}`, file, e.line || part.line, '');
      throw e;
    }
    for (const op of r.ops.slice(done)) {
      const planned = plan(op);
      const only = singleExecute(op, planned);
      if (only) reads.set(reads.size, (await runStatements(conn, file, [only], o, true, [true]))[0]);
      else for (const x of planned) if (x.kind !== 'online') await runPart(conn, d, p, x, o);
      done++;
    }
    if (r.needs === undefined) return;
    assertServed(r.needs, reads, file, part.line);
  }
}

async function statementsOf(part: Exclude<PlannedStep, { kind: 'js' } | OnlinePlan>, conn: Connection, d: Dialect, file: string): Promise<Statement[]> {
  if (part.kind === 'sql') return part.statements;
  try {
    return await recreateStatements(conn, d, part.table, part.ops, part.reflect, part.tableKwargs);
  } catch (e) {
    if (e instanceof Unsupported) throw new StatementError(`${e.construct}: ${e.why}`, file, e.line || part.line, '');
    throw e;
  }
}

