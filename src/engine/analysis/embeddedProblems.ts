/**
 * What the embedded engine will refuse in a Python revision, found while the user types: a
 * construct it cannot run (an info: the run can be handed to alembic), or an op the project's
 * database cannot do at all (SQLite cannot ALTER in place: Alembic fails there too), or Python code
 * that fails whoever runs it (a NameError, a TypeError...).
 */
import { Problem } from '../errors';
import { dialectFor, DialectName } from '../dialects';
import { NotPossibleOnDialect, planOps } from '../ops/plan';
import { NeedsDatabase, readMigrationFunctions } from '../ops/python/reader';
import { PythonError } from '../ops/python/eval/errors';
import type { ConventionInput } from '../naming/opNames';
import { Unsupported } from '../ops/values';

export function findEmbeddedProblems(file: string, text: string, dialect?: DialectName, importRoots?: string[], convention?: ConventionInput, rebuildOutsideBatch?: boolean): Problem[] {
  const problems: Problem[] = [];
  let fns;
  try { fns = readMigrationFunctions(text, { dialect, file, importRoots }); } catch { return []; }
  for (const f of fns) {
    // Reading rows back runs online, as the run goes: only what it does before its first read is known
    // (and compiled before the run, so it is checked like any function below).
    const reads = f.unsupported instanceof NeedsDatabase;
    // Without a configured database, code that asks which one it is cannot be judged.
    if (f.unsupported && !dialect && /known only when the migration runs/.test(f.unsupported.why)) continue;
    // The run hands the migration its URL (`bind.engine.url`); the editor does not.
    if (f.unsupported && f.unsupported.construct === 'bind.url' && /known only when the migration runs/.test(f.unsupported.why)) continue;
    if (!reads && f.unsupported instanceof PythonError) {
      problems.push({ severity: 'warning', code: 'python-error', file, line: f.unsupported.line,
        message: `${f.name}() fails: ${f.unsupported.pyType}: ${f.unsupported.detail}.` });
      continue;
    }
    if (!reads && f.unsupported) {
      problems.push({ severity: 'info', code: 'not-embedded', file, line: f.unsupported.line,
        message: `The embedded engine cannot run ${f.name}(): ${f.unsupported.construct}: ${f.unsupported.why}. Runs that include it can be handed to your alembic ("Run with Alembic").` });
      continue;
    }
    if (!dialect || !f.ops) continue;
    // Op by op, so that every problem shows, not only the first (the run stops at the first).
    const noted = new Set<number>();
    const d = dialectFor(dialect);
    for (const op of f.ops) {
      try {
        for (const step of planOps([op], d, { convention, rebuildOutsideBatch })) {
          // An op outside batch mode the run rebuilds the table for (sqlite-outside-batch = "rebuild").
          if (step.kind === 'recreate' && step.note) problems.push({ severity: 'info', code: 'rebuilt-outside-batch', file, line: step.line, message: `${step.note}; your own alembic fails here.` });
          if (step.kind !== 'sql') continue;
          // What runs here but not on every version of the database (Statement.note): an info under it.
          for (const s of step.statements) {
            if (!s.note || noted.has(s.line)) continue;
            noted.add(s.line);
            problems.push({ severity: 'info', code: 'older-database-fails', file, line: s.line, message: `${s.note}.` });
          }
        }
      } catch (e) {
        if (e instanceof NotPossibleOnDialect) {
          problems.push({ severity: 'warning', code: 'not-possible-on-dialect', file, line: e.line, message: `${e.construct}: ${e.why}.` });
        } else if (e instanceof PythonError) {
          problems.push({ severity: 'warning', code: 'python-error', file, line: e.line, message: `${f.name}() fails: ${e.pyType}: ${e.detail}.` });
        } else if (e instanceof Unsupported) {
          problems.push({ severity: 'info', code: 'not-embedded', file, line: e.line,
            message: `The embedded engine cannot run ${f.name}(): ${e.construct}: ${e.why}. Runs that include it can be handed to your alembic ("Run with Alembic").` });
        }
      }
    }
  }
  return problems;
}
