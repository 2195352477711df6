/**
 * `migrations verify [--database sqlite,postgresql] [--postgres-url URL] [--junit FILE] [--json]
 * [--no-rows] [range]`: the stairway check on scratch databases. Prints one line per revision and
 * database (or the report as JSON), writes JUnit XML on request; exit 0 when nothing failed, 1 otherwise.
 * The configured database is never opened.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CommandError } from '../engine/errors';
import { parseDatabaseUrl } from '../engine/config/url';
import type { ScriptDirectory } from '../engine/scripts/scriptDirectory';
import type { VerifyDatabase } from '../engine/verify/types';
import { writeOut } from './output';

const DATABASES: VerifyDatabase[] = ['sqlite', 'postgresql'];

export async function verifyCommand(dir: ScriptDirectory, opts: Record<string, unknown>, range: string | undefined, log: (line: string) => void): Promise<number> {
  const databases = parseDatabases(opts.database as string | undefined);
  const pgUrl = opts.postgres_url as string | undefined;
  if (pgUrl) {
    const u = parseDatabaseUrl(pgUrl, '--postgres-url');
    if (u.dialect !== 'postgresql') throw new CommandError(`--postgres-url must name a PostgreSQL server (got a ${u.dialect} URL)`, undefined, 'Give postgresql://user@host:5432/postgres: a temporary database is created on that server and dropped afterwards.');
  }
  // Loaded here: the CLI's other commands never pay for the stairway and its scratch databases.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { verify, verifyJunit, verifySummary } = require('../engine/verify') as typeof import('../engine/verify');
  const controller = new AbortController();
  const onSigint = () => { log('Cancelling: the scratch databases are being removed...'); controller.abort(); process.once('SIGINT', () => process.exit(130)); };
  process.once('SIGINT', onSigint);
  try {
    const report = await verify(dir, {
      databases, range, rows: !opts.no_rows, signal: controller.signal, onLog: log,
      postgres: pgUrl ? { mode: 'server', url: pgUrl } : { mode: 'pglite' },
    });
    const describe = (id: string) => (dir.map.getRevision(id) as { doc?: string } | null)?.doc ?? '';
    if (opts.junit) {
      const file = path.resolve(opts.junit as string);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, verifyJunit(report, { project: path.basename(dir.config.cwd), cwd: dir.config.cwd, describe }));
      log(`JUnit report written to ${file}`);
    }
    writeOut(opts.json ? JSON.stringify(report, null, 2) + '\n' : verifySummary(report, describe));
    if (controller.signal.aborted) throw new CommandError('The verify run was cancelled; the scratch databases were removed.');
    return report.results.some((r) => r.status === 'failed') ? 1 : 0;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}

function parseDatabases(v: string | undefined): VerifyDatabase[] {
  if (!v) return DATABASES;
  const names = v.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean).map((s) => (s === 'postgres' || s === 'pg' ? 'postgresql' : s));
  const bad = names.filter((n) => !DATABASES.includes(n as VerifyDatabase));
  if (bad.length || !names.length) throw new CommandError(`--database: unknown database ${bad.join(', ') || '(none)'}`, undefined, 'Use sqlite, postgresql, or both: --database sqlite,postgresql');
  return [...new Set(names)] as VerifyDatabase[];
}
