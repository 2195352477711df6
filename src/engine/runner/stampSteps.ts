/** Which stamp steps take the version table from `heads` to `targets` (Alembic's `_stamp_revs`). */
import { catchRevisionErrors, RevisionMap } from '../graph';
import { Script } from '../scripts/script';
import { StampStep } from './steps';

export function stampSteps(map: RevisionMap<Script>, targets: readonly string[], heads: readonly string[]): StampStep[] {
  return catchRevisionErrors(() => {
    const headRevs = map.getRevisions(heads).filter((r): r is Script => r instanceof Script);
    const wanted = targets.length ? targets : ['base'];
    const filtered: Script[] = [];
    for (const rev of wanted) {
      if (!rev) continue;
      for (const h of map.filterForLineage(headRevs, rev, true)) if (!filtered.includes(h)) filtered.push(h);
    }
    const resolved = map.getRevisions(wanted);
    const dests = resolved.length ? resolved : [null];
    const steps: StampStep[] = [];
    for (const dest of dests) {
      if (!(dest instanceof Script)) {
        // 'base': delete each applicable branch.
        steps.push(...filtered.map((h) => new StampStep([h.revision], [], false, true, map)));
        continue;
      }
      if (filtered.includes(dest)) continue; // already in the version table
      const descendants = new Set(map.descendants([dest]));
      const ancestors = new Set(map.ancestors([dest]));
      const ids = filtered.map((h) => h.revision);
      if (filtered.some((h) => descendants.has(h))) steps.push(new StampStep(ids, [dest.revision], false, false, map));
      else if (filtered.some((h) => ancestors.has(h))) steps.push(new StampStep(ids, [dest.revision], true, false, map));
      else steps.push(new StampStep([], [dest.revision], true, true, map)); // a branch not represented yet
    }
    return steps;
  }, { multipleHeads: 'Multiple heads are present; please specify a single target revision' });
}
