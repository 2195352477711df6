/** The readable end of a verify run: one line per revision and database, the failures under it, a total. */
import type { RevisionResult, VerifyReport } from './types';

const MARK: Record<RevisionResult['status'], string> = { passed: 'PASS', failed: 'FAIL', skipped: 'SKIP' };
const DB: Record<RevisionResult['database'], string> = { sqlite: 'SQLite', postgresql: 'PostgreSQL' };

/** `describe` gives a revision's message (the first line of its docstring). */
export function verifySummary(report: VerifyReport, describe: (revision: string) => string = () => ''): string {
  const lines: string[] = [];
  let db: string | undefined;
  for (const r of report.results) {
    if (r.database !== db) { db = r.database; lines.push(`${DB[r.database]}:`); }
    const doc = describe(r.revision);
    lines.push(`  ${MARK[r.status]} ${r.revision}${doc ? `  ${doc}` : ''}  (${r.durationMs} ms)`);
    for (const f of r.failures) {
      lines.push(`       ${f.check}: ${f.message}`);
      for (const d of (f.differences ?? []).slice(1)) lines.push(`         ${d}`);
      if (f.statement) lines.push(`         statement: ${oneLine(f.statement)}`);
    }
    if (r.skippedReason) lines.push(`       ${r.status === 'skipped' ? 'skipped' : 'not checked'}: ${r.skippedReason}`);
    for (const w of r.warnings) lines.push(`       note: ${w}`);
  }
  for (const p of report.problems) lines.push(`warning: ${p}`);
  const count = (s: RevisionResult['status']) => report.results.filter((r) => r.status === s).length;
  lines.push(`${report.results.length} check(s): ${count('passed')} passed, ${count('failed')} failed, ${count('skipped')} skipped (${(report.durationMs / 1000).toFixed(1)} s)`);
  return lines.join('\n') + '\n';
}

const oneLine = (sql: string) => { const s = sql.replace(/\s+/g, ' ').trim(); return s.length > 200 ? `${s.slice(0, 197)}...` : s; };
