/**
 * Alembic's own `revision --autogenerate` (the project's models against its database), asked for
 * its op calls only: the Python that runs the project's `alembic` runs Alembic's revision command
 * with a hook that takes the generated upgrade/downgrade and writes no file. Used to show Alembic's
 * result beside the one written from drift; never required. Spawned without a shell; the database
 * URL we hold goes in the environment (DATABASE_URL), never on the command line.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { maskUrlText } from '../config/url';
import { CommandError } from '../errors';
import { isExecutable } from './executables';

/** A fixed program: its inputs come as argv, never pasted into the code. */
const PROGRAM = `
import inspect, json, sys
from alembic import command
from alembic.config import Config
from alembic.autogenerate import render_python_code
config = Config(sys.argv[1])
out = {}
def take(context, revision, directives):
    script = directives[0]
    o = context.opts
    opts = dict(render_as_batch=o.get("render_as_batch", False), render_item=o.get("render_item"), user_module_prefix=o.get("user_module_prefix"),
                sqlalchemy_module_prefix=o.get("sqlalchemy_module_prefix", "sa."), alembic_module_prefix=o.get("alembic_module_prefix", "op."))
    accepted = inspect.signature(render_python_code).parameters  # older Alembic takes fewer options
    opts = {k: v for k, v in opts.items() if k in accepted and v is not None}
    up, down = script.upgrade_ops, script.downgrade_ops
    out["upgrade"] = "" if up.is_empty() else render_python_code(up, **opts)
    out["downgrade"] = "" if down.is_empty() else render_python_code(down, **opts)
    directives[:] = []
command.revision(config, message=sys.argv[2], autogenerate=True, process_revision_directives=take)
print("@@alembic-autogenerate@@" + json.dumps(out))
`;
const MARK = '@@alembic-autogenerate@@';

export interface AlembicAutogenerate {
  /** The op calls Alembic would write in upgrade() / downgrade(), as it renders them; '' when none. */
  upgrade: string;
  downgrade: string;
  interpreter: string;
}

/** The Python an `alembic` console script runs: its shebang, else a python beside it. */
export function pythonOf(alembicExe: string): string | undefined {
  try {
    const first = fs.readFileSync(alembicExe, 'utf8').slice(0, 512).split('\n')[0];
    const m = /^#!\s*(\S+)(?:\s+(\S+))?/.exec(first);
    if (m) {
      // `#!/usr/bin/env python3` names the interpreter through env.
      const exe = path.basename(m[1]) === 'env' && m[2] ? m[2] : m[1];
      if (path.isAbsolute(exe) ? isExecutable(exe) : true) return exe;
    }
  } catch { /* a binary launcher (Windows .exe): look beside it */ }
  for (const name of process.platform === 'win32' ? ['python.exe'] : ['python3', 'python']) {
    const p = path.join(path.dirname(alembicExe), name);
    if (isExecutable(p)) return p;
  }
  return undefined;
}

export async function alembicAutogenerate(alembicExe: string, o: { configFile: string; cwd: string; message: string; databaseUrl?: string; signal?: AbortSignal }): Promise<AlembicAutogenerate> {
  const interpreter = pythonOf(alembicExe);
  if (!interpreter) throw new CommandError(`Cannot tell which Python runs ${alembicExe}`, alembicExe, 'Set alembicMigrations.alembicPath to the alembic of the project\'s virtualenv.');
  const env = { ...process.env };
  if (o.databaseUrl) env.DATABASE_URL = o.databaseUrl;
  const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(interpreter, ['-c', PROGRAM, o.configFile, o.message], { cwd: o.cwd, env, shell: false, signal: o.signal, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => { out += s; });
    child.stderr.setEncoding('utf8').on('data', (s: string) => { err += s; });
    child.on('error', reject);
    child.on('close', (c) => resolve({ code: c ?? 1, stdout: out, stderr: err }));
  });
  const line = stdout.split('\n').reverse().find((l) => l.startsWith(MARK));
  if (code !== 0 || !line) {
    // Alembic's own last line says what went wrong (FAILED: Target database is not up to date., an ImportError of the models...).
    const last = stderr.trim().split('\n').filter(Boolean).pop() ?? `exit status ${code}`;
    throw new CommandError(`Alembic's autogenerate failed: ${maskUrlText(last)}`, o.configFile, 'It imports env.py and the project\'s models, and needs the database at the head revision; run `alembic revision --autogenerate` in a terminal to see all of it.');
  }
  const parsed = JSON.parse(line.slice(MARK.length)) as { upgrade: string; downgrade: string };
  return { upgrade: parsed.upgrade, downgrade: parsed.downgrade, interpreter };
}
