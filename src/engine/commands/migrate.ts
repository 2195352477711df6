/**
 * `upgrade` and `downgrade`: the steps Alembic would take from the database's heads to the target,
 * every step compiled before anything runs, then run in one transaction (all or nothing, SQLite
 * included) under the run lock, the version table kept row by row. `--sql` writes the same
 * statements as Alembic's offline mode instead.
 */
import { parseDatabaseUrl, urlInfo } from '../config/url';
import { CommandError } from '../errors';
import { catchRevisionErrors } from '../graph';
import { iterateRevisions } from '../graph/iterate';
import { dialectFor } from '../dialects';
import { describeSqlalchemy } from '../config/sqlalchemyVersion';
import { describeConvention, ProjectConvention } from '../naming/opNames';
import { ScriptDirectory } from '../scripts/scriptDirectory';
import { Connection, connect, inTransaction } from '../runner/connection';
import { planRevisionSteps } from '../runner/migrationSource';
import { checkCancelled, KnexConnection, RunCancelled, runStep, StatementError } from '../runner/runStep';
import { AutocommitBlocks } from '../runner/autocommit';
import type { PlanCache } from '../runner/planCache';
import { assertOfflinePlannable, offlineScript } from '../runner/offline';
import { HeadMaintainer, RevisionStep } from '../runner/steps';
import { ensureVersionTable, readHeads, versionRows } from '../runner/versionTable';
import { SessionOptions, startRun } from '../runner/session';
import type { PgDumpOptions } from '../db/pgDump';

export interface MigrateOptions extends SessionOptions {
  /** Offline mode: return the SQL instead of running it. */
  sql?: boolean;
  /** Commit after every migration instead of once for the run. */
  transactionPerMigration?: boolean;
  /** Hears Alembic's log lines ("Running upgrade a -> b, message"). */
  onLog?: (text: string) => void;
  /** Hears every statement before it runs. */
  onStatement?: (sql: string) => void;
  /** Cancels the run between statements; the transaction is rolled back. */
  signal?: AbortSignal;
  /** SQLite: timestamped copies of the file to keep, made before the run replaces it (default 5; 0: none). */
  backups?: number;
  onBackup?: (file: string) => void;
  /** PostgreSQL: a pg_dump of the database before a run that changes it (opt-in). */
  pgDump?: PgDumpOptions;
  /** Compiled statements kept between runs (the caller loads and saves it). */
  planCache?: PlanCache;
}

export { RunCancelled, StatementError } from '../runner/runStep';

export interface MigrateResult { steps: number; heads: string[]; sql?: string }

export function upgradeSteps(dir: ScriptDirectory, target: string, heads: string[]): RevisionStep[] {
  return catchRevisionErrors(() => [...iterateRevisions(dir.map, target, heads, { implicitBase: true })].reverse()
    .map((s) => new RevisionStep(dir.map, s, true)), { ancestor: 'Destination %(end)s is not a valid upgrade target from current head(s)', end: target });
}

export function downgradeSteps(dir: ScriptDirectory, target: string, heads: string[]): RevisionStep[] {
  return catchRevisionErrors(() => [...iterateRevisions(dir.map, heads, target, { selectForDowngrade: true })]
    .map((s) => new RevisionStep(dir.map, s, false)), { ancestor: 'Destination %(end)s is not a valid downgrade target from current head(s)', end: target });
}

export const upgrade = (dir: ScriptDirectory, target: string, o: MigrateOptions = {}) => migrate(dir, target, true, o);
export const downgrade = (dir: ScriptDirectory, target: string, o: MigrateOptions = {}) => migrate(dir, target, false, o);

async function migrate(dir: ScriptDirectory, revision: string, isUpgrade: boolean, o: MigrateOptions): Promise<MigrateResult> {
  const db = dir.config.database;
  if (!db) throw new CommandError('No database URL is configured', undefined, 'Set DATABASE_URL in the environment or a .env file, or sqlalchemy.url in alembic.ini.');
  const url = parseDatabaseUrl(db.url, db.source);
  const rules = dir.config.sqlalchemy();
  const dialect = dialectFor(url.dialect, rules.version);
  let target = revision;
  let start: string | undefined;
  if (revision.includes(':')) {
    if (!o.sql) throw new CommandError('Range revision not allowed');
    [start, target] = revision.split(':', 2);
  } else if (o.sql && !isUpgrade) {
    throw new CommandError('downgrade with --sql requires <fromrev>:<torev>');
  }
  o.onLog?.(`Context impl ${dialect.implName}.`);
  if (o.sql) o.onLog?.('Generating static SQL');
  o.onLog?.(`Will assume ${dialect.transactionalDdl ? '' : 'non-'}transactional DDL.`);
  if (dialect.sqlalchemy) o.onLog?.(describeSqlalchemy(rules));

  if (o.sql) {
    const heads = start === undefined || start === 'base' ? [] : start.split(',').filter((s) => s && s !== 'base')
      .map((s) => catchRevisionErrors(() => dir.map.getRevision(s)) as { revision: string } | null)
      .filter((r): r is { revision: string } => !!r).map((r) => r.revision);
    const steps = isUpgrade ? upgradeSteps(dir, target, heads) : downgradeSteps(dir, target, heads);
    assertOfflinePlannable(steps);
    const planned = planRevisionSteps(steps, dialect, dir.config.cwd, o.planCache, { offline: true, importRoots: dir.config.importRoots, mainOptions: dir.config.mainOptions, convention: loggedConvention(dir, o), rebuildOutsideBatch: dir.config.rebuildsOutsideBatch() });
    const sql = await offlineScript(planned, heads, dialect, { table: dir.config.versionTable, schema: dir.config.versionTableSchema }, (s) => o.onLog?.(`Running ${s.describe()}`));
    return { steps: steps.length, heads, sql };
  }

  const table = { table: dir.config.versionTable, schema: dir.config.versionTableSchema };
  const base = await connect(url, dir.config.cwd, { backups: o.backups ?? 5, onBackup: (b) => o.onLog?.(`Backed up the database to ${b}`), session: o });
  // A project with TypeScript/JavaScript revisions runs its transaction through knex, so that their
  // knex calls share it (knex's own nested work then uses savepoints).
  const usesKnex = dir.files.some((f) => f.kind === 'typescript' || f.kind === 'javascript');
  const conn = usesKnex ? withKnex(base, o.onStatement) : base;
  let blocks: AutocommitBlocks | undefined;
  return inTransaction(conn, async () => {
    try {
      return await run();
    } catch (e) {
      throw await keptAfterAutocommit(e, await blocks?.failed(), o);
    }
  });

  async function run(): Promise<MigrateResult> {
    await startRun(conn, table, o);
    const heads = await readHeads(conn, table);
    const steps = isUpgrade ? upgradeSteps(dir, target, heads) : downgradeSteps(dir, target, heads);
    // Everything is compiled before the first statement: an unsupported construct changes nothing.
    const planned = planRevisionSteps(steps, dialect, dir.config.cwd, o.planCache, { importRoots: dir.config.importRoots, mainOptions: dir.config.mainOptions, convention: loggedConvention(dir, o), url: urlInfo(url), rebuildOutsideBatch: dir.config.rebuildsOutsideBatch() });
    // The dump sees the database as this run found it (the run holds the lock and has changed nothing yet).
    if (o.pgDump && planned.length && dialect.dump) o.onLog?.(`Backed up the database to ${await dialect.dump(url, o.pgDump, o.signal)}`);
    if (!heads.length) await ensureVersionTable(conn, table, false, o.onStatement);
    const maintainer = new HeadMaintainer(versionRows(conn, table, o.onStatement), heads);
    blocks = new AutocommitBlocks(conn, table, o, () => [...maintainer.heads]);
    // Alembic's DDL memo lasts the command: a named type is created the first time a table needs it.
    const stepOptions = { ...o, autocommit: blocks.hook, memo: new Set<string>() };
    for (const p of planned) {
      o.onLog?.(`Running ${p.step.describe()}`);
      await runStep(conn, dialect, p, stepOptions);
      await maintainer.updateToStep(p.step);
      if (o.transactionPerMigration) { await conn.commit(); await conn.begin(); await startRun(conn, table, o); }
    }
    await checkCancelled(o);
    return { steps: planned.length, heads: [...maintainer.heads] };
  }
}

/** A failure after an autocommit block committed part of the run says what was kept instead of "rolled back". */
function keptAfterAutocommit(e: unknown, kept: string | undefined, o: MigrateOptions): unknown {
  if (!kept) return e;
  if (e instanceof StatementError) { e.kept = kept; return e; }
  if (e instanceof RunCancelled) return new RunCancelled(o.transactionPerMigration, kept);
  if (e instanceof CommandError) return new CommandError(e.message, e.where, [kept, e.hint].filter(Boolean).join(' '));
  return e;
}

/** The project's naming convention, looked up when a revision first needs a name from it; the log says which and from where. */
function loggedConvention(dir: ScriptDirectory, o: MigrateOptions): () => ProjectConvention {
  return () => {
    const c = dir.config.namingConvention();
    o.onLog?.(describeConvention(c));
    return c;
  };
}

function withKnex(base: Connection, onStatement?: (sql: string) => void): KnexConnection {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { boundKnex } = require('../knex/boundKnex') as typeof import('../knex/boundKnex');
  const knex = boundKnex(base.raw, onStatement);
  let trx: import('knex').Knex.Transaction | undefined;
  return {
    ...base,
    async begin() { trx = await knex.transaction(); },
    async commit() { await trx!.commit(); trx = undefined; await base.afterCommit(); },
    async rollback() { if (trx && !trx.isCompleted()) await trx.rollback().catch(() => undefined); trx = undefined; },
    async close() { await knex.destroy().catch(() => undefined); await base.close(); },
    trx() { return trx; },
  };
}

