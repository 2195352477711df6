/**
 * Every problem of a project, per file and line, for the editor's diagnostics (and a future
 * `check`): file headers, the graph (missing parents, duplicates, cycles), missing or empty
 * downgrades, several heads. `textOf` supplies file contents (an editor passes unsaved buffers).
 */
import { Problem } from '../errors';
import { findGraphProblems } from '../scripts/graphProblems';
import { readRevisionFile, RevisionFileInfo } from '../scripts/revisionFile';
import { ScriptDirectory } from '../scripts/scriptDirectory';
import { findDowngradeProblems } from './downgradeProblems';

export function collectProblems(dir: ScriptDirectory, textOf: (file: string) => string | undefined): Problem[] {
  const problems: Problem[] = [];
  const files: RevisionFileInfo[] = dir.files.map((f) => {
    const text = textOf(f.path);
    if (text === undefined) return f;
    const info = readRevisionFile(f.path, text, f.kind); // the editor's text may differ from disk
    if (info.revision !== undefined) problems.push(...findDowngradeProblems(f.path, text, f.kind));
    return info;
  });
  problems.push(...files.flatMap((f) => f.problems), ...findGraphProblems(files));
  if (!problems.some((p) => p.severity === 'error')) problems.push(...headsProblems(dir));
  return problems;
}

function headsProblems(dir: ScriptDirectory): Problem[] {
  let heads: readonly string[];
  try { heads = dir.map.heads; } catch { return []; }
  if (heads.length < 2) return [];
  return heads.map((id) => {
    const s = dir.map.map.get(id);
    return {
      severity: 'warning' as const, code: 'multiple-heads', file: s?.path, line: s?.info.lines.revision,
      message: `The project has ${heads.length} heads (${heads.join(', ')}); \`upgrade head\` will refuse to choose. Merge them (alembic merge heads) or label the branches.`,
    };
  });
}
