/**
 * Alembic's command line, parsed the way its argparse parser does: global options, then a
 * sub-command with its own options. Unknown input is an argparse-style usage error (exit 2).
 */

export interface ParsedArgs {
  config: string[];
  name: string;
  x: string[];
  raiseerr: boolean;
  quiet: boolean;
  command?: string;
  opts: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

export class UsageError extends Error {}

interface OptionSpec { flags: string[]; key: string; takesValue: boolean; append?: boolean }

const GLOBAL: OptionSpec[] = [
  { flags: ['-c', '--config'], key: 'config', takesValue: true, append: true },
  { flags: ['-n', '--name'], key: 'name', takesValue: true },
  { flags: ['-x'], key: 'x', takesValue: true, append: true },
  { flags: ['--raiseerr'], key: 'raiseerr', takesValue: false },
  { flags: ['-q', '--quiet'], key: 'quiet', takesValue: false },
];

const verbose: OptionSpec = { flags: ['-v', '--verbose'], key: 'verbose', takesValue: false };

/** Sub-commands and their options; positional names in order (`revisions` takes one or more). */
export const COMMANDS: Record<string, { options: OptionSpec[]; positionals: string[]; help: string }> = {
  heads: { options: [verbose, { flags: ['--resolve-dependencies'], key: 'resolve_dependencies', takesValue: false }], positionals: [], help: 'Show current available heads in the script directory.' },
  branches: { options: [verbose], positionals: [], help: 'Show current branch points.' },
  history: {
    options: [{ flags: ['-r', '--rev-range'], key: 'rev_range', takesValue: true }, verbose,
      { flags: ['-i', '--indicate-current'], key: 'indicate_current', takesValue: false }],
    positionals: [], help: 'List changeset scripts in chronological order.',
  },
  show: { options: [], positionals: ['rev'], help: 'Show the revision(s) denoted by the given symbol.' },
  current: { options: [verbose, { flags: ['-c', '--check-heads'], key: 'check_heads', takesValue: false }], positionals: [], help: 'Display the current revision for a database.' },
  stamp: {
    options: [{ flags: ['--sql'], key: 'sql', takesValue: false }, { flags: ['--tag'], key: 'tag', takesValue: true },
      { flags: ['--purge'], key: 'purge', takesValue: false }],
    positionals: ['revisions+'], help: "'stamp' the revision table with the given revision; don't run any migrations.",
  },
  revision: {
    options: [{ flags: ['-m', '--message'], key: 'message', takesValue: true }, { flags: ['--autogenerate'], key: 'autogenerate', takesValue: false },
      { flags: ['--sql'], key: 'sql', takesValue: false }, { flags: ['--head'], key: 'head', takesValue: true },
      { flags: ['--splice'], key: 'splice', takesValue: false }, { flags: ['--branch-label'], key: 'branch_label', takesValue: true, append: true },
      { flags: ['--version-path'], key: 'version_path', takesValue: true }, { flags: ['--rev-id'], key: 'rev_id', takesValue: true },
      { flags: ['--depends-on'], key: 'depends_on', takesValue: true, append: true },
      // Ours: autogenerate without Python, from the database's drift (see the drift command).
      { flags: ['--from-database'], key: 'from_database', takesValue: false }, { flags: ['--ignore'], key: 'ignore', takesValue: true, append: true },
      { flags: ['--postgres-url'], key: 'postgres_url', takesValue: true }],
    positionals: [], help: 'Create a new revision file.',
  },
  merge: {
    options: [{ flags: ['-m', '--message'], key: 'message', takesValue: true }, { flags: ['--branch-label'], key: 'branch_label', takesValue: true, append: true },
      { flags: ['--rev-id'], key: 'rev_id', takesValue: true }],
    positionals: ['revisions+'], help: 'Merge two revisions together.  Creates a new migration file.',
  },
  init: {
    options: [{ flags: ['-t', '--template'], key: 'template', takesValue: true }, { flags: ['--package'], key: 'package', takesValue: false }],
    positionals: ['directory'], help: 'Initialize a new scripts directory.',
  },
  ensure_version: { options: [{ flags: ['--sql'], key: 'sql', takesValue: false }], positionals: [], help: 'Create the alembic version table if it doesn\'t exist already .' },
  upgrade: { options: migrateOptions(), positionals: ['revision'], help: 'Upgrade to a later version.' },
  downgrade: { options: migrateOptions(), positionals: ['revision'], help: 'Revert to a previous version.' },
  // Ours: the stairway check on scratch databases.
  verify: {
    options: [{ flags: ['--database'], key: 'database', takesValue: true }, { flags: ['--postgres-url'], key: 'postgres_url', takesValue: true },
      { flags: ['--junit'], key: 'junit', takesValue: true }, { flags: ['--json'], key: 'json', takesValue: false },
      { flags: ['--no-rows'], key: 'no_rows', takesValue: false }],
    positionals: ['range?'], help: 'Check that every revision upgrades, downgrades back to the same schema, and upgrades again (scratch databases).',
  },
  // Ours: the live database against the schema its migrations build (read only).
  drift: {
    options: [{ flags: ['--json'], key: 'json', takesValue: false }, { flags: ['--ignore'], key: 'ignore', takesValue: true, append: true },
      { flags: ['--postgres-url'], key: 'postgres_url', takesValue: true }],
    positionals: [], help: 'Compare the database with the schema its migrations build at its revision: changes made by hand (read only; exit 1 on drift).',
  },
};

function migrateOptions(): OptionSpec[] {
  return [{ flags: ['--sql'], key: 'sql', takesValue: false }, { flags: ['--tag'], key: 'tag', takesValue: true },
    // Ours: hand the run to the project's own alembic when the embedded engine cannot run it.
    { flags: ['--with-alembic'], key: 'with_alembic', takesValue: false },
    // Ours: commit after every migration (Alembic's transaction_per_migration) instead of once.
    { flags: ['--transaction-per-migration'], key: 'transaction_per_migration', takesValue: false }];
}

const NEGATIVE_NUMBER = /^-\d+$|^-\d*\.\d+$/;

function matchOption(arg: string, specs: OptionSpec[]): { spec: OptionSpec; inline?: string } | undefined {
  if (arg.startsWith('--')) {
    const [name, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const exact = specs.find((s) => s.flags.includes(name));
    if (exact) return { spec: exact, inline };
    // argparse accepts unambiguous prefixes of long options.
    const prefixed = specs.filter((s) => s.flags.some((f) => f.startsWith('--') && f.startsWith(name)));
    if (prefixed.length > 1) throw new UsageError(`ambiguous option: ${name} could match ${prefixed.map((s) => s.flags.find((f) => f.startsWith('--'))).join(', ')}`);
    return prefixed.length ? { spec: prefixed[0], inline } : undefined;
  }
  const short = specs.find((s) => s.flags.includes(arg.slice(0, 2)));
  if (!short) return undefined;
  if (arg.length === 2) return { spec: short };
  return short.takesValue ? { spec: short, inline: arg.slice(2).replace(/^=/, '') } : undefined;
}

export function parseArgs(argv: string[]): ParsedArgs {
  const result: ParsedArgs = { config: [], name: 'alembic', x: [], raiseerr: false, quiet: false, opts: {}, positionals: [] };
  let specs = GLOBAL;
  let i = 0;
  const isOptionLike = (a: string) => a.startsWith('-') && a !== '-' && !NEGATIVE_NUMBER.test(a);
  while (i < argv.length) {
    const arg = argv[i++];
    if (arg === '--') { result.positionals.push(...argv.slice(i)); break; }
    if (isOptionLike(arg)) {
      const m = matchOption(arg, specs);
      if (!m) throw new UsageError(`unrecognized arguments: ${arg}`);
      const { spec } = m;
      let value: string | boolean = true;
      if (spec.takesValue) {
        if (m.inline !== undefined) value = m.inline;
        else if (i < argv.length && !isOptionLike(argv[i])) value = argv[i++];
        else throw new UsageError(`argument ${spec.flags.join('/')}: expected one argument`);
      }
      const target: Record<string, unknown> = result.command ? result.opts : (result as unknown as Record<string, unknown>);
      if (spec.append) ((target[spec.key] as string[] | undefined) ?? (target[spec.key] = [] as string[]) as string[]).push(value as string);
      else target[spec.key] = value;
      continue;
    }
    if (!result.command) {
      if (!(arg in COMMANDS)) {
        throw new UsageError(`argument {${Object.keys(COMMANDS).join(',')}}: invalid choice: '${arg}' (choose from ${Object.keys(COMMANDS).map((c) => `'${c}'`).join(', ')})`);
      }
      result.command = arg;
      specs = COMMANDS[arg].options;
      continue;
    }
    result.positionals.push(arg);
  }
  if (!result.command) throw new UsageError('too few arguments');
  const wanted = COMMANDS[result.command].positionals;
  const variadic = wanted[wanted.length - 1]?.endsWith('+');
  const names = wanted.map((w) => w.replace(/[+?]$/, ''));
  const required = wanted.filter((w) => !w.endsWith('?')).length;
  if (result.positionals.length < required) throw new UsageError(`the following arguments are required: ${names.slice(result.positionals.length).join(', ')}`);
  if (!variadic && result.positionals.length > wanted.length) throw new UsageError(`unrecognized arguments: ${result.positionals.slice(wanted.length).join(' ')}`);
  return result;
}

export function usage(prog: string): string {
  return `usage: ${prog} [-h] [--version] [-c CONFIG] [-n NAME] [-x X] [--raiseerr] [-q]\n` +
    `${' '.repeat(prog.length + 8)}{${Object.keys(COMMANDS).join(',')}} ...\n`;
}

export function help(prog: string): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `    ${name.padEnd(14)}${c.help}`);
  return `${usage(prog)}\npositional arguments:\n  {${Object.keys(COMMANDS).join(',')}}\n${lines.join('\n')}\n\n` +
    'options:\n  -h, --help            show this help message and exit\n  --version             show program\'s version number and exit\n' +
    '  -c CONFIG, --config CONFIG\n                        Alternate config file; defaults to value of ALEMBIC_CONFIG\n' +
    '                        environment variable, or "alembic.ini". May also refer\n                        to pyproject.toml file.\n' +
    '  -n NAME, --name NAME  Name of section in .ini file to use for Alembic config\n' +
    '  -x X                  Additional arguments consumed by custom env.py scripts\n' +
    '  --raiseerr            Raise a full stack trace on error\n  -q, --quiet           Do not log to std output.\n';
}
