/**
 * `npm run fuzz -- [seconds] [inputs]`: property-based fuzzing (fast-check) of the readers that take
 * user input: revision headers (Python, TypeScript, SQL), the Python body reader and compiler, the
 * evaluator on hostile Python (endless loops, recursion, memory bombs, escapes),
 * alembic.ini, and upgrade/downgrade targets against a small graph. Each input must either be read
 * or be refused with one of our own errors (never another exception), within 200 ms; memory must not
 * grow without bound. Runs until the time or the input count is reached; prints the figures.
 */
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
  'import datetime\n', 'datetime.datetime.now().strftime("%Y %q")\n', 'datetime.datetime(10 ** 9, 1, 1)\n', 'from collections import defaultdict\n', 'd = defaultdict(d)\n    d[1]\n'];
const INI_BITS = ['[alembic]\n', '[DEFAULT]\n', 'script_location = %(here)s/alembic\n', 'version_locations = a b\n', '%(', ')s', '%%', ' = ', ':', '\n', '  continued\n', ';', '#', '[', ']', 'x'];
const TARGET_BITS = ['head', 'heads', 'base', 'a1', 'b2b2', 'c3c3c3', '@', '+', '-', '1', '2', ':', 'x@head', 'a1@+1', 'branch@base', ''];

const fromBits = (bits: string[]) => fc.array(fc.oneof(fc.constantFrom(...bits), fc.string({ maxLength: 8 })), { maxLength: 40 }).map((xs) => xs.join(''));

const graph = new RevisionMap<Revision>(() => [
  new Revision('a1a1', null), new Revision('b2b2', 'a1a1', { branchLabels: ['x'] }), new Revision('c3c3c3', 'a1a1'), new Revision('d4d4', ['b2b2', 'c3c3c3']),
]);

const targets: [string, (s: string) => unknown][] = [
  ['python header', (s) => readRevisionFile('/p/x.py', s, 'python')],
  ['typescript header', (s) => readRevisionFile('/p/x.ts', s, 'typescript')],
  ['sql header', (s) => readRevisionFile('/p/x.sql', s, 'sql')],
  ['python body', (s) => { for (const f of readMigrationFunctions(s)) if (f.ops) { planOps(f.ops, SQLITE); planOps(f.ops, POSTGRESQL); } }],
  ['evaluator', (s) => { for (const dialect of ['sqlite', 'postgresql'] as const) for (const f of readMigrationFunctions(s, { dialect, budget: 100_000 })) if (f.ops) planOps(f.ops, dialect === 'sqlite' ? SQLITE : POSTGRESQL); }],
  ['alembic.ini', (s) => parseIni(s, 'alembic.ini', { here: '/p' })],
  ['targets', (s) => { const [a, b] = s.split(' '); parseUpgradeTarget(graph, a ?? null, b ?? 'head', true); parseDowngradeTarget(graph, a ?? null, b ?? 'base', true); }],
];

const seconds = Number(process.argv[2] ?? 60);
const maxInputs = Number(process.argv[3] ?? 1_000_000);
const end = Date.now() + seconds * 1000;
let total = 0;
let slowest = 0;
const startRss = process.memoryUsage().rss;
let peakRss = startRss;
const failures: string[] = [];
outer: for (let round = 0; ; round++) {
  for (const [name, fn] of targets) {
    const arb = name === 'alembic.ini' ? fromBits(INI_BITS) : name === 'targets' ? fromBits(TARGET_BITS) : name === 'evaluator' ? fromBits(EVAL_BITS) : fromBits(PY_BITS);
    try {
      fc.assert(fc.property(arb, (s) => {
        const t = performance.now();
        try { fn(s); } catch (e) { if (!ours(e)) throw e; }
        const ms = performance.now() - t;
        slowest = Math.max(slowest, ms);
        if (ms > 200) throw new Error(`took ${ms.toFixed(0)} ms`);
        total++;
      }), { numRuns: 2000, seed: round * 31 + name.length });
    } catch (e) {
      failures.push(`${name}: ${(e as Error).message.split('\n').slice(0, 6).join('\n  ')}`);
    }
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    if (Date.now() > end || total >= maxInputs || failures.length) break outer;
  }
}
console.log(`fuzz: ${total.toLocaleString('en')} inputs in ${seconds}s budget, slowest ${slowest.toFixed(1)} ms, RSS ${(startRss / 2 ** 20).toFixed(0)} -> peak ${(peakRss / 2 ** 20).toFixed(0)} MB`);
if (failures.length) { console.error(failures.join('\n')); process.exit(1); }
