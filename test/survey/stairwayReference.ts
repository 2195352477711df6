/**
 * The real Alembic's stairway on one project and one scratch database (test/diff/stairway_alembic.py),
 * and the scratch databases it runs on: a SQLite file in a temporary folder, or a database created
 * on the PostgreSQL server and dropped afterwards.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';

export interface RefRevision {
  revision: string;
  file: string;
  down_revisions: string[];
  /** "ok", or Alembic's error (with the revision file's line when it is in the traceback). */
  upgrade: string | null;
  downgrade: string | null;
  upgrade_again: string | null;
  restored: boolean | null;
  reproduced: boolean | null;
  /** `after downgrade: <kind> <name>: <before> -> <after>` ("absent" where there is nothing). */
  differences: string[];
  /** After a failed downgrade or second upgrade: how the walk went on. */
  recovered: 'as is' | 'rebuilt' | null;
  downgrade_present: boolean;
  seconds: number;
}

export interface RefRun {
  alembic: string;
  sqlalchemy: string;
  dialect: string;
  mode: string;
  order: string[];
  /** The version folders Alembic was given (--versions: the folders and their subfolders, or the folders alone). */
  locations: string[] | null;
  revisions: RefRevision[];
  seconds: number;
  /** Why the walk stopped before the end (a failed upgrade), or null. */
  stopped: string | null;
  /** The project could not be walked at all (a revision file fails to load, a broken graph). */
  error?: string;
}

export interface RefOptions {
  url: string;
  /** The project's alembic.ini (subprocess mode needs it: the project's env.py runs), or its version folders. */
  config?: string;
  versions?: string[];
  paths?: string[];
  root?: string;
  mode?: 'inprocess' | 'subprocess';
  python?: string;
  /** PYTHONPATH put first: upstream Alembic/SQLAlchemy (the survey's .reference). */
  pythonPath?: string;
  timeout?: number;
  /** Each revision upgraded once, nothing undone (`--upgrade-only`). */
  upgradeOnly?: boolean;
}

export const STAIRWAY_PY = path.resolve(__dirname, '../../../test/diff/stairway_alembic.py');

export function runStairwayReference(o: RefOptions): Promise<RefRun> {
  const args = [STAIRWAY_PY, '--url', o.url, '--mode', o.mode ?? 'inprocess', '--timeout', String(o.timeout ?? 120)];
  if (o.config) args.push('--config', o.config);
  if (o.versions) args.push('--versions', ...o.versions);
  if (o.paths?.length) args.push('--path', ...o.paths);
  if (o.root) args.push('--root', o.root);
  if (o.upgradeOnly) args.push('--upgrade-only', '--no-snapshots');
  const python = o.python ?? '/usr/bin/python3';
  if (o.mode === 'subprocess') args.push('--python', python);
  const env = { ...process.env, PYTHONPATH: o.pythonPath ?? '', PYTHONDONTWRITEBYTECODE: '1' };
  return new Promise((resolve, reject) => {
    const child = spawn(python, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { err = (err + d.toString()).slice(-4000); });
    child.on('error', reject);
    child.on('close', (code) => {
      const lines = out.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Record<string, unknown>);
      const head = lines[0];
      const done = lines.find((l) => l.done);
      if (!done) return reject(new Error(`stairway_alembic.py exited ${code} without finishing: ${err.trim().split('\n').slice(-3).join(' | ')}`));
      resolve({
        alembic: String(head?.alembic ?? ''), sqlalchemy: String(head?.sqlalchemy ?? ''), dialect: String(head?.dialect ?? ''),
        mode: String(head?.mode ?? ''), order: (head?.order as string[] | undefined) ?? [], locations: (head?.locations as string[] | null | undefined) ?? null,
        revisions: lines.filter((l) => typeof l.revision === 'string') as unknown as RefRevision[],
        seconds: Number(done.seconds ?? 0), stopped: (done.stopped as string | null) ?? null,
        ...(done.error ? { error: String(done.error) } : {}),
      });
    });
  });
}

export const PGURL = process.env.PGURL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

export interface Scratch { url: string; drop(): Promise<void> }

let seq = 0;

/** An empty database for one run: `sqlite:///<tmp>/<name>.db`, or a new PostgreSQL database. */
export async function scratchDatabase(kind: 'sqlite' | 'postgresql', tag: string, pgUrl = PGURL): Promise<Scratch> {
  const name = `stairway_${tag.replace(/\W+/g, '_').slice(0, 30)}_${process.pid}_${seq++}`.toLowerCase();
  if (kind === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stairway-'));
    return { url: `sqlite:///${dir}/${name}.db`, drop: async () => fs.rmSync(dir, { recursive: true, force: true }) };
  }
  const admin = new Client({ connectionString: pgUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally { await admin.end(); }
  const u = new URL(pgUrl);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: async () => {
      const c = new Client({ connectionString: pgUrl });
      await c.connect();
      try { await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`); } finally { await c.end(); }
    },
  };
}
