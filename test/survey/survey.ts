/**
 * `npm run survey -- [options] <project or version folder>...`: which revisions of real Alembic
 * projects the embedded engine can run (both upgrade() and downgrade() compile for the dialect), why
 * the others cannot, and (differential) whether the SQL the engine writes in `--sql` mode is Alembic's,
 * statement by statement, for every revision Alembic itself compiles offline (its run with the
 * project's unknown imports stubbed: test/survey/alembic_offline.py). Prints Markdown.
 *
 * Options: --out <file> (also write the report), --json <file> (per-revision details),
 * --no-alembic (engine only), --alembic-path <PYTHONPATH> (upstream Alembic/SQLAlchemy first; default
 * $SURVEY_ALEMBIC_PATH, else Debian's), --python <exe> (/usr/bin/python3), --timeout <s> (5, per call),
 * --paramstyle <style> (dialect_opts of the offline context; default the driver's, as `literal_binds=True` env.py files).
 */
import fs from 'node:fs';
import path from 'node:path';
import { DialectName } from '../../src/engine/ops/ddl/dialect';
import { NotPossibleOnDialect } from '../../src/engine/ops/plan';
import { offlineStatements, planRevision, Refusal } from './engine';
import { Unsupported } from '../../src/engine/ops/values';
import { firstDifference } from './compare';
import { Project, readProject } from './projects';
import { FileResult, Reference, runReference } from './reference';
import { rulesOf } from '../../src/engine/config/sqlalchemyVersion';
import { SqliteRejects, sqliteSyntaxCheck } from './sqliteAccepts';

type Kind = 'python' | 'compiler' | 'dialect' | 'env.py';
type Verdict = { ok: true } | { ok: false; kind: Kind; reason: string; line: number; detail: string };
interface Outcome {
  embedded: Verdict;
  /** SQLite with `sqlite-outside-batch = "rebuild"`: where the default refuses, whether it runs then. */
  rebuilt?: Verdict;
  /** Alembic writes SQL for both functions; undefined when the reference was not run. */
  alembic?: { ok: true } | { ok: false; error: string; line: number | null };
  /** When both compile: identical, or the first difference. */
  same?: boolean;
  diff?: { cause: string; line: number | null; ours?: string; alembic?: string };
}
interface Row { project: Project; file: string; customEnv: boolean; outcomes: Partial<Record<DialectName, Outcome>> }

const DIALECTS: DialectName[] = ['postgresql', 'sqlite'];

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
  if (/Alembic cannot drop an unnamed constraint/.test(w)) return 'drop_constraint(None, ...): the constraint has no name, which Alembic cannot drop either';
  if (/naming convention/.test(w)) return 'an unnamed index or constraint (its name comes from the naming convention in env.py)';
  if (/env\.py \(-x/.test(w)) return CUSTOM_ENV;
  if (/not an operation the embedded engine runs/.test(w)) return `${e.construct.replace(/\(.*$/, '()')} (not supported yet)`;
  if (e instanceof NotPossibleOnDialect) return `${e.construct.replace(/\(["'].*$/, '(...)').replace(/\(\.\.\. .*\)$/, '(...)').slice(0, 50)}: not possible on SQLite outside batch mode`;
  return `${e.construct.replace(/\(["'].*$/, '(...)').slice(0, 50)}: ${w}`;
}
const CUSTOM_ENV = 'upgrade()/downgrade() take parameters passed by a custom env.py';

function verdictOf(x: unknown): Verdict {
  if (!(x instanceof Refusal)) throw x;
  const e = x.error;
  const kind: Kind = x.stage === 'read' ? (/env\.py/.test(e.why) ? 'env.py' : 'python')
    : e instanceof NotPossibleOnDialect ? 'dialect' : /naming convention/.test(e.why) && !/Alembic cannot/.test(e.why) ? 'env.py' : 'compiler';
  return { ok: false, kind, reason: category(e), line: e.line, detail: `${e.construct}: ${e.why}` };
}

function alembicOutcome(r: FileResult | undefined, d: DialectName, sqliteRejects: SqliteRejects): Outcome['alembic'] {
  if (!r) return undefined;
  if (r.load) return { ok: false, error: `import: ${r.load}`, line: null };
  const x = r[d];
  if (!x) return undefined;
  // A function that raises on purpose (`raise ...` in the file) is an outcome, compared as such.
  for (const f of [x.upgrade, x.downgrade]) if (!f.ok && !f.raised) return { ok: false, error: f.error, line: f.line };
  // SQL Alembic writes offline but SQLite cannot run: Alembic cannot do it on SQLite either.
  const rejected = d === 'sqlite' ? sqliteRejects([x.upgrade, x.downgrade].flatMap((f) => f.statements ?? [])) : undefined;
  if (rejected) return { ok: false, error: rejected, line: null };
  return { ok: true };
}

async function surveyRevision(project: Project, file: string, dialects: DialectName[], ref: Reference | undefined, sqliteRejects: SqliteRejects): Promise<Row> {
  const text = fs.readFileSync(file, 'utf8');
  const row: Row = { project, file, customEnv: false, outcomes: {} };
  const r = ref?.results[file];
  // The engine renders by the reference's SQLAlchemy rules (1.4 and 2.0 differ), whatever the project declares.
  const sqlalchemy = ref ? rulesOf(ref.sqlalchemy) : undefined;
  for (const d of dialects) {
    const o: Outcome = { embedded: { ok: true }, alembic: alembicOutcome(r, d, sqliteRejects) };
    row.outcomes[d] = o;
    const x = r?.[d];
    if (x && [x.upgrade, x.downgrade].some((f) => !f.ok && f.custom_env)) row.customEnv = true;
    let plan;
    try { plan = planRevision({ file, text, dialect: d, projectRoot: project.root, sqlalchemy }); } catch (e) {
      const v = verdictOf(e);
      o.embedded = v;
      if (!v.ok && v.reason === CUSTOM_ENV) row.customEnv = true;
      if (d === 'sqlite') {
        try { planRevision({ file, text, dialect: d, projectRoot: project.root, sqlalchemy, rebuildOutsideBatch: true }); o.rebuilt = { ok: true }; } catch (e2) { o.rebuilt = verdictOf(e2); }
      }
      continue;
    }
    if (!o.alembic?.ok || !x) continue;
    for (const fn of ['upgrade', 'downgrade'] as const) {
      const mine = await offlineStatements(plan[fn] ?? [], file, d, sqlalchemy);
      const theirs = x[fn];
      if ('error' in mine) {
        o.same = false;
        o.diff = { cause: `the engine's --sql stops where Alembic writes SQL: ${mine.error.replace(/"[^"]*"|\(\/.*\)$/g, '…').slice(0, 90)}`, line: null };
        break;
      }
      const raised = !theirs.ok;
      if (raised !== (mine.raised !== undefined)) {
        o.same = false;
        o.diff = { cause: raised ? 'the migration raises under Alembic, not in the engine' : 'the engine raises where Alembic does not', line: theirs.ok ? null : theirs.line };
        break;
      }
      const diff = firstDifference(mine.statements, theirs.statements ?? []);
      if (diff) {
        o.same = false;
        o.diff = { cause: diff.cause, line: mine.lines[Math.min(diff.index, mine.lines.length - 1)] ?? null, ours: diff.ours, alembic: diff.alembic };
        break;
      }
      o.same = true;
    }
  }
  return row;
}

// ---- report ----------------------------------------------------------------------------------

const pct = (k: number, n: number) => `${((100 * k) / Math.max(1, n)).toFixed(0)}%`;
const cell = (k: number, n: number, total: number) => (n === 0 ? '–' : `${k}${n !== total ? `/${n}` : ''} (${pct(k, n)})`);
const esc = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const code = (s: string, max = 110) => `\`${esc(s.replace(/`/g, "'").replace(/\s+/g, ' ')).slice(0, max)}\``;

interface Figures { n: number; per: Record<DialectName, { n: number; embedded: number; rebuilt: number; alembic: number; both: number; same: number }> }

function figures(rows: Row[]): Figures {
  const f: Figures = { n: rows.length, per: { postgresql: { n: 0, embedded: 0, rebuilt: 0, alembic: 0, both: 0, same: 0 }, sqlite: { n: 0, embedded: 0, rebuilt: 0, alembic: 0, both: 0, same: 0 } } };
  for (const r of rows) {
    for (const d of DIALECTS) {
      const o = r.outcomes[d];
      if (!o) continue;
      const p = f.per[d];
      p.n++;
      if (o.embedded.ok) p.embedded++;
      if (o.embedded.ok || o.rebuilt?.ok) p.rebuilt++;
      if (o.alembic?.ok) p.alembic++;
      if (o.embedded.ok && o.alembic?.ok) p.both++;
      if (o.same) p.same++;
    }
  }
  return f;
}

function tableRow(name: string, f: Figures, withRef: boolean, bold = false): string {
  const b = (s: string | number) => (bold ? `**${s}**` : `${s}`);
  const pg = f.per.postgresql;
  const sq = f.per.sqlite;
  const cells = [name, f.n, cell(pg.embedded, pg.n, f.n), cell(sq.embedded, sq.n, f.n), cell(sq.rebuilt, sq.n, f.n)];
  if (withRef) {
    cells.push(cell(pg.same, pg.both, -1), cell(sq.same, sq.both, -1), cell(pg.alembic, pg.n, f.n), cell(sq.alembic, sq.n, f.n));
    // Like with like: of the revisions Alembic itself compiles for the dialect, those that run embedded.
    cells.push(cell(pg.both, pg.alembic, -1), cell(sq.both, sq.alembic, -1));
  }
  return `| ${cells.map(b).join(' | ')} |`;
}

function where(r: Row, line: number | null | undefined): string {
  return `${path.basename(r.project.root)}/${path.relative(r.project.root, r.file)}${line ? `:${line}` : ''}`;
}

function census(rows: Row[], key: (o: Outcome) => { cause: string; kind?: string; example: string } | undefined): string[] {
  const m = new Map<string, { kind?: string; n: Record<DialectName, number>; example: string }>();
  for (const r of rows) {
    for (const d of DIALECTS) {
      const o = r.outcomes[d];
      const k = o && key(o);
      if (!k) continue;
      const e = m.get(k.cause) ?? { kind: k.kind, n: { postgresql: 0, sqlite: 0 }, example: `${where(r, null)}${k.example}` };
      e.n[d]++;
      m.set(k.cause, e);
    }
  }
  return [...m].sort((a, b) => b[1].n.postgresql + b[1].n.sqlite - a[1].n.postgresql - a[1].n.sqlite || a[0].localeCompare(b[0]))
    .map(([c, e]) => `| ${esc(c)} |${e.kind !== undefined ? ` ${e.kind} |` : ''} ${e.n.postgresql} | ${e.n.sqlite} | ${code(e.example, 160)} |`);
}

function report(rows: Row[], projects: Project[], ref: Reference | undefined, seconds: number): string {
  const withRef = !!ref;
  const out: string[] = [];
  const apart = new Set(projects.filter((p) => { const rs = rows.filter((r) => r.project === p); return rs.filter((r) => r.customEnv).length * 2 > rs.length; }));
  out.push(`Surveyed ${rows.length} revisions of ${projects.length} projects in ${seconds.toFixed(0)} s; reference: ${ref ? `Alembic ${ref.alembic} with SQLAlchemy ${ref.sqlalchemy}, offline (\`as_sql\`, \`literal_binds=True\`), unknown imports stubbed` : 'none (--no-alembic)'}.`);
  out.push('');
  out.push(withRef
    ? '| project | revisions | run embedded on PostgreSQL | on SQLite | on SQLite, rebuilding (`sqlite-outside-batch = "rebuild"`) | SQL identical to Alembic\'s, PostgreSQL | SQLite | Alembic compiles, PostgreSQL | SQLite | run embedded, among the revisions Alembic compiles, PostgreSQL | SQLite |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |'
    : '| project | revisions | run embedded on PostgreSQL | on SQLite | on SQLite, rebuilding (`sqlite-outside-batch = "rebuild"`) |\n| --- | ---: | ---: | ---: | ---: |');
  for (const p of projects) out.push(tableRow(`${p.name}${apart.has(p) ? ' (custom env.py arguments: counted apart)' : ''}`, figures(rows.filter((r) => r.project === p)), withRef));
  const counted = rows.filter((r) => !apart.has(r.project));
  out.push(tableRow(apart.size ? 'all, without those counted apart' : 'all', figures(counted), withRef, true));
  if (apart.size) out.push(tableRow('all', figures(rows), withRef, true));
  out.push('');
  out.push('A cell `k/n`: n revisions apply to that dialect (a folder kept for one database). "SQL identical": among the revisions that both run embedded and Alembic compiles offline, those whose upgrade() and downgrade() SQL equals Alembic\'s statement by statement. "Among the revisions Alembic compiles": of the revisions Alembic compiles offline for that dialect, those the engine runs embedded (the SQLite column leaves out what Alembic cannot do on SQLite either: what it refuses, e.g. ALTER of constraints outside batch mode and PostgreSQL-only types, and SQL it writes that SQLite 3.54\'s parser rejects, e.g. `ALTER COLUMN ... TYPE` or a migration\'s own PostgreSQL-only `op.execute()` text). "Rebuilding": with `[tool.alembic-migrations] sqlite-outside-batch = "rebuild"`, an op Alembic runs on SQLite only inside `batch_alter_table` (a constraint added or dropped, a column\'s type or default changed) runs as that op alone in such a block; Alembic itself raises there.');
  out.push('');
  out.push(`Why the others cannot run embedded (first reason per revision and dialect${apart.size ? '; projects counted apart left out' : ''}):\n\n| reason | kind | PostgreSQL | SQLite | example |\n| --- | --- | ---: | ---: | --- |`);
  out.push(...census(counted, (o) => (o.embedded.ok ? undefined : { cause: o.embedded.reason, kind: o.embedded.kind, example: `:${o.embedded.line}: ${o.embedded.detail}` })));
  out.push('');
  out.push('On SQLite with `sqlite-outside-batch = "rebuild"` (an op Alembic runs there only in batch mode runs as in its own `batch_alter_table` block), why the others still cannot run (first reason per revision):\n\n| reason | kind | PostgreSQL | SQLite | example |\n| --- | --- | ---: | ---: | --- |');
  out.push(...census(counted, (o) => (o.rebuilt && !o.rebuilt.ok ? { cause: o.rebuilt.reason, kind: o.rebuilt.kind, example: `:${o.rebuilt.line}: ${o.rebuilt.detail}` } : undefined)));
  if (withRef) {
    out.push('');
    const differing = census(counted, (o) => (o.same === false && o.diff ? { cause: o.diff.cause, example: `${o.diff.line ? `:${o.diff.line}` : ''}: ${o.diff.ours ?? '(nothing)'} / ${o.diff.alembic ?? '(nothing)'}` } : undefined));
    out.push(differing.length
      ? `Where the engine's SQL is not Alembic's (first differing statement per revision and dialect):\n\n| cause | PostgreSQL | SQLite | example (engine / Alembic) |\n| --- | ---: | ---: | --- |\n${differing.join('\n')}`
      : 'Where the engine\'s SQL is not Alembic\'s: nowhere; every revision both run gives the same SQL, statement by statement.');
    out.push('');
    out.push('Where Alembic itself writes no SQL offline (first error; these revisions are outside the SQL comparison):\n\n| Alembic error | PostgreSQL | SQLite | example |\n| --- | ---: | ---: | --- |');
    out.push(...census(counted, (o) => (o.alembic && !o.alembic.ok ? { cause: alembicCause(o.alembic.error), example: `${o.alembic.line ? `:${o.alembic.line}` : ''}: ${o.alembic.error}` } : undefined)).slice(0, 15));
  }
  return out.join('\n') + '\n';
}

/** Alembic's error without the names of the revision at hand. */
function alembicCause(error: string): string {
  return error.replace(/^import: /, 'on import: ').replace(/'[^']*'|"[^"]*"|<[^>]*>|\([^)]*\)|\d+/g, '…').replace(/\s+/g, ' ').slice(0, 90);
}

// ---- main ------------------------------------------------------------------------------------

function parseArgs(argv: string[]) {
  const o = { dirs: [] as string[], out: undefined as string | undefined, json: undefined as string | undefined, alembic: true,
    alembicPath: process.env.SURVEY_ALEMBIC_PATH, python: '/usr/bin/python3', timeout: 5, paramstyle: undefined as string | undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => { const v = argv[++i]; if (v === undefined) throw new Error(`${a} needs a value`); return v; };
    if (a === '--out') o.out = val();
    else if (a === '--json') o.json = val();
    else if (a === '--no-alembic') o.alembic = false;
    else if (a === '--alembic-path') o.alembicPath = val();
    else if (a === '--python') o.python = val();
    else if (a === '--timeout') o.timeout = Number(val());
    else if (a === '--paramstyle') o.paramstyle = val();
    else if (a.startsWith('--')) throw new Error(`unknown option ${a}`);
    else o.dirs.push(a);
  }
  return o;
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const projects = o.dirs.filter((d) => fs.statSync(d).isDirectory() && !path.basename(d).startsWith('.')).map(readProject).filter((p) => p.revisions.length);
  const ref = o.alembic ? runReference(projects, { python: o.python, pythonPath: o.alembicPath, timeout: o.timeout, paramstyle: o.paramstyle }) : undefined;
  const rows: Row[] = [];
  const sqliteRejects = await sqliteSyntaxCheck();
  for (const p of projects) for (const r of p.revisions) rows.push(await surveyRevision(p, r.file, r.dialects, ref, sqliteRejects));
  const text = report(rows, projects, ref, (Date.now() - started) / 1000);
  process.stdout.write(text);
  if (o.out) fs.writeFileSync(o.out, text);
  if (o.json) fs.writeFileSync(o.json, JSON.stringify(rows.map((r) => ({ project: r.project.name, file: r.file, customEnv: r.customEnv, ...r.outcomes })), null, 1));
}

main().catch((e) => { console.error(e instanceof Error ? e.stack : e); process.exit(1); });
