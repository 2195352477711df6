/**
 * `npm run survey -- <dir>...`: which revisions of real Alembic projects the embedded engine can run,
 * and why the others cannot. Each revision's upgrade() and downgrade() are read and compiled for
 * PostgreSQL and for SQLite, without a database. Prints a Markdown report.
 */
import fs from 'node:fs';
import path from 'node:path';
import { readMigrationFunctions } from '../../src/engine/ops/python/reader';
import { NotPossibleOnDialect, planOps } from '../../src/engine/ops/plan';
import { dialectFor, DialectName } from '../../src/engine/ops/ddl/dialect';
import { Unsupported } from '../../src/engine/ops/values';

type Verdict = { ok: true } | { ok: false; kind: 'python' | 'compiler' | 'dialect' | 'env.py'; reason: string; example: string };

function files(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...files(p));
    else if (e.name.endsWith('.py') && !e.name.startsWith('__')) out.push(p);
  }
  return out;
}

/** A short, groupable reason: the kind of construct, without the specific names. */
function category(e: Unsupported): string {
  const w = e.why;
  if (/loop/.test(w)) return 'a loop';
  if (/condition/.test(w)) return 'a condition (if)';
  if (/queries from Python|migration context/.test(w)) return 'op.get_bind() / op.get_context()';
  if (/outside the migration/.test(w)) return 'a helper or constant imported from the project';
  if (/f-string/.test(w)) return 'an f-string';
  if (/comprehension/.test(w)) return 'a comprehension';
  if (/function of this file|nested function/.test(w)) return 'a helper function defined in the file';
  if (/neither imported nor defined/.test(w)) return 'a name not defined in the file';
  if (/column type the embedded engine does not know/.test(w)) return `column type ${e.construct}`;
  if (/not an Alembic operation|a call to Python code/.test(w)) return 'a call to other Python code';
  if (/naming convention/.test(w)) return 'an unnamed index or constraint (its name comes from the naming convention in env.py)';
  if (/env\.py \(-x/.test(w)) return 'upgrade()/downgrade() take parameters passed by a custom env.py';
  if (/not an operation the embedded engine runs/.test(w)) return `${e.construct.replace(/\(.*$/, '()')} (not supported yet)`;
  return `${e.construct.replace(/\(["'].*$/, '(...)').slice(0, 50)}: ${w}`;
}

function verdict(text: string, dialect: DialectName): Verdict {
  const fns = readMigrationFunctions(text);
  for (const name of ['upgrade', 'downgrade'] as const) {
    const f = fns.filter((x) => x.name === name).pop();
    if (!f) continue;
    if (f.unsupported) return { ok: false, kind: 'python', reason: category(f.unsupported), example: `${f.unsupported.line}: ${f.unsupported.construct}` };
    try { planOps(f.ops!, dialectFor(dialect)); } catch (e) {
      if (!(e instanceof Unsupported)) throw e;
      const kind = e instanceof NotPossibleOnDialect ? 'dialect' : /naming convention/.test(e.why) ? 'env.py' : 'compiler';
      return { ok: false, kind, reason: category(e), example: `${e.line}: ${e.construct}: ${e.why}` };
    }
  }
  return { ok: true };
}

const dirs = process.argv.slice(2);
const lines: string[] = [];
const totals = { n: 0, pg: 0, sqlite: 0 };
const reasons = new Map<string, { n: number; kind: string; example: string }>();
for (const dir of dirs) {
  const list = files(dir);
  let pg = 0;
  let sqlite = 0;
  for (const file of list) {
    const text = fs.readFileSync(file, 'utf8');
    const v = verdict(text, 'postgresql');
    if (v.ok) pg++;
    else {
      const r = reasons.get(v.reason) ?? { n: 0, kind: v.kind, example: `${path.basename(dir)}/${path.relative(dir, file)}:${v.example}` };
      r.n++;
      reasons.set(v.reason, r);
    }
    if (verdict(text, 'sqlite').ok) sqlite++;
  }
  totals.n += list.length; totals.pg += pg; totals.sqlite += sqlite;
  const pct = (k: number) => `${((100 * k) / Math.max(1, list.length)).toFixed(0)}%`;
  lines.push(`| ${path.basename(dir).replace('+', '/')} | ${list.length} | ${pg} (${pct(pg)}) | ${sqlite} (${pct(sqlite)}) |`);
}
const pct = (k: number) => `${((100 * k) / Math.max(1, totals.n)).toFixed(0)}%`;
console.log('| project | revisions | run embedded on PostgreSQL | on SQLite |\n| --- | ---: | ---: | ---: |');
console.log(lines.join('\n'));
console.log(`| **all** | **${totals.n}** | **${totals.pg} (${pct(totals.pg)})** | **${totals.sqlite} (${pct(totals.sqlite)})** |\n`);
console.log('Why the others cannot run embedded (PostgreSQL; first reason per revision):\n\n| reason | kind | revisions | example |\n| --- | --- | ---: | --- |');
for (const [reason, r] of [...reasons].sort((a, b) => b[1].n - a[1].n)) {
  console.log(`| ${reason.replace(/\|/g, '\\|')} | ${r.kind} | ${r.n} | \`${r.example.replace(/`/g, "'").replace(/\|/g, '\\|').slice(0, 110)}\` |`);
}
