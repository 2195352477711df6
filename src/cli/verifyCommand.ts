/**
 * `migrations verify [--database sqlite,postgresql] [--postgres-url URL] [--junit FILE] [--json]
 * [--no-rows] [range]`: the stairway check on scratch databases. Prints one line per revision and
 * database (or the report as JSON), writes JUnit XML on request; exit 0 when nothing failed, 1 otherwise.
 * The configured database is never opened.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CommandError } from '../engine/errors';
import type { ScriptDirectory } from '../engine/scripts/scriptDirectory';
import type { VerifyDatabase } from '../engine/verify/types';
import { writeOut } from './output';
import { cancellable, postgresScratch } from './scratchRun';

const DATABASES: VerifyDatabase[] = ['sqlite', 'postgresql'];

export async function verifyCommand(dir: ScriptDirectory, opts: Record<string, unknown>, range: string | undefined, log: (line: string) => void): Promise<number> {
  const databases = parseDatabases(opts.database as string | undefined);
  const postgres = postgresScratch(opts);
  // Loaded here: the CLI's other commands never pay for the stairway and its scratch databases.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { verify, verifyJunit, verifySummary } = require('../engine/verify') as typeof import('../engine/verify');
  return cancellable(log, async (signal) => {
    const report = await verify(dir, { databases, range, rows: !opts.no_rows, signal, onLog: log, postgres });
    const describe = (id: string) => (dir.map.getRevision(id) as { doc?: string } | null)?.doc ?? '';
    if (opts.junit) {
      const file = path.resolve(opts.junit as string);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, verifyJunit(report, { project: path.basename(dir.config.cwd), cwd: dir.config.cwd, describe }));
      log(`JUnit report written to ${file}`);
    }
    writeOut(opts.json ? JSON.stringify(report, null, 2) + '\n' : verifySummary(report, describe));
    if (signal.aborted) throw new CommandError('The verify run was cancelled; the scratch databases were removed.');
    return report.results.some((r) => r.status === 'failed') ? 1 : 0;
  });
}

function parseDatabases(v: string | undefined): VerifyDatabase[] {
  if (!v) return DATABASES;
  const names = v.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean).map((s) => (s === 'postgres' || s === 'pg' ? 'postgresql' : s));
  const bad = names.filter((n) => !DATABASES.includes(n as VerifyDatabase));
  if (bad.length || !names.length) throw new CommandError(`--database: unknown database ${bad.join(', ') || '(none)'}`, undefined, 'Use sqlite, postgresql, or both: --database sqlite,postgresql');
  return [...new Set(names)] as VerifyDatabase[];
}
