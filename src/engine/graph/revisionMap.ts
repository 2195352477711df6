/**
 * The revision map: every revision by id (and branch label), heads, bases, and identifier
 * resolution, built the way Alembic's `RevisionMap` builds it so that orders and errors match.
 */
import {
  CycleDetected, DependencyCycleDetected, MissingRevisionKey, MultipleHeads, ResolutionError, RevisionError,
} from './errors';
import { Revision, toTuple } from './revision';

/** What a target may be: an id/symbol, several, or none (the base). */
export type Ident = string | readonly string[] | null;
export type Resolved<R> = R | 'base' | null;

export class RevisionMap<R extends Revision = Revision> {
  private built?: Map<string, R>;
  private headIds: string[] = [];
  private realHeadIds: string[] = [];
  private baseIds: string[] = [];
  private realBaseIds: string[] = [];

  constructor(private readonly generator: () => Iterable<R>, private readonly onWarning: (message: string) => void = () => undefined) {}

  /** Ids and branch labels -> revision, in Alembic's insertion order. */
  get map(): Map<string, R> { return this.built ??= this.build(); }
  get heads(): readonly string[] { void this.map; return this.headIds; }
  get realHeads(): readonly string[] { void this.map; return this.realHeadIds; }
  get bases(): readonly string[] { void this.map; return this.baseIds; }
  get realBases(): readonly string[] { void this.map; return this.realBaseIds; }

  /** Revisions only (no label keys), in file order. */
  revisions(): R[] { return [...new Set(this.map.values())]; }

  at(key: string): R {
    const r = this.map.get(key);
    if (!r) throw new MissingRevisionKey(key);
    return r;
  }

  private build(): Map<string, R> {
    const map = new Map<string, R>();
    const heads = new Set<R>();
    const realHeads = new Set<R>();
    const bases: R[] = [];
    const realBases: R[] = [];
    const labelled: R[] = [];
    const all: R[] = [];
    for (const rev of this.generator()) {
      all.push(rev);
      if (map.has(rev.revision)) this.onWarning(`Revision ${rev.revision} is present more than once`);
      map.set(rev.revision, rev);
      if (rev.labelSet.size) labelled.push(rev);
      heads.add(rev);
      realHeads.add(rev);
      if (rev.isBase) bases.push(rev);
      if (rev.isRealBase) realBases.push(rev);
    }
    const revMap = new Map(map);
    this.mapBranchLabels(labelled, map);
    for (const rev of all) {
      rev.resolvedDependencies = rev.dependencies.length ? rev.dependencies.map((d) => lookup(map, d).revision) : [];
    }
    for (const rev of map.values()) { // label keys visit their revision again, as Alembic does
      for (const down of rev.allDownRevisions) {
        if (!map.has(down)) this.onWarning(`Revision ${down} referenced from ${rev} is not present`);
        const parent = lookup(map, down);
        parent.addNextrev(rev);
        if (rev.versionedDownRevisions.includes(down)) heads.delete(parent);
        realHeads.delete(parent);
      }
    }
    this.normalizeDependsOn(all, map);
    this.detectCycles(revMap, heads, bases, realHeads, realBases);
    this.headIds = [...heads].map((r) => r.revision);
    this.realHeadIds = [...realHeads].map((r) => r.revision);
    this.baseIds = bases.map((r) => r.revision);
    this.realBaseIds = realBases.map((r) => r.revision);
    this.built = map;
    this.addBranches(labelled, map);
    return map;
  }

  private mapBranchLabels(revisions: R[], map: Map<string, R>): void {
    for (const rev of revisions) {
      for (const label of rev.origBranchLabels) {
        const owner = map.get(label);
        if (owner) throw new RevisionError(`Branch name '${label}' in revision ${rev.revision} already used by revision ${owner.revision}`);
        map.set(label, rev);
      }
    }
  }

  /** Labels spread to every descendant, and up the branch to the nearest branch point or merge. */
  private addBranches(revisions: R[], map: Map<string, R>): void {
    for (const rev of revisions) {
      let node: R | undefined;
      for (node of this.descendants([rev], { includeDependencies: false, map })) {
        for (const l of rev.labelSet) node.labelSet.add(l);
      }
      let parent: R | undefined = node;
      while (parent && !parent.isRealBranchPoint && !parent.isMergePoint) {
        for (const l of rev.labelSet) parent.labelSet.add(l);
        if (parent.downRevision === null) break;
        parent = lookup(map, parent.downRevision as string);
      }
    }
  }

  private normalizeDependsOn(revisions: R[], map: Map<string, R>): void {
    for (const rev of revisions) {
      if (!rev.resolvedDependencies.length) { rev.normalizedResolvedDependencies = []; continue; }
      const normalized = new Set(rev.resolvedDependencies);
      for (const anc of this.ancestors([rev], { includeDependencies: false, map })) {
        if (anc === rev) continue;
        for (const d of anc.resolvedDependencies) normalized.delete(d);
      }
      rev.normalizedResolvedDependencies = [...normalized];
    }
  }

  private detectCycles(revMap: Map<string, R>, heads: Set<R>, bases: R[], realHeads: Set<R>, realBases: R[]): void {
    if (!revMap.size) return;
    if (!heads.size || !bases.length) throw new CycleDetected([...revMap.keys()]);
    // Which revisions are reachable from `from`, as flags over the revisions' positions: this runs
    // four times on every build (10,000 revisions included), so no Set of strings.
    const ids = [...revMap.keys()];
    const revs = [...revMap.values()];
    const position = new Map<string, number>();
    ids.forEach((id, i) => position.set(id, i));
    const reach = (fn: (r: R) => Iterable<string>, from: Iterable<R>): Uint8Array => {
      const seen = new Uint8Array(ids.length);
      const todo: number[] = [];
      for (const r of from) { const i = position.get(r.revision)!; if (!seen[i]) { seen[i] = 1; todo.push(i); } }
      while (todo.length) {
        for (const id of fn(revs[todo.pop()!])) {
          const i = position.get(id);
          if (i === undefined) { lookup(revMap, id); continue; } // throws MissingRevisionKey, as before
          if (!seen[i]) { seen[i] = 1; todo.push(i); }
        }
      }
      return seen;
    };
    const check = (down: (r: R) => Iterable<string>, up: (r: R) => Iterable<string>, top: Set<R>, bottom: R[], err: (ids: string[]) => Error) => {
      const fromTop = reach(down, top);
      const fromBottom = reach(up, bottom);
      const deleted = ids.filter((_, i) => !(fromTop[i] && fromBottom[i]));
      if (deleted.length) throw err(deleted.sort());
    };
    check((r) => r.versionedDownRevisions, (r) => r.nextrev, heads, bases, (ids) => new CycleDetected(ids));
    if (!realHeads.size || !realBases.length) throw new DependencyCycleDetected([...revMap.keys()]);
    check((r) => r.allDownRevisions, (r) => r.allNextrev, realHeads, realBases, (ids) => new DependencyCycleDetected(ids));
  }

  /** Alembic's `_iterate_related_revisions`: depth-first, each revision once. */
  *related(fn: (r: R) => Iterable<string>, targets: Iterable<Resolved<R>>, map: Map<string, R> = this.map, check = false): Generator<R> {
    const seen = new Set<R>();
    const targetList = [...targets];
    for (const t of targetList) {
      const target = asRevision(t);
      const todo: R[] = [target];
      const perTarget = new Set<R>();
      while (todo.length) {
        const rev = todo.pop()!;
        if (check) perTarget.add(rev);
        if (seen.has(rev)) continue;
        seen.add(rev);
        for (const id of fn(rev)) {
          const next = lookup(map, id);
          if (next.revision !== id) throw new RevisionError('Dependency resolution failed; broken map');
          todo.push(next);
        }
        yield rev;
      }
      if (check) {
        const overlaps = targetList.filter((x) => x !== target && perTarget.has(x as R)) as R[];
        if (overlaps.length) {
          throw new RevisionError(`Requested revision ${target.revision} overlaps with other requested revisions ${overlaps.map((r) => r.revision).join(', ')}`);
        }
      }
    }
  }

  /** Ids of a revision and all its ancestors (dependencies included): a fast `ancestors()` for sorting. */
  ancestorIds(rev: R): Set<string> {
    const seen = new Set<string>();
    const todo: R[] = [rev];
    const map = this.map;
    while (todo.length) {
      const r = todo.pop()!;
      if (seen.has(r.revision)) continue;
      seen.add(r.revision);
      for (const id of r.normalizedDownRevisions) {
        const next = map.get(id);
        if (!next) throw new MissingRevisionKey(id);
        if (!seen.has(id)) todo.push(next);
      }
    }
    return seen;
  }

  ancestors(targets: Iterable<Resolved<R>>, o: { includeDependencies?: boolean; map?: Map<string, R>; check?: boolean } = {}): Generator<R> {
    const deps = o.includeDependencies ?? true;
    return this.related((r) => deps ? r.normalizedDownRevisions : r.versionedDownRevisions, targets, o.map, o.check);
  }

  descendants(targets: Iterable<Resolved<R>>, o: { includeDependencies?: boolean; map?: Map<string, R>; check?: boolean; omitImmediateDependencies?: boolean } = {}): Generator<R> {
    const list = [...targets];
    const deps = o.includeDependencies ?? true;
    const fn = o.omitImmediateDependencies
      ? (r: R) => (list.includes(r) ? r.nextrev : r.allNextrev)
      : deps ? (r: R) => r.allNextrev : (r: R) => r.nextrev;
    return this.related(fn, list, o.map, o.check);
  }

  getCurrentHead(branchLabel?: string | null): string | null {
    let current: readonly string[] = this.heads;
    if (branchLabel) current = this.filterForLineage(current, branchLabel);
    if (current.length > 1) throw new MultipleHeads(current, branchLabel ? `${branchLabel}@head` : 'head');
    return current[0] ?? null;
  }

  /** Alembic's `get_revisions`: symbols, ids, prefixes, `label@...`, relative `-N` from heads. */
  getRevisions(id: Ident | readonly (string | null)[]): Resolved<R>[] {
    if (Array.isArray(id)) return (id as (string | null)[]).flatMap((x) => this.getRevisions(x));
    const [resolved, branch] = this.resolveRevisionNumber(id as string | null);
    if (resolved.length === 1 && /^\s*[+-]?\d+\s*$/.test(resolved[0])) {
      const n = Number.parseInt(resolved[0], 10);
      if (n < 0) {
        let heads = this.getRevisions('heads');
        if (branch !== null) heads = heads.filter((h) => asRevision(h).labelSet.has(branch));
        return heads.map((h) => this.walk(h, n));
      }
    }
    return resolved.map((r) => this.revisionForIdent(r, branch));
  }

  getRevision(id: string | null): Resolved<R> {
    const [resolved, branch] = this.resolveRevisionNumber(id);
    if (resolved.length > 1) throw new MultipleHeads(resolved, id);
    return this.revisionForIdent(resolved[0] ?? null, branch);
  }

  resolveBranch(label: string): R {
    const hit = this.map.get(label);
    if (hit) return hit;
    try {
      return this.revisionForIdent(label) as R;
    } catch (e) {
      if (e instanceof ResolutionError) throw new ResolutionError(`No such branch: '${label}'`, label);
      throw e;
    }
  }

  revisionForIdent(id: string | null, checkBranch?: string | null): Resolved<R> {
    const branchRev = checkBranch ? this.resolveBranch(checkBranch) : null;
    if (id === null) return null;
    let revision = this.map.get(id);
    if (!revision) {
      let candidates = [...this.map.keys()].filter((k) => k.length > 3 && k.startsWith(id));
      if (branchRev) candidates = this.filterForLineage(candidates, checkBranch!);
      if (!candidates.length) {
        throw new ResolutionError(`No such revision or branch '${id}'${id.length < 4 ? '; please ensure at least four characters are present for partial revision identifier matches' : ''}`, id);
      }
      if (candidates.length > 1) {
        throw new ResolutionError(`Multiple revisions start with '${id}': ${candidates.slice(0, 3).map((r) => `'${r}'`).join(', ')}...`, id);
      }
      revision = this.map.get(candidates[0])!;
    }
    if (checkBranch && branchRev && !this.sharesLineage(revision, [branchRev])) {
      throw new ResolutionError(`Revision ${revision.revision} is not a member of branch '${checkBranch}'`, id);
    }
    return revision;
  }

  filterForLineage<T extends string | Resolved<R>>(targets: Iterable<T>, checkAgainst: string | null, includeDependencies = false): T[] {
    const [ids, branch] = this.resolveRevisionNumber(checkAgainst);
    const shares: string[] = [];
    if (branch) shares.push(branch);
    shares.push(...ids);
    return [...targets].filter((t) => this.sharesLineage(t, shares, includeDependencies));
  }

  sharesLineage(target: string | Resolved<R>, against: readonly (string | R)[], includeDependencies = false): boolean {
    if (!against.length) return true;
    const rev = typeof target === 'string' ? asRevision(this.revisionForIdent(target)) : asRevision(target);
    const others = new Set(against.map((a) => typeof a === 'string' ? this.revisionForIdent(a) : a));
    for (const r of this.descendants([rev], { includeDependencies })) if (others.has(r)) return true;
    for (const r of this.ancestors([rev], { includeDependencies })) if (others.has(r)) return true;
    return false;
  }

  /** `heads`, `head`, `base`, `label@...` into ids; returns [ids, branch label]. */
  resolveRevisionNumber(id: string | null): [readonly string[], string | null] {
    let branch: string | null = null;
    if (typeof id === 'string' && id.includes('@')) {
      const at = id.indexOf('@');
      branch = id.slice(0, at);
      id = id.slice(at + 1);
    }
    void this.map;
    if (id === 'heads') return [branch ? this.filterForLineage(this.heads, branch) : this.realHeads, branch];
    if (id === 'head') {
      const head = this.getCurrentHead(branch);
      return [head ? [head] : [], branch];
    }
    if (id === 'base' || id === null) return [[], branch];
    return [toTuple(id), branch];
  }

  /** The database's current heads, each shown once at the top of its branch (`current`). */
  getAllCurrent(ids: readonly string[]): R[] {
    const top = new Set(this.getRevisions(ids).map(asRevision));
    for (const r of this.ancestors([...top], { includeDependencies: true })) top.add(r);
    // Alembic's _filter_into_branch_heads: drop what has a descendant in the set.
    for (const rev of [...top]) {
      for (const d of this.descendants([rev], { includeDependencies: false })) {
        if (d !== rev && top.has(d)) { top.delete(rev); break; }
      }
    }
    return [...top];
  }

  /** `_walk`: N steps up (children) or down (parents) from a revision; "Ambiguous walk" at a fork. */
  walk(start: string | Resolved<R>, steps: number, branchLabel: string | null = null, noOverwalk = true): Resolved<R> {
    let initial: Resolved<R> = typeof start === 'string' ? this.getRevision(start) : start;
    for (let i = 0; i < Math.abs(steps); i++) {
      let children: Resolved<R>[];
      if (steps > 0) {
        const up = this.getRevisions(initial === null ? this.bases : [...asRevision(initial).nextrev]).map(asRevision);
        children = branchLabel ? this.filterForLineage(up, branchLabel) : up;
      } else if (initial === 'base') {
        children = [];
      } else {
        children = this.getRevisions(initial === null ? this.heads : asRevision(initial).downRevision);
        if (!children.length) children = ['base'];
      }
      if (!children.length) return noOverwalk ? null : initial;
      if (children.length > 1) throw new RevisionError('Ambiguous walk');
      initial = children[0];
    }
    return initial;
  }
}

export function asRevision<R extends Revision>(rev: Resolved<R> | undefined): R {
  if (!(rev instanceof Revision)) throw new RevisionError(`Expected a revision, got ${String(rev)}`);
  return rev;
}

function lookup<R>(map: Map<string, R>, key: string): R {
  const r = map.get(key);
  if (r === undefined) throw new MissingRevisionKey(key);
  return r;
}
