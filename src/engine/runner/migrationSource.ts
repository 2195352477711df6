/**
 * What each step of a run will execute, read and compiled before the first statement runs: Python
 * revisions through the op reader and compiler, SQL revisions by their sections. Whatever cannot
 * run embedded is collected (file:line, construct, why) so the whole run stops untouched.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CommandError } from '../errors';
import { Dialect } from '../dialects';
import { NotPossibleOnDialect, planOps, PlannedStep, Statement } from '../ops/plan';
import { createHash, randomBytes } from 'node:crypto';
import { ConventionInput, ProjectConvention, resolveConvention } from '../naming/opNames';
import { NeedsDatabase, readMigrationFunctions } from '../ops/python/reader';
import { PythonError } from '../ops/python/eval/errors';
import type { UrlInfo } from '../ops/python/eval/context';
import { loadMigrationModule } from '../knex/loadModule';
import { Unsupported } from '../ops/values';
import { PlanCache } from './planCache';
import { evaluateOnline, OnlineSource } from './onlinePlanning';
import { RevisionStep } from './steps';

export interface PlannedRevisionStep { step: RevisionStep; planned: PlannedStep[] }

export interface NotRunnableItem {
  file: string; line: number; construct: string; why: string; revision: string; dialectProblem: boolean;
  /** It reads from the database: it runs (online), but `--sql` cannot write it out. */
  readsDatabase?: boolean;
}

/** One or more steps contain code the embedded engine cannot run. Nothing has been executed. */
export class NotRunnableError extends CommandError {
  constructor(readonly items: NotRunnableItem[], cwd: string) {
    const first = items[0];
    const where = (i: NotRunnableItem) => `${path.relative(cwd, i.file) || i.file}:${i.line}`;
    const dialect = items.every((i) => i.dialectProblem);
    const reads = items.every((i) => i.readsDatabase);
    super(
      dialect
        ? `${where(first)}: ${first.construct}: ${first.why}`
        : `The embedded engine cannot run ${items.length === 1 ? 'this migration' : `${items.length} of these migrations`}; nothing was changed.\n` +
          items.map((i) => `  ${where(i)} (${i.revision}): ${i.construct}: ${i.why}`).join('\n'),
      where(first),
      dialect
        ? 'Fix the migration (Alembic fails on it the same way); nothing was changed.'
        : reads
          ? 'Run it without --sql: the embedded engine runs it online, inside the run\'s transaction (Alembic\'s --sql cannot write it out either).'
          : 'Run it with your own Alembic: add --with-alembic (or set MIGRATIONS_ALEMBIC to its path); in VS Code choose "Run with Alembic".',
    );
    this.name = 'NotRunnableError';
  }
}

/**
 * What Python revisions are evaluated with: `--sql` or not, where project imports are found, the
 * naming convention of env.py's target_metadata (a lookup called only when a revision needs a name
 * from it; default SQLAlchemy's).
 */
export interface PlanOptions {
  offline?: boolean; importRoots?: string[]; mainOptions?: Record<string, string>; convention?: ConventionInput;
  /** The run's database (`bind.engine.url`), its password hidden. */
  url?: UrlInfo;
  /** `sqlite-outside-batch = "rebuild"` (PlanOpsOptions.rebuildOutsideBatch); a plan that rebuilds is never cached. */
  rebuildOutsideBatch?: boolean;
}

/** `cache` keeps the statements of Python revisions between runs (see PlanCache). */
export function planRevisionSteps(steps: RevisionStep[], dialect: Dialect, cwd: string, cache?: PlanCache, po: PlanOptions = {}): PlannedRevisionStep[] {
  const out: PlannedRevisionStep[] = [];
  const problems: NotRunnableItem[] = [];
  // The convention lookup is made once for the run, and only if a revision needs a name from it.
  const conv = conventionOnce(po.convention);
  po = { ...po, convention: conv };
  for (const step of steps) {
    const file = step.revision.path;
    try {
      out.push({ step, planned: planFile(file, step.revision.info.kind, step.name as 'upgrade' | 'downgrade', dialect, cache, po) });
    } catch (e) {
      if (!(e instanceof Unsupported)) throw e;
      problems.push({ file, line: e.line, construct: e.construct, why: e.why, revision: step.revision.revision, dialectProblem: e instanceof NotPossibleOnDialect || e instanceof PythonError, readsDatabase: e instanceof NeedsDatabase });
    }
  }
  if (problems.length) throw new NotRunnableError(problems, cwd);
  return out;
}

function planFile(file: string, kind: string, fn: 'upgrade' | 'downgrade', d: Dialect, cache: PlanCache | undefined, po: PlanOptions): PlannedStep[] {
  let text: string;
  try { text = fs.readFileSync(file, 'utf8'); } catch (e) {
    throw new CommandError(`Cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (kind === 'sql') return sqlSection(text, fn);
  if (kind === 'typescript' || kind === 'javascript') {
    const fns = loadMigrationModule(file);
    const f = fns[fn];
    if (!f) throw new Unsupported(1, `${fn}(knex)`, `the file exports no ${fn} function`);
    return [{ kind: 'js', fn: f, line: 1 }];
  }
  // The plan of `--sql` may differ (context.is_offline_mode(), catalog checks): cached apart. A
  // plan that took names from the naming convention is cached under it (it changes when env.py's does).
  const mode = `${d.name}${d.sqlalchemy ? `@${d.sqlalchemy}` : ''}${po.offline ? '+offline' : ''}`;
  const lookup = conventionOnce(po.convention);
  const hit = cache && (cache.get(file, text, fn, mode) ?? cache.get(file, text, fn, `${mode}+${conventionKey(lookup())}`));
  if (hit) return hit.map((statements) => ({ kind: 'sql', statements }));
  // As in Python, a later definition replaces an earlier one.
  const ctx = { dialect: d.name, offline: po.offline, file, importRoots: po.importRoots, mainOptions: po.mainOptions, only: fn, url: po.url, now: new Date(), seed: randomBytes(16).toString('hex') };
  const found = readMigrationFunctions(text, ctx).filter((f) => f.name === fn).pop();
  if (!found) throw new Unsupported(1, `${fn}()`, `the file defines no ${fn}() function`);
  if (found.unsupported instanceof NeedsDatabase && !po.offline) {
    // It reads rows back: what it does before the first read is compiled now (so a construct we
    // cannot run still stops the run before it starts); the rest is evaluated as the run goes.
    const rebuildOutsideBatch = po.rebuildOutsideBatch;
    planOps(found.ops!, d, { convention: lookup, rebuildOutsideBatch });
    const source: OnlineSource = { text, fn, ctx, sqlalchemy: d.sqlalchemy };
    return [{ kind: 'online', line: found.line, convention: lookup, rebuildOutsideBatch, worker: source, evaluate: (reads, readNow) => evaluateOnline(source, reads, readNow) }];
  }
  if (found.unsupported) throw found.unsupported;
  let asked = false;
  const planned = planOps(found.ops!, d, { convention: () => { asked = true; return lookup(); }, offline: po.offline, rebuildOutsideBatch: po.rebuildOutsideBatch });
  // A plan that followed project modules (or read alembic.ini) is not cached: their edits would not show.
  if (cache && !found.dependsOn && planned.every((p) => p.kind === 'sql')) cache.set(file, text, fn, asked ? `${mode}+${conventionKey(lookup())}` : mode, planned.map((p) => (p as { statements: Statement[] }).statements));
  return planned;
}

/** A lookup made at most once (a convention given as such is wrapped). */
function conventionOnce(c: ConventionInput | undefined): () => ProjectConvention {
  if (typeof c === 'function' && (c as { once?: boolean }).once) return c as () => ProjectConvention;
  let v: ProjectConvention | undefined;
  return Object.assign(() => (v ??= resolveConvention(c)), { once: true });
}

/** What a cached plan that took names from the convention is keyed by (no ':' in it: the cache's separator). */
const conventionKey = (c: ProjectConvention) => createHash('sha1').update(JSON.stringify(c.convention ?? { missing: c.reason })).digest('hex').slice(0, 16);

/** An SQL revision's `-- migrate:upgrade` or `-- migrate:downgrade` section, run as one script. */
function sqlSection(text: string, fn: 'upgrade' | 'downgrade'): PlannedStep[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  let current: string | undefined;
  let start = 0;
  const body: string[] = [];
  lines.forEach((l, i) => {
    const m = /^\s*--\s*migrate:(upgrade|downgrade)\b/i.exec(l);
    if (m) { current = m[1].toLowerCase(); if (current === fn) start = i + 2; return; }
    if (current === fn) body.push(l);
  });
  if (!start) throw new Unsupported(1, `-- migrate:${fn}`, `the file has no ${fn} section`);
  const sql = body.join('\n').trim();
  return sql ? [{ kind: 'sql', statements: [{ sql, line: start }] }] : [];
}
