/**
 * The worker thread of onlineWorker.ts: evaluates one revision function that reads rows back. At a
 * read it sends the operations recorded since the last one, planned, to the runner's thread and
 * blocks (Atomics.wait) until their results are in its port; the evaluation then goes on. Where the
 * evaluator cannot take a result in place (inside a batch block, an autocommit block or a `try`), it
 * falls back to evaluating again from the start with the results so far, as runStep.ts does.
 */
import { MessagePort, parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { dialectFor } from '../dialects';
import type { ProjectConvention } from '../naming/opNames';
import type { DbResult, OpStatement } from '../ops/python/reader';
import { Unsupported } from '../ops/values';
import type { Statement } from '../ops/plan';
import { assertServed, evaluateOnline, OnlineSource, planOne, singleExecute } from './onlinePlanning';
import { asBuffer, type Batch, type OnlineProgress, type WorkerMessage, type WorkerReply } from './onlineWorker';
import { StatementError } from './statementError';

class Aborted extends Error {}

const { source, progress, control, port } = workerData as { source: OnlineSource; progress: OnlineProgress; control: Int32Array; port: MessagePort };
const file = source.ctx.file ?? '';
const d = dialectFor(source.ctx.dialect ?? 'postgresql', source.sqlalchemy);
const post = (m: WorkerMessage) => parentPort!.postMessage(m);

function request(m: WorkerMessage): WorkerReply {
  Atomics.store(control, 0, 0);
  post(m);
  // The runner's notify for the previous request can come late and wake this wait before the reply
  // is posted (the runner stores 1 only after posting it): wait again until the value says so.
  while (Atomics.load(control, 0) === 0) Atomics.wait(control, 0, 0);
  const got = receiveMessageOnPort(port);
  if (!got) throw new Error('the runner signalled a reply to the evaluation worker without posting it');
  const r = got.message as WorkerReply;
  if ('abort' in r) throw new Aborted();
  return r;
}

let convention: ProjectConvention | undefined;
const lookup = () => (convention ??= (request({ type: 'convention' }) as { convention: ProjectConvention }).convention);

const revive = (r: DbResult): DbResult => ({ ...r, rows: r.rows.map((row) => row.map(asBuffer)) });

// Where the runner's rounds left off: the same evaluation records the same operations again.
const reads = new Map<number, DbResult>(progress.reads.map((r, i) => [i, revive(r)]));
let done = progress.done;

/** Runs the operations recorded from `done` on, in order, on the runner's thread; keeps each execute()'s result. */
function ship(ops: readonly OpStatement[]): void {
  const batch: Batch = { statements: [], keep: [] };
  for (const op of ops.slice(done)) {
    const planned = planOne(op, d, file, { convention: lookup });
    const only = singleExecute(op, planned);
    if (only) { batch.statements.push(only); batch.keep.push(true); continue; }
    for (const x of planned) {
      // Only plain statements on PostgreSQL (no table rebuild there).
      if (x.kind !== 'sql') throw new Unsupported(op.line, 'a table rebuild', 'it cannot be run from the evaluation worker');
      for (const s of x.statements as Statement[]) { batch.statements.push(s); batch.keep.push(false); }
    }
  }
  done = ops.length;
  if (!batch.statements.length) return;
  const { results } = request({ type: 'run', batch }) as { results: DbResult[] };
  for (const r of results) reads.set(reads.size, revive(r));
}

function main(): void {
  const readNow = (ops: readonly OpStatement[], k: number) => { ship(ops); return reads.get(k); };
  for (;;) {
    const r = evaluateOnline(source, reads, readNow);
    ship(r.ops);
    if (r.needs === undefined) return;
    assertServed(r.needs, reads, file, 0); // line 0: the runner names the function's
  }
}

try {
  main();
  post({ type: 'end' });
} catch (e) {
  if (e instanceof Aborted) { /* the runner stopped the run: it reports why */ }
  else if (e instanceof StatementError) post({ type: 'failed', message: e.message, line: e.line, sql: e.sql });
  else if (e instanceof Unsupported) post({ type: 'refused', construct: e.construct, why: e.why, line: e.line });
  else post({ type: 'crash', message: (e as Error)?.message ?? String(e), stack: (e as Error)?.stack });
}
