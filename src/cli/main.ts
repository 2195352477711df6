/**
 * `migrations`: Alembic's command line on the embedded engine. Same verbs, same output, same
 * exit codes: 0 on success, 255 with "FAILED: <message>" on a command error (as Alembic's
 * `sys.exit(-1)`), 2 on a usage error.
 */
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { loadProjectConfig } from '../engine/config/project';
import { CommandError } from '../engine/errors';
import { maskUrlText } from '../engine/config/url';
import { HeaderCache } from '../engine/scripts/headerCache';
import { findGraphProblems } from '../engine/scripts/graphProblems';
import { RevisionFileInfo } from '../engine/scripts/revisionFile';
import { MissingRevisionKey, RevisionError } from '../engine/graph';
import { assertReadable, loadScriptDirectory } from '../engine/scripts/scriptDirectory';
import * as readOnly from '../engine/commands/readOnly';
import { stamp } from '../engine/commands/stamp';
import { StepConflictError } from '../engine/runner/steps';
import { help, parseArgs, ParsedArgs, usage, UsageError } from './args';
import { flush, hint, msg, warn, writeOut } from './output';

const PROG = 'migrations';
const VERSION = '0.1.0';

function cacheFile(scriptLocation: string): string | undefined {
  if (process.env.MIGRATIONS_NO_CACHE) return undefined;
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  const key = crypto.createHash('sha1').update(scriptLocation).digest('hex').slice(0, 16);
  return path.join(base, 'alembic-migrations', `headers-${key}.json`);
}

/** What the error report may need to know about the run. */
const context: { files?: RevisionFileInfo[] } = {};

async function run(args: ParsedArgs): Promise<void> {
  if (args.config.length > 2) throw new CommandError('only one ini file may be indicated');
  const toml = args.config.find((c) => path.basename(c) === 'pyproject.toml');
  const inis = args.config.filter((c) => path.basename(c) !== 'pyproject.toml');
  if (inis.length > 1) throw new CommandError('only one ini file may be indicated');
  const config = loadProjectConfig({ iniPath: inis[0], tomlPath: toml, section: args.name });
  for (const w of config.warnings) process.stderr.write(`DeprecationWarning: ${w}\n`);

  const cachePath = cacheFile(config.scriptLocation);
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
    case 'stamp':
      return stamp(dir, args.positionals, {
        purge: !!o.purge, sql: !!o.sql,
        // How long to wait for another run's lock (PostgreSQL), in seconds.
        lockTimeoutMs: Number(process.env.MIGRATIONS_LOCK_TIMEOUT ?? 60) * 1000,
        onStep: (text) => { if (!args.quiet) process.stderr.write(`INFO  [alembic.runtime.migration] ${text}\n`); },
      });
  }
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
    await run(args);
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
