/** Revision-graph errors, with Alembic's wording (script/revision.py). */
import { CommandError } from '../errors';

export class RevisionError extends Error {
  constructor(message: string) { super(message); this.name = 'RevisionError'; }
}

export class RangeNotAncestorError extends RevisionError {
  constructor(readonly lower: string | readonly string[] | null, readonly upper: string | readonly string[] | null) {
    super(`Revision ${show(lower) || 'base'} is not an ancestor of revision ${show(upper) || 'base'}`);
  }
}

export class MultipleHeads extends RevisionError {
  constructor(readonly heads: readonly string[], readonly argument: string | null) {
    super(`Multiple heads are present for given argument '${argument}'; ${heads.join(', ')}`);
  }
}

export class ResolutionError extends RevisionError {
  constructor(message: string, readonly argument: string) { super(message); }
}

export class CycleDetected extends RevisionError {
  constructor(readonly revisions: readonly string[], kind = 'Cycle') {
    super(`${kind} is detected in revisions (${revisions.join(', ')})`);
  }
}

export class DependencyCycleDetected extends CycleDetected {
  constructor(revisions: readonly string[], kind = 'Dependency cycle') { super(revisions, kind); }
}

export class LoopDetected extends CycleDetected {
  constructor(revision: string) { super([revision], 'Self-loop'); }
}

export class DependencyLoopDetected extends DependencyCycleDetected {
  constructor(revision: string) { super([revision], 'Dependency self-loop'); }
}

/**
 * Where Alembic would fail with a Python KeyError (a parent or dependency that names nothing):
 * not a RevisionError, so Alembic prints a traceback and exits 1. We say it plainly.
 */
export class MissingRevisionKey extends Error {
  constructor(readonly key: string) {
    super(`Revision ${key} is not present in the script directory (Alembic fails here with KeyError: '${key}')`);
    this.name = 'MissingRevisionKey';
  }
}

/** Python's %s of a str or a tuple of str. */
export function show(v: string | readonly string[] | null | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  return v.length === 1 ? `('${v[0]}',)` : `(${v.map((x) => `'${x}'`).join(', ')})`;
}

export interface CatchOptions {
  ancestor?: string;
  multipleHeads?: string;
  start?: string | readonly string[] | null;
  end?: string | readonly string[] | null;
  resolution?: string;
}

/**
 * The message Alembic's `ScriptDirectory._catch_revision_errors` puts in its CommandError for a
 * revision error; other errors are rethrown unchanged.
 */
export function toCommandMessage(err: unknown, opts: CatchOptions = {}): string {
  if (err instanceof RangeNotAncestorError) {
    const start = opts.start ?? err.lower;
    const end = opts.end ?? err.upper;
    const tpl = opts.ancestor || 'Requested range %(start)s:%(end)s does not refer to ancestor/descendant revisions along the same branch';
    return tpl.replace('%(start)s', show(start) || 'None').replace('%(end)s', show(end) || 'None');
  }
  if (err instanceof MultipleHeads) {
    const tpl = opts.multipleHeads || "Multiple head revisions are present for given argument '%(head_arg)s'; please specify a specific target revision, '<branchname>@%(head_arg)s' to narrow to a specific head, or 'heads' for all heads";
    const headArg = (opts.end && show(opts.end)) || (err.argument ?? 'None');
    return tpl.split('%(head_arg)s').join(headArg).split('%(heads)s').join(err.heads.join(', '));
  }
  if (err instanceof ResolutionError) return opts.resolution ?? `Can't locate revision identified by '${err.argument}'`;
  if (err instanceof RevisionError) return err.message;
  throw err;
}

/** Runs `fn`, turning revision errors into Alembic's CommandError wording (other errors pass through). */
export function catchRevisionErrors<T>(fn: () => T, opts?: CatchOptions): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof CommandError) throw e;
    throw new CommandError(toCommandMessage(e, opts));
  }
}
