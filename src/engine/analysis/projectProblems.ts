/**
 * Every problem of a project, per file and line, for the editor's diagnostics (and a future
 * `check`): file headers, the graph (missing parents, duplicates, cycles), missing or empty
 * downgrades, several heads. `textOf` supplies file contents (an editor passes unsaved buffers).
 */
import { dialectOfUrlText } from '../config/url';
import type { DialectName } from '../dialects';
import { Problem } from '../errors';
import { findGraphProblems } from '../scripts/graphProblems';
import { readRevisionFile, RevisionFileInfo } from '../scripts/revisionFile';
import { withEvaluatedHeader } from '../scripts/evaluatedHeader';
import { ScriptDirectory } from '../scripts/scriptDirectory';
import { findDowngradeProblems } from './downgradeProblems';
import { findPortabilityProblems } from './portabilityProblems';
import { findMigrationFunctions } from './migrationFunctions';
import { findEmbeddedProblems } from './embeddedProblems';
import type { ConventionInput } from '../naming/opNames';

/** The dialect of a project's configured database, if any (for portability hints). */
export function databaseDialect(dir: ScriptDirectory): DialectName | undefined {
  const url = dir.config.database?.url;
  return url ? dialectOfUrlText(url) : undefined;
}

/** One file's header (from `text`, which may be an unsaved buffer), downgrade and portability problems. */
/**
 * `embedded`: also parse the bodies fully (what the embedded engine cannot run): for the files open
 * in the editor; the workspace pass skips it, a full parse of thousands of files would hold up the UI.
 */
export function fileProblems(f: RevisionFileInfo, text: string, dialect?: DialectName, o: { embedded?: boolean; importRoots?: string[]; convention?: ConventionInput; rebuildOutsideBatch?: boolean } = {}): { info: RevisionFileInfo; downgrade: Problem[] } {
  const info = withEvaluatedHeader(readRevisionFile(f.path, text, f.kind), o.importRoots ?? [], text);
  if (info.revision === undefined) return { info, downgrade: [] };
  const fns = findMigrationFunctions(text, f.kind); // read once, checked twice
  const portability = f.kind === 'python'
    ? [...findPortabilityProblems(f.path, text, dialect, fns), ...(o.embedded === false ? [] : findEmbeddedProblems(f.path, text, dialect, o.importRoots, o.convention, o.rebuildOutsideBatch))] : [];
  return { info, downgrade: [...findDowngradeProblems(f.path, text, f.kind, fns), ...portability] };
}

/** `perFile` may serve results from a cache; by default each file is read through `textOf`. */
export function collectProblems(dir: ScriptDirectory, textOf: (file: string) => string | undefined,
  perFile: (f: RevisionFileInfo) => { info: RevisionFileInfo; downgrade: Problem[] } | undefined = (f) => {
    const text = textOf(f.path);
    return text === undefined ? undefined : fileProblems(f, text, databaseDialect(dir), { importRoots: dir.config.importRoots, convention: () => dir.config.namingConvention(), rebuildOutsideBatch: dir.config.rebuildsOutsideBatch() });
  }): Problem[] {
  const problems: Problem[] = [];
  const files: RevisionFileInfo[] = dir.files.map((f) => {
    const r = perFile(f);
    if (!r) return f;
    problems.push(...r.downgrade);
    return r.info;
  });
  const graph = [...files.flatMap((f) => f.problems), ...findGraphProblems(files)];
  problems.push(...graph);
  // Heads mean nothing in a broken graph; a file's missing downgrade does not break it.
  if (!graph.some((p) => p.severity === 'error')) problems.push(...headsProblems(dir));
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
