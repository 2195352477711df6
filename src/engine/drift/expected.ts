/**
 * The schema the migrations build at given revisions: a scratch database of the live database's
 * dialect (SQLite in memory; PGlite or a temporary database on a server), upgraded from empty to
 * those revisions with the embedded engine (verify's applyRevision), introspected, thrown away.
 */
import path from 'node:path';
import type { DialectName } from '../dialects';
import { CommandError } from '../errors';
import { RunCancelled } from '../runner/runStep';
import { openScratch } from '../scratch';
import type { SchemaSnapshot } from '../schema/snapshot';
import type { ScriptDirectory } from '../scripts/scriptDirectory';
import { applyRevision } from '../verify/checkRevision';
import { selectWalk } from '../verify/selection';
import { beginScratchRun, scratchKind } from '../verify/stairway';
import type { DriftOptions } from './types';

export async function buildExpected(dir: ScriptDirectory, dialect: DialectName, heads: string[], o: DriftOptions): Promise<{ schema: SchemaSnapshot; scratch: string }> {
  const walk = heads.length ? selectWalk(dir, { revisions: heads }).order : [];
  const scratch = await openScratch(scratchKind(dialect, o), { onLog: o.onLog, signal: o.signal });
  o.onLog?.(`Building the migrations' schema at ${heads.join(', ') || 'base'} (${walk.length} revision(s)) on ${scratch.label}`);
  const { connection: conn } = scratch;
  try {
    const ctx = await beginScratchRun(conn, dir, dialect, { ...o, rows: false, bindUrl: scratch.url });
    // autocommit_block() (CREATE INDEX CONCURRENTLY) as Alembic runs it: the scratch build so far is committed first.
    ctx.step.autocommit = (phase) => (phase === 'begin' ? conn.commit() : conn.begin());
    // The build is one `upgrade` to the heads: one DDL memo for it (a named type created once), as Alembic's.
    ctx.step.memo = new Set();
    for (const script of walk) {
      if (o.signal?.aborted) throw new RunCancelled();
      const why = await applyRevision(ctx, script);
      if (why) {
        const rel = path.relative(dir.config.here, script.path);
        const where = rel.startsWith('..') || path.isAbsolute(rel) ? script.path : rel;
        throw new CommandError(`Cannot build the schema the migrations make at ${heads.join(', ')}: revision ${script.revision} (${where}): ${why}`, script.path,
          why.includes('embedded engine cannot run')
            ? 'drift builds that schema with the embedded engine, which cannot run this revision. Rewrite the construct, or compare with Alembic itself: `alembic upgrade` a scratch database, then `alembic check` against it.'
            : `The revision fails on an empty ${dialect === 'sqlite' ? 'SQLite' : 'PostgreSQL'} database (\`migrations verify\` shows it); fix it and run drift again.`);
      }
    }
    return { schema: await conn.dialect.introspect(conn, { exclude: [ctx.versionTable] }), scratch: scratch.label };
  } catch (e) {
    if (e instanceof RunCancelled) throw new CommandError('drift was cancelled; the scratch database was removed.');
    throw e;
  } finally {
    await conn.rollback().catch(() => undefined);
    await scratch.dispose();
  }
}
