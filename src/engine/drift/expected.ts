/**
 * The schema the migrations build at given revisions: a scratch database of the live database's
 * dialect (SQLite in memory; PGlite or a temporary database on a server), upgraded from empty to
 * those revisions with the embedded engine (verify's applyRevision), introspected, thrown away.
 */
import path from 'node:path';
import type { DialectName } from '../dialects';
import { CommandError } from '../errors';
import { ensureVersionTable, versionRows } from '../runner/versionTable';
import { HeadMaintainer } from '../runner/steps';
import { RunCancelled } from '../runner/runStep';
import { openScratch } from '../scratch';
import type { SchemaSnapshot } from '../schema/snapshot';
import type { ScriptDirectory } from '../scripts/scriptDirectory';
import { applyRevision, StepContext } from '../verify/checkRevision';
import { selectWalk } from '../verify/selection';
import { conventionLogged, scratchKind } from '../verify/stairway';
import type { DriftOptions } from './types';

export async function buildExpected(dir: ScriptDirectory, dialect: DialectName, heads: string[], o: DriftOptions): Promise<{ schema: SchemaSnapshot; scratch: string }> {
  const walk = heads.length ? selectWalk(dir, { revisions: heads }).order : [];
  const scratch = await openScratch(scratchKind(dialect, o), { onLog: o.onLog, signal: o.signal });
  o.onLog?.(`Building the migrations' schema at ${heads.join(', ') || 'base'} (${walk.length} revision(s)) on ${scratch.label}`);
  const { connection: conn } = scratch;
  const versionTable = { table: dir.config.versionTable, schema: dir.config.versionTableSchema };
  try {
    await conn.begin();
    await ensureVersionTable(conn, versionTable);
    const ctx: StepContext = {
      conn, dir, versionTable, database: dialect, rows: false,
      maintainer: new HeadMaintainer(versionRows(conn, versionTable), []),
      step: { signal: o.signal },
      plan: { importRoots: dir.config.importRoots, mainOptions: dir.config.mainOptions, convention: conventionLogged(dir, o) },
    };
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
    return { schema: await conn.dialect.introspect(conn, { exclude: [versionTable] }), scratch: scratch.label };
  } catch (e) {
    if (e instanceof RunCancelled) throw new CommandError('drift was cancelled; the scratch database was removed.');
    throw e;
  } finally {
    await conn.rollback().catch(() => undefined);
    await scratch.dispose();
  }
}
