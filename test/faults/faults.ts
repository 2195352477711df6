/**
 * `npm run faults -- [runs per engine]`: interrupts long CLI runs at random moments, many times,
 * and checks after each one that the database is either as the run found it or as the run would
 * have left it (never in between), that SQLite's integrity check passes, that the version rows
 * agree with the tables, and that a rerun finishes. SQLite: SIGKILL. PostgreSQL (a server of its
 * own): SIGKILL of the CLI, pg_terminate_backend of its connection, and an immediate server restart,
 * in turn. Prints a table for docs/RELIABILITY.md.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { longProject, revId } from '../support/longProject';
import { startCluster } from '../support/pgCluster';

const REPO = path.resolve(__dirname, '../../..');
const CLI = path.join(REPO, 'dist', 'cli.js');
const N = 120;
const runs = Number(process.argv[2] ?? 100);

type Mode = 'sigkill' | 'terminate' | 'restart';
interface Tally { runs: number; before: number; after: number; finishedFirst: number; violations: string[]; reruns: number; ms: number }
const tally = (): Tally => ({ runs: 0, before: 0, after: 0, finishedFirst: 0, violations: [], reruns: 0, ms: 0 });

/** The revision index the tables say we are at (-1: none), or a violation. */
function agree(tables: string[], versions: string[]): number | string {
  const idx = tables.map((t) => Number(t.slice(1))).sort((a, b) => a - b);
  const k = idx.length - 1;
  if (idx.some((v, i) => v !== i)) return `tables are not a prefix: ${idx.slice(0, 5).join(',')}...`;
  if (k === -1 ? versions.length !== 0 : versions.join() !== revId(k)) return `version rows ${JSON.stringify(versions)} disagree with ${k + 1} tables`;
  return k;
}

function sqliteState(file: string): number | string {
  if (!fs.existsSync(file)) return -1;
  const out = execFileSync('/usr/bin/python3', ['-c', `import sqlite3,sys,json
c = sqlite3.connect(sys.argv[1])
ic = c.execute("PRAGMA integrity_check").fetchone()[0]
t = [r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type='table' AND name LIKE 't%'")]
v = [r[0] for r in c.execute("SELECT version_num FROM alembic_version")] if c.execute("SELECT 1 FROM sqlite_master WHERE name='alembic_version'").fetchone() else []
print(json.dumps([ic, t, v]))`, file], { encoding: 'utf8' });
  const [ic, t, v] = JSON.parse(out) as [string, string[], string[]];
  if (ic !== 'ok') return `integrity_check: ${ic}`;
  return agree(t, v);
}

async function pgState(url: string): Promise<number | string> {
  const c = new Client({ connectionString: url });
  for (let i = 0; ; i++) {
    try { await c.connect(); break; } catch (e) { if (i > 100) throw e; await new Promise((r) => setTimeout(r, 100)); }
  }
  try {
    const t = (await c.query("SELECT table_name AS n FROM information_schema.tables WHERE table_schema = 'public' AND table_name LIKE 't%'")).rows.map((r) => r.n as string);
    const has = (await c.query("SELECT to_regclass('public.alembic_version') IS NOT NULL AS h")).rows[0].h;
    const v = has ? (await c.query('SELECT version_num FROM alembic_version')).rows.map((r) => r.version_num as string) : [];
    return agree(t, v);
  } finally { await c.end(); }
}

async function interrupt(root: string, env: NodeJS.ProcessEnv, argv: string[], delay: number, mode: Mode, hooks: { terminate?: () => Promise<void>; restart?: () => void }): Promise<boolean> {
  const child = spawn(process.execPath, [CLI, ...argv], { cwd: root, env, stdio: 'ignore' });
  const closed = new Promise<number | null>((r) => child.on('close', (c) => r(c)));
  const exitedFirst = await new Promise<boolean>((resolve) => {
    const t = setTimeout(() => resolve(false), delay);
    child.on('exit', () => { clearTimeout(t); resolve(true); });
  });
  if (!exitedFirst) {
    if (mode === 'sigkill') child.kill('SIGKILL');
    else if (mode === 'terminate') await hooks.terminate!();
    else hooks.restart!();
  }
  await closed;
  return exitedFirst;
}

async function engine(kind: 'sqlite' | 'postgresql'): Promise<Record<Mode, Tally>> {
  const root = longProject(N, 'faults-');
  const cluster = kind === 'postgresql' ? startCluster(15900 + (process.pid % 90)) : undefined;
  const url = cluster ? cluster.url : `sqlite:///${root}/app.db`;
  const env = { ...process.env, DATABASE_URL: url, MIGRATIONS_NO_CACHE: '1', MIGRATIONS_BACKUPS: '0' };
  const state = () => (kind === 'sqlite' ? Promise.resolve(sqliteState(path.join(root, 'app.db'))) : pgState(url));
  const cli = (...argv: string[]) => execFileSync(process.execPath, [CLI, ...argv], { cwd: root, env, stdio: 'ignore' });
  const hooks = {
    terminate: async () => {
      const c = new Client({ connectionString: url });
      await c.connect();
      // The CLI may not have connected yet: try for a moment.
      for (let i = 0; i < 50; i++) {
        const r = await c.query("SELECT pg_terminate_backend(pid) AS t FROM pg_stat_activity WHERE application_name = 'alembic-migrations (cli)'");
        if (r.rows.some((x) => x.t)) break;
        await new Promise((res) => setTimeout(res, 20));
      }
      await c.end();
    },
    restart: () => cluster!.restart('immediate'),
  };
  const modes: Mode[] = kind === 'sqlite' ? ['sigkill'] : ['sigkill', 'terminate', 'restart'];
  const result = Object.fromEntries(modes.map((m) => [m, tally()])) as Record<Mode, Tally>;
  // How long a whole run takes here: kills land anywhere in it (and a few just after it).
  let t0 = Date.now(); cli('upgrade', 'head'); const full = Date.now() - t0; cli('downgrade', 'base');
  try {
    for (let i = 0; i < runs; i++) {
      const mode = modes[i % modes.length];
      const t = result[mode];
      const up = i % 2 === 0;
      // Each rerun finishes its command, so the runs alternate between base and head without setup.
      const from = up ? -1 : N - 1;
      const to = up ? N - 1 : -1;
      const argv = up ? ['upgrade', 'head'] : ['downgrade', 'base'];
      t0 = Date.now();
      const finishedFirst = await interrupt(root, env, argv, 50 + Math.floor(Math.random() * full * 1.1), mode, hooks);
      const s = await state();
      t.runs++;
      if (finishedFirst) t.finishedFirst++;
      if (typeof s === 'string') t.violations.push(`${mode} ${argv.join(' ')}: ${s}`);
      else if (s === from) t.before++;
      else if (s === to) t.after++;
      else t.violations.push(`${mode} ${argv.join(' ')}: left at revision ${s} (neither ${from} nor ${to})`);
      cli(...argv);
      const again = await state();
      if (again === to) t.reruns++;
      else t.violations.push(`${mode} ${argv.join(' ')}: the rerun left ${again}`);
      if (kind === 'sqlite') {
        const stray = fs.readdirSync(root).filter((f) => f.startsWith('.app.db') || f.startsWith('app.db-'));
        if (stray.length) t.violations.push(`files left beside the database after the rerun: ${stray.join(', ')}`);
      }
      t.ms += Date.now() - t0;
      process.stderr.write(`\r${kind} ${i + 1}/${runs}`);
    }
  } finally {
    cluster?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  }
  process.stderr.write('\n');
  return result;
}

async function main(): Promise<void> {
  const rows: string[] = [];
  let bad = 0;
  for (const kind of ['sqlite', 'postgresql'] as const) {
    const r = await engine(kind);
    for (const [mode, t] of Object.entries(r)) {
      rows.push(`| ${kind} | ${mode} | ${t.runs} | ${t.before} | ${t.after} | ${t.finishedFirst} | ${t.violations.length} | ${t.reruns}/${t.runs} |`);
      for (const v of t.violations) process.stdout.write(`VIOLATION ${kind}: ${v}\n`);
      bad += t.violations.length;
    }
  }
  process.stdout.write(`\n${N}-revision upgrade head / downgrade base, interrupted at a random moment (${new Date().toISOString().slice(0, 10)}):\n\n`
    + '| database | interruption | runs | left as found | left complete | finished before the interruption | violations | reruns that finished |\n'
    + '|---|---|---|---|---|---|---|---|\n' + rows.join('\n') + '\n');
  process.exit(bad ? 1 : 0);
}

void main();
