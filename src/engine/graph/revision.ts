/** One node of the revision graph: Alembic's `Revision` (script/revision.py). */
import { DependencyLoopDetected, LoopDetected, RevisionError } from './errors';

export type RevId = string | readonly string[] | null;

/** Alembic's util.to_tuple: None -> (), str -> (str,), sequence -> tuple. */
export const toTuple = (v: RevId | undefined): readonly string[] => v === null || v === undefined ? [] : typeof v === 'string' ? [v] : [...v];
/** Alembic's tuple_rev_as_scalar: () -> None, (x,) -> x. */
const asScalar = (v: readonly string[]): RevId => v.length === 0 ? null : v.length === 1 ? v[0] : v;
const dedupe = (items: readonly string[]): string[] => [...new Set(items)];

const ILLEGAL = ['@', '-', '+', ':'];

export interface RevisionOptions { branchLabels?: readonly string[]; dependencies?: readonly string[] | string | null }

export class Revision {
  readonly revision: string;
  /** None, one id, or a tuple of ids (a merge), as Alembic normalizes it. */
  readonly downRevision: RevId;
  /** The raw depends_on, normalized the same way. */
  readonly rawDependencies: RevId;
  readonly origBranchLabels: readonly string[];
  /** Labels of this revision plus those inherited along its branch (filled in by the map). */
  readonly labelSet: Set<string>;
  /** Children through down_revision; `allNextrev` also counts dependents. */
  nextrev = new Set<string>();
  allNextrev = new Set<string>();
  private resolvedDeps: readonly string[] = [];
  private normalizedDeps: readonly string[] = [];
  // Walks read these on every step of large graphs: computed once, reset when dependencies change.
  private readonly versionedDowns: readonly string[];
  private allDowns?: string[];
  private normalizedDowns?: string[];

  constructor(revision: string, downRevision: RevId, opts: RevisionOptions = {}) {
    const downs = toTuple(downRevision);
    const deps = toTuple(opts.dependencies ?? null);
    if (downs.length && downs.includes(revision)) throw new LoopDetected(revision);
    if (opts.dependencies != null && deps.includes(revision)) throw new DependencyLoopDetected(revision);
    const illegal = ILLEGAL.filter((c) => revision.includes(c)).sort();
    if (illegal.length) throw new RevisionError(`Character(s) '${illegal.join(', ')}' not allowed in revision identifier '${revision}'`);
    this.revision = revision;
    this.downRevision = asScalar(downs);
    this.versionedDowns = toTuple(this.downRevision);
    this.rawDependencies = asScalar(deps);
    this.origBranchLabels = toTuple(opts.branchLabels ?? null);
    this.labelSet = new Set(this.origBranchLabels);
  }

  get branchLabels(): string[] { return [...this.labelSet]; }
  get dependencies(): readonly string[] { return toTuple(this.rawDependencies); }
  get versionedDownRevisions(): readonly string[] { return this.versionedDowns; }
  get resolvedDependencies(): readonly string[] { return this.resolvedDeps; }
  set resolvedDependencies(ids: readonly string[]) { this.resolvedDeps = ids; this.allDowns = undefined; }
  get normalizedResolvedDependencies(): readonly string[] { return this.normalizedDeps; }
  set normalizedResolvedDependencies(ids: readonly string[]) { this.normalizedDeps = ids; this.normalizedDowns = undefined; }
  get allDownRevisions(): readonly string[] {
    return this.allDowns ??= this.resolvedDeps.length ? dedupe([...this.versionedDowns, ...this.resolvedDeps]) : dedupe(this.versionedDowns);
  }
  get normalizedDownRevisions(): readonly string[] {
    return this.normalizedDowns ??= this.normalizedDeps.length ? dedupe([...this.versionedDowns, ...this.normalizedDeps]) : dedupe(this.versionedDowns);
  }

  addNextrev(child: Revision): void {
    this.allNextrev.add(child.revision);
    if (child.versionedDownRevisions.includes(this.revision)) this.nextrev.add(child.revision);
  }

  get isHead(): boolean { return this.nextrev.size === 0; }
  get isRealHead(): boolean { return this.allNextrev.size === 0; }
  get isBase(): boolean { return this.downRevision === null; }
  get isRealBase(): boolean { return this.downRevision === null && this.rawDependencies === null; }
  get isBranchPoint(): boolean { return this.nextrev.size > 1; }
  get isRealBranchPoint(): boolean { return this.allNextrev.size > 1; }
  get isMergePoint(): boolean { return this.versionedDownRevisions.length > 1; }

  /** How Alembic names a revision in warnings (a Script overrides this with its history line). */
  toString(): string { return `Revision(${this.revision})`; }
}
