/**
 * `verify`: the stairway check of every revision on scratch databases (SQLite in memory, PostgreSQL
 * as an embedded PGlite or a temporary database on a server), never on the configured database.
 * The revisions are applied in an order Alembic can upgrade through; each checked one goes up,
 * down and up again (checkRevision.ts) and the walk goes on from its upgraded state.
 */
import type { UrlInfo } from '../ops/python/eval/context';
import { describeConvention, ProjectConvention } from '../naming/opNames';
import { ensureVersionTable, versionRows } from '../runner/versionTable';
import { HeadMaintainer } from '../runner/steps';
import { RunCancelled } from '../runner/runStep';
import { openScratch, ScratchKind } from '../scratch';
import type { Connection } from '../runner/connection';
import type { ScriptDirectory } from '../scripts/scriptDirectory';
import { applyRevision, checkRevision, StepContext } from './checkRevision';
import { selectWalk, Walk } from './selection';
import type { RevisionResult, VerifyDatabase, VerifyOptions, VerifyReport } from './types';

const LABEL: Record<VerifyDatabase, string> = { sqlite: 'SQLite', postgresql: 'PostgreSQL' };

export async function verify(dir: ScriptDirectory, o: VerifyOptions): Promise<VerifyReport> {
  const started = performance.now();
  const problems: string[] = [];
  const heads = dir.map.heads;
  if (heads.length > 1) {
    problems.push(`The project has ${heads.length} heads (${heads.join(', ')}): \`upgrade head\` fails until they are merged (migrations merge heads).`);
  }
  const walk = selectWalk(dir, o);
  const results: RevisionResult[] = [];
  for (const database of o.databases) results.push(...await verifyOn(dir, walk, database, o));
  return { results, problems, durationMs: Math.round(performance.now() - started) };
}

/** The project's naming convention, looked up once, when a revision first needs it; the log says which. */
export function conventionLogged(dir: ScriptDirectory, o: { onLog?: (line: string) => void }): () => ProjectConvention {
  let c: ProjectConvention | undefined;
  return Object.assign(() => {
    if (!c) { c = dir.config.namingConvention(); o.onLog?.(describeConvention(c)); }
    return c;
  }, { once: true });
}

export function scratchKind(database: VerifyDatabase, o: Pick<VerifyOptions, 'postgres'>): ScratchKind {
  if (database === 'sqlite') return { dialect: 'sqlite' };
  return o.postgres?.mode === 'server' ? { dialect: 'postgresql', mode: 'server', url: o.postgres.url } : { dialect: 'postgresql', mode: 'pglite' };
}

/** Opens the scratch run's transaction and version table: the context revisions are applied in (verify, drift). */
export async function beginScratchRun(conn: Connection, dir: ScriptDirectory, database: VerifyDatabase,
  o: { rows: boolean; signal?: AbortSignal; onLog?: (line: string) => void; bindUrl?: UrlInfo }): Promise<StepContext> {
  const versionTable = { table: dir.config.versionTable, schema: dir.config.versionTableSchema };
  await conn.begin();
  await ensureVersionTable(conn, versionTable);
  return {
    conn, dir, versionTable, database, rows: o.rows,
    maintainer: new HeadMaintainer(versionRows(conn, versionTable), []),
    step: { signal: o.signal },
    plan: { importRoots: dir.config.importRoots, mainOptions: dir.config.mainOptions, convention: conventionLogged(dir, o), url: o.bindUrl, rebuildOutsideBatch: dir.config.rebuildsOutsideBatch() },
  };
}

async function verifyOn(dir: ScriptDirectory, walk: Walk, database: VerifyDatabase, o: VerifyOptions): Promise<RevisionResult[]> {
  const results: RevisionResult[] = [];
  const scratch = await openScratch(scratchKind(database, o), { onLog: o.onLog, signal: o.signal });
  o.onLog?.(`Verifying ${walk.checked.size} revision(s) on ${LABEL[database]}: ${scratch.label}`);
  const { connection: conn } = scratch;
  try {
    const ctx = await beginScratchRun(conn, dir, database, { ...o, rows: o.rows ?? true, bindUrl: scratch.url });
    /** Revisions that could not be applied, each with the one that caused it: their descendants are skipped. */
    const broken = new Map<string, string>();
    const emit = (r: RevisionResult) => { results.push(r); o.onResult?.(r); };
    for (const script of walk.order) {
      const id = script.revision;
      const checked = walk.checked.has(id);
      const blockedBy = script.normalizedDownRevisions.find((d) => broken.has(d));
      const skipped = (why: string): RevisionResult => ({ revision: id, database, file: script.path, status: 'skipped', failures: [], warnings: [], skippedReason: why, durationMs: 0 });
      if (o.signal?.aborted) { if (checked) emit(skipped('the run was cancelled')); continue; }
      if (blockedBy) {
        // Named by the revision that could not be applied, not by the parent it reached this one through.
        const cause = broken.get(blockedBy)!;
        broken.set(id, cause);
        if (checked) emit(skipped(`revision ${cause} before it could not be applied`));
        continue;
      }
      try {
        if (!checked) {
          const why = await applyRevision(ctx, script);
          if (why) { broken.set(id, id); o.onLog?.(`${id} (applied unchecked) on ${LABEL[database]}: ${why}`); }
          continue;
        }
        o.onStart?.(id, database);
        const { broken: why, ...r } = await checkRevision(ctx, script);
        if (why) broken.set(id, id);
        emit(r);
      } catch (e) {
        if (e instanceof RunCancelled) { if (checked) emit(skipped('the run was cancelled')); continue; }
        throw e;
      }
    }
  } finally {
    await conn.rollback().catch(() => undefined);
    await scratch.dispose();
  }
  return results;
}
