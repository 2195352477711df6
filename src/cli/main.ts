/**
 * `migrations`: Alembic's command line on the embedded engine. Same verbs, same output, same
 * exit codes: 0 on success, 255 with "FAILED: <message>" on a command error (as Alembic's
 * `sys.exit(-1)`), 2 on a usage error.
 */
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { loadProjectConfig } from '../engine/config/project';
import { CommandError } from '../engine/errors';
import { maskUrlText } from '../engine/config/url';
import { HeaderCache } from '../engine/scripts/headerCache';
import { PlanCache } from '../engine/runner/planCache';
import { cacheFileName } from '../engine/util/jsonCache';
import { findGraphProblems } from '../engine/scripts/graphProblems';
import { RevisionFileInfo } from '../engine/scripts/revisionFile';
import { MissingRevisionKey, RevisionError } from '../engine/graph';
import { assertReadable, loadScriptDirectory } from '../engine/scripts/scriptDirectory';
import * as readOnly from '../engine/commands/readOnly';
import { ensureVersion, stamp } from '../engine/commands/stamp';
import { downgrade, StatementError, upgrade } from '../engine/commands/migrate';
import { NotRunnableError } from '../engine/runner/migrationSource';
import { merge, revision } from '../engine/commands/revision';
import { initProject } from '../engine/commands/init';
import { findAlembic, runAlembic } from '../engine/handoff/alembic';
import { StepConflictError } from '../engine/runner/steps';
import type { SessionOptions } from '../engine/runner/session';
import type { PgDumpOptions } from '../engine/db/pgDump';
import { driftCommand } from './driftCommand';
import { verifyCommand } from './verifyCommand';
import { help, parseArgs, ParsedArgs, usage, UsageError } from './args';
import { flush, hint, msg, warn, writeOut } from './output';

const PROG = 'migrations';
const VERSION = '0.1.0';

/** The CLI's caches of a project (`headers`, `plans`) in the user's cache folder; none with MIGRATIONS_NO_CACHE. */
function cacheFile(kind: 'headers' | 'plans', scriptLocation: string): string | undefined {
  if (process.env.MIGRATIONS_NO_CACHE) return undefined;
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'alembic-migrations', cacheFileName(kind, scriptLocation));
}

/** What the error report may need to know about the run. */
const context: { files?: RevisionFileInfo[] } = {};

/** SQLite backups to keep before a run replaces the file (MIGRATIONS_BACKUPS, default 5; 0 turns them off). */
const backups = () => Number(process.env.MIGRATIONS_BACKUPS ?? 5);
/**
 * PostgreSQL: MIGRATIONS_LOCK_TIMEOUT (s, default 60; 0 waits forever) bounds the wait for another
 * run and for table locks; MIGRATIONS_STATEMENT_TIMEOUT (s) bounds each statement; waits are reported.
 */
const session = (): SessionOptions => ({
  lockTimeoutMs: Number(process.env.MIGRATIONS_LOCK_TIMEOUT ?? 60) * 1000,
  statementTimeoutMs: Number(process.env.MIGRATIONS_STATEMENT_TIMEOUT ?? 0) * 1000,
  applicationName: 'alembic-migrations (cli)',
  onWait: (text) => process.stderr.write(`INFO  [migrations.lock] ${text}\n`),
});
/** MIGRATIONS_PG_DUMP=1 (or a number of dumps to keep): pg_dump before a PostgreSQL run that changes the database. */
const pgDump = (cwd: string): PgDumpOptions | undefined => {
  const v = process.env.MIGRATIONS_PG_DUMP;
  if (!v || v === '0' || v.toLowerCase() === 'false') return undefined;
  return { keep: Number(v) > 1 ? Number(v) : 5, executable: process.env.MIGRATIONS_PG_DUMP_PATH || undefined, folder: path.join(cwd, '.migrations-backups') };
};
const logInfo = (args: ParsedArgs) => (text: string) => { if (!args.quiet) process.stderr.write(`INFO  [alembic.runtime.migration] ${text}\n`); };

async function run(args: ParsedArgs, argv: string[]): Promise<void> {
  if (args.command === 'init') {
    if (args.opts.template && args.opts.template !== 'generic') throw new CommandError(`Only the generic template is built in (asked: ${args.opts.template as string})`, undefined, 'Use alembic init for the others.');
    const iniDir = path.dirname(path.resolve(args.config.find((c) => c.endsWith('.ini')) ?? 'alembic.ini'));
    const r = initProject(iniDir, path.relative(iniDir, path.resolve(args.positionals[0])) || args.positionals[0]);
    for (const f of r.created) msg(`${fs.statSync(f).isDirectory() ? 'Creating directory' : 'Generating'} ${f} ...  done`);
    msg(`Please edit configuration/connection/logging settings in ${r.ini} before proceeding.`);
    return;
  }
  if (args.config.length > 2) throw new CommandError('only one ini file may be indicated');
  const toml = args.config.find((c) => path.basename(c) === 'pyproject.toml');
  const inis = args.config.filter((c) => path.basename(c) !== 'pyproject.toml');
  if (inis.length > 1) throw new CommandError('only one ini file may be indicated');
  const config = loadProjectConfig({ iniPath: inis[0], tomlPath: toml, section: args.name });
  for (const w of config.warnings) process.stderr.write(`DeprecationWarning: ${w}\n`);

  const cachePath = cacheFile('headers', config.scriptLocation);
  const cache = cachePath ? HeaderCache.load(cachePath) : new HeaderCache({ fingerprints: false });
  const dir = loadScriptDirectory(config, cache, warn);
  if (cachePath) cache.save(cachePath);
  assertReadable(dir);
  context.files = dir.files;

  const o = args.opts;
  const stale = (m: string) => process.stderr.write(`warning: ${m}\n`);
  const verbose = !!o.verbose;
  switch (args.command) {
    case 'heads': return readOnly.heads(dir, writeOut, verbose, !!o.resolve_dependencies);
    case 'branches': return readOnly.branches(dir, writeOut, verbose);
    case 'history':
      return readOnly.history(dir, writeOut, {
        range: o.rev_range as string | undefined, verbose, indicateCurrent: !!o.indicate_current,
        currentHeads: readOnly.currentHeadsReader(dir, stale),
      });
    case 'show': return readOnly.show(dir, writeOut, args.positionals[0], readOnly.currentHeadsReader(dir, stale));
    case 'current': return readOnly.current(dir, writeOut, verbose, !!o.check_heads, stale);
    case 'stamp': {
      const sql = await stamp(dir, args.positionals, {
        purge: !!o.purge, sql: !!o.sql,
        ...session(),
        onStep: logInfo(args),
        backups: backups(),
      });
      if (sql !== undefined) writeOut(sql);
      return;
    }
    case 'ensure_version': {
      const sql = await ensureVersion(dir, { sql: !!o.sql, ...session() });
      if (sql !== undefined) writeOut(sql);
      return;
    }
    case 'revision': case 'merge': {
      if (o.from_database) {
        if (o.autogenerate || o.sql) throw new CommandError('--from-database writes the revision from the database itself: it does not go with --autogenerate or --sql');
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { revisionFromDatabase } = require('./revisionFromDatabase') as typeof import('./revisionFromDatabase');
        return revisionFromDatabase(dir, o, logInfo(args));
      }
      if (o.autogenerate || o.sql) {
        // Autogenerate compares the models in the user's Python code with the database: Alembic's job.
        return handOffPlain(config.cwd, argv, o.autogenerate ? 'revision --autogenerate compares your SQLAlchemy models with the database, which needs Python'
          : 'revision --sql runs env.py');
      }
      const common = { message: o.message as string | undefined, branchLabel: o.branch_label as string[] | undefined, revId: o.rev_id as string | undefined };
      const file = args.command === 'merge'
        ? merge(dir, args.positionals, common)
        : revision(dir, { ...common, head: o.head as string | undefined, splice: !!o.splice, versionPath: o.version_path as string | undefined, dependsOn: o.depends_on as string[] | undefined });
      msg(`Generating ${file} ...  done`);
      return;
    }
    case 'verify': {
      const code = await verifyCommand(dir, o, args.positionals[0], logInfo(args));
      if (code) throw new ExitCode(code);
      return;
    }
    case 'drift': {
      const code = await driftCommand(dir, o, logInfo(args));
      if (code) throw new ExitCode(code);
      return;
    }
    case 'upgrade': case 'downgrade': {
      const fn = args.command === 'upgrade' ? upgrade : downgrade;
      const plansPath = cacheFile('plans', config.scriptLocation);
      const planCache = plansPath ? PlanCache.load(plansPath) : undefined;
      try {
        const r = await fn(dir, args.positionals[0], {
          sql: !!o.sql, ...session(), onLog: logInfo(args), transactionPerMigration: !!o.transaction_per_migration, backups: backups(), pgDump: pgDump(config.cwd), planCache,
        });
        if (r.sql !== undefined) writeOut(r.sql);
      } catch (e) {
        if (!(e instanceof NotRunnableError) || !o.with_alembic || e.items.every((i) => i.dialectProblem)) throw e;
        await handOff(config.cwd, argv.filter((a) => a !== '--with-alembic'), e);
      } finally {
        if (plansPath) planCache!.save(plansPath);
      }
      return;
    }
  }
}

/** `--with-alembic`: the embedded engine cannot run this; the project's own alembic runs the same command. */
async function handOff(cwd: string, argv: string[], why: NotRunnableError): Promise<void> {
  const exe = findAlembic(cwd, process.env.MIGRATIONS_ALEMBIC);
  if (!exe) {
    throw new CommandError(`${why.message}\nNo alembic executable was found (looked in .venv/venv/env, $VIRTUAL_ENV and PATH).`, why.where,
      'Install Alembic in the project\'s virtualenv, or set MIGRATIONS_ALEMBIC to its path.');
  }
  process.stderr.write(`hint: handing this run to ${exe} (${why.items.length} construct${why.items.length === 1 ? '' : 's'} the embedded engine cannot run)\n`);
  flush();
  const r = await runAlembic(exe, argv, { cwd: process.cwd(), onStdout: (s) => process.stdout.write(s), onStderr: (s) => process.stderr.write(s) });
  if (r.code !== 0) throw new HandOffFailed(r.code);
}

/** Commands only Alembic can do (autogenerate): run the project's alembic, or say why we cannot. */
async function handOffPlain(cwd: string, argv: string[], why: string): Promise<void> {
  const exe = findAlembic(cwd, process.env.MIGRATIONS_ALEMBIC);
  if (!exe) throw new CommandError(`${why}; no alembic executable was found (looked in .venv/venv/env, $VIRTUAL_ENV and PATH).`, undefined,
    'Install Alembic in the project\'s virtualenv (or set MIGRATIONS_ALEMBIC to its path), or write the revision with `revision -m "..."`.');
  process.stderr.write(`hint: ${why}: running ${exe}\n`);
  flush();
  const r = await runAlembic(exe, argv, { cwd: process.cwd(), onStdout: (s) => process.stdout.write(s), onStderr: (s) => process.stderr.write(s) });
  if (r.code !== 0) throw new HandOffFailed(r.code);
}

/** A command that ends with a status of its own (verify: 1 when a check failed), its output already written. */
class ExitCode extends Error {
  constructor(readonly code: number) { super(`exit ${code}`); }
}

class HandOffFailed extends Error {
  constructor(readonly code: number) { super(`alembic exited with ${code}`); }
}

export async function main(argv: string[]): Promise<number> {
  if (argv.includes('-h') || argv.includes('--help')) { writeOut(help(PROG)); flush(); return 0; }
  if (argv[0] === '--version') { writeOut(`${PROG} ${VERSION}\n`); flush(); return 0; }
  let args: ParsedArgs;
  try {
    args = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`${usage(PROG)}${PROG}: error: ${e.message}\n`);
    return 2;
  }
  try {
    await run(args, argv);
    flush();
    return 0;
  } catch (e) {
    flush();
    if (args.raiseerr) throw e;
    if (e instanceof CommandError) {
      if (!args.quiet) {
        msg(`FAILED: ${maskUrlText(e.message)}`);
        if (e.hint) hint(maskUrlText(e.hint));
      }
      return 255;
    }
    if (e instanceof HandOffFailed || e instanceof ExitCode) return e.code;
    if (e instanceof StatementError) {
      // Alembic lets a database error escape as a traceback (exit 1); the run was rolled back.
      process.stderr.write(`${PROG}: error: ${maskUrlText(e.message)}\n  in ${path.relative(process.cwd(), e.file) || e.file}:${e.line}` +
        `${e.sql ? `\n  [SQL: ${maskUrlText(e.sql.length > 500 ? e.sql.slice(0, 500) + '...' : e.sql)}]` : ''}\n` +
        (e.kept ? `  ${e.kept}\n` : args.opts.transaction_per_migration
          ? '  That migration was rolled back; the ones before it are kept (--transaction-per-migration).\n'
          : '  The run was rolled back: the database is as it was before the command.\n'));
      return 1;
    }
    if (e instanceof MissingRevisionKey) {
      // Alembic dies here with a KeyError traceback (exit 1); we name the file that points nowhere.
      const where = findGraphProblems(context.files ?? []).find((p) => p.code.startsWith('missing-') && p.message.includes(`'${e.key}'`));
      process.stderr.write(`${PROG}: error: Revision ${e.key} is not present` +
        `${where ? `, yet ${where.file}${where.line ? `:${where.line}` : ''} refers to it` : ''}.\n` +
        '  Fix the id in that file, or restore the missing revision file.\n');
      return 1;
    }
    if (e instanceof RevisionError || e instanceof StepConflictError) {
      // Where Alembic lets a revision error escape its CommandError handling (traceback, exit 1).
      process.stderr.write(`${PROG}: error: ${e.message}\n`);
      return 1;
    }
    // Anything else is our bug: say so plainly, without a stack trace unless asked.
    process.stderr.write(`${PROG}: internal error: ${maskUrlText((e as Error).message ?? String(e))}\n` +
      '  Please report this with the command you ran; rerun with --raiseerr for the stack trace.\n');
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
}
