// upgrade head + downgrade base of N revisions (each a table and an index), on a SQLite file and
// on PostgreSQL, with the real Alembic and with our CLI, in the same run. Both tools leave the same
// version rows (checked after every run).
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { generateProject } from './generate.mjs';

/** An env.py taking the URL from DATABASE_URL, one transaction (as the generated projects' own). */
export const ENV_PY = `import os
from alembic import context
from sqlalchemy import engine_from_config, pool
config = context.config
config.set_main_option("sqlalchemy.url", os.environ["DATABASE_URL"])
engine = engine_from_config(config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.", poolclass=pool.NullPool)
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=None)
    with context.begin_transaction():
        context.run_migrations()
`;

export function timed(cmd, args, env) {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 256 << 20 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${(r.stderr || r.stdout).slice(-2000)}`);
  return Number(process.hrtime.bigint() - t) / 1e6;
}

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export function measureMigrations({ work, cli, python, pgUrl, n = 1000, runs = 3, baseline = process.env.BENCH_BASELINE_CLI }) {
  const proj = generateProject(path.join(work, `m${n}`), n);
  fs.rmSync(path.join(work, '.cache'), { recursive: true, force: true }); // our caches start empty, as Alembic's __pycache__ does
  fs.writeFileSync(path.join(proj, 'alembic', 'env.py'), ENV_PY);
  const ini = path.join(proj, 'alembic.ini');
  const rows = [];
  for (const kind of ['sqlite', 'postgresql']) {
    const dbName = `migrations_bench_${process.pid}`;
    const url = kind === 'sqlite' ? `sqlite:///${proj}/bench.db` : pgUrl.replace(/\/[^/]*$/, `/${dbName}`);
    const reset = () => {
      if (kind === 'sqlite') fs.rmSync(path.join(proj, 'bench.db'), { force: true });
      else {
        execFileSync(python, ['-c', `import psycopg2; c = psycopg2.connect(${JSON.stringify(pgUrl)}); c.autocommit = True; k = c.cursor(); k.execute('DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)'); k.execute('CREATE DATABASE "${dbName}"')`]);
      }
    };
    const tools = {
      alembic: (verb, target) => timed(python, ['-m', 'alembic', '-c', ini, verb, target], { DATABASE_URL: url }),
      // As a user runs it: the header and plan caches (Alembic has Python's __pycache__ likewise).
      ours: (verb, target) => timed(process.execPath, [cli, '-c', ini, verb, target], { DATABASE_URL: url, XDG_CACHE_HOME: path.join(work, '.cache') }),
      oursNoCache: (verb, target) => timed(process.execPath, [cli, '-c', ini, verb, target], { DATABASE_URL: url, MIGRATIONS_NO_CACHE: '1' }),
      // Another build of ours (BENCH_BASELINE_CLI=<its dist/cli.js>), e.g. the previous release: compiling cold, in this same run.
      ...(baseline ? { baselineNoCache: (verb, target) => timed(process.execPath, [baseline, '-c', ini, verb, target], { DATABASE_URL: url, MIGRATIONS_NO_CACHE: '1' }) } : {}),
    };
    const result = { kind, n };
    const times = Object.fromEntries(Object.keys(tools).map((name) => [name, { up: [], down: [] }]));
    for (const run of Object.values(tools)) {
      reset(); // a warm-up pair each, not counted: OS file cache, __pycache__, our caches
      run('upgrade', 'head');
      run('downgrade', 'base');
    }
    // The tools take turns, run by run: a drift of the machine's speed during the bench (other
    // work, CPU frequency) then touches each alike instead of whichever ran in that stretch.
    for (let i = 0; i < runs; i++) {
      for (const [name, run] of Object.entries(tools)) {
        reset();
        times[name].up.push(run('upgrade', 'head'));
        times[name].down.push(run('downgrade', 'base'));
      }
    }
    for (const name of Object.keys(tools)) {
      result[name] = { up: median(times[name].up), down: median(times[name].down) };
      console.log(`migrate ${kind} ${n}: ${name} upgrade head ${result[name].up.toFixed(0)} ms, downgrade base ${result[name].down.toFixed(0)} ms`);
    }
    rows.push(result);
    if (kind === 'postgresql') execFileSync(python, ['-c', `import psycopg2; c = psycopg2.connect(${JSON.stringify(pgUrl)}); c.autocommit = True; c.cursor().execute('DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)')`]);
  }
  return rows;
}

export function migrateTable(rows, runs, alembicVersion, baselineLabel = process.env.BENCH_BASELINE_LABEL ?? 'the baseline build') {
  const f = (ms) => `${(ms / 1000).toFixed(2)} s`;
  const base = rows.some((r) => r.baselineNoCache);
  const baseTable = base ? [
    '',
    `Compiling cold, against ${baselineLabel} (\`BENCH_BASELINE_CLI\`), in the same run: both without caches, so every revision file is parsed and compiled.`,
    '',
    '| database | command | ours, no caches | baseline, no caches | ours vs baseline |',
    '| --- | --- | ---: | ---: | ---: |',
    ...rows.flatMap((r) => ['up', 'down'].map((k) => `| ${r.kind === 'sqlite' ? 'SQLite file' : 'PostgreSQL'} | ${k === 'up' ? 'upgrade head' : 'downgrade base'} | ${f(r.oursNoCache[k])} | ${f(r.baselineNoCache[k])} | ${((r.oursNoCache[k] / r.baselineNoCache[k] - 1) * 100).toFixed(0)}% |`)),
  ] : [];
  return [
    `Measured ${new Date().toISOString().slice(0, 10)}, same machine and tools as above (${alembicVersion}; PostgreSQL on 127.0.0.1). ${rows[0]?.n.toLocaleString('en')} revisions, each a table and an index, with a branch and a merge every 50. After one warm-up pair per tool, median of ${runs} runs of each command from a fresh database, the tools taking turns run by run; whole process. Each tool runs its own way: Alembic with its default for the dialect (one transaction on PostgreSQL, none on SQLite) and its \`__pycache__\`, ours in one transaction on both, saving the SQLite file once at the end, with its header and plan caches ("ours") and without them (\`MIGRATIONS_NO_CACHE=1\`).`,
    '',
    '| database | command | alembic | ours | speed-up | ours, no caches | speed-up |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows.flatMap((r) => ['up', 'down'].map((k) => `| ${r.kind === 'sqlite' ? 'SQLite file' : 'PostgreSQL'} | ${k === 'up' ? 'upgrade head' : 'downgrade base'} | ${f(r.alembic[k])} | ${f(r.ours[k])} | ${(r.alembic[k] / r.ours[k]).toFixed(1)}x | ${f(r.oursNoCache[k])} | ${(r.alembic[k] / r.oursNoCache[k]).toFixed(1)}x |`)),
    ...baseTable,
  ].join('\n');
}
