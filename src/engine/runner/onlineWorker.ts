/**
 * A Python migration that reads rows back, on a database that answers asynchronously (PostgreSQL):
 * its evaluation runs in a worker thread (evalWorker.ts) that stops at each read and waits, while
 * this thread runs the statements recorded so far on the run's connection, inside the run's
 * transaction, and hands back the results. The evaluation then goes on where it stopped, so a loop
 * of N reads costs one evaluation (the replay in runStep.ts costs N), and the editor's thread never
 * waits for the database.
 */
import fs from 'node:fs';
import path from 'node:path';
import { MessageChannel, Worker } from 'node:worker_threads';
import type { OnlinePlan, Statement } from '../ops/plan';
import { resolveConvention } from '../naming/opNames';
import type { QueryResult } from './connection';
import { Unsupported } from '../ops/values';
import { StatementError } from './statementError';

/** Statements to run in order; `keep[i]`: statement i is an execute() whose result the migration reads. */
export interface Batch { statements: Statement[]; keep: boolean[] }

/** What the worker says (evalWorker.ts). */
export type WorkerMessage =
  | { type: 'run'; batch: Batch }
  | { type: 'convention' }
  | { type: 'end' }
  | { type: 'refused'; construct: string; why: string; line: number }
  | { type: 'failed'; message: string; line: number; sql: string }
  | { type: 'crash'; message: string; stack?: string };

/** What this thread answers a request with. */
export type WorkerReply = { results: QueryResult[] } | { convention: unknown } | { abort: true };

/** Bytes come out of the copy between threads as a Uint8Array: a Buffer again, as pg takes and gives them. */
export const asBuffer = (v: unknown): unknown => (v instanceof Uint8Array && !Buffer.isBuffer(v) ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : v);

// Beside the bundle (dist/) or the compiled module (out/src/engine/runner/).
const WORKER = path.join(__dirname, 'evalWorker.js');
let available: boolean | undefined;
export const workerAvailable = (): boolean => (available ??= fs.existsSync(WORKER));

/** Where the runner's own rounds left off: the results read so far (by execute index) and the operations already run. */
export interface OnlineProgress { reads: QueryResult[]; done: number }

export async function runOnlineInWorker(part: OnlinePlan, file: string, progress: OnlineProgress, run: (batch: Batch) => Promise<QueryResult[]>): Promise<void> {
  const control = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(WORKER, { workerData: { source: part.worker, progress, control, port: port2 }, transferList: [port2] });
  const queue: (WorkerMessage | { type: 'exit'; code: number })[] = [];
  let wake: (() => void) | undefined;
  const push = (m: (typeof queue)[number]) => { queue.push(m); wake?.(); };
  worker.on('message', push);
  worker.on('error', (e: Error) => push({ type: 'crash', message: e?.message ?? String(e), stack: e?.stack }));
  worker.on('exit', (code: number) => push({ type: 'exit', code }));
  const next = async () => {
    while (!queue.length) await new Promise<void>((resolve) => { wake = resolve; });
    wake = undefined;
    return queue.shift()!;
  };
  // The worker waits on `control` until the reply is in its port.
  const reply = (r: WorkerReply) => {
    port1.postMessage(r);
    Atomics.store(control, 0, 1);
    Atomics.notify(control, 0);
  };
  try {
    for (;;) {
      const m = await next();
      switch (m.type) {
        case 'run': {
          let results: QueryResult[];
          const statements = m.batch.statements.map((s) => (s.rows ? { ...s, rows: s.rows.map((r) => r.map(asBuffer)) } : s));
          try { results = await run({ ...m.batch, statements }); } catch (e) { reply({ abort: true }); throw e; }
          reply({ results });
          break;
        }
        case 'convention': {
          let convention;
          try { convention = resolveConvention(part.convention); } catch (e) {
            reply({ abort: true });
            if (e instanceof Unsupported) throw new StatementError(`${e.construct}: ${e.why}`, file, e.line || part.line, '');
            throw e;
          }
          reply({ convention });
          break;
        }
        case 'end': return;
        case 'refused': throw new StatementError(`${m.construct}: ${m.why}`, file, m.line || part.line, '');
        case 'failed': throw new StatementError(m.message, file, m.line || part.line, m.sql);
        case 'crash': {
          // The worker's own stack, for --raiseerr and bug reports.
          const e = new Error(`The evaluation of ${path.basename(file)} failed: ${m.message}`);
          if (m.stack) e.stack = `${e.stack}\nin the evaluation worker: ${m.stack}`;
          throw e;
        }
        case 'exit': throw new Error(`The evaluation of ${path.basename(file)} stopped (exit code ${m.code})`);
      }
    }
  } finally {
    port1.close();
    await worker.terminate();
  }
}
