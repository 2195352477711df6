/**
 * `stamp` against Alembic's: the same sequences of stamps (several revisions, --purge, base, heads,
 * labels, partial ids, errors) on two databases, one stamped by each tool; after every step the
 * alembic_version rows must be the same, and so must the table Alembic creates.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { Client } from 'pg';
import { generateGraph, GenRevision, rng, writeProject } from './generate';
import { failedLine, runAlembic, runOurs } from './oracle';
import { readCurrentHeads } from '../../src/engine/db/versionTable';
import { parseDatabaseUrl } from '../../src/engine/config/url';

const PGURL = process.env.PGURL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const ENV_PY = `import os
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

let admin: Client;
const created: string[] = [];
before(async () => { admin = new Client({ connectionString: PGURL }); await admin.connect(); });
after(async () => {
  for (const db of created) await admin.query(`DROP DATABASE IF EXISTS "${db}"`);
  await admin.end();
});

async function pgDatabase(name: string): Promise<string> {
  const db = `migrations_stamp_${name}_${process.pid}`;
  await admin.query(`DROP DATABASE IF EXISTS "${db}"`);
  await admin.query(`CREATE DATABASE "${db}"`);
  created.push(db);
  const u = new URL(PGURL);
  u.pathname = `/${db}`;
  return u.toString();
}

function sequence(revs: GenRevision[], seed: number): string[][] {
  const r = rng(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)];
  const labels = revs.flatMap((x) => x.labels);
  const out: string[][] = [];
  for (let i = 0; i < 12; i++) {
    const x = r();
    if (x < 0.1) out.push(['heads']);
    else if (x < 0.18) out.push(['base']);
    else if (x < 0.25) out.push(['--purge', pick(revs).id]);
    else if (x < 0.4) out.push([pick(revs).id, pick(revs).id]);
    else if (x < 0.47 && labels.length) out.push([`${pick(labels)}@head`]);
    else if (x < 0.52) out.push(['head']);
    else if (x < 0.57) out.push([pick(revs).id.slice(0, 5)]);
    else out.push([pick(revs).id]);
  }
  return out;
}

async function ourRows(url: string, cwd: string): Promise<string[] | null> {
  const parsed = parseDatabaseUrl(url);
  if (parsed.dialect === 'sqlite' && !fs.existsSync(parsed.database!)) return null;
  return (await readCurrentHeads(parsed, cwd, { table: 'alembic_version' })).sort();
}

async function setRows(file: string, rows: string[]): Promise<void> {
  const { default: initSqlJs } = await import('sql.js');
  const SQL = await initSqlJs();
  const db = new SQL.Database(fs.readFileSync(file));
  db.run('DELETE FROM alembic_version');
  for (const r of rows) db.run('INSERT INTO alembic_version VALUES (?)', [r]);
  fs.writeFileSync(file, Buffer.from(db.export()));
  db.close();
}

for (const kind of ['sqlite', 'postgresql'] as const) {
  test(`${kind}: stamp sequences leave the rows Alembic leaves`, { timeout: 10 * 60_000 }, async () => {
    const failures: string[] = [];
    let steps = 0;
    for (let g = 0; g < 6; g++) {
      const seed = 4242 + g;
      const revs = generateGraph(seed, 4 + g * 5);
      const root = writeProject(revs, seed);
      fs.writeFileSync(`${root}/alembic/env.py`, ENV_PY);
      const theirsUrl = kind === 'sqlite' ? `sqlite:///${root}/theirs.db` : await pgDatabase(`t${g}`);
      const oursUrl = kind === 'sqlite' ? `sqlite:///${root}/ours.db` : await pgDatabase(`o${g}`);
      const seq = sequence(revs, seed);
      const jobs = seq.flatMap((argv) => [{ cwd: root, argv: ['stamp', ...argv], env: { DATABASE_URL: theirsUrl } }, { rows: theirsUrl }]);
      const theirs = runAlembic(jobs as never) as unknown as ({ stdout: string; stderr: string; code: number } & { rows?: string[] | null })[];
      let before: string[] | null = null;
      for (let i = 0; i < seq.length; i++) {
        steps++;
        const a = theirs[2 * i];
        const [b] = await runOurs([{ cwd: root, argv: ['stamp', ...seq[i]], env: { DATABASE_URL: oursUrl } }]);
        const where = `seed ${seed} step ${i} (stamp ${seq[i].join(' ')})`;
        if (a.code !== b.code) { failures.push(`${where}: exit ${a.code} vs ours ${b.code}: ${failedLine(a) ?? a.stderr.split('\n').slice(-2).join(' ')} | ${b.stdout}${b.stderr}`); break; }
        if (a.code === 255 && failedLine(a) !== failedLine(b)) failures.push(`${where}:\n  alembic: ${failedLine(a)}\n  ours:    ${failedLine(b)}`);
        const want = theirs[2 * i + 1].rows ?? null;
        const got = await ourRows(oursUrl, root);
        if (a.code !== 0 && kind === 'sqlite') {
          // Alembic on SQLite keeps what ran before the failure; we roll the whole stamp back.
          if (JSON.stringify(got) !== JSON.stringify(before)) { failures.push(`${where}: a failed stamp changed our rows ${JSON.stringify(before)} -> ${JSON.stringify(got)}`); break; }
          if (JSON.stringify(want) !== JSON.stringify(got)) await setRows(`${root}/ours.db`, want ?? []); // follow Alembic's state again
        } else if (JSON.stringify(want) !== JSON.stringify(got)) { failures.push(`${where}: rows ${JSON.stringify(want)} vs ours ${JSON.stringify(got)}`); break; }
        before = want;
      }
      if (kind === 'sqlite' && fs.existsSync(`${root}/theirs.db`) && fs.existsSync(`${root}/ours.db`)) {
        const { default: initSqlJs } = await import('sql.js');
        const SQL = await initSqlJs();
        const ddl = (f: string) => JSON.stringify(new SQL.Database(fs.readFileSync(f)).exec("SELECT type, name, sql FROM sqlite_master ORDER BY name"));
        assert.equal(ddl(`${root}/ours.db`), ddl(`${root}/theirs.db`), 'the same version table DDL');
      }
      fs.rmSync(root, { recursive: true, force: true });
    }
    assert.equal(failures.length, 0, failures.slice(0, 6).join('\n'));
    assert.ok(steps >= 60, `ran ${steps} stamp steps`);
  });
}

test('postgresql: the version table has the same columns and constraint as Alembic creates', async () => {
  const root = writeProject(generateGraph(7, 3), 7);
  fs.writeFileSync(`${root}/alembic/env.py`, ENV_PY);
  const theirs = await pgDatabase('ddl_t');
  const ours = await pgDatabase('ddl_o');
  const rev = fs.readdirSync(`${root}/alembic/versions`).find((f) => /^[0-9a-f]{12}_/.test(f))!.slice(0, 12);
  runAlembic([{ cwd: root, argv: ['stamp', rev], env: { DATABASE_URL: theirs } }]);
  await runOurs([{ cwd: root, argv: ['stamp', rev], env: { DATABASE_URL: ours } }]);
  const describe = async (url: string) => {
    const c = new Client({ connectionString: url });
    await c.connect();
    const cols = await c.query("SELECT column_name, data_type, character_maximum_length, is_nullable FROM information_schema.columns WHERE table_name = 'alembic_version'");
    const cons = await c.query("SELECT conname, contype, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = 'alembic_version'::regclass");
    await c.end();
    return JSON.stringify([cols.rows, cons.rows]);
  };
  assert.equal(await describe(ours), await describe(theirs));
  fs.rmSync(root, { recursive: true, force: true });
});

test('postgresql: a second run waits for the first, then fails clearly and changes nothing', async () => {
  const root = writeProject(generateGraph(11, 3), 11);
  fs.writeFileSync(`${root}/alembic/env.py`, ENV_PY);
  const url = await pgDatabase('lock');
  const rev = fs.readdirSync(`${root}/alembic/versions`).find((f) => /^[0-9a-f]{12}_/.test(f))!.slice(0, 12);
  // Another run in progress: it holds the run lock inside an open transaction.
  const { createHash } = await import('node:crypto');
  const key = createHash('sha256').update('alembic-migrations:.alembic_version').digest().readBigInt64BE(0);
  const other = new Client({ connectionString: url });
  await other.connect();
  await other.query('BEGIN');
  await other.query('SELECT pg_advisory_xact_lock($1)', [key.toString()]);
  try {
    const started = Date.now();
    const [r] = await runOurs([{ cwd: root, argv: ['stamp', rev], env: { DATABASE_URL: url, MIGRATIONS_LOCK_TIMEOUT: '1' } }]);
    assert.equal(r.code, 255);
    assert.match(r.stdout, /FAILED: Another migration run holds the lock on alembic_version; waited 1 s\./);
    assert.ok(Date.now() - started >= 1000, 'it waited for the lock');
    const check = new Client({ connectionString: url });
    await check.connect();
    const tables = await check.query("SELECT 1 FROM information_schema.tables WHERE table_name = 'alembic_version'");
    await check.end();
    assert.equal(tables.rowCount, 0, 'nothing was created or written');
  } finally {
    await other.query('ROLLBACK');
    await other.end();
  }
  const [ok] = await runOurs([{ cwd: root, argv: ['stamp', rev], env: { DATABASE_URL: url } }]);
  assert.equal(ok.code, 0, 'once the other run is done, the stamp goes through');
  assert.deepEqual(await ourRows(url, root), [rev]);
  fs.rmSync(root, { recursive: true, force: true });
});
