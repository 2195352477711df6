/**
 * Walking the revision map: Alembic's `iterate_revisions` with its upgrade/downgrade collection
 * and its topological sort (whose exact order `history` prints), and the current-heads helpers.
 */
import { MissingRevisionKey, RangeNotAncestorError, RevisionError } from './errors';
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

/**
 * Alembic's `_topological_sort`, step for step (the order is what `history` prints). Ancestor
 * sets are byte arrays over revision indexes: Alembic recomputes them at every merge, which is
 * quadratic in Python on large graphs. A generator, so that a caller wanting the newest rows
 * (the editor's first page) pays only for those.
 */
function* topologicalSort<R extends Revision>(map: RevisionMap<R>, revisions: Set<R>, heads: readonly Resolved<R>[]): Generator<string> {
  const revs = map.revisions();
  const index = new Map<string, number>();
  revs.forEach((r, i) => index.set(r.revision, i));
  const downs = revs.map((r) => r.normalizedDownRevisions.map((id) => {
    const i = index.get(id);
    if (i === undefined) throw new MissingRevisionKey(id);
    return i;
  }));
  const ancestorsOf = (start: number): Uint8Array => {
    const seen = new Uint8Array(revs.length);
    const stack = [start];
    while (stack.length) {
      const i = stack.pop()!;
      if (seen[i]) continue;
      seen[i] = 1;
      for (const d of downs[i]) if (!seen[d]) stack.push(d);
    }
    return seen;
  };
  const todo = new Uint8Array(revs.length);
  let remaining = 0;
  for (const r of revisions) { const i = index.get(r.revision)!; if (!todo[i]) { todo[i] = 1; remaining++; } }
  // Map key order (ids, then labels) decides the order of the starting heads.
  const order = new Map<string, number>();
  let k = 0;
  for (const key of map.map.keys()) if (!order.has(key)) order.set(key, k++);
  const currentHeads = [...new Set(heads.filter((h): h is R => h instanceof Revision && todo[index.get(h.revision)!] === 1).map((h) => h.revision))]
    .sort((a, b) => order.get(a)! - order.get(b)!)
    .map((id) => index.get(id)!);
  const ancestorsByIdx = currentHeads.map(ancestorsOf);
  let idx = 0;
  while (currentHeads.length) {
    const candidate = currentHeads[idx];
    const blocker = ancestorsByIdx.findIndex((anc, h) => h !== idx && anc[candidate] === 1);
    if (blocker >= 0) { idx = blocker; continue; } // another head needs us first
    if (todo[candidate]) { yield revs[candidate].revision; todo[candidate] = 0; remaining--; }
    const rev = revs[candidate];
    const toAdd = downs[candidate].filter((d) => todo[d] === 1 && !currentHeads.includes(d));
    if (!toAdd.length) {
      currentHeads.splice(idx, 1);
      ancestorsByIdx.splice(idx, 1);
      idx = Math.max(idx - 1, 0);
    } else if (!rev.normalizedResolvedDependencies.length && rev.versionedDownRevisions.length === 1) {
      currentHeads[idx] = toAdd[0];
      ancestorsByIdx[idx][candidate] = 0;
    } else {
      currentHeads[idx] = toAdd[0];
      currentHeads.push(...toAdd.slice(1));
      ancestorsByIdx[idx] = ancestorsOf(toAdd[0]);
      ancestorsByIdx.push(...toAdd.slice(1).map(ancestorsOf));
    }
  }
  if (remaining) throw new RevisionError('Topological sort did not reach every revision');
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
