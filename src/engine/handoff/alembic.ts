/**
 * Handing a run to the project's own Alembic when the embedded engine cannot run it: find the
 * `alembic` executable (configured, the project's virtualenv, $VIRTUAL_ENV, then PATH) and run it
 * without a shell. A database URL we hold (e.g. from VS Code's secret storage) is passed in the
 * child's environment as DATABASE_URL, never on its command line.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { findOnPath, isExecutable } from './executables';

const BIN = process.platform === 'win32' ? ['Scripts', 'alembic.exe'] : ['bin', 'alembic'];

export function findAlembic(projectDir: string, configured?: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (configured) return fs.existsSync(configured) ? configured : undefined;
  let dir = path.resolve(projectDir);
  for (let up = 0; up < 4; up++) {
    for (const venv of ['.venv', 'venv', 'env', '.env-venv']) {
      const p = path.join(dir, venv, ...BIN);
      if (isExecutable(p)) return p;
    }
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  if (env.VIRTUAL_ENV) {
    const p = path.join(env.VIRTUAL_ENV, ...BIN);
    if (isExecutable(p)) return p;
  }
  return findOnPath(BIN[1], env);
}

export interface AlembicRun { code: number; stdout: string; stderr: string }

/** Runs alembic with `args` in `cwd`; output is streamed to the callbacks and returned. */
export function runAlembic(exe: string, args: string[], o: { cwd: string; databaseUrl?: string; onStdout?: (s: string) => void; onStderr?: (s: string) => void; signal?: AbortSignal }): Promise<AlembicRun> {
  const env = { ...process.env };
  if (o.databaseUrl) env.DATABASE_URL = o.databaseUrl;
  return new Promise((resolve, reject) => {
    const child = spawn(exe, args, { cwd: o.cwd, env, shell: false, signal: o.signal, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => { stdout += s; o.onStdout?.(s); });
    child.stderr.setEncoding('utf8').on('data', (s: string) => { stderr += s; o.onStderr?.(s); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}
