/**
 * `current`, `show current` and `history --indicate-current` against databases whose
 * alembic_version rows the real Alembic wrote (`alembic stamp`): a SQLite file and PostgreSQL.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { Client } from 'pg';
import { GenRevision, writeProject } from './generate';
import { failedLine, Job, normalize, runAlembic, runOurs } from './oracle';

const PGURL = process.env.PGURL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const ENV_PY = `import os
from alembic import context
from sqlalchemy import engine_from_config, pool

config = context.config
if os.environ.get("DATABASE_URL"):
    config.set_main_option("sqlalchemy.url", os.environ["DATABASE_URL"])

def run_online():
    engine = engine_from_config(config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.", poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=None)
        with context.begin_transaction():
            context.run_migrations()

run_online()
`;

// A graph with a branch (labels), a merge and a second branch left open: several heads at once.
const GRAPH: GenRevision[] = [
  { id: '1a2b3c4d5e6f', down: [], labels: [], depends: [], message: 'create users' },
  { id: '2b3c4d5e6f70', down: ['1a2b3c4d5e6f'], labels: ['auth'], depends: [], message: 'api keys' },
  { id: '3c4d5e6f7081', down: ['1a2b3c4d5e6f'], labels: ['billing'], depends: [], message: 'invoices' },
  { id: '4d5e6f708192', down: ['2b3c4d5e6f70', '3c4d5e6f7081'], labels: [], depends: [], message: 'merge auth and billing' },
  { id: '5e6f708192a3', down: ['4d5e6f708192'], labels: [], depends: [], message: 'add index' },
  { id: '6f708192a3b4', down: ['3c4d5e6f7081'], labels: [], depends: ['2b3c4d5e6f70'], message: 'billing reports' },
];

const READS = [['current'], ['current', '--verbose'], ['history', '--indicate-current'], ['history', '-r', 'current:'], ['history', '-r', ':current'], ['show', 'current'], ['heads']];

let root: string;
const databases: string[] = [];
let admin: Client;

before(async () => {
  root = writeProject(GRAPH, 1);
  fs.writeFileSync(`${root}/alembic/env.py`, ENV_PY);
  admin = new Client({ connectionString: PGURL });
  await admin.connect();
});

after(async () => {
  for (const db of databases) await admin.query(`DROP DATABASE IF EXISTS "${db}"`);
  await admin.end();
  fs.rmSync(root, { recursive: true, force: true });
});

async function freshPg(name: string): Promise<string> {
  const db = `migrations_test_${name}_${process.pid}`;
  await admin.query(`DROP DATABASE IF EXISTS "${db}"`);
  await admin.query(`CREATE DATABASE "${db}"`);
  databases.push(db);
  const url = new URL(PGURL);
  url.pathname = `/${db}`;
  return url.toString();
}

/** Stamps with the real Alembic, then compares every read of the current state. */
async function compare(url: string, stamps: string[][]): Promise<void> {
  const env = { DATABASE_URL: url };
  const setup = runAlembic(stamps.map((argv) => ({ cwd: root, argv: ['stamp', ...argv], env })));
  setup.forEach((r, i) => assert.equal(r.code, 0, `alembic stamp ${stamps[i].join(' ')}: ${r.stderr}`));
  const jobs: Job[] = READS.map((argv) => ({ cwd: root, argv, env }));
  const theirs = runAlembic(jobs);
  const ours = await runOurs(jobs);
  jobs.forEach((job, i) => {
    const where = `${job.argv.join(' ')} after stamp ${stamps.map((s) => s.join(' ')).join(' / ')}`;
    assert.equal(ours[i].code, theirs[i].code, `${where}: exit code\n${ours[i].stdout}${ours[i].stderr}\n--- alembic\n${theirs[i].stdout}${theirs[i].stderr}`);
    if (theirs[i].code === 0) assert.equal(normalize(ours[i].stdout, job.argv[0]), normalize(theirs[i].stdout, job.argv[0]), where);
    else assert.equal(failedLine(ours[i]), failedLine(theirs[i]), where);
  });
}

for (const kind of ['sqlite', 'postgresql'] as const) {
  const url = async (name: string) => kind === 'sqlite' ? `sqlite:///${root}/${name}.db` : freshPg(name);

  test(`${kind}: current on an empty database, one head, two heads, and after a merge`, async () => {
    const u = await url('states');
    await compare(u, []);
    await compare(u, [['1a2b3c4d5e6f']]);
    await compare(u, [['--purge', '2b3c4d5e6f70'], ['3c4d5e6f7081']]);
    await compare(u, [['--purge', 'heads']]);
    await compare(u, [['--purge', '4d5e6f708192']]);
  });

  test(`${kind}: a database at a revision the scripts no longer have`, async () => {
    const u = await url('unknown');
    await compare(u, [['1a2b3c4d5e6f']]);
    if (kind === 'sqlite') {
      const { default: initSqlJs } = await import('sql.js');
      const SQL = await initSqlJs();
      const file = `${root}/unknown.db`;
      const db = new SQL.Database(fs.readFileSync(file));
      db.run("UPDATE alembic_version SET version_num = 'deadbeef0000'");
      fs.writeFileSync(file, Buffer.from(db.export()));
      db.close();
    } else {
      const c = new Client({ connectionString: u });
      await c.connect();
      await c.query("UPDATE alembic_version SET version_num = 'deadbeef0000'");
      await c.end();
    }
    const jobs: Job[] = [{ cwd: root, argv: ['current'], env: { DATABASE_URL: u } }];
    const [theirs] = runAlembic(jobs);
    const [ours] = await runOurs(jobs);
    assert.equal(ours.code, theirs.code);
    assert.equal(failedLine(ours), failedLine(theirs));
  });
}

test('an unreachable PostgreSQL server is a clear error that hides the password', async () => {
  const [ours] = await runOurs([{ cwd: root, argv: ['current'], env: { DATABASE_URL: 'postgresql://app:hunter2@127.0.0.1:1/app' } }]);
  assert.equal(ours.code, 255);
  assert.match(ours.stdout, /^FAILED: Cannot connect to postgresql:\/\/app:\*\*\*@127\.0\.0\.1:1\/app: .*ECONNREFUSED/m);
  assert.match(ours.stderr, /hint: Is the PostgreSQL server running/);
  assert.ok(!(ours.stdout + ours.stderr).includes('hunter2'), 'the password never appears');
});

test('a missing database says what to do', async () => {
  const u = new URL(PGURL);
  u.pathname = '/no_such_database_here';
  const [ours] = await runOurs([{ cwd: root, argv: ['current'], env: { DATABASE_URL: u.toString() } }]);
  assert.equal(ours.code, 255);
  assert.match(ours.stdout, /does not exist/);
  assert.match(ours.stderr, /hint: The database does not exist/);
});

test('sqlite: current says when another program holds changes in the WAL that we cannot see', async () => {
  const { spawn } = await import('node:child_process');
  const file = `${root}/walheld.db`;
  const child = spawn('/usr/bin/python3', ['-c', 'import sqlite3,sys,time; c=sqlite3.connect(sys.argv[1]); c.execute("pragma journal_mode=wal"); c.execute("pragma wal_autocheckpoint=0"); c.execute("create table alembic_version (version_num varchar(32) not null primary key)"); c.execute("insert into alembic_version values (\'1a2b3c4d5e6f\')"); c.commit(); print("ready", flush=True); time.sleep(30)', file]);
  await new Promise<void>((resolve) => child.stdout!.on('data', () => resolve()));
  try {
    const [ours] = await runOurs([{ cwd: root, argv: ['current'], env: { DATABASE_URL: `sqlite:///${file}` } }]);
    assert.equal(ours.code, 0);
    assert.match(ours.stderr, /warning: walheld\.db-wal holds \d+ bytes not yet written into walheld\.db .*may be out of date/);
  } finally {
    child.kill();
  }
});
