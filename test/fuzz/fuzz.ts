/**
 * `npm run fuzz -- [seconds] [inputs]`: property-based fuzzing (fast-check) of the readers that take
 * user input: revision headers (Python, TypeScript, SQL), the Python body reader and compiler, the
 * evaluator on hostile Python (fragments; whole programs from a grammar, pythonGen.ts; the
 * fixtures' revisions mutated and run online on SQLite, mutants.ts), alembic.ini, and
 * upgrade/downgrade targets against a small graph. Each input must either be read or be refused
 * with one of our own errors (never another exception; a refusal of the evaluator names a line of
 * the file and no JavaScript artefact), within 200 ms; memory must not grow without bound. Runs
 * until the time or the input count is reached; prints the figures.
 */
import fs from 'node:fs';
import fc from 'fast-check';
import { parseIni } from '../../src/engine/config/ini';
import { CommandError } from '../../src/engine/errors';
import { RevisionError, RevisionMap } from '../../src/engine/graph';
import { Revision } from '../../src/engine/graph/revision';
import { parseDowngradeTarget, parseUpgradeTarget } from '../../src/engine/graph/targets';
import { readRevisionFile } from '../../src/engine/scripts/revisionFile';
import { readMigrationFunctions } from '../../src/engine/ops/python/reader';
import { planOps } from '../../src/engine/ops/plan';
import { POSTGRESQL, SQLITE } from '../../src/engine/ops/ddl/dialect';
import { Unsupported } from '../../src/engine/ops/values';
import type { ReadFunction } from '../../src/engine/ops/python/reader';
import { loadSqlJs } from '../../src/engine/db/sqlJs';
import { pythonProgram } from './pythonGen';
import { loadSeeds, mutate, mutations, runOnline, Seed } from './mutants';

/** Time one reading or one evaluation may take. */
const LIMIT_MS = 200;
/** Evaluation steps per evaluation: a step costs about a microsecond, so a slower evaluation spent its time inside single steps. */
const BUDGET = 50_000;
class Hang extends Error {}

const ours = (e: unknown) => e instanceof CommandError || e instanceof RevisionError || e instanceof Unsupported;

// Inputs shaped like the real thing, mutated: fragments of revision files, ini lines, targets.
const PY_BITS = ['"""msg\n\nRevision ID: ab12\n"""\n', 'revision = "ab12"\n', "down_revision = ('a', 'b')\n", 'branch_labels = None\n', 'revision: str = ', '"""', "'", '(', ')', '[', ']', ',', '\n', '    ', '\\',
  'def upgrade():\n', 'def downgrade():\n', '    op.create_table("t", sa.Column("id", sa.Integer(), primary_key=True))\n', '    op.add_column("t", sa.Column("x", sa.String(5), server_default=sa.text("0")))\n',
  '    with op.batch_alter_table("t") as b:\n        b.drop_column("x")\n', '    op.execute("SELECT 1")\n', '    op.bulk_insert(sa.table("t", sa.column("a")), [{"a": 1}])\n', 'for', 'if ', 'lambda', 'f"{x}"', 'import sqlalchemy as sa\n', 'from alembic import op\n', '#', 'pass\n', 'None', 'True', '1e308', '0x', '\r\n', '\t', '\u00e9'];
// Hostile and random Python for the evaluator: endless loops, recursion, huge values, escapes.
const EVAL_BITS = ['def upgrade():\n', '    ', '\n', 'while True:\n        pass\n', 'def f(): return f()\n    f()\n', 'x = "a" * 10 ** 9\n', 'x = [1] * 10 ** 8\n',
  's = "ab"\n    for i in range(60):\n        s = s + s\n', 'import os\n', '__import__("os")\n', 'open("/etc/passwd")\n', 'x.__class__.__bases__\n', 'class A(object):\n        pass\n',
  'super().__init__()\n', 'op.execute(f"{x!r:>{y}}")\n', 'op.get_bind().execute(sa.text("SELECT 1")).fetchall()\n', 'for x in range(10 ** 7):\n        pass\n',
  'x = {k: v for k, v in zip("ab", [1, 2])}\n', 'op.create_table("t", *[sa.Column(c, sa.Integer) for c in "abc"])\n', 'from myapp import *\n', 'global x\n',
  'x = 1 / 0\n', 'x = [][5]\n', 'a, b = 1\n', '"%s %s" % (1,)\n', '"{0[0]}".format([])\n', 'lambda: 0\n', 'yield 1\n', 'await x\n', 'x = -(2 ** 62) * 4\n',
  'import sqlalchemy as sa\n', 'from alembic import op\n', 'if op.get_bind().dialect.name == "sqlite":\n        ', 'not ', ' and ', ' or ', '(', ')', '[', ']', ':', ',', '=',
  'try:\n        ', 'except KeyError as e:\n        raise\n', 'except Exception:\n        pass\n', 'finally:\n        x = 1\n', 'else:\n        ', 'nonlocal x\n',
  'with op.get_context().autocommit_block():\n        op.execute("x")\n', 'op.get_bind().commit()\n', 'str(op.get_bind().engine.url)\n',
  'import datetime\n', 'datetime.datetime.now().strftime("%Y %q")\n', 'datetime.datetime(10 ** 9, 1, 1)\n', 'from collections import defaultdict\n', 'd = defaultdict(d)\n    d[1]\n',
  'import json\n', 'json.loads("[" * 5000 + "]" * 5000)\n', 'json.dumps(d)\n', 'from sqlalchemy import event\n', 'class MyType(sa.types.TypeDecorator):\n        impl = sa.Integer\n',
  '@event.listens_for(MyType, "before_parent_attach")\ndef _l(type_, column):\n    event.listen(column, "after_parent_attach", _l)\n', 'sa.Column("c", MyType())\n',
  'meta = sa.MetaData()\n    meta.reflect(op.get_bind())\n', 'sa.Table("t", meta, autoload_with=op.get_bind())\n', 'session = sa.orm.Session(bind=op.get_bind())\n',
  'session.query(T).all()\n', 'op.sync_enum_values("public", "s", ["a"], [])\n', 'l = []\n    l.append(l)\n    str(l)\n', 'x = None.x\n', 'f(1, 2, 3, a=1, a=2)\n', '"\u202e\ud800"',
  'import contextlib\n', '@contextlib.contextmanager\ndef cm():\n    yield\n    yield\n', '@contextlib.contextmanager\ndef cm():\n    try:\n        yield cm\n    finally:\n        op.execute("f")\n',
  'with cm() as c:\n        ', 'with cm():\n        return\n', 'def deco(f):\n    return deco\n@deco\n@deco\ndef g(): pass\n', 'for x, in [(1,), 2]:\n        ', 'x, = ()\n',
  'yield\n', 'yield from cm()\n', 'from flask_sqlalchemy import SQLAlchemy\n', 'db = SQLAlchemy()\n    db.Table("t", db.Column("a", db.Integer))\n', 'db.session.query(T)\n',
  'sa.select(sa.table("t", sa.column("a"))).limit(-1).offset(2 ** 70)\n'];
const INI_BITS = ['[alembic]\n', '[DEFAULT]\n', 'script_location = %(here)s/alembic\n', 'version_locations = a b\n', '%(', ')s', '%%', ' = ', ':', '\n', '  continued\n', ';', '#', '[', ']', 'x'];
const TARGET_BITS = ['head', 'heads', 'base', 'a1', 'b2b2', 'c3c3c3', '@', '+', '-', '1', '2', ':', 'x@head', 'a1@+1', 'branch@base', ''];

const fromBits = (bits: string[]) => fc.array(fc.oneof(fc.constantFrom(...bits), fc.string({ maxLength: 8 })), { maxLength: 40 }).map((xs) => xs.join(''));

const graph = new RevisionMap<Revision>(() => [
  new Revision('a1a1', null), new Revision('b2b2', 'a1a1', { branchLabels: ['x'] }), new Revision('c3c3c3', 'a1a1'), new Revision('d4d4', ['b2b2', 'c3c3c3']),
]);

/** A refusal of the evaluator must name a line of the file and read as ours (no JavaScript leaking into it). */
function checkRefusals(src: string, read: ReadFunction[]): void {
  const lines = src.split('\n').length;
  for (const f of read) {
    const u = f.unsupported;
    if (!u) continue;
    if (!(u.line >= 1 && u.line <= lines)) throw new Error(`a refusal at line ${u.line} of ${lines}: ${u.message}`);
    if (/\[object |\bundefined\b|\bNaN\b|\bfunction\s*\w*\([^)]*\)\s*\{/.test(u.message) && !/\bundefined\b|\bNaN\b|\{/.test(src)) throw new Error(`a refusal with a JavaScript artefact: ${u.message}`);
  }
}

/** Each evaluation must end within the time budget (an input makes several: one per database and mode, one per online round). */
const timedRead: typeof readMigrationFunctions = (src, ctx) => {
  // The machine is shared and the collector pauses: a slow evaluation is timed again, against a limit
  // that follows the machine's present speed, and counts once it is slow three times.
  let ms = Infinity;
  let out: ReadFunction[] = [];
  let limit = LIMIT_MS;
  for (let i = 0; i < 3 && ms > limit; i++) {
    const t = performance.now();
    out = readMigrationFunctions(src, ctx);
    ms = Math.min(ms, performance.now() - t);
    if (ms > limit) limit = Math.max(LIMIT_MS, SLOWER * plainLoop());
  }
  slowest = Math.max(slowest, ms);
  if (ms > limit) throw new Hang(`an evaluation took ${ms.toFixed(0)} ms (three times; limit ${limit.toFixed(0)} ms)`);
  return out;
};

/** How many times slower than a plain loop spending the same budget an evaluation may be (op calls in a loop: about 6). */
const SLOWER = 10;
const PLAIN = 'def upgrade():\n    i = 0\n    while True:\n        i += 1\n';

/** The time a plain loop takes to spend the budget now (the best of three). */
function plainLoop(): number {
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    readMigrationFunctions(PLAIN, { dialect: 'sqlite', budget: BUDGET });
    best = Math.min(best, performance.now() - t);
  }
  return best;
}

function evaluate(s: string, ctx: Parameters<typeof readMigrationFunctions>[1] = {}): void {
  for (const dialect of ['sqlite', 'postgresql'] as const) {
    for (const offline of [false, true]) {
      const read = timedRead(s, { ...ctx, dialect, offline, budget: BUDGET });
      checkRefusals(s, read);
      for (const f of read) {
        if (!f.ops) continue;
        const d = dialect === 'sqlite' ? SQLITE : POSTGRESQL;
        // Online SQLite is planned twice: as Alembic (refusing what needs batch mode) and rebuilding it (sqlite-outside-batch).
        if (dialect !== 'sqlite' || offline) { planOps(f.ops, d); continue; }
        try { planOps(f.ops, d); } catch (e) { if (!(e instanceof Unsupported)) throw e; }
        planOps(f.ops, d, { rebuildOutsideBatch: true });
      }
    }
  }
}

let seeds: Seed[] = [];
let SQL: Awaited<ReturnType<typeof loadSqlJs>>;

/** A mutant of a fixture's revision: read for both databases, then run online on a copy of its SQLite database. */
function mutant(seed: Seed, text: string): void {
  const ctx = { file: seed.file, importRoots: [seed.root] };
  evaluate(text, ctx);
  const db = new SQL.Database(seed.db);
  try {
    for (const fn of ['upgrade', 'downgrade'] as const) runOnline(db, text, { ...ctx, budget: BUDGET }, fn, 8, timedRead);
  } finally { db.close(); }
}

const targets: [string, (s: string) => unknown][] = [
  ['python header', (s) => readRevisionFile('/p/x.py', s, 'python')],
  ['typescript header', (s) => readRevisionFile('/p/x.ts', s, 'typescript')],
  ['sql header', (s) => readRevisionFile('/p/x.sql', s, 'sql')],
  ['python body', (s) => { for (const f of readMigrationFunctions(s)) if (f.ops) { planOps(f.ops, SQLITE); planOps(f.ops, POSTGRESQL); } }],
  ['evaluator', (s) => evaluate(s)],
  ['evaluator programs', (s) => { evaluate(s); const db = new SQL.Database(); try { runOnline(db, s, { budget: BUDGET }, 'upgrade', 8, timedRead); } finally { db.close(); } }],
  ['evaluator mutants', (s) => { const [i, text] = JSON.parse(s) as [number, string]; mutant(seeds[i], text); }],
  ['alembic.ini', (s) => parseIni(s, 'alembic.ini', { here: '/p' })],
  ['targets', (s) => { const [a, b] = s.split(' '); parseUpgradeTarget(graph, a ?? null, b ?? 'head', true); parseDowngradeTarget(graph, a ?? null, b ?? 'base', true); }],
];

const arbitraries: Record<string, fc.Arbitrary<string>> = {
  'alembic.ini': fromBits(INI_BITS), targets: fromBits(TARGET_BITS), evaluator: fromBits(EVAL_BITS), 'evaluator programs': pythonProgram,
  'evaluator mutants': fc.tuple(fc.nat(), mutations).map(([i, ms]) => { const k = i % seeds.length; return JSON.stringify([k, mutate(seeds[k].text, ms)]); }),
};

const seconds = Number(process.argv[2] ?? 60);
/** FUZZ_TRACE=file: each input is written there before it runs (what a hang was running); FUZZ_SHRINK=1: failures are shrunk. */
const trace = process.env.FUZZ_TRACE;
const shrink = process.env.FUZZ_SHRINK === '1';
const maxInputs = Number(process.argv[3] ?? 1_000_000);
const end = Date.now() + seconds * 1000;
let total = 0;
let slowest = 0;
const startRss = process.memoryUsage().rss;
let peakRss = startRss;
const failures: string[] = [];
const failed = new Set<string>();
let lastError: unknown;
let lastInput = '';
const perTarget = new Map<string, number>();

async function main(): Promise<void> {
SQL = await loadSqlJs();
seeds = loadSeeds(SQL);
outer: for (let round = 0; ; round++) {
  for (const [name, fn] of targets) {
    if (failed.has(name)) continue;
    const arb = arbitraries[name] ?? fromBits(PY_BITS);
    try {
      fc.assert(fc.property(arb, (s) => {
        if (trace) fs.writeFileSync(trace, `${name}\n${s}`);
        lastInput = s;
        const t = performance.now();
        try { fn(s); } catch (e) { if (!ours(e)) { lastError = e; throw e; } }
        const ms = performance.now() - t;
        if (!name.startsWith('evaluator')) slowest = Math.max(slowest, ms);
        // An evaluator input runs many evaluations (each timed in timedRead): its whole gets more.
        const limit = name.startsWith('evaluator') ? LIMIT_MS * 20 : LIMIT_MS;
        if (ms > limit) { lastError = `took ${ms.toFixed(0)} ms`; throw new Error(`took ${ms.toFixed(0)} ms`); }
        total++;
        perTarget.set(name, (perTarget.get(name) ?? 0) + 1);
      }), { numRuns: name.startsWith('evaluator ') ? 200 : 2000, seed: round * 31 + name.length, endOnFailure: !shrink });
    } catch (e) {
      // One failure per target is reported (shrunk); the other targets go on.
      failed.add(name);
      if (trace && !shrink) fs.writeFileSync(`${trace}.${name.replace(/\W/g, '_')}`, `${name}\n${lastInput}`);
      const why = lastError instanceof Error ? (lastError.stack ?? String(lastError)).split('\n').slice(0, 8).join('\n    ')
        : typeof lastError === 'object' && lastError ? `thrown: ${lastError.constructor.name} ${JSON.stringify(lastError).slice(0, 200)}` : String(lastError);
      failures.push(`${name}: ${why}\n  ${(e as Error).message.split('\n').slice(0, 4).join('\n  ')}`);
    }
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    if (Date.now() > end || total >= maxInputs || failed.size === targets.length) break outer;
  }
}
const took = (Date.now() - end) / 1000 + seconds;
console.log(`fuzz: ${total.toLocaleString('en')} inputs in ${took.toFixed(0)} s (budget ${seconds} s), slowest ${slowest.toFixed(1)} ms, RSS ${(startRss / 2 ** 20).toFixed(0)} -> peak ${(peakRss / 2 ** 20).toFixed(0)} MB`);
console.log(`  ${[...perTarget].map(([k, v]) => `${k} ${v.toLocaleString('en')}`).join(', ')}`);
if (failures.length) { console.error(failures.join('\n')); process.exit(1); }
}

void main();
