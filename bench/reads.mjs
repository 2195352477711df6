// A migration that reads rows back in a loop: N single-row INSERTs, then N `SELECT ... .scalar()`
// reads summed into one row, run by the real Alembic and by our CLI from a fresh database in the
// same run (turns alternating). Both must leave the same sum. Part of `npm run bench` (BENCH_PARTS=reads).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ENV_PY, median, timed } from './migrate.mjs';

const revision = (n) => `"""reads in a loop

Revision ID: aaaa00000001
Revises:
Create Date: 2026-01-01 00:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = 'aaaa00000001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('t', sa.Column('id', sa.Integer, primary_key=True), sa.Column('v', sa.Integer))
    conn = op.get_bind()
    for i in range(${n}):
        conn.execute(sa.text("INSERT INTO t (id, v) VALUES (:i, :v)").bindparams(i=i, v=i * 2))
    total = 0
    for i in range(${n}):
        total += conn.execute(sa.text("SELECT v FROM t WHERE id = :i").bindparams(i=i)).scalar()
    op.execute(sa.text("UPDATE t SET v = :t WHERE id = 0").bindparams(t=total))


def downgrade():
    op.drop_table('t')
`;

/** `cases`: [{ kind: 'sqlite' | 'postgresql', n }]. */
export function measureReads({ work, cli, python, pgUrl, cases, runs = 3 }) {
  const out = [];
  for (const { kind, n } of cases) {
    const proj = path.join(work, `reads-${kind}-${n}`);
    fs.rmSync(proj, { recursive: true, force: true });
    fs.mkdirSync(path.join(proj, 'alembic', 'versions'), { recursive: true });
    fs.writeFileSync(path.join(proj, 'alembic.ini'), '[alembic]\nscript_location = %(here)s/alembic\n');
    fs.writeFileSync(path.join(proj, 'alembic', 'env.py'), ENV_PY);
    fs.writeFileSync(path.join(proj, 'alembic', 'versions', 'aaaa00000001_reads.py'), revision(n));
    const ini = path.join(proj, 'alembic.ini');
    const dbName = `migrations_reads_${process.pid}`;
    const url = kind === 'sqlite' ? `sqlite:///${proj}/reads.db` : pgUrl.replace(/\/[^/]*$/, `/${dbName}`);
    const py = (code) => execFileSync(python, ['-c', code], { encoding: 'utf8' }).trim();
    const reset = () => {
      if (kind === 'sqlite') fs.rmSync(path.join(proj, 'reads.db'), { force: true });
      else py(`import psycopg2; c = psycopg2.connect(${JSON.stringify(pgUrl)}); c.autocommit = True; k = c.cursor(); k.execute('DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)'); k.execute('CREATE DATABASE "${dbName}"')`);
    };
    const sum = () => (kind === 'sqlite'
      ? py(`import sqlite3; print(sqlite3.connect(${JSON.stringify(`${proj}/reads.db`)}).execute('SELECT v FROM t WHERE id = 0').fetchone()[0])`)
      : py(`import psycopg2; c = psycopg2.connect(${JSON.stringify(url)}); k = c.cursor(); k.execute('SELECT v FROM t WHERE id = 0'); print(k.fetchone()[0])`));
    const tools = {
      alembic: () => timed(python, ['-m', 'alembic', '-c', ini, 'upgrade', 'head'], { DATABASE_URL: url }),
      ours: () => timed(process.execPath, [cli, '-c', ini, '-q', 'upgrade', 'head'], { DATABASE_URL: url, MIGRATIONS_NO_CACHE: '1' }),
    };
    const times = { alembic: [], ours: [] };
    for (let i = 0; i < runs; i++) {
      for (const [name, run] of Object.entries(tools)) {
        reset();
        times[name].push(run());
        if (Number(sum()) !== n * (n - 1)) throw new Error(`reads ${kind} ${n}: ${name} left ${sum()}, expected ${n * (n - 1)}`);
      }
    }
    if (kind === 'postgresql') reset();
    const row = { kind, n, alembic: median(times.alembic), ours: median(times.ours) };
    console.log(`reads ${kind} ${n}: alembic ${row.alembic.toFixed(0)} ms, ours ${row.ours.toFixed(0)} ms`);
    out.push(row);
  }
  return out;
}

export function readsTable(rows, runs, alembicVersion) {
  const f = (ms) => `${(ms / 1000).toFixed(2)} s`;
  return [
    `Measured ${new Date().toISOString().slice(0, 10)}, same machine (${alembicVersion}). One revision: N single-row INSERTs through \`conn.execute\`, then N reads with \`.scalar()\` summed into one row; \`upgrade head\` from a fresh database, whole process, median of ${runs} runs, the tools taking turns; both leave the same sum (checked after every run).`,
    '',
    '| database | N (reads) | alembic | ours |',
    '| --- | ---: | ---: | ---: |',
    ...rows.map((r) => `| ${r.kind === 'sqlite' ? 'SQLite file' : 'PostgreSQL'} | ${r.n.toLocaleString('en')} | ${f(r.alembic)} | ${f(r.ours)} |`),
  ].join('\n');
}
