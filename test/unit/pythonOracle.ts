/**
 * Runs real Python on test inputs, so tests compare against what Python itself computes.
 * Fails loudly (never skips) when the interpreter or Alembic is missing: CI installs them.
 */
import { execFileSync } from 'node:child_process';
import { rulesOf, type SqlalchemyVersion } from '../../src/engine/config/sqlalchemyVersion';

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

let reference: SqlalchemyVersion | undefined;

/**
 * The rules of the reference Python's SQLAlchemy (Debian's: 1.4; ORACLE_PYTHONPATH may put another
 * first), asked once: the engine renders by them where it is compared with that Python.
 */
export function referenceSqlalchemy(): SqlalchemyVersion {
  if (reference) return reference;
  const env = { ...process.env, ...(process.env.ORACLE_PYTHONPATH ? { PYTHONPATH: process.env.ORACLE_PYTHONPATH } : {}) };
  const v = execFileSync(PYTHON, ['-c', 'import sqlalchemy; print(sqlalchemy.__version__)'], { encoding: 'utf8', env }).trim();
  const rules = rulesOf(v);
  if (!rules) throw new Error(`The reference Python's SQLAlchemy ${v} is neither 1.x nor 2.x`);
  return (reference = rules);
}
