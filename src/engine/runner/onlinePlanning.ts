/**
 * How a migration that reads rows back is planned as the run goes, one recorded operation at a
 * time: shared by the runner (runStep.ts) and the evaluation worker (evalWorker.ts).
 */
import type { Dialect } from '../dialects';
import type { SqlalchemyVersion } from '../config/sqlalchemyVersion';
import { PlannedStep, planOps, PlanOpsOptions, Statement } from '../ops/plan';
import { NeedsDatabase, readMigrationFunctions } from '../ops/python/reader';
import type { EvalContext, OpStatement } from '../ops/python/reader';
import { Unsupported } from '../ops/values';
import { StatementError } from './statementError';

/** What a worker needs to evaluate a revision function that reads rows back (plain data: it is copied to the worker). */
export interface OnlineSource { text: string; fn: 'upgrade' | 'downgrade'; ctx: EvalContext; sqlalchemy?: SqlalchemyVersion }

/** Evaluates the function with the results read so far: the ops it recorded, and the execute it needs next. */
export function evaluateOnline(src: OnlineSource, reads: EvalContext['reads'], readNow?: EvalContext['readNow']): { ops: OpStatement[]; needs?: number } {
  // As in Python, a later definition replaces an earlier one.
  const f = readMigrationFunctions(src.text, { ...src.ctx, reads, readNow }).filter((x) => x.name === src.fn).pop()!;
  if (f.unsupported instanceof NeedsDatabase) return { ops: f.ops!, needs: f.unsupported.executeIndex };
  if (f.unsupported) throw f.unsupported;
  return { ops: f.ops! };
}

/** Most migrations read nothing back; past this many reads, a loop is more likely than a migration. */
const MAX_READS = 100_000;

/** After a round that stopped at execute #`needs`: its result must be there now (and the reads not run away). */
export function assertServed(needs: number, reads: ReadonlyMap<number, unknown>, file: string, line: number): void {
  if (!reads.has(needs) || reads.size > MAX_READS) throw new StatementError(`the migration's reads from the database could not be served (execute #${needs + 1})`, file, line, '');
}

/** One recorded operation's plan; a construct that cannot be compiled fails the step at its line. */
export function planOne(op: OpStatement, d: Dialect, file: string, o: Pick<PlanOpsOptions, 'convention' | 'rebuildOutsideBatch'>): PlannedStep[] {
  try { return planOps([op], d, o); } catch (e) {
    if (e instanceof Unsupported) throw new StatementError(`${e.construct}: ${e.why}`, file, e.line || op.line, '');
    throw e;
  }
}

/** An `execute()` whose result the migration may read: one statement, kept by its index. */
export function singleExecute(op: OpStatement, planned: PlannedStep[]): Statement | undefined {
  const only = planned.length === 1 && planned[0].kind === 'sql' && planned[0].statements.length === 1 ? planned[0].statements[0] : undefined;
  return op.kind === 'op' && op.name === 'execute' && only && !only.rows && only.fail === undefined ? only : undefined;
}
