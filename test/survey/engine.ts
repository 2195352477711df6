/**
 * The survey's one call into the embedded engine, and the offline (`--sql`) text it writes.
 * `planRevision` is the seam: when the reader becomes an evaluator (needing the dialect, the file and
 * the project root), only it changes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { projectImportRoots } from '../../src/engine/config/project';
import { projectSitePackages } from '../../src/engine/config/virtualenv';
import { NeedsDatabase, readMigrationFunctions } from '../../src/engine/ops/python/reader';
import { planOps, PlannedStep } from '../../src/engine/ops/plan';
import { dialectFor, DialectName } from '../../src/engine/ops/ddl/dialect';
import type { SqlalchemyVersion } from '../../src/engine/config/sqlalchemyVersion';
import { Unsupported } from '../../src/engine/ops/values';
import { findNamingConvention } from '../../src/engine/naming/targetMetadata';
import type { ProjectConvention } from '../../src/engine/naming/opNames';
import { offlineScript } from '../../src/engine/runner/offline';
import { PlannedRevisionStep } from '../../src/engine/runner/migrationSource';

/** `sqlalchemy`: the rules to render by (the reference's; default 2.0's). */
/** `rebuildOutsideBatch`: `[tool.alembic-migrations] sqlite-outside-batch = "rebuild"` (plan.ts). */
export interface RevisionInput { file: string; text: string; dialect: DialectName; projectRoot: string; sqlalchemy?: SqlalchemyVersion; rebuildOutsideBatch?: boolean }
export type FunctionName = 'upgrade' | 'downgrade';
/** A function's plan, or undefined when the file does not define it. Throws Unsupported when it cannot run. */
export type RevisionPlan = Record<FunctionName, PlannedStep[] | undefined>;

/** Why a revision cannot run embedded; `stage` says whether reading the Python or compiling the ops refused it. */
export class Refusal extends Error {
  constructor(readonly stage: 'read' | 'compile', readonly error: Unsupported) { super(error.message); }
}

/** THE call to the engine: read the revision, compile both functions for the dialect. Throws Refusal. */
export function planRevision(input: RevisionInput): RevisionPlan {
  // Project imports resolve as the product resolves them: the repository, its src/ layout, the package
  // holding the scripts, then the project's virtualenv (fetch-installed.sh).
  const location = scriptLocationOf(input.file, input.projectRoot);
  // The script location's parent too, as the product puts it (config/project.ts; pgadmin's web/).
  const ownRoots = [...new Set([...(location ? [path.dirname(location)] : []), ...projectImportRoots(input.projectRoot, location ?? input.projectRoot)])];
  const importRoots = [...ownRoots, ...projectSitePackages(input.projectRoot, input.projectRoot, input.projectRoot)];
  const fns = readMigrationFunctions(input.text, { dialect: input.dialect, offline: true, file: input.file, importRoots, mainOptions: {} });
  const out: RevisionPlan = { upgrade: undefined, downgrade: undefined };
  for (const name of ['upgrade', 'downgrade'] as const) {
    const f = fns.filter((x) => x.name === name).pop(); // as in Python, the last definition wins
    if (!f) continue;
    // Reading rows back runs online (in the run's transaction): embedded, though --sql cannot write it.
    if (f.unsupported instanceof NeedsDatabase) { out[name] = [{ kind: 'online', line: f.line, evaluate: () => ({ ops: [] }) }]; continue; }
    if (f.unsupported) throw new Refusal('read', f.unsupported);
    try { out[name] = planOps(f.ops!, dialectFor(input.dialect, input.sqlalchemy), { convention: () => conventionOf(input.file, input.projectRoot, ownRoots), rebuildOutsideBatch: input.rebuildOutsideBatch }); } catch (e) {
      if (e instanceof Unsupported) throw new Refusal('compile', e);
      throw e;
    }
  }
  return out;
}

const conventions = new Map<string, ProjectConvention>();

/** The folder of the env.py that runs a revision: the nearest one above its folder. */
function scriptLocationOf(file: string, projectRoot: string): string | undefined {
  for (let d = path.dirname(file); d.startsWith(projectRoot); d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, 'env.py'))) return d;
    if (d === projectRoot) break;
  }
  return undefined;
}

/** The naming convention of the env.py that runs a revision (the nearest one above its folder), read statically. */
export function conventionOf(file: string, projectRoot: string, importRoots: string[]): ProjectConvention {
  const location = scriptLocationOf(file, projectRoot);
  const envPy = location && path.join(location, 'env.py');
  if (!envPy) return { convention: undefined, reason: 'no env.py above the revision' };
  let c = conventions.get(envPy);
  if (!c) {
    const found = findNamingConvention({ envPy, workspaceRoot: projectRoot, projectRoot, extraSysPath: importRoots });
    c = found.convention ? { convention: found.convention, source: found.source, isDefault: found.isDefault } : { convention: undefined, reason: found.reason };
    conventions.set(envPy, c);
  }
  return c;
}

const MARK = 'survey_version_marker';

/**
 * What the engine's `--sql` writes for one function, statement by statement (without `;\n\n`), and the
 * line each statement comes from; `raised` when the migration raises (`raise ...`), with the statements
 * written before it; or the error offline mode stops with (e.g. a SQLite batch block that needs the
 * live table). Uses the runner's own offline writer, minus its envelope (BEGIN/COMMIT, the step
 * comment, the version row).
 */
export async function offlineStatements(planned: PlannedStep[], file: string, dialect: DialectName, sqlalchemy?: SqlalchemyVersion):
  Promise<{ statements: string[]; lines: number[]; raised?: string } | { error: string }> {
  // Up to the first `raise`: the writer stops there, Alembic's run too.
  let raised: string | undefined;
  const upTo: PlannedStep[] = [];
  for (const p of planned) {
    if (p.kind !== 'sql') { upTo.push(p); continue; }
    const i = p.statements.findIndex((s) => s.fail !== undefined);
    if (i < 0) { upTo.push(p); continue; }
    upTo.push({ kind: 'sql', statements: p.statements.slice(0, i) });
    raised = p.statements[i].fail;
    break;
  }
  // A step that only deletes a marker version row: the writer's bookkeeping is then one known statement.
  const step = {
    revision: { path: file, info: { kind: 'python' } },
    shortLog: () => 'survey', describe: () => 'survey',
    shouldDeleteBranch: () => true, deleteVersionNum: () => MARK,
  } as unknown as PlannedRevisionStep['step'];
  let text: string;
  try {
    text = await offlineScript([{ step, planned: upTo }], [MARK], dialectFor(dialect, sqlalchemy), { table: 'alembic_version' });
  } catch (e) {
    return { error: (e as Error).message };
  }
  const parts = splitScript(text);
  // The envelope's BEGIN / COMMIT only: an autocommit block's COMMIT / BEGIN inside it are Alembic's statements too.
  const transactional = dialectFor(dialect).transactionalDdl;
  const statements = parts.filter((s, i) => !s.startsWith('-- Running') && !s.includes(MARK)
    && !(transactional && ((i === 0 && s === 'BEGIN') || (i === parts.length - 1 && s === 'COMMIT'))));
  const lines: number[] = [];
  for (const p of upTo) {
    if (p.kind !== 'sql') continue;
    for (const s of p.statements) {
      if (s.autocommit && !transactional) continue;
      for (let i = 0; i < (s.rows ? s.rows.length : 1); i++) lines.push(s.line);
    }
  }
  return { statements, lines, raised };
}

/** An offline script cut as Alembic writes it: each statement ends with `;\n\n`, comments with `\n\n`. */
export function splitScript(text: string): string[] {
  const out: string[] = [];
  for (const part of text.split(/;\n\n/)) {
    let rest = part;
    // Comments (`-- Running ...`) are written as their own `\n\n`-terminated line.
    while (rest.startsWith('-- ')) {
      const end = rest.indexOf('\n\n');
      if (end < 0) break;
      out.push(rest.slice(0, end));
      rest = rest.slice(end + 2);
    }
    if (rest.trim()) out.push(rest);
  }
  return out;
}
