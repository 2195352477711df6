/**
 * A revision written from a difference between two schemas (`migrations revision --from-database`
 * and the editor's command): autogenerate's op calls put into the project's script.py.mako by the
 * revision writer, on the current head. Nothing is written when the schemas are the same.
 */
import { revision, RevisionOptions } from '../commands/revision';
import { CommandError } from '../errors';
import type { SchemaSnapshot } from '../schema/snapshot';
import type { ScriptDirectory } from '../scripts/scriptDirectory';
import type { DriftReport } from '../drift';
import { autogenerate, AutogenResult, AutogenStyle } from './index';

export interface RevisionFromDifference {
  /** The file written; absent when there was no difference. */
  path?: string;
  /** What to tell the user: the file, or that nothing differs. */
  message: string;
  /** The `# review:` notes written in the file, to say as well. */
  reviews: string[];
  result: AutogenResult;
}

export interface FromDifferenceOptions extends Pick<RevisionOptions, 'head' | 'revId' | 'now' | 'splice' | 'branchLabel' | 'versionPath' | 'dependsOn'> {
  /** SQLite: batch_alter_table blocks (default true: the only way most table changes run on SQLite). */
  batch?: boolean;
  /**
   * The revision(s) the live database is at. The revision is written on the scripts' head, so the
   * database must be there (Alembic's autogenerate refuses likewise); `expected` is the schema at them.
   */
  databaseHeads?: string[];
}

/** How the project's revisions are written: `op.f()` names when it has a naming convention; batch blocks on SQLite. */
export function styleFor(dir: ScriptDirectory, dialect: AutogenStyle['dialect'], batch = true): AutogenStyle {
  const convention = dir.config.namingConvention();
  return { dialect, useOpF: convention.convention !== undefined && !convention.isDefault, batch };
}

export function revisionFromDifference(dir: ScriptDirectory, expected: SchemaSnapshot, actual: SchemaSnapshot, message: string,
  o: FromDifferenceOptions = {}): RevisionFromDifference {
  if (expected.dialect !== actual.dialect) {
    throw new CommandError(`Cannot compare a ${expected.dialect} schema with a ${actual.dialect} one`, undefined, 'Compare the database with the migrations built on the same kind of database.');
  }
  if (o.databaseHeads) {
    const heads = dir.map.heads;
    if (o.databaseHeads.length !== heads.length || heads.some((h) => !o.databaseHeads!.includes(h))) {
      throw new CommandError('Target database is not up to date.', undefined,
        `The database is at ${o.databaseHeads.join(', ') || 'base'} and the scripts' head is ${heads.join(', ') || 'base'}: run \`migrations upgrade head\` first, then write the revision from what still differs.`);
    }
  }
  const result = autogenerate(expected, actual, styleFor(dir, expected.dialect, o.batch));
  if (result.empty) {
    return { message: 'No changes in schema detected: the database is what the migrations build; no revision was written.', reviews: [], result };
  }
  const { batch: _batch, databaseHeads: _heads, ...revisionOptions } = o;
  void _batch; void _heads;
  const path = revision(dir, {
    ...revisionOptions, message, upgrades: result.upgrades, downgrades: result.downgrades,
    imports: result.imports.join('\n'),
  });
  const notes = result.reviews.length ? ` (${result.reviews.length} change(s) to review: see the # review: comments)` : '';
  return { path, message: `Generating ${path} ...  done${notes}`, reviews: result.reviews, result };
}

/** The revision from what `drift` found: its two schemas, at the database's revision. */
export function revisionFromDrift(dir: ScriptDirectory, report: Pick<DriftReport, 'expected' | 'actual' | 'heads'>, message: string,
  o: Omit<FromDifferenceOptions, 'databaseHeads'> = {}): RevisionFromDifference {
  return revisionFromDifference(dir, report.expected, report.actual, message, { ...o, databaseHeads: report.heads });
}
