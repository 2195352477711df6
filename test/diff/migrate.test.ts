/**
 * upgrade / downgrade against the real Alembic, on SQLite files and on PostgreSQL databases: the
 * same command sequences run by both tools on two databases; after every step the exit status, the
 * error line, the version rows, the schema (DDL, catalog, indexes, constraints, enum types) and every
 * row must be the same. One Python dumper reads both databases. A failing run must leave our
 * database exactly as it was (Alembic on SQLite keeps what ran before the failure: we then follow
 * its state again).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { generateGraph, GenRevision, rng, writeProject } from './generate';
import { declareReferenceSqlalchemy, failedLine, OracleServer, REPO, Result, runOurs } from './oracle';

const PGURL = process.env.PGURL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const SHOP = path.join(REPO, 'test/fixtures/migrate/shop');

let admin: Client;
let oracle: OracleServer;
const created: string[] = [];
before(async () => { admin = new Client({ connectionString: PGURL }); await admin.connect(); oracle = new OracleServer(); });
after(async () => {
  oracle.close();
  for (const db of created) await admin.query(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
  await admin.end();
});

async function pgDatabase(name: string): Promise<string> {
  const db = `migrations_run_${name}_${process.pid}`;
  await admin.query(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
  await admin.query(`CREATE DATABASE "${db}"`);
  created.push(db);
  const u = new URL(PGURL);
  u.pathname = `/${db}`;
  return u.toString();
}

function copyProject(src: string): string {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'migrate-diff-')));
  fs.cpSync(src, root, { recursive: true });
  declareReferenceSqlalchemy(root);
  return root;
}

interface Outcome { failures: string[]; steps: number }

/** Runs `sequence` with both tools, comparing after every step. */
async function compareSequence(root: string, kind: 'sqlite' | 'postgresql', tag: string, sequence: string[][]): Promise<Outcome> {
  const theirsUrl = kind === 'sqlite' ? `sqlite:///${root}/theirs.db` : await pgDatabase(`${tag}_t`);
  const oursUrl = kind === 'sqlite' ? `sqlite:///${root}/ours.db` : await pgDatabase(`${tag}_o`);
  const failures: string[] = [];
  let steps = 0;
  let previous: unknown = await oracle.schema(oursUrl);
  for (const argv of sequence) {
    steps++;
    const where = `${tag} step ${steps} (${argv.join(' ')})`;
    const a = await oracle.alembic({ cwd: root, argv, env: { DATABASE_URL: theirsUrl } });
    const [b] = await runOurs([{ cwd: root, argv, env: { DATABASE_URL: oursUrl } }]);
    const theirs = await oracle.schema(theirsUrl);
    const ours = await oracle.schema(oursUrl);
    if ((a.code === 0) !== (b.code === 0)) {
      failures.push(`${where}: alembic exit ${a.code}, ours ${b.code}\n  alembic: ${lastLines(a)}\n  ours: ${lastLines(b)}`);
      break;
    }
    if (a.code === 255 && failedLine(a) !== failedLine(b)) failures.push(`${where}:\n  alembic: ${failedLine(a)}\n  ours:    ${failedLine(b)}`);
    if (a.code !== 0) {
      // A failed run changes nothing of ours.
      if (JSON.stringify(ours) !== JSON.stringify(previous)) { failures.push(`${where}: our failed run changed the database`); break; }
      if (JSON.stringify(theirs) !== JSON.stringify(ours)) {
        if (kind !== 'sqlite') { failures.push(`${where}: PostgreSQL states differ after a failed run:\n${firstDifference(theirs, ours)}`); break; }
        fs.copyFileSync(`${root}/theirs.db`, `${root}/ours.db`); // follow Alembic's partial state
      }
    } else if (JSON.stringify(theirs) !== JSON.stringify(ours)) {
      failures.push(`${where}: databases differ:\n${firstDifference(theirs, ours)}`);
      break;
    }
    // Alembic before 1.19 also dropped the version table at the end of an offline downgrade to base (#1822).
    const theirSql = a.stdout.replace(/DROP TABLE alembic_version;\n\n(COMMIT;\n\n)?$/, '$1');
    if (argv.includes('--sql') && a.code === 0 && theirSql !== b.stdout) failures.push(`${where}: --sql output differs:\n--- alembic\n${a.stdout}\n--- ours\n${b.stdout}`);
    previous = await oracle.schema(oursUrl);
  }
  return { failures, steps };
}

const lastLines = (r: Result) => (r.stdout + r.stderr).trim().split('\n').slice(-3).join(' | ');

function firstDifference(a: unknown, b: unknown, at = ''): string {
  if (JSON.stringify(a) === JSON.stringify(b)) return '';
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) {
      const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${at}/${k}`);
      if (d) return d;
    }
  }
  return `  at ${at}\n  alembic: ${JSON.stringify(a)}\n  ours:    ${JSON.stringify(b)}`;
}

const SHOP_SEQUENCE = [
  'ensure_version', 'upgrade +1', 'upgrade 3c4d', 'upgrade orders@head', 'upgrade heads', 'downgrade -1', 'downgrade 4d5e6f708192',
  'upgrade +2', 'upgrade heads', 'upgrade head', 'downgrade 3c4d5e6f7081', 'upgrade audit@head', 'upgrade 708192a3b4c5',
  'downgrade base', 'upgrade head', 'downgrade 9999', 'downgrade -2', 'upgrade head', 'downgrade base',
].map((c) => c.split(' '));

for (const kind of ['sqlite', 'postgresql'] as const) {
  test(`${kind}: a realistic project (batch mode with child rows, bulk_insert, branch, merge, rename) ends as Alembic leaves it after every step`, { timeout: 5 * 60_000 }, async () => {
    const root = copyProject(SHOP);
    const { failures, steps } = await compareSequence(root, kind, `shop_${kind}`, SHOP_SEQUENCE);
    assert.equal(failures.length, 0, failures.join('\n'));
    assert.equal(steps, SHOP_SEQUENCE.length);
    fs.rmSync(root, { recursive: true, force: true });
  });

  test(`${kind}: --sql writes the script Alembic writes`, { timeout: 60_000 }, async () => {
    const root = copyProject(SHOP);
    const { failures } = await compareSequence(root, kind, `sql_${kind}`, [
      ['ensure_version', '--sql'], ['stamp', '3c4d5e6f7081', '--sql'], ['stamp', '1a2b3c4d5e6f:3c4d5e6f7081', '--sql'], ['stamp', 'heads', '--sql'],
      ['upgrade', '1a2b3c4d5e6f', '--sql'], ['downgrade', '1a2b3c4d5e6f:base', '--sql'], ['upgrade', '3c4d5e6f7081:4d5e6f708192', '--sql'],
      ['downgrade', '-1', '--sql'], ['upgrade', '1a2b:2b3c'], ['upgrade', 'head', '--sql'],
    ]);
    assert.equal(failures.length, 0, failures.join('\n'));
    fs.rmSync(root, { recursive: true, force: true });
  });
}

const BODY = /\r?\n\r?\ndef upgrade\(\) -> None:\r?\n {4}op\.execute\("SELECT 1"\)\r?\n\r?\n\r?\ndef downgrade\(\) -> None:\r?\n {4}pass\r?\n/;

function tableBody(id: string): string {
  return `\n\nimport sqlalchemy as sa\n\n\ndef upgrade() -> None:\n    op.create_table('t_${id}',\n        sa.Column('id', sa.Integer(), nullable=False),\n` +
    `        sa.Column('name', sa.String(length=40), nullable=True),\n        sa.PrimaryKeyConstraint('id'))\n` +
    `    op.create_index(op.f('ix_t_${id}_name'), 't_${id}', ['name'], unique=False)\n\n\n` +
    `def downgrade() -> None:\n    op.drop_index(op.f('ix_t_${id}_name'), table_name='t_${id}')\n    op.drop_table('t_${id}')\n`;
}

function randomTargets(revs: GenRevision[], seed: number): string[][] {
  const r = rng(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)];
  const labels = revs.flatMap((x) => x.labels);
  const out: string[][] = [['upgrade', 'heads']];
  for (let i = 0; i < 11; i++) {
    const x = r();
    if (x < 0.12) out.push(['upgrade', 'heads']);
    else if (x < 0.2) out.push(['downgrade', 'base']);
    else if (x < 0.3) out.push(['downgrade', '-1']);
    else if (x < 0.38) out.push(['upgrade', '+1']);
    else if (x < 0.45 && labels.length) out.push(['upgrade', `${pick(labels)}@head`]);
    else if (x < 0.5) out.push(['upgrade', 'head']);
    else if (x < 0.7) out.push(['downgrade', pick(revs).id]);
    else out.push(['upgrade', pick(revs).id]);
  }
  return out;
}

for (const kind of ['sqlite', 'postgresql'] as const) {
  test(`${kind}: generated graphs (branches, merges, depends_on, labels) with random targets`, { timeout: 10 * 60_000 }, async () => {
    const failures: string[] = [];
    let steps = 0;
    for (let g = 0; g < 5; g++) {
      const seed = 9100 + g;
      const revs = generateGraph(seed, 5 + g * 4);
      const root = writeProject(revs, seed);
      fs.copyFileSync(path.join(SHOP, 'alembic/env.py'), path.join(root, 'alembic/env.py'));
      const versions = path.join(root, 'alembic/versions');
      for (const f of fs.readdirSync(versions).filter((x) => x.endsWith('.py') && !x.startsWith('__'))) {
        const file = path.join(versions, f);
        const text = fs.readFileSync(file, 'utf8');
        const body = tableBody(f.slice(0, 12));
        fs.writeFileSync(file, text.replace(BODY, text.includes('\r\n') ? body.replace(/\n/g, '\r\n') : body));
      }
      const r = await compareSequence(root, kind, `gen${g}_${kind}`, randomTargets(revs, seed));
      failures.push(...r.failures.map((f) => `seed ${seed}: ${f}`));
      steps += r.steps;
      fs.rmSync(root, { recursive: true, force: true });
    }
    assert.equal(failures.length, 0, failures.slice(0, 5).join('\n'));
    assert.ok(steps >= 50, `ran ${steps} steps`);
  });
}
