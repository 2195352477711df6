/**
 * Differential test of op compilation: every op call form of Alembic's own op tests
 * (test/fixtures/opcorpus/*.py) compiled by the real Alembic (test/diff/op_corpus.py, one Python
 * process) and by the embedded engine, statement by statement. SQLite batch cases run online on a
 * live in-memory table on both sides (statements run and schema left compared).
 *
 * A ratchet: a case Alembic compiles must give identical SQL here unless it is listed in
 * test/fixtures/opcorpus/known-gaps.json; a listed case that starts matching fails too (remove
 * its entry). Env: ORACLE_PYTHON (default /usr/bin/python3), ORACLE_PYTHONPATH (e.g. an upstream
 * Alembic checkout's folder, put first on PYTHONPATH), OPCORPUS_DUMP=<file> (write every result
 * as JSON), OPCORPUS_WRITE_GAPS=1 (rewrite known-gaps.json from this run, keeping reasons given).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import initSqlJs, { Database } from 'sql.js';
import { DialectName, dialectFor } from '../../src/engine/ops/ddl/dialect';
import { conventionFromRecord, DEFAULT_CONVENTION } from '../../src/engine/naming/convention';
import { planOps } from '../../src/engine/ops/plan';
import { readMigrationFunctions } from '../../src/engine/ops/python/reader';
import { recreateStatements } from '../../src/engine/ops/sqliteBatch';
import { Unsupported } from '../../src/engine/ops/values';
import { referenceSqlalchemy } from './oracle';

const REPO = path.resolve(__dirname, '../../..');
const CORPUS = path.join(REPO, 'test/fixtures/opcorpus');
const GAPS_FILE = path.join(CORPUS, 'known-gaps.json');
const PYTHON = process.env.ORACLE_PYTHON ?? '/usr/bin/python3';

// ---------------------------------------------------------------------------------------------
// The corpus

interface Case {
  id: string; file: string; name: string; dialect: DialectName;
  setup: string; body: string; convention: Record<string, string> | null; online: boolean;
}

/** `# case:` blocks; see test/fixtures/opcorpus/README.md for the format. */
export function readCorpus(dir = CORPUS): Case[] {
  const out: Case[] = [];
  for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.py')).sort()) {
    const file = f.replace(/\.py$/, '');
    const blocks = fs.readFileSync(path.join(dir, f), 'utf8').split(/^# case: /m).slice(1);
    for (const block of blocks) {
      const lines = block.replace(/\s+$/, '').split('\n');
      const name = lines.shift()!.trim();
      let dialects: DialectName[] = ['postgresql', 'sqlite'];
      let convention: Record<string, string> | null = null;
      let online: DialectName[] = [];
      for (let m; lines.length && (m = /^# (dialects|convention|online): (.*)$/.exec(lines[0])); lines.shift()) {
        if (m[1] === 'convention') convention = JSON.parse(m[2]) as Record<string, string>;
        else {
          const list = m[2].split(',').map((s) => s.trim()) as DialectName[];
          if (m[1] === 'dialects') dialects = list; else online = list;
        }
      }
      const cut = lines.indexOf('# ---');
      const setup = cut < 0 ? '' : lines.slice(0, cut).join('\n');
      const body = (cut < 0 ? lines : lines.slice(cut + 1)).join('\n');
      for (const dialect of dialects) {
        out.push({ id: `${file}/${name}@${dialect}`, file, name, dialect, setup, body, convention, online: online.includes(dialect) });
      }
    }
  }
  const ids = new Set<string>();
  for (const c of out) { assert.ok(!ids.has(c.id), `duplicate case ${c.id}`); ids.add(c.id); }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Alembic's side

interface AlembicResult { statements?: string[]; error?: string; setup?: string[]; schema?: unknown[][] }
interface Oracle { alembic: string; sqlalchemy: string; results: AlembicResult[] }

function runAlembic(cases: Case[]): Oracle {
  const env: NodeJS.ProcessEnv = { ...process.env, PYTHONDONTWRITEBYTECODE: '1' };
  if (process.env.ORACLE_PYTHONPATH) env.PYTHONPATH = process.env.ORACLE_PYTHONPATH;
  const out = execFileSync(PYTHON, [path.join(REPO, 'test/diff/op_corpus.py')], {
    input: JSON.stringify(cases), encoding: 'utf8', maxBuffer: 256 << 20, env,
  });
  return JSON.parse(out) as Oracle;
}

/**
 * Debian's Alembic 1.8.1 (the oracle CI has) and current Alembic 1.19 (the reference) differ on a
 * few things; the expectation is always 1.19's output. Found by running the corpus under both
 * (ORACLE_PYTHONPATH=<folder holding alembic 1.19's alembic/>, on the same SQLAlchemy 1.4):
 *
 * 1. Text rewrites, applied to 1.8.1's statements (no-ops on 1.19's, which the test checks):
 */
const ALEMBIC_18_TO_119: { why: string; applies: (c: Case) => boolean; rewrite: (sql: string) => string }[] = [
  {
    // 1.8 wrote the generic `RENAME a TO b`; 1.19's SQLite impl writes RENAME COLUMN (SQLite 3.25+).
    why: 'SQLite column rename: RENAME a TO b -> RENAME COLUMN a TO b',
    applies: (c) => c.dialect === 'sqlite',
    rewrite: (sql) => sql.replace(/^(ALTER TABLE (?:"(?:[^"]|"")*"|[^\s"]+)(?:\.(?:"(?:[^"]|"")*"|[^\s"]+))?) RENAME (?!TO |COLUMN )/, '$1 RENAME COLUMN '),
  },
  {
    // 1.8 took if_exists= / if_not_exists= on these ops as dialect keywords and ignored them;
    // 1.19 writes the clause (drop_constraint(if_exists=) needs SQLAlchemy 2 in both).
    why: 'if_exists= / if_not_exists= ignored by 1.8 on create/drop_table, create/drop_index, drop_column',
    applies: (c) => /\bif_(not_)?exists=True/.test(c.body),
    rewrite: (sql) => sql
      .replace(/^CREATE (UNIQUE )?INDEX (?!(?:CONCURRENTLY )?IF NOT EXISTS )(CONCURRENTLY )?/, 'CREATE $1INDEX $2IF NOT EXISTS ')
      .replace(/^DROP INDEX (?!(?:CONCURRENTLY )?IF EXISTS )(CONCURRENTLY )?/, 'DROP INDEX $1IF EXISTS ')
      .replace(/^CREATE TABLE (?!IF NOT EXISTS )/, 'CREATE TABLE IF NOT EXISTS ')
      .replace(/^DROP TABLE (?!IF EXISTS )/, 'DROP TABLE IF EXISTS ')
      .replace(/^(ALTER TABLE \S+ DROP COLUMN )(?!IF EXISTS )/, '$1IF EXISTS '),
  },
];

/**
 * 2. Keyword arguments added after 1.8 (add_column's if_not_exists=, inline_references=,
 *    inline_primary_key=): 1.8.1 raises TypeError, so 1.19's statements are pinned in
 *    alembic-1.19-only.json (checked against 1.19 whenever the oracle is 1.19).
 */
const PINNED_FILE = path.join(CORPUS, 'alembic-1.19-only.json');
type Pins = Record<string, { why: string; statements: string[] }>;

const is119 = (version: string) => { const [maj, min] = version.split('.').map(Number); return maj > 1 || min >= 19; };

function expectedFromOracle(c: Case, r: AlembicResult, version: string, pins: Pins): AlembicResult {
  if (is119(version)) return r;
  if (r.error !== undefined && pins[c.id]) return { ...r, error: undefined, statements: pins[c.id].statements };
  if (!r.statements) return r;
  const rules = ALEMBIC_18_TO_119.filter((x) => x.applies(c));
  return { ...r, statements: r.statements.map((s) => rules.reduce((acc, x) => x.rewrite(acc), s)) };
}

/** Under a 1.19 oracle: the pins are 1.19's output and the rewrites change nothing of it. */
function checkVersionNotes(cases: Case[], results: AlembicResult[], pins: Pins): string[] {
  const problems: string[] = [];
  cases.forEach((c, i) => {
    const r = results[i];
    const pin = pins[c.id];
    if (pin && JSON.stringify(r.statements) !== JSON.stringify(pin.statements)) problems.push(`${c.id}: pinned 1.19 output is not 1.19's: ${JSON.stringify(r.statements ?? r.error)}`);
    for (const rule of ALEMBIC_18_TO_119.filter((x) => x.applies(c))) {
      for (const s of r.statements ?? []) if (rule.rewrite(s) !== s) problems.push(`${c.id}: rewrite "${rule.why}" changes 1.19's ${JSON.stringify(s)}`);
    }
  });
  for (const id of Object.keys(pins)) if (!cases.some((c) => c.id === id)) problems.push(`${id}: pinned but not in the corpus`);
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Our side

interface LiveDb { all<T = Record<string, unknown>>(sql: string): Promise<T[]>; run(sql: string): void }
type OurResult = { statements: string[]; runError?: string } | { refused: string };

/**
 * The one call into the engine (its interfaces are being reworked: adapt here only). Offline, the
 * statements as the `--sql` writer prints them (tabs as four spaces); with a live SQLite database,
 * each statement is run as it comes, batch "move and copy" reflecting the table as it is then.
 * `convention` is the naming convention of target_metadata (null: none given, SQLAlchemy's default applies).
 */
async function compileWithEngine(source: string, dialect: DialectName, o: { convention?: Record<string, string> | null; db?: LiveDb }): Promise<OurResult> {
  const d = dialectFor(dialect, referenceSqlalchemy());
  const out: string[] = [];
  try {
    const fn = readMigrationFunctions(source, { dialect, offline: !o.db }).filter((f) => f.name === 'upgrade').pop();
    if (!fn) return { refused: 'no upgrade()' };
    if (fn.unsupported) throw fn.unsupported;
    for (const step of planOps(fn.ops!, d, { convention: o.convention ? conventionFromRecord(o.convention) : DEFAULT_CONVENTION, offline: !o.db })) {
      if (step.kind === 'js' || step.kind === 'online') return { refused: `a ${step.kind} step` };
      let statements: { sql: string; rows?: unknown[][]; fail?: string }[];
      if (step.kind === 'recreate') {
        if (!o.db) return { refused: `batch move-and-copy of "${step.table}" needs a live database (--sql)` };
        statements = await recreateStatements(o.db, d, step.table, step.ops, step.reflect);
      } else statements = step.statements;
      for (const s of statements) {
        if (s.fail !== undefined) return { refused: `raises: ${s.fail}` };
        if (s.rows) return { refused: 'bulk rows (not rendered by this harness)' };
        if (!o.db) { out.push(s.sql.replace(/\t/g, '    ')); continue; }
        out.push(s.sql);
        try { o.db.run(s.sql); } catch (e) { return { statements: out, runError: (e as Error).message }; }
      }
    }
    return { statements: out };
  } catch (e) {
    if (e instanceof Unsupported) return { refused: `${e.construct}: ${e.why}` };
    return { refused: `crash: ${(e as Error).stack?.split('\n').slice(0, 2).join(' ') ?? String(e)}` };
  }
}

const revisionText = (body: string) =>
  'from alembic import op\nimport sqlalchemy as sa\nfrom sqlalchemy.dialects import postgresql, sqlite\n\n\ndef upgrade():\n'
  + (body.trim() ? body.split('\n').map((l) => (l ? `    ${l}` : l)).join('\n') : '    pass')
  + '\n\n\ndef downgrade():\n    pass\n';

function liveDb(db: Database): LiveDb {
  return {
    all: async <T>(sql: string) => {
      const r = db.exec(sql);
      if (!r.length) return [] as T[];
      return r[0].values.map((v) => Object.fromEntries(r[0].columns.map((c, i) => [c, v[i]])) as T);
    },
    run: (sql) => { db.run(sql); },
  };
}

// ---------------------------------------------------------------------------------------------
// Comparison

/** Only what carries no meaning: whitespace around a statement and its terminating `;`. */
const norm = (s: string) => s.trim().replace(/;\s*$/, '').trimEnd();

type Status = 'identical' | 'refused' | 'different' | 'alembic-error';
interface Outcome { c: Case; status: Status; expected: AlembicResult; ours: OurResult; sameSchema?: boolean }

async function runOurs(c: Case, expected: AlembicResult, SQL: Awaited<ReturnType<typeof initSqlJs>>): Promise<{ ours: OurResult; schema?: unknown[][] }> {
  const source = revisionText(c.body);
  if (!c.online) return { ours: await compileWithEngine(source, c.dialect, { convention: c.convention }) };
  const db = new SQL.Database();
  try {
    for (const s of expected.setup ?? []) db.run(s);
    const ours = await compileWithEngine(source, c.dialect, { convention: c.convention, db: liveDb(db) });
    const r = db.exec('SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name');
    return { ours, schema: r.length ? r[0].values : [] };
  } finally { db.close(); }
}

function classify(c: Case, expected: AlembicResult, ours: OurResult, schema?: unknown[][]): Outcome {
  if (expected.error !== undefined || !expected.statements) return { c, status: 'alembic-error', expected, ours };
  if ('refused' in ours) return { c, status: 'refused', expected, ours };
  const same = !ours.runError && ours.statements.length === expected.statements.length
    && ours.statements.every((s, i) => norm(s) === norm(expected.statements![i]));
  const sameSchema = schema && expected.schema ? JSON.stringify(schema) === JSON.stringify(expected.schema) : undefined;
  return { c, status: same ? 'identical' : 'different', expected, ours, sameSchema };
}

/** A first guess at why a case fails, for new entries of known-gaps.json (edit them freely). */
function guessReason(o: Outcome): string {
  if ('refused' in o.ours) return `refused: ${o.ours.refused.replace(/\s+/g, ' ').slice(0, 120)}`;
  if (o.ours.runError) return `our statements fail on SQLite: ${o.ours.runError.slice(0, 100)}`;
  const e = o.expected.statements!.map(norm);
  const u = o.ours.statements.map(norm);
  if (o.c.convention) return 'naming convention not applied';
  if (u.length !== e.length) return `statement count ${u.length} vs Alembic's ${e.length}`;
  const i = u.findIndex((s, k) => s !== e[k]);
  return `differs: ${u[i].slice(0, 60)} | Alembic: ${e[i].slice(0, 60)}`;
}

function describe(o: Outcome): string {
  const ours = 'refused' in o.ours ? `refused: ${o.ours.refused}` : [...o.ours.statements.map(norm), ...(o.ours.runError ? [`(fails: ${o.ours.runError})`] : [])].join(';\n      ');
  return `${o.c.id}\n    Alembic: ${o.expected.statements!.map(norm).join(';\n      ')}\n    ours:    ${ours}`;
}

// ---------------------------------------------------------------------------------------------

test('op corpus: Alembic\'s op calls compile to the same SQL here (ratchet on known-gaps.json)', async (t) => {
  const cases = readCorpus();
  const oracle = runAlembic(cases);
  assert.equal(oracle.results.length, cases.length);
  const SQL = await initSqlJs();
  const pins = JSON.parse(fs.readFileSync(PINNED_FILE, 'utf8')) as Pins;
  const broken = cases.filter((c, i) => oracle.results[i].error?.startsWith('setup failed'));
  assert.deepEqual(broken.map((c) => c.id), [], 'the corpus setup of these cases does not run under Alembic');
  if (is119(oracle.alembic)) assert.deepEqual(checkVersionNotes(cases, oracle.results, pins), [], 'the documented 1.8.1-vs-1.19 differences no longer hold');
  const outcomes: Outcome[] = [];
  for (const [i, c] of cases.entries()) {
    const expected = expectedFromOracle(c, oracle.results[i], oracle.alembic, pins);
    const { ours, schema } = await runOurs(c, expected, SQL);
    outcomes.push(classify(c, expected, ours, schema));
  }

  if (process.env.OPCORPUS_DUMP) fs.writeFileSync(process.env.OPCORPUS_DUMP, JSON.stringify({ alembic: oracle.alembic, outcomes: outcomes.map((o) => ({ id: o.c.id, status: o.status, expected: o.expected, ours: o.ours, sameSchema: o.sameSchema })) }, null, 1));

  for (const dialect of ['postgresql', 'sqlite'] as const) {
    const of = outcomes.filter((o) => o.c.dialect === dialect);
    const n = (s: Status) => of.filter((o) => o.status === s).length;
    const errRefused = of.filter((o) => o.status === 'alembic-error' && 'refused' in o.ours).length;
    const line = `op corpus ${dialect} (Alembic ${oracle.alembic}): ${of.length} cases, Alembic compiled ${of.length - n('alembic-error')}, `
      + `identical ${n('identical')}, refused by us ${n('refused')}, different ${n('different')}; `
      + `Alembic raised on ${n('alembic-error')} (we refuse ${errRefused}, we compile ${n('alembic-error') - errRefused})`;
    t.diagnostic(line);
  }

  const gaps = JSON.parse(fs.readFileSync(GAPS_FILE, 'utf8')) as Record<string, string>;
  if (process.env.OPCORPUS_WRITE_GAPS) {
    const next: Record<string, string> = {};
    for (const o of outcomes) {
      if (o.status === 'refused' || o.status === 'different' || (o.status === 'identical' && gaps[o.c.id]?.startsWith('nondeterministic:'))) next[o.c.id] = gaps[o.c.id] ?? guessReason(o);
    }
    fs.writeFileSync(GAPS_FILE, JSON.stringify(next, null, 2) + '\n');
    return;
  }
  const byId = new Map(outcomes.map((o) => [o.c.id, o]));
  const unexpected = outcomes.filter((o) => (o.status === 'refused' || o.status === 'different') && !(o.c.id in gaps));
  // A "nondeterministic:" entry is one where Alembic's own output varies from run to run (it orders
  // some regenerated constraints by object identity): it may match or not.
  const fixed = Object.keys(gaps).filter((id) => byId.get(id)?.status === 'identical' && !gaps[id].startsWith('nondeterministic:'));
  const stale = Object.keys(gaps).filter((id) => !byId.has(id) || byId.get(id)!.status === 'alembic-error');
  assert.deepEqual(unexpected.map((o) => o.c.id), [], `Cases that no longer match Alembic (fix them, or list them in known-gaps.json):\n  ${unexpected.slice(0, 15).map(describe).join('\n  ')}`);
  assert.deepEqual(fixed, [], 'Cases listed in test/fixtures/opcorpus/known-gaps.json now match Alembic: remove their entries');
  assert.deepEqual(stale, [], 'Entries of known-gaps.json that are not in the corpus or that Alembic itself refuses: remove them');
});
