/**
 * Real revision files (the test fixtures' projects) mutated line by line, and a synchronous copy
 * of the runner's online loop (runner/runStep.ts runOnline) on a sql.js database, so that code past
 * a read (rows, reflection, the ORM session) is evaluated with real answers.
 */
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import type { Database, SqlJsStatic } from 'sql.js';
import { planOps } from '../../src/engine/ops/plan';
import { SQLITE } from '../../src/engine/ops/ddl/dialect';
import { DbResult, NeedsDatabase, readMigrationFunctions } from '../../src/engine/ops/python/reader';
import type { EvalContext } from '../../src/engine/ops/python/eval/context';

export interface Seed { file: string; text: string; root: string; db: Uint8Array }

const FIXTURES = path.join(__dirname, '..', '..', '..', 'test', 'fixtures');

/** Revision files under the fixtures, by project, in file-name order (a1_, b2_...). */
function revisionFiles(): { root: string; files: string[] }[] {
  const out: { root: string; files: string[] }[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (!e.isDirectory()) continue;
      if (e.name === 'versions' || e.name === 'refused') {
        const files = fs.readdirSync(p).filter((f) => f.endsWith('.py')).sort().map((f) => path.join(p, f));
        const root = path.basename(dir) === 'alembic' ? path.dirname(dir) : dir;
        if (files.length) out.push({ root, files });
      } else walk(p);
    }
  };
  walk(FIXTURES);
  return out;
}

/**
 * Evaluates `fn` and runs it on `db` as the runner would online: statements executed, reads
 * answered, evaluated again from the start until it ends (at most `rounds` times).
 * SQL errors end it (the runner reports them with file:line).
 */
export function runOnline(db: Database, src: string, ctx: EvalContext, fn: 'upgrade' | 'downgrade', rounds = 8, read = readMigrationFunctions): void {
  const reads = new Map<number, DbResult>();
  let done = 0;
  for (let round = 0; round < rounds; round++) {
    const f = read(src, { ...ctx, dialect: 'sqlite', reads, only: fn }).pop();
    if (!f?.ops) return;
    for (const op of f.ops.slice(done)) {
      const planned = planOps([op], SQLITE);
      const only = planned.length === 1 && planned[0].kind === 'sql' && planned[0].statements.length === 1 ? planned[0].statements[0] : undefined;
      try {
        if (op.kind === 'op' && op.name === 'execute' && only && !only.rows && only.fail === undefined) {
          const stmt = db.prepare(only.sql);
          const rows: unknown[][] = [];
          try { while (stmt.step()) rows.push(stmt.get() as unknown[]); reads.set(reads.size, { columns: stmt.getColumnNames(), rows, rowCount: rows.length || db.getRowsModified() }); } finally { stmt.free(); }
        } else {
          for (const p of planned) {
            if (p.kind !== 'sql') continue; // batch rebuilds need the async runner
            for (const s of p.statements) {
              if (s.fail !== undefined || s.autocommit) continue;
              if (s.rows) for (const r of s.rows) db.run(s.sql, r as never); else db.exec(s.sql);
            }
          }
        }
      } catch {
        return; // the database refused it (the runner reports it with file:line)
      }
      done++;
    }
    if (!(f.unsupported instanceof NeedsDatabase) || !reads.has(f.unsupported.executeIndex)) return;
  }
}

/** Each fixture revision with the database as its project's earlier revisions leave it. */
export function loadSeeds(SQL: SqlJsStatic): Seed[] {
  const seeds: Seed[] = [];
  for (const { root, files } of revisionFiles()) {
    const db = new SQL.Database();
    for (const file of files) {
      const text = fs.readFileSync(file, 'utf8');
      seeds.push({ file, text, root, db: db.export() });
      try { runOnline(db, text, { file, importRoots: [root] }, 'upgrade', 50); } catch { /* a refused fixture leaves the database as it is */ }
    }
    db.close();
  }
  return seeds;
}

const HOSTILE = ['x = None', 'x = x.y', 'op.execute(None)', 'f()', 'return', 'raise', 'while True:\n    pass', 'for i in range(10 ** 6):\n    x = [i] * 1000',
  'l = []\nl.append(l)\nop.execute(str(l))', 'd = {}\nd["d"] = d\nop.execute(repr(d))', 'def f(): return f()', 'global x', 'x = "\u202e\ud800" * 10 ** 6',
  'op.get_bind().execute(sa.text("SELECT * FROM sqlite_master")).fetchall()', 'session.commit()', 'session = None', 'bind = 1', 'meta.reflect(bind)',
  'try:\n    op.execute("x")\nexcept Exception:\n    pass', 'with op.get_context().autocommit_block():\n    op.execute("VACUUM")', 'import datetime\nx = datetime.datetime(9999, 12, 31) + datetime.timedelta(days=1)',
  'import uuid\nx = {uuid.uuid4(): 1, uuid.UUID(int=1): 2}[uuid.uuid4()]', 'import time\nx = time.time() / 0', 'import uuid\nx = uuid.UUID("{" * 10 ** 5)',
  'import json\nx = json.loads("[" * 10000)', 'x = sorted([None, 1])', 'x = "%s" % ()', 'x = {}[[]]', 'x = {[]: 1}', 'x = [].pop()', 'x = 1 if None.x else 2'];
const TOKENS = ['None', '0', '-1', '10 ** 9', '""', '"\u0000"', '"\ud83d"', '[]', '{}', '()', 'x', 'op', 'sa', '(lambda: 0)', '...', 'self', '1.5', '"a" * 10 ** 6'];

type Mutation = [kind: number, at: number, other: number, pick: number];

/** Applies line mutations (delete, duplicate, swap, insert a hostile line, replace a token, truncate). */
export function mutate(text: string, ms: Mutation[]): string {
  const lines = text.split('\n');
  for (const [kind, a, b, p] of ms) {
    const i = a % lines.length;
    const j = b % lines.length;
    const ind = /^\s*/.exec(lines[i])![0];
    switch (kind) {
      case 0: lines.splice(i, 1); break;
      case 1: lines.splice(i, 0, lines[i]); break;
      case 2: [lines[i], lines[j]] = [lines[j], lines[i]]; break;
      case 3: lines.splice(i, 0, ...HOSTILE[p % HOSTILE.length].split('\n').map((l) => ind + l)); break;
      case 4: {
        const toks = [...lines[i].matchAll(/[A-Za-z_]\w*|\d+|"[^"]*"|'[^']*'/g)];
        if (!toks.length) break;
        const t = toks[p % toks.length];
        lines[i] = lines[i].slice(0, t.index) + TOKENS[b % TOKENS.length] + lines[i].slice(t.index! + t[0].length);
        break;
      }
      default: lines[i] = lines[i].slice(0, p % (lines[i].length + 1));
    }
    if (!lines.length) lines.push('');
  }
  return lines.join('\n');
}

export const mutations = fc.array(fc.tuple(fc.nat(5), fc.nat(), fc.nat(), fc.nat()), { minLength: 1, maxLength: 4 });
