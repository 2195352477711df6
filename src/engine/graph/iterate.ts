/**
 * Walking the revision map: Alembic's `iterate_revisions` with its upgrade/downgrade collection
 * and its topological sort (whose exact order `history` prints), and the current-heads helpers.
 */
import { RangeNotAncestorError, RevisionError } from './errors';
import { Revision } from './revision';
import { asRevision, Ident, Resolved, RevisionMap } from './revisionMap';
import { parseDowngradeTarget, parseUpgradeTarget } from './targets';

export interface IterateOptions {
  implicitBase?: boolean;
  inclusive?: boolean;
  assertRelativeLength?: boolean;
  selectForDowngrade?: boolean;
}

export function* iterateRevisions<R extends Revision>(map: RevisionMap<R>, upper: Ident, lower: Ident, o: IterateOptions = {}): Generator<R> {
  const opts = { inclusive: o.inclusive ?? false, implicitBase: o.implicitBase ?? false, assertRelativeLength: o.assertRelativeLength ?? true };
  const [revisions, heads] = o.selectForDowngrade
    ? collectDowngradeRevisions(map, upper, lower, opts)
    : collectUpgradeRevisions(map, upper, lower, opts);
  for (const id of topologicalSort(map, revisions, heads)) yield asRevision(map.getRevision(id));
}

/** `ScriptDirectory.walk_revisions`: what `history` lists, newest first. */
export function walkRevisions<R extends Revision>(map: RevisionMap<R>, base: Ident = 'base', head: Ident = 'heads'): Generator<R> {
  return iterateRevisions(map, head, base, { inclusive: true, assertRelativeLength: false });
}

type CollectOptions = { inclusive: boolean; implicitBase: boolean; assertRelativeLength: boolean };

function topologicalSort<R extends Revision>(map: RevisionMap<R>, revisions: Set<R>, heads: readonly Resolved<R>[]): string[] {
  const ancestorsOf = (id: string) => new Set([...map.ancestors([map.at(id)])].map((r) => r.revision));
  const todo = new Set([...revisions].map((r) => r.revision));
  const order = new Map<string, number>();
  let i = 0;
  for (const k of map.map.keys()) if (!order.has(k)) order.set(k, i++);
  const currentHeads = [...new Set(heads.filter((h): h is R => h instanceof Revision && todo.has(h.revision)).map((h) => h.revision))]
    .sort((a, b) => order.get(a)! - order.get(b)!);
  const ancestorsByIdx = currentHeads.map(ancestorsOf);
  const output: string[] = [];
  let idx = 0;
  while (currentHeads.length) {
    const candidate = currentHeads[idx];
    const blocker = ancestorsByIdx.findIndex((anc, k) => k !== idx && anc.has(candidate));
    if (blocker >= 0) { idx = blocker; continue; } // another head needs us first
    if (todo.has(candidate)) { output.push(candidate); todo.delete(candidate); }
    const rev = map.at(candidate);
    const toAdd = rev.normalizedDownRevisions.filter((r) => todo.has(r) && !currentHeads.includes(r));
    if (!toAdd.length) {
      currentHeads.splice(idx, 1);
      ancestorsByIdx.splice(idx, 1);
      idx = Math.max(idx - 1, 0);
    } else if (!rev.normalizedResolvedDependencies.length && rev.versionedDownRevisions.length === 1) {
      currentHeads[idx] = toAdd[0];
      ancestorsByIdx[idx].delete(candidate);
    } else {
      currentHeads[idx] = toAdd[0];
      currentHeads.push(...toAdd.slice(1));
      ancestorsByIdx[idx] = ancestorsOf(toAdd[0]);
      ancestorsByIdx.push(...toAdd.slice(1).map(ancestorsOf));
    }
  }
  if (todo.size) throw new RevisionError(`Topological sort left ${[...todo].join(', ')} unvisited`);
  return output;
}

function collectDowngradeRevisions<R extends Revision>(map: RevisionMap<R>, upper: Ident, lower: Ident, o: CollectOptions): [Set<R>, Resolved<R>[]] {
  const [branchLabel, parsed] = parseDowngradeTarget(map, upper, lower, o.assertRelativeLength);
  const target = parsed === 'base' ? null : parsed;
  let roots: R[];
  if (target === null) roots = map.revisions().filter((r) => r.downRevision === null);
  else if (o.inclusive) roots = [target];
  else roots = map.getRevisions([...target.nextrev]).map(asRevision);
  if (branchLabel && roots.length > 1) {
    const anc = new Set([...map.ancestors([map.resolveBranch(branchLabel)], { includeDependencies: false })].map((r) => r.revision));
    roots = map.getRevisions(roots.map((r) => r.revision).filter((id) => anc.has(id))).map(asRevision);
    if (!roots.length) throw new RevisionError('Not a valid downgrade target from current heads');
  }
  const heads = map.getRevisions(upper as string | readonly string[] | null);
  const down = new Set(map.descendants(roots, { includeDependencies: true, omitImmediateDependencies: false }));
  const active = new Set(map.ancestors(heads, { includeDependencies: true }));
  for (const r of down) if (!active.has(r)) down.delete(r);
  if (o.implicitBase) {
    const rootAnc = new Set(map.ancestors(roots));
    for (const r of active) if (!rootAnc.has(r)) down.add(r);
  }
  if (target !== null && !down.size && !heads.includes(target)) throw new RangeNotAncestorError('Nothing to drop', upper);
  return [down, heads];
}

function collectUpgradeRevisions<R extends Revision>(map: RevisionMap<R>, upper: Ident, lower: Ident, o: CollectOptions): [Set<R>, Resolved<R>[]] {
  let targets: R[] = parseUpgradeTarget(map, lower, upper, o.assertRelativeLength).map(asRevision);
  if (typeof lower === 'string' && lower.includes('@')) {
    let branch = lower.slice(0, lower.indexOf('@'));
    const branchRev = map.getRevision(branch);
    if (branchRev instanceof Revision && branchRev.revision === branch) branch = [...branchRev.labelSet][0];
    targets = [...new Set(targets.filter((t) => t.labelSet.has(branch)))];
  }
  const required = new Set(map.ancestors(targets, { check: true, includeDependencies: true }));
  for (const t of targets) required.add(t);
  let current = map.getRevisions(lower as string | readonly string[] | null);
  if (!o.implicitBase && current.some((r) => r !== null && !required.has(r as R))) throw new RangeNotAncestorError(lower, upper);
  if (current.length && current[0] === null) {
    const [, rev] = parseDowngradeTarget(map, upper, lower, o.assertRelativeLength);
    if (rev === 'base' || rev === null) { current = []; lower = null; } else { current = [rev]; lower = rev.revision; }
  }
  const have = new Set(map.ancestors(current, { check: true, includeDependencies: true }));
  for (const c of current) if (c instanceof Revision) have.add(c as R);
  const needs = new Set([...required].filter((r) => !have.has(r)));
  if (o.inclusive) for (const r of map.getRevisions(lower as string | null)) needs.add(asRevision(r));
  if (current.length && !o.implicitBase) {
    const lowerDesc = new Set(map.descendants(current.map(asRevision), { check: true, includeDependencies: false }));
    for (const r of needs) if (!lowerDesc.has(r)) needs.delete(r);
  }
  return [needs, targets];
}
