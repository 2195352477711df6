/**
 * One revision's stairway check on a scratch database, every stage inside a savepoint so that a
 * failure is undone and the walk goes on from the state a clean upgrade leaves:
 * seed rows, snapshot A, upgrade, snapshot B, downgrade, snapshot == A?, upgrade again, snapshot == B?
 */
import fs from 'node:fs';
import { findDowngradeProblems } from '../analysis/downgradeProblems';
import { findMigrationFunctions } from '../analysis/migrationFunctions';
import { CommandError } from '../errors';
import type { TableName } from '../dialects';
import type { Connection } from '../runner/connection';
import { NotRunnableError, PlannedRevisionStep, planRevisionSteps, PlanOptions } from '../runner/migrationSource';
import { RunCancelled, runStep, StatementError, StepOptions } from '../runner/runStep';
import { HeadMaintainer, RevisionStep } from '../runner/steps';
import { AFTER_DOWNGRADE_WORDING, diffRowCounts, diffSnapshots, SECOND_UPGRADE_WORDING } from '../schema/diff';
import type { SchemaSnapshot } from '../schema/snapshot';
import type { Script } from '../scripts/script';
import type { ScriptDirectory } from '../scripts/scriptDirectory';
import { emptyTables } from './emptyTables';
import { seedRows } from './seedRows';
import { hasRows, takeState } from './snapshotState';
import type { CheckFailure, RevisionResult, VerifyDatabase } from './types';

export interface StepContext {
  conn: Connection;
  dir: ScriptDirectory;
  versionTable: TableName;
  maintainer: HeadMaintainer;
  database: VerifyDatabase;
  rows: boolean;
  step: StepOptions;
  plan: PlanOptions;
}

/** A checked revision's result; `broken` when its upgrade could not be applied (its descendants are skipped). */
export type Checked = RevisionResult & { broken?: string };

/** Applies an unchecked revision (an ancestor of a checked one); returns why it could not. */
export async function applyRevision(ctx: StepContext, script: Script): Promise<string | undefined> {
  const up = new RevisionStep(ctx.dir.map, script, true);
  const planned = plan(ctx, up);
  if (typeof planned === 'string') return planned;
  const failed = await attempt(ctx, planned);
  return failed && `upgrade failed: ${failed.message}`;
}

export async function checkRevision(ctx: StepContext, script: Script): Promise<Checked> {
  const started = performance.now();
  const text = fs.readFileSync(script.path, 'utf8');
  const fns = findMigrationFunctions(text, script.info.kind);
  const downgradeLine = fns.find((f) => f.name === 'downgrade')?.line;
  const result = (status: RevisionResult['status'], failures: CheckFailure[], warnings: string[] = [], extra: Partial<Checked> = {}): Checked => ({
    revision: script.revision, database: ctx.database, file: script.path, downgradeLine, status, failures, warnings,
    durationMs: Math.round(performance.now() - started), ...extra,
  });
  if (script.info.kind === 'typescript' || script.info.kind === 'javascript') {
    const why = 'TypeScript/JavaScript revisions are not verified yet (only Python and SQL ones)';
    return result('skipped', [], [], { skippedReason: why, broken: why });
  }
  const upStep = new RevisionStep(ctx.dir.map, script, true);
  const downStep = new RevisionStep(ctx.dir.map, script, false);
  const up = plan(ctx, upStep);
  if (typeof up === 'string') return result('skipped', [], [], { skippedReason: up, broken: up });
  const down = plan(ctx, downStep);

  const failures: CheckFailure[] = findDowngradeProblems(script.path, text, script.info.kind, fns)
    .map((p) => ({ check: 'downgrade-present', message: p.message, line: p.line }));
  const warnings: string[] = [];
  const { conn } = ctx;
  const id = script.revision;

  await conn.run('SAVEPOINT migrations_verify_seed');
  let before = await takeState(conn, ctx.versionTable);
  let seeded = false;
  if (ctx.rows) {
    const s = await seedRows(conn, before);
    warnings.push(...s.warnings);
    if (s.seeded.length) { seeded = true; before = await takeState(conn, ctx.versionTable); }
  }
  const headsBefore = new Set(ctx.maintainer.heads);
  await conn.run('SAVEPOINT migrations_verify_up');
  let upFailed = await attempt(ctx, up);
  if (upFailed && (seeded || hasRows(before))) {
    // Does it fail only because the tables hold rows? Try again on empty tables.
    await rollbackTo(ctx, 'migrations_verify_up', headsBefore);
    await emptyTables(conn, before);
    before = await takeState(conn, ctx.versionTable);
    const withRows = upFailed;
    upFailed = await attempt(ctx, up);
    if (!upFailed) failures.push({ ...withRows, check: 'upgrade-with-rows', message: `upgrade of ${id} fails when its tables hold a row: ${withRows.message}` });
  }
  if (upFailed) {
    await rollbackTo(ctx, 'migrations_verify_seed', headsBefore);
    await conn.run('RELEASE SAVEPOINT migrations_verify_seed');
    failures.push({ ...upFailed, check: 'upgrade', message: `upgrade of ${id} failed: ${upFailed.message}` });
    return result('failed', failures, warnings, { broken: `its upgrade failed: ${upFailed.message}` });
  }
  const after = await takeState(conn, ctx.versionTable);
  const headsAfter = new Set(ctx.maintainer.heads);
  let skippedReason: string | undefined;
  if (typeof down === 'string') {
    skippedReason = `its downgrade cannot be checked: ${down}`;
  } else {
    await conn.run('SAVEPOINT migrations_verify_down');
    const downFailed = await attempt(ctx, down);
    if (downFailed) {
      failures.push({ ...downFailed, check: 'downgrade', message: `downgrade of ${id} failed: ${downFailed.message}` });
    } else {
      const restored = await takeState(conn, ctx.versionTable);
      compare(failures, 'schema-restored', `after downgrade of ${id}`, before, restored, 'restore');
      const lost = diffRowCounts(before, restored).map((d) => d.message);
      if (lost.length) failures.push({ check: 'rows-kept', message: `after downgrade of ${id}: ${lost[0]}${more(lost)}`, differences: lost });
      await conn.run('SAVEPOINT migrations_verify_again');
      const againFailed = await attempt(ctx, up);
      if (againFailed) failures.push({ ...againFailed, check: 'upgrade-again', message: `upgrade of ${id} after its downgrade failed: ${againFailed.message}` });
      else compare(failures, 'schema-reproduced', `after upgrading ${id} again`, after, await takeState(conn, ctx.versionTable), 'reproduce');
    }
    // The walk goes on from the first upgrade's state, whatever the round trip left.
    await rollbackTo(ctx, 'migrations_verify_down', headsAfter);
  }
  await conn.run('RELEASE SAVEPOINT migrations_verify_seed');
  if (failures.length) return result('failed', failures, warnings, { skippedReason });
  return skippedReason ? result('skipped', [], warnings, { skippedReason }) : result('passed', [], warnings);
}

function compare(failures: CheckFailure[], check: CheckFailure['check'], context: string, expected: SchemaSnapshot, actual: SchemaSnapshot, wording: 'restore' | 'reproduce'): void {
  const differences = diffSnapshots(expected, actual, wording === 'restore' ? AFTER_DOWNGRADE_WORDING : SECOND_UPGRADE_WORDING).map((d) => d.message);
  if (differences.length) failures.push({ check, message: `${context}: ${differences[0]}${more(differences)}`, differences });
}

const more = (xs: unknown[]) => (xs.length > 1 ? ` (and ${xs.length - 1} more)` : '');

async function rollbackTo(ctx: StepContext, savepoint: string, heads: Set<string>): Promise<void> {
  await ctx.conn.run(`ROLLBACK TO SAVEPOINT ${savepoint}`);
  ctx.maintainer.heads.clear();
  heads.forEach((h) => ctx.maintainer.heads.add(h));
}

/** The step's plan, or why the engine cannot run it. */
function plan(ctx: StepContext, step: RevisionStep): PlannedRevisionStep | string {
  try {
    const p = planRevisionSteps([step], ctx.conn.dialect, ctx.dir.config.cwd, undefined, ctx.plan)[0];
    // Statements that must run outside a transaction (CREATE INDEX CONCURRENTLY) fail inside verify's savepoints.
    // (drift's build, which keeps no savepoints, commits around them instead: ctx.step.autocommit.)
    if (ctx.conn.dialect.transactionalDdl && !ctx.step.autocommit && p.planned.some((x) => x.kind === 'sql' && x.statements.some((st) => st.autocommit))) {
      return `its ${step.name}() has an autocommit_block() (statements run outside a transaction), which verify cannot run: it checks each revision inside one transaction on the ${ctx.conn.dialect.displayName} scratch database`;
    }
    return p;
  } catch (e) {
    if (e instanceof NotRunnableError) {
      const i = e.items[0];
      return `the embedded engine cannot run its ${step.name}(): line ${i.line}: ${i.construct}: ${i.why}`;
    }
    throw e;
  }
}

interface Failed { message: string; statement?: string; line?: number }

/** Runs a step and moves the version table; a failure is returned, not thrown (a cancel is thrown). */
async function attempt(ctx: StepContext, p: PlannedRevisionStep): Promise<Failed | undefined> {
  try {
    await runStep(ctx.conn, ctx.conn.dialect, p, ctx.step);
    await ctx.maintainer.updateToStep(p.step);
    return undefined;
  } catch (e) {
    if (e instanceof RunCancelled) throw e;
    if (e instanceof StatementError) return { message: e.message, statement: e.sql || undefined, line: e.line };
    if (e instanceof CommandError) return { message: e.message };
    throw e;
  }
}
