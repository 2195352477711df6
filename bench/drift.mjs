// `drift` on a generated schema of N tables (each with a foreign key to an earlier one, an index,
// a default, every tenth with an ENUM column): the live database upgraded with our CLI, then changed
// by hand; ours (`migrations drift --json`, whole process) on SQLite, on PostgreSQL with the
// migrations built on PGlite and on a temporary database of the server, against the real Alembic
// doing the same work in the same run (test/diff/drift_alembic.py: `alembic upgrade` on a scratch
// database, the live one reflected, compare_metadata).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { revisionFile, revisionGraph } from './generate.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const REFERENCE = path.join(repo, 'test', 'diff', 'drift_alembic.py');

function table(i) {
  const t = `t${i}`;
  // A tree of foreign keys (t5 -> t2 -> t0), as schemas have, not a chain 200 deep.
  const p = Math.floor((i - 1) / 2);
  const fk = i ? `\n        sa.Column('t${p}_id', sa.Integer(), sa.ForeignKey('t${p}.id', name='fk_${t}_t${p}', ondelete='CASCADE'), nullable=True),` : '';
  const status = i % 10 === 0 ? `\n        sa.Column('status', sa.Enum('new', 'done', name='status${i}'), nullable=False, server_default='new'),` : '';
  return [`    op.create_table(
        '${t}',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('created_at', sa.DateTime(), server_default=sa.func.now(), nullable=False),${fk}${status}
        sa.UniqueConstraint('name', name='uq_${t}_name'),
    )
    op.create_index('ix_${t}_created_at', '${t}', ['created_at'])`, `    op.drop_table('${t}')`];
}

/** N revisions in a line, one table each. */
export function generateDriftProject(root, n) {
  fs.rmSync(root, { recursive: true, force: true });
  const versions = path.join(root, 'alembic', 'versions');
  fs.mkdirSync(versions, { recursive: true });
  fs.writeFileSync(path.join(root, 'alembic', 'env.py'), fs.readFileSync(path.join(repo, 'test/fixtures/drift/project/alembic/env.py')));
  let prev = null;
  let i = 0;
  for (const { rev } of revisionGraph(n, 7)) {
    const [upgrade, downgrade] = table(i);
    fs.writeFileSync(path.join(versions, `${rev}_t${i}.py`), revisionFile({ message: `table t${i}`, rev, down: prev, upgrade, downgrade }));
    prev = rev;
    i++;
  }
  return root;
}

const setUrl = (root, url) => fs.writeFileSync(path.join(root, 'alembic.ini'), `[alembic]\nscript_location = %(here)s/alembic\nsqlalchemy.url = ${url}\n`);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The 1-minute load average after each timed run. */
const loads = [];
const TIME = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

/** Wall time, and the CPU time (user + system) of the process and its children when /usr/bin/time is there: the machine is shared. */
function timed(cmd, args, o = {}) {
  const cpuFile = path.join(path.dirname(fileURLToPath(import.meta.url)), '.work', `cpu-${process.pid}.txt`);
  const [c, a] = TIME ? [TIME, ['-o', cpuFile, '-f', '%U %S', cmd, ...args]] : [cmd, args];
  const t = process.hrtime.bigint();
  const r = spawnSync(c, a, { encoding: 'utf8', maxBuffer: 256 << 20, ...o, env: { ...process.env, DATABASE_URL: '', ...o.env } });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  loads.push(os.loadavg()[0]);
  let cpuMs;
  if (TIME) {
    const [u, sys] = fs.readFileSync(cpuFile, 'utf8').trim().split('\n').pop().split(' ').map(Number);
    fs.rmSync(cpuFile, { force: true });
    cpuMs = (u + sys) * 1000;
  }
  return { ms, cpuMs, status: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function admin(pgUrl, sql, db) {
  const c = new pg.Client({ connectionString: db ? pgUrl.replace(/\/[^/]*$/, `/${db}`) : pgUrl });
  await c.connect();
  try { await c.query(sql); } finally { await c.end(); }
}

const HAND = {
  sqlite: "ALTER TABLE t5 ADD COLUMN nick VARCHAR(20); CREATE INDEX ix_t7_name ON t7 (name); CREATE TABLE celery_taskmeta (id INTEGER PRIMARY KEY); DROP INDEX ix_t9_created_at;",
  postgresql: "ALTER TABLE t5 ADD COLUMN nick VARCHAR(20); CREATE INDEX ix_t7_name ON t7 (name); CREATE TABLE celery_taskmeta (id INTEGER PRIMARY KEY); DROP INDEX ix_t9_created_at; ALTER TABLE t3 ALTER COLUMN name TYPE VARCHAR(200);",
};

const load = () => (loads.length ? `${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)}` : 'unknown');

export async function measureDrift({ work, cli, python, pgUrl, n = 200, runs = 3 }) {
  const proj = generateDriftProject(path.join(work, `drift${n}`), n);
  const rows = [];
  const problems = [];
  const env = { XDG_CACHE_HOME: path.join(work, '.cache') };
  const ours = (label, database, args, ranges) => {
    const run = () => timed(process.execPath, [cli, '-q', 'drift', '--json', ...args], { cwd: proj, env });
    const first = run();
    let found = 0;
    try { found = JSON.parse(first.stdout).differences.length; } catch { problems.push(`${label} ${database}: exit ${first.status} ${first.stderr.slice(-300)}${first.stdout.slice(0, 300)}`); }
    if (first.status !== 1) problems.push(`${label} ${database}: exit ${first.status}, expected 1 (drift)`);
    const timings = Array.from({ length: runs }, run);
    const ms = median(timings.map((t) => t.ms));
    const cpuMs = TIME ? median(timings.map((t) => t.cpuMs)) : undefined;
    rows.push({ label, database, ms, cpuMs, found, target: ranges });
    console.log(`drift ${n} tables, ${label} on ${database}: ${(ms / 1000).toFixed(2)} s (CPU ${((cpuMs ?? NaN) / 1000).toFixed(2)} s), ${found} difference(s)`);
  };
  const alembic = async (database, liveUrl, scratch) => {
    const times = [];
    const cpu = [];
    let found = 0;
    for (let i = 0; i < runs; i++) {
      const scratchUrl = await scratch();
      const r = timed(python, [REFERENCE, '--config', path.join(proj, 'alembic.ini'), '--live', liveUrl, '--scratch', scratchUrl], { cwd: proj, env: { PYTHONPATH: process.env.BENCH_ALEMBIC_PATH ?? '' } });
      if (r.status !== 0) { problems.push(`alembic ${database}: ${r.stderr.slice(-300)}`); break; }
      found = JSON.parse(r.stdout).diffs.length;
      times.push(r.ms);
      cpu.push(r.cpuMs);
    }
    const ms = median(times);
    const cpuMs = TIME ? median(cpu) : undefined;
    rows.push({ label: 'alembic (upgrade a scratch database, reflect, compare_metadata)', database, ms, cpuMs, found });
    console.log(`drift ${n} tables, alembic on ${database}: ${(ms / 1000).toFixed(2)} s (CPU ${((cpuMs ?? NaN) / 1000).toFixed(2)} s), ${found} difference(s)`);
  };

  // SQLite
  const live = path.join(proj, 'live.db');
  fs.rmSync(live, { force: true });
  setUrl(proj, `sqlite:///${live}`);
  const up = timed(process.execPath, [cli, '-q', 'upgrade', 'heads'], { cwd: proj, env });
  if (up.status !== 0) throw new Error(`upgrade failed: ${up.stderr}`);
  const edit = timed(python, ['-c', 'import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.executescript(sys.argv[2]); c.commit()', live, HAND.sqlite]);
  if (edit.status !== 0) throw new Error(edit.stderr);
  ours('ours', 'SQLite', [], 3000);
  const scratchDb = path.join(proj, 'scratch.db');
  await alembic('SQLite', `sqlite:///${live}`, async () => { fs.rmSync(scratchDb, { force: true }); return `sqlite:///${scratchDb}`; });

  // PostgreSQL
  const db = `drift_bench_${process.pid}`;
  const refDb = `${db}_ref`;
  await admin(pgUrl, `DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
  await admin(pgUrl, `CREATE DATABASE "${db}"`);
  const liveUrl = pgUrl.replace(/\/[^/]*$/, `/${db}`);
  try {
    setUrl(proj, liveUrl);
    const upPg = timed(process.execPath, [cli, '-q', 'upgrade', 'heads'], { cwd: proj, env });
    if (upPg.status !== 0) throw new Error(`upgrade failed: ${upPg.stderr}`);
    await admin(pgUrl, HAND.postgresql, db);
    ours('ours', 'PostgreSQL (migrations on PGlite)', [], 10000);
    ours('ours', 'PostgreSQL (migrations on a temporary database of the server)', ['--postgres-url', pgUrl], 10000);
    await alembic('PostgreSQL (server)', liveUrl, async () => {
      await admin(pgUrl, `DROP DATABASE IF EXISTS "${refDb}" WITH (FORCE)`);
      await admin(pgUrl, `CREATE DATABASE "${refDb}"`);
      return pgUrl.replace(/\/[^/]*$/, `/${refDb}`);
    });
  } finally {
    await admin(pgUrl, `DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
    await admin(pgUrl, `DROP DATABASE IF EXISTS "${refDb}" WITH (FORCE)`);
  }
  return { n, runs, rows, problems };
}

export function driftTable({ n, runs, rows }, alembicVersion) {
  const f = (ms) => `${(ms / 1000).toFixed(2)} s`;
  const ref = (db) => rows.find((r) => r.label.startsWith('alembic') && r.database.startsWith(db));
  return [
    `Measured ${new Date().toISOString().slice(0, 10)}, same machine (${alembicVersion}; PostgreSQL on 127.0.0.1). ${n} generated revisions, one table each (a foreign key to an earlier table, a unique constraint, an index, a server default; every tenth an ENUM column): ${n} tables. The live database is upgraded with our CLI, then changed by hand (a column added, an index added, one dropped, a table added; on PostgreSQL also a column's type). Ours: \`migrations drift --json\` (the live database read, the migrations' schema built on a scratch database and introspected, the two compared), median of ${runs} runs after a warm-up, whole process. Alembic: \`test/diff/drift_alembic.py\` doing the same work (\`alembic upgrade\` on an empty scratch database, the live database reflected into a MetaData, \`compare_metadata\`), median of ${runs} runs, whole process (its PostgreSQL scratch database is created before the clock starts; ours is started or created, and dropped, inside the measured time). Differences: ours all, Alembic's what compare_metadata looks at (no CHECK constraints, enum labels or server defaults).`,
    '',
    `Load average during the run: ${load()} on ${os.cpus().length} cores (other work shares the machine: wall times move with it; the CPU column, user + system time of the process and its children, much less; the server's own work on PostgreSQL is in neither).`,
    '',
    '| tool | database | time | CPU | speed-up | target | differences found |',
    '| --- | --- | ---: | ---: | ---: | --- | ---: |',
    ...rows.map((r) => {
      const a = ref(r.database.startsWith('SQLite') ? 'SQLite' : 'PostgreSQL');
      const speed = r.label === 'ours' && a ? `${(a.ms / r.ms).toFixed(1)}x` : '';
      const target = r.target ? `${r.ms < r.target ? 'yes' : 'NO'} (< ${r.target / 1000} s)` : '';
      return `| ${r.label} | ${r.database} | ${f(r.ms)} | ${r.cpuMs === undefined ? '' : f(r.cpuMs)} | ${speed} | ${target} | ${r.found} |`;
    }),
  ].join('\n');
}
