/** A revision's tooltip, the same in the Migrations view and the graph: what it is, its parents, its file. */
import type { RevisionState } from '../databaseState';

export const STATE_TEXT: Record<RevisionState, string> = { current: 'current: the database is here', applied: 'applied', pending: 'pending: not applied yet' };

export interface RevisionTooltip {
  revision: string;
  /** e.g. "(head, branchpoint) · applied". */
  suffix: string;
  doc: string;
  /** [label, ids]: parents, branch labels, dependencies. */
  details: [string, string][];
  created?: string;
  path: string;
}

export function revisionTooltip(r: { revision: string; longdoc: string; path: string; parents: readonly string[]; branchLabels: readonly string[]; dependencies: readonly string[] },
  tags: readonly string[], state?: RevisionState): RevisionTooltip {
  const details: [string, string][] = [['Parents', r.parents.join(', ') || '<base>']];
  if (r.branchLabels.length) details.push(['Branch labels', r.branchLabels.join(', ')]);
  if (r.dependencies.length) details.push(['Depends on', r.dependencies.join(', ')]);
  // Alembic's template writes the date into the docstring only; seconds are enough here.
  const created = /^Create Date: (\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d)/m.exec(r.longdoc)?.[1];
  return {
    revision: r.revision, suffix: `${tags.length ? ` (${tags.join(', ')})` : ''}${state ? ` · ${STATE_TEXT[state]}` : ''}`,
    doc: r.longdoc.split('\n\n')[0], details, created, path: r.path,
  };
}
