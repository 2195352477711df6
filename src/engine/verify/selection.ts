/**
 * Which revisions a verify run walks and which it checks: every revision in an order Alembic can
 * upgrade through (base to all heads, branches and merges, `depends_on` respected); a range or a
 * list narrows the checked ones, and only their ancestors are applied before them.
 */
import { CommandError } from '../errors';
import { catchRevisionErrors, iterateRevisions } from '../graph';
import type { Script } from '../scripts/script';
import type { ScriptDirectory } from '../scripts/scriptDirectory';

export interface Walk {
  /** The revisions to apply, in upgrade order. */
  order: Script[];
  /** The ones checked (the others are applied unchecked, as ancestors of a checked one). */
  checked: Set<string>;
}

/** The upgrade order from base to every head (Alembic's `upgrade heads`). */
function upgradeOrder(dir: ScriptDirectory): Script[] {
  return catchRevisionErrors(() => [...iterateRevisions(dir.map, 'heads', [], { implicitBase: true })].reverse());
}

/**
 * `range`: `a:b` checks the revisions after `a` up to `b` (Alembic's history range; either side may
 * be empty); a single revision checks that revision. `revisions`: these exactly.
 */
export function selectWalk(dir: ScriptDirectory, o: { range?: string; revisions?: string[] }): Walk {
  const all = upgradeOrder(dir);
  let checked: Set<string>;
  if (o.revisions?.length) {
    checked = new Set(o.revisions.map((r) => resolve(dir, r)));
  } else if (o.range) {
    if (o.range.includes(':')) {
      const [lower, upper] = o.range.split(':', 2);
      checked = new Set(catchRevisionErrors(() => [...iterateRevisions(dir.map, upper || 'heads', lower || 'base', { implicitBase: true, assertRelativeLength: false })])
        .map((s) => s.revision));
    } else {
      checked = new Set([resolve(dir, o.range)]);
    }
  } else {
    return { order: all, checked: new Set(all.map((s) => s.revision)) };
  }
  const needed = new Set<string>();
  const visit = (id: string) => {
    if (needed.has(id)) return;
    needed.add(id);
    const s = dir.map.getRevision(id) as Script | null;
    for (const d of s?.normalizedDownRevisions ?? []) visit(d);
  };
  checked.forEach(visit);
  return { order: all.filter((s) => needed.has(s.revision)), checked };
}

function resolve(dir: ScriptDirectory, id: string): string {
  const r = catchRevisionErrors(() => dir.map.getRevision(id)) as Script | null;
  if (!r) throw new CommandError(`${id} names no revision to verify`, undefined, 'Give a revision id (or a unique prefix), or a range a:b.');
  return r.revision;
}
