/**
 * A verify run as JUnit XML, the report CI systems read: one test suite per database, one test
 * case per revision (failures carry the check's name and the schema differences; skips their reason).
 */
import path from 'node:path';
import type { RevisionResult, VerifyReport } from './types';

const xml = (s: string) => s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' }[c]!))
  // Characters XML 1.0 cannot hold at all.
  // eslint-disable-next-line no-control-regex
  .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '');
const secs = (ms: number) => (ms / 1000).toFixed(3);

export function verifyJunit(report: VerifyReport, o: { project: string; cwd: string; describe?: (revision: string) => string }): string {
  const suites = new Map<string, RevisionResult[]>();
  for (const r of report.results) suites.set(r.database, [...(suites.get(r.database) ?? []), r]);
  const count = (rs: RevisionResult[], s: RevisionResult['status']) => rs.filter((r) => r.status === s).length;
  const time = (rs: RevisionResult[]) => secs(rs.reduce((t, r) => t + r.durationMs, 0));
  const out = ['<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="migrations verify" tests="${report.results.length}" failures="${count(report.results, 'failed')}" skipped="${count(report.results, 'skipped')}" time="${secs(report.durationMs)}">`];
  for (const [db, rs] of suites) {
    out.push(`  <testsuite name="${xml(`${o.project} (${db})`)}" tests="${rs.length}" failures="${count(rs, 'failed')}" skipped="${count(rs, 'skipped')}" time="${time(rs)}">`);
    for (const r of rs) {
      const doc = o.describe?.(r.revision);
      const attrs = `classname="${xml(`${o.project}.${db}`)}" name="${xml(doc ? `${r.revision} ${doc}` : r.revision)}" file="${xml(path.relative(o.cwd, r.file) || r.file)}"${r.downgradeLine ? ` line="${r.downgradeLine}"` : ''} time="${secs(r.durationMs)}"`;
      if (r.status === 'passed') { out.push(`    <testcase ${attrs}/>`); continue; }
      out.push(`    <testcase ${attrs}>`);
      for (const f of r.failures) {
        const body = [...(f.differences ?? [f.message]), ...(f.statement ? [`statement: ${f.statement}`] : [])].join('\n');
        out.push(`      <failure type="${f.check}" message="${xml(f.message)}">${xml(body)}</failure>`);
      }
      if (r.status === 'skipped') out.push(`      <skipped message="${xml(r.skippedReason ?? 'not checked')}"/>`);
      out.push('    </testcase>');
    }
    out.push('  </testsuite>');
  }
  if (report.problems.length) out.push(`  <!-- ${xml(report.problems.join(' | ')).replace(/--/g, '- -')} -->`);
  out.push('</testsuites>');
  return out.join('\n') + '\n';
}
