/**
 * A drift report as the CLI prints it: the differences grouped by table, one line each, the notes,
 * and a summary line.
 */
import type { DriftReport } from './types';

export function driftSummary(r: DriftReport): string {
  const lines: string[] = [`Drift of ${r.database} at ${r.heads.join(', ') || 'base'} against the migrations (built on ${r.scratch}):`];
  const groups = new Map<string, string[]>();
  for (const d of r.differences) {
    const g = d.table ?? '(types and sequences)';
    if (!groups.has(g)) groups.set(g, []);
    groups.get(g)!.push(d.message);
  }
  for (const [table, messages] of groups) {
    lines.push(`  ${table}`);
    for (const m of messages) lines.push(`    ${m}`);
  }
  for (const n of r.notes) lines.push(`  note: ${n}`);
  const tables = new Set([...Object.keys(r.expected.tables), ...Object.keys(r.actual.tables)]).size;
  const time = `${(r.durationMs / 1000).toFixed(1)} s`;
  const tablesWithDrift = [...groups.keys()].filter((g) => r.differences.some((d) => d.table === g)).length;
  lines.push(r.differences.length
    ? `${r.differences.length} difference(s) in ${tablesWithDrift} table(s): the database has drifted from the migrations (${tables} table(s) compared, ${time})`
    : `No drift: the database matches the migrations (${tables} table(s) compared, ${time})`);
  return lines.join('\n') + '\n';
}
