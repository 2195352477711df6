/** The text Alembic prints for a revision (script/base.py: `log_entry`, `_head_only`, `cmd_format`). */
import { Script } from '../scripts/script';

const comma = (items: Iterable<string>) => [...items].join(', ');

export function formatDownRevision(s: Script): string {
  const down = s.downRevision;
  const empty = down === null || down === '' || (Array.isArray(down) && down.length === 0);
  return empty ? '<base>' : comma(s.versionedDownRevisions);
}

export function logEntry(s: Script): string {
  let entry = `Rev: ${s.revision}${s.isHead ? ' (head)' : ''}${s.isBranchPoint ? ' (branchpoint)' : ''}` +
    `${s.isMergePoint ? ' (mergepoint)' : ''}${s.dbCurrent ? ' (current)' : ''}\n`;
  entry += `${s.isMergePoint ? 'Merges' : 'Parent'}: ${formatDownRevision(s)}\n`;
  if (s.dependencies.length) entry += `Also depends on: ${comma(s.dependencies)}\n`;
  if (s.isBranchPoint) entry += `Branches into: ${comma(s.nextrev)}\n`;
  if (s.branchLabels.length) entry += `Branch names: ${comma(s.branchLabels)}\n`;
  entry += `Path: ${s.path}\n`;
  // Python's str.splitlines() on '' yields nothing, leaving just the blank line.
  entry += `\n${splitLines(s.longdoc).map((p) => `    ${p}`).join('\n')}\n`;
  return entry;
}

// Python's str.splitlines() also breaks on these separators (FS, GS, RS among them).
// eslint-disable-next-line no-control-regex
const LINE_BREAK = /\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/;

/** Python's `str.splitlines()`: no trailing empty element, splits on the usual line breaks. */
function splitLines(text: string): string[] {
  if (text === '') return [];
  const parts = text.split(LINE_BREAK);
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
}

export interface HeadOnlyOptions {
  includeBranches?: boolean;
  includeDoc?: boolean;
  includeParents?: boolean;
  treeIndicators?: boolean;
  headIndicators?: boolean;
}

export function headOnly(s: Script, o: HeadOnlyOptions = {}): string {
  const { includeBranches = false, includeDoc = false, includeParents = false, treeIndicators = true, headIndicators = true } = o;
  let text = s.revision;
  if (includeParents) {
    text = s.dependencies.length
      ? `${formatDownRevision(s)} (${comma(s.dependencies)}) -> ${text}`
      : `${formatDownRevision(s)} -> ${text}`;
  }
  if (includeBranches && s.branchLabels.length) text += ` (${comma(s.branchLabels)})`;
  if (headIndicators || treeIndicators) {
    text += `${s.isRealHead ? ' (head)' : ''}${s.isHead && !s.isRealHead ? ' (effective head)' : ''}${s.dbCurrent ? ' (current)' : ''}`;
  }
  if (treeIndicators) text += `${s.isBranchPoint ? ' (branchpoint)' : ''}${s.isMergePoint ? ' (mergepoint)' : ''}`;
  if (includeDoc) text += `, ${s.doc}`;
  return text;
}

export function cmdFormat(s: Script, verbose: boolean, o: Omit<HeadOnlyOptions, 'headIndicators'> = {}): string {
  return verbose ? logEntry(s) : headOnly(s, o);
}
