/**
 * The two tools side by side: the real Alembic (batched in one Python process) and our CLI (one
 * process per command, as users run it). Never skips: a missing Alembic fails the test run.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { referenceSqlalchemy } from '../unit/pythonOracle';

export { referenceSqlalchemy };

export const REPO = path.resolve(__dirname, '../../..');
const CLI = path.join(REPO, 'dist', 'cli.js');
const PYTHON = process.env.ORACLE_PYTHON ?? '/usr/bin/python3';

export interface Job { cwd: string; argv: string[]; env?: Record<string, string> }
export interface Result { stdout: string; stderr: string; code: number }

export function runAlembic(jobs: Job[]): Result[] {
  try {
    const out = execFileSync(PYTHON, [path.join(REPO, 'test/diff/alembic_batch.py')], {
      input: JSON.stringify(jobs), encoding: 'utf8', maxBuffer: 512 << 20,
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
    });
    return JSON.parse(out) as Result[];
  } catch (e) {
    throw new Error(`The reference Alembic did not run (${PYTHON} -m alembic). Install it: apt-get install python3-alembic python3-psycopg2 python3-typing-extensions\n${(e as Error).message}`, { cause: e });
  }
}

/**
 * Makes a project copy declare the reference's SQLAlchemy (`[tool.alembic-migrations] sqlalchemy`
 * in its pyproject.toml), so that our CLI renders by the same rules as the Alembic it is compared with.
 */
export function declareReferenceSqlalchemy(root: string): void {
  const file = path.join(root, 'pyproject.toml');
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const line = `sqlalchemy = "${referenceSqlalchemy()}"`;
  fs.writeFileSync(file, /^\[tool\.alembic-migrations\]$/m.test(text)
    ? text.replace(/^\[tool\.alembic-migrations\]$/m, `$&\n${line}`)
    : `${text}${text && !text.endsWith('\n') ? '\n' : ''}\n[tool.alembic-migrations]\n${line}\n`);
}

function runOne(job: Job): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...job.argv], {
      cwd: job.cwd, env: { ...process.env, MIGRATIONS_NO_CACHE: '1', ...job.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (code) => resolve({ stdout, stderr, code: code ?? -1 }));
  });
}

/** Our CLI on every job, a few at a time. */
export async function runOurs(jobs: Job[], parallel = 4): Promise<Result[]> {
  const results: Result[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(Array.from({ length: parallel }, async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await runOne(jobs[i]);
    }
  }));
  return results;
}

/**
 * Alembic prints a few things from Python sets, whose order changes from run to run: branch
 * labels `(a, b)`, a branchpoint's children in `branches`, `Branches into:` / `Branch names:`,
 * and `current` with several heads. Those are compared as sets.
 */
export function normalize(text: string, verb: string): string {
  let t = text.replace(/\(([^()]*, [^()]*)\)/g, (_, inner: string) => `(${inner.split(', ').sort().join(', ')})`);
  t = t.replace(/^(Branches into|Branch names): (.*)$/gm, (_, k: string, v: string) => `${k}: ${v.split(', ').sort().join(', ')}`);
  if (verb === 'branches') {
    // Sort each run of consecutive "   -> child" lines.
    const lines = t.split('\n');
    for (let i = 0; i < lines.length;) {
      let j = i;
      while (j < lines.length && /^ +-> /.test(lines[j])) j++;
      if (j > i) { lines.splice(i, j - i, ...lines.slice(i, j).sort()); i = j; } else i++;
    }
    t = lines.join('\n');
  }
  if (verb === 'current') t = t.split('\n').sort().join('\n');
  return t;
}

/** The line Alembic prints for a command error, e.g. "FAILED: Can't locate revision ...". */
export const failedLine = (r: Result) => (r.stdout + r.stderr).split('\n').find((l) => l.startsWith('FAILED:'))
  // This one lists a Python set.
  ?.replace(/(overlaps with other requested revisions )(.*)$/, (_, head: string, list: string) => head + list.split(', ').sort().join(', '));

/**
 * A long-lived Alembic process for step-by-step tests: Alembic commands, and the schema dumps of
 * both tools' databases (one Python dumper for both sides, independent of our code).
 */
export class OracleServer {
  private readonly child = spawn(PYTHON, [path.join(REPO, 'test/diff/alembic_batch.py'), '--serve'], {
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' }, stdio: ['pipe', 'pipe', 'inherit'],
  });
  private buffer = '';
  private waiting: ((line: string) => void)[] = [];

  constructor() {
    this.child.stdout.setEncoding('utf8').on('data', (d: string) => {
      this.buffer += d;
      let i: number;
      while ((i = this.buffer.indexOf('\n')) >= 0) {
        const line = this.buffer.slice(0, i);
        this.buffer = this.buffer.slice(i + 1);
        this.waiting.shift()?.(line);
      }
    });
  }

  private call<T>(job: object): Promise<T> {
    return new Promise((resolve, reject) => {
      this.waiting.push((line) => {
        const r = JSON.parse(line) as T & { error?: string };
        if (r.error) reject(new Error(`oracle: ${r.error}`)); else resolve(r);
      });
      this.child.stdin.write(JSON.stringify(job) + '\n');
    });
  }

  alembic(job: Job): Promise<Result> { return this.call<Result>(job); }
  async schema(url: string): Promise<unknown> { return (await this.call<{ schema: unknown }>({ schema: url })).schema; }
  close(): void { this.child.stdin.end(); }
}
