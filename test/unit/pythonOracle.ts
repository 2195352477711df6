/**
 * Runs real Python on test inputs, so tests compare against what Python itself computes.
 * Fails loudly (never skips) when the interpreter or Alembic is missing: CI installs them.
 */
import { execFileSync } from 'node:child_process';

export const PYTHON = process.env.ORACLE_PYTHON ?? '/usr/bin/python3';

export function runPython(script: string, input: unknown): unknown {
  let out: string;
  try {
    out = execFileSync(PYTHON, ['-c', script], { input: JSON.stringify(input), encoding: 'utf8', maxBuffer: 64 << 20 });
  } catch (e) {
    throw new Error(`Python oracle failed (${PYTHON}). Install it with: apt-get install python3-alembic python3-psycopg2 python3-typing-extensions\n${(e as Error).message}`, { cause: e });
  }
  return JSON.parse(out);
}
