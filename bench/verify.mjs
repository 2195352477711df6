// `verify` (the stairway check) on a generated project of N revisions shaped like real ones (tables
// with foreign keys, added columns, indexes, an ENUM type on PostgreSQL, a branch and its merge), all
// with correct downgrades: ours on SQLite, on PGlite and on a temporary database of a server, against
// the real Alembic doing the same stairway one `alembic` process per step, as CI scripts do
// (test/diff/stairway_alembic.py --mode subprocess), and from one Python process, in the same run.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { revisionFile, revisionGraph } from './generate.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const STAIRWAY = path.join(repo, 'test', 'diff', 'stairway_alembic.py');

const ENV_PY = `import os
from alembic import context
from sqlalchemy import engine_from_config, pool
config = context.config
url = os.environ.get("DATABASE_URL") or config.get_main_option("sqlalchemy.url")
config.set_main_option("sqlalchemy.url", url)
engine = engine_from_config(config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.", poolclass=pool.NullPool)
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=None)
    with context.begin_transaction():
        context.run_migrations()
`;


/** Upgrade and downgrade bodies of revision i; `tables` are the tables created so far (the FK targets). */
function bodies(i, tables) {
  const last = tables[tables.length - 1];
  switch (i % 5) {
    case 0: { // a table with a foreign key to the previous one, an index
      const t = `item${i}`;
      const fk = last ? `\n        sa.Column('parent_id', sa.Integer(), sa.ForeignKey('${last}.id', ondelete='CASCADE'), nullable=True),` : '';
      tables.push(t);
      return [`    op.create_table(
        '${t}',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('created_at', sa.DateTime(), server_default=sa.func.now(), nullable=False),${fk}
        sa.PrimaryKeyConstraint('id', name='pk_${t}'),
    )
    op.create_index('ix_${t}_name', '${t}', ['name'])`,
      `    op.drop_index('ix_${t}_name', table_name='${t}')
    op.drop_table('${t}')`];
    }
    case 1: // a column and a unique index on it
      return [`    op.add_column('${last}', sa.Column('email${i}', sa.String(length=200), nullable=True))
    op.create_index('uq_${last}_email${i}', '${last}', ['email${i}'], unique=True)`,
      `    op.drop_index('uq_${last}_email${i}', table_name='${last}')
    op.drop_column('${last}', 'email${i}')`];
    case 2: { // a table with an ENUM column (a type of its own on PostgreSQL, dropped with the table)
      const t = `event${i}`;
      tables.push(t);
      return [`    op.create_table(
        '${t}',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('${last}_id', sa.Integer(), sa.ForeignKey('${last}.id'), nullable=False),
        sa.Column('status', sa.Enum('new', 'done', 'failed', name='status${i}'), nullable=False, server_default='new'),
        sa.Column('created_at', sa.DateTime(), nullable=True),
    )`,
      `    op.drop_table('${t}')
    sa.Enum('new', 'done', 'failed', name='status${i}').drop(op.get_bind(), checkfirst=False)`];
    }
    case 3: // a NOT NULL column with a default
      return [`    op.add_column('${last}', sa.Column('flag${i}', sa.Boolean(), server_default=sa.false(), nullable=False))`,
        `    op.drop_column('${last}', 'flag${i}')`];
    default: // a composite index
      return [`    op.create_index('ix_${last}_${i}', '${last}', ['created_at', 'id'])`, `    op.drop_index('ix_${last}_${i}', table_name='${last}')`];
  }
}

function sideTable(i, tables) {
  const t = `side${i}`;
  tables.push(t);
  return [`    op.create_table(
        '${t}',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('created_at', sa.DateTime(), nullable=True),
    )`, `    op.drop_table('${t}')`];
}

export function generateVerifyProject(root, count) {
  fs.rmSync(root, { recursive: true, force: true });
  const versions = path.join(root, 'alembic', 'versions');
  fs.mkdirSync(versions, { recursive: true });
  fs.writeFileSync(path.join(root, 'alembic.ini'), '[alembic]\nscript_location = %(here)s/alembic\npath_separator = os\nsqlalchemy.url = sqlite:///%(here)s/verify.db\n');
  fs.writeFileSync(path.join(root, 'alembic', 'env.py'), ENV_PY);
  const tables = [];
  for (const { i, rev, down } of revisionGraph(count, 99)) {
    // The second branch creates a table of its own (the first one's is not there); the merge does nothing.
    const [upgrade, downgrade] = i % 50 === 12 ? ['    pass', '    pass'] : i % 50 === 11 ? sideTable(i, tables) : bodies(i, tables);
    fs.writeFileSync(path.join(versions, `${rev}_step_${i}.py`), revisionFile({ message: `step ${i}`, rev, down, upgrade, downgrade }));
  }
  return root;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function timed(cmd, args, env = {}) {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 256 << 20 });
  return { ms: Number(process.hrtime.bigint() - t) / 1e6, status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Our CLI has `verify` (the harness is written before it lands). */
export function cliHasVerify(cli) {
  if (!fs.existsSync(cli)) return false;
  const r = spawnSync(process.execPath, [cli, 'verify', '--help'], { encoding: 'utf8' });
  return r.status === 0 && /\bverify\b/.test(r.stdout + r.stderr);
}

function pgAdmin(python, pgUrl, sql) {
  execFileSync(python, ['-c', `import psycopg2, sys; c = psycopg2.connect(${JSON.stringify(pgUrl)}); c.autocommit = True; c.cursor().execute(sys.argv[1])`, sql]);
}

/** Every revision passed: ours (a VerifyReport) or Alembic's JSON lines. Returns a problem or null. */
function oursProblem(r, n) {
  let report;
  try { report = JSON.parse(r.stdout); } catch { return `no JSON report (exit ${r.status}): ${(r.stderr || r.stdout).trim().split('\n').slice(-2).join(' | ').slice(0, 300)}`; }
  const bad = report.results.filter((x) => x.status !== 'passed');
  if (report.results.length !== n) return `${report.results.length} results for ${n} revisions`;
  return bad.length ? `${bad.length} not passed, first ${bad[0].revision}: ${bad[0].skippedReason ?? bad[0].failures[0]?.message}` : null;
}

function alembicProblem(r, n, snapshots) {
  const lines = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const revs = lines.filter((l) => l.revision);
  const bad = revs.filter((x) => !(x.upgrade === 'ok' && x.downgrade === 'ok' && x.upgrade_again === 'ok' && (!snapshots || (x.restored && x.reproduced))));
  if (revs.length !== n) return `${revs.length} revisions walked of ${n}: ${lines.at(-1)?.stopped ?? lines.at(-1)?.error ?? r.stderr.slice(-300)}`;
  return bad.length ? `${bad.length} do not reverse, first ${bad[0].revision}: ${bad[0].downgrade} ${bad[0].differences[0] ?? ''}` : null;
}

export function measureVerify({ work, cli, python, pgUrl, n = 100, runs = 3, alembicRuns = 1 }) {
  const proj = generateVerifyProject(path.join(work, `v${n}`), n);
  const ini = path.join(proj, 'alembic.ini');
  const rows = [];
  const problems = [];
  const record = (label, database, times, problem) => {
    const row = { label, database, ms: median(times), runs: times.length, problem };
    rows.push(row);
    if (problem) problems.push(`${label} on ${database}: ${problem}`);
    console.log(`verify ${n} revisions, ${label} on ${database}: ${(row.ms / 1000).toFixed(2)} s${problem ? ` (${problem})` : ''}`);
  };
  if (cliHasVerify(cli)) {
    const cases = [
      ['ours', 'SQLite', ['--database', 'sqlite']],
      ['ours', 'PostgreSQL (PGlite)', ['--database', 'postgresql']],
      ['ours', 'PostgreSQL (server, temporary database)', ['--database', 'postgresql', '--postgres-url', pgUrl]],
    ];
    for (const [label, database, args] of cases) {
      const run = () => timed(process.execPath, [cli, '-c', ini, 'verify', '--json', ...args], { XDG_CACHE_HOME: path.join(work, '.cache') });
      const first = run(); // warm-up, not counted: OS file cache, our plan cache
      const times = Array.from({ length: runs }, () => run().ms);
      record(label, database, times, oursProblem(first, n));
    }
  } else {
    console.log(`verify: ${path.relative(repo, cli)} has no \`verify\` yet; measuring Alembic only`);
  }
  // Alembic: one process per step as CI scripts do (the baseline), then driven from one Python
  // process, with the schema compared (the same work as ours) and without (the steps alone).
  const configs = [
    ['subprocess', true, 'alembic, one process per step'],
    ['inprocess', true, 'alembic, one Python process'],
    ['inprocess', false, 'alembic, one Python process, steps only (no schema compared)'],
  ];
  for (const [mode, snapshots, label] of configs) {
    for (const kind of ['sqlite', 'postgresql']) {
      const times = [];
      let problem = null;
      for (let i = 0; i < alembicRuns; i++) {
        const db = `stairway_bench_${process.pid}`;
        let url;
        if (kind === 'sqlite') { fs.rmSync(path.join(proj, 'verify.db'), { force: true }); url = `sqlite:///${proj}/verify.db`; }
        else { pgAdmin(python, pgUrl, `DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`); pgAdmin(python, pgUrl, `CREATE DATABASE "${db}"`); url = pgUrl.replace(/\/[^/]*$/, `/${db}`); }
        const args = [STAIRWAY, '--mode', mode, '--config', ini, '--url', url, '--python', python, ...(snapshots ? [] : ['--no-snapshots'])];
        const r = timed(python, args, { PYTHONPATH: process.env.BENCH_ALEMBIC_PATH ?? '' });
        if (kind === 'postgresql') pgAdmin(python, pgUrl, `DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
        times.push(r.ms);
        problem ??= r.status === 0 ? alembicProblem(r, n, snapshots) : `exit ${r.status}: ${r.stderr.trim().split('\n').slice(-2).join(' | ')}`;
      }
      record(label, kind === 'sqlite' ? 'SQLite' : 'PostgreSQL (server)', times, problem);
    }
  }
  return { n, runs, alembicRuns, rows, problems };
}

export function verifyTable({ n, runs, alembicRuns, rows }, alembicVersion) {
  const f = (ms) => `${(ms / 1000).toFixed(2)} s`;
  const ref = (db) => rows.find((r) => r.label === 'alembic, one process per step' && r.database.startsWith(db === 'SQLite' ? 'SQLite' : 'PostgreSQL'));
  const target = (r) => (r.label !== 'ours' ? '' : r.database === 'SQLite' ? (r.ms < 5000 ? 'yes (< 5 s)' : 'NO (< 5 s)') : r.ms < 60000 ? 'yes (< 60 s)' : 'NO (< 60 s)');
  const speed = (r) => {
    const a = ref(r.database.startsWith('SQLite') ? 'SQLite' : 'PostgreSQL');
    if (!a || r.label.startsWith('alembic, one process per step')) return '';
    const x = a.ms / r.ms;
    return `${x.toFixed(1)}x${r.label === 'ours' ? (x >= 10 ? '' : ' (target 10x)') : ''}`;
  };
  return [
    `Measured ${new Date().toISOString().slice(0, 10)}, same machine (${alembicVersion}; PostgreSQL on 127.0.0.1). ${n} generated revisions with correct downgrades (tables with foreign keys and indexes, added columns, unique indexes, an ENUM column whose type the downgrade drops, NOT NULL columns with defaults; a branch and its merge every 50). Each tool does the whole stairway: for every revision upgrade, downgrade one step, compare the schema, upgrade again, compare again. Ours: \`migrations verify --json\`, median of ${runs} runs after a warm-up, whole process. Alembic: \`test/diff/stairway_alembic.py\` (SQLAlchemy's inspector for the schema), ${alembicRuns === 1 ? 'one run' : `median of ${alembicRuns} runs`}; "one process per step" runs \`python -m alembic upgrade|downgrade\` for each step with the project's env.py, as CI scripts do; "one Python process" drives Alembic's API in-process, with the schema compared and with the steps alone (what the classic stairway test does; a lower bound for Alembic). Speed-ups are against Alembic one process per step on the same database.`,
    '',
    '| tool | database | time | speed-up | target | all revisions pass |',
    '| --- | --- | ---: | ---: | --- | --- |',
    ...rows.map((r) => `| ${r.label} | ${r.database} | ${f(r.ms)} | ${speed(r)} | ${target(r)} | ${r.problem ? `no: ${r.problem.replace(/\|/g, '\\|').slice(0, 120)}` : 'yes'} |`),
  ].join('\n');
}
