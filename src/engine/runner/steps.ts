/**
 * A step of a run and how it moves the version table (Alembic's runtime/migration.py): create a
 * branch (insert a row), delete a branch, merge (delete rows, update one), unmerge (insert rows,
 * update one), or move along a branch (update). Only stamp steps are here so far.
 */
import { RevisionMap } from '../graph';
import { Script } from '../scripts/script';
import { VersionRows } from './versionTable';

export interface Step {
  readonly isUpgrade: boolean;
  /** "Running stamp_revision a -> b": what the step reports. */
  describe(): string;
  shouldDeleteBranch(heads: Set<string>): boolean;
  shouldCreateBranch(heads: Set<string>): boolean;
  shouldMergeBranches(heads: Set<string>): boolean;
  shouldUnmergeBranches(heads: Set<string>): boolean;
  deleteVersionNum(): string;
  insertVersionNum(): string;
  mergeBranchIdents(heads: Set<string>): [string[], string, string];
  unmergeBranchIdents(heads: Set<string>): [string, string, string[]];
  updateVersionNum(heads: Set<string>): [string, string];
}

/** Moves the version table without running any migration (`stamp`). */
export class StampStep implements Step {
  constructor(
    readonly from: readonly string[],
    readonly to: readonly string[],
    readonly isUpgrade: boolean,
    /** A branch appears or disappears (rather than a move along one). */
    readonly branchMove: boolean,
    readonly map?: RevisionMap<Script>,
  ) {}

  describe(): string { return `stamp_revision ${this.from.join(', ')} -> ${this.to.join(', ')}`; }
  shouldDeleteBranch(): boolean { return !this.isUpgrade && this.branchMove; }
  shouldCreateBranch(heads: Set<string>): boolean {
    return this.isUpgrade && (this.branchMove || this.from.some((f) => !heads.has(f))) && this.to.some((t) => !heads.has(t));
  }
  shouldMergeBranches(): boolean { return this.from.length > 1; }
  shouldUnmergeBranches(): boolean { return this.to.length > 1; }
  deleteVersionNum(): string { return one(this.from); }
  insertVersionNum(): string { return one(this.to); }
  mergeBranchIdents(): [string[], string, string] { return [this.from.slice(0, -1), this.from[this.from.length - 1], this.to[0]]; }
  unmergeBranchIdents(): [string, string, string[]] { return [this.from[0], this.to[this.to.length - 1], this.to.slice(0, -1)]; }
  updateVersionNum(): [string, string] { return [one(this.from), one(this.to)]; }
}

function one(ids: readonly string[]): string {
  if (ids.length !== 1) throw new Error(`expected one revision, got ${ids.length}`);
  return ids[0];
}

/** Alembic's HeadMaintainer: applies a step's effect on the version table, row by row. */
export class HeadMaintainer {
  readonly heads: Set<string>;

  constructor(private readonly rows: VersionRows, heads: Iterable<string>) {
    this.heads = new Set(heads);
  }

  async updateToStep(step: Step): Promise<void> {
    const h = this.heads;
    if (step.shouldDeleteBranch(h)) {
      await this.remove(step.deleteVersionNum());
    } else if (step.shouldCreateBranch(h)) {
      await this.add(step.insertVersionNum());
    } else if (step.shouldMergeBranches(h)) {
      const [deletes, from, to] = step.mergeBranchIdents(h);
      for (const d of deletes) await this.remove(d);
      await this.move(from, to);
    } else if (step.shouldUnmergeBranches(h)) {
      const [from, to, inserts] = step.unmergeBranchIdents(h);
      for (const i of inserts) await this.add(i);
      await this.move(from, to);
    } else {
      const [from, to] = step.updateVersionNum(h);
      await this.move(from, to);
    }
  }

  private async add(v: string) {
    if (this.heads.has(v)) throw new StepConflictError(v);
    this.heads.add(v);
    await this.rows.insert(v);
  }

  private async remove(v: string) { this.heads.delete(v); await this.rows.delete(v); }

  private async move(from: string, to: string) {
    if (this.heads.has(to)) throw new StepConflictError(to);
    this.heads.delete(from);
    this.heads.add(to);
    await this.rows.update(from, to);
  }
}

/**
 * A step would put a revision into the version table twice (e.g. `stamp X X`). Alembic stops on an
 * assertion here (exit 1); so do we, with words, and the run's transaction is rolled back.
 */
export class StepConflictError extends Error {
  constructor(readonly revision: string) {
    super(`Revision ${revision} would be in the version table twice (given twice, or overlapping a current head); nothing was changed.`);
    this.name = 'StepConflictError';
  }
}

/** Runs one revision's upgrade() or downgrade() (Alembic's RevisionStep). */
export class RevisionStep implements Step {
  constructor(readonly map: RevisionMap<Script>, readonly revision: Script, readonly isUpgrade: boolean) {}

  get name(): string { return this.isUpgrade ? 'upgrade' : 'downgrade'; }
  private get downs(): readonly string[] { return this.revision.normalizedDownRevisions; }
  get fromRevisions(): readonly string[] { return this.isUpgrade ? this.downs : [this.revision.revision]; }
  get toRevisions(): readonly string[] { return this.isUpgrade ? [this.revision.revision] : this.downs; }
  private get fromNoDeps(): readonly string[] { return this.isUpgrade ? this.revision.versionedDownRevisions : [this.revision.revision]; }
  private get toNoDeps(): readonly string[] { return this.isUpgrade ? [this.revision.revision] : this.revision.versionedDownRevisions; }

  /** "upgrade a -> b": Alembic's short_log (what `--sql` writes as a comment). */
  shortLog(): string { return `${this.name} ${this.fromNoDeps.join(', ')} -> ${this.toNoDeps.join(', ')}`; }
  /** "upgrade a -> b, message": what Alembic logs when the step runs. */
  describe(): string { return this.revision.doc ? `${this.shortLog()}, ${this.revision.doc}` : this.shortLog(); }

  shouldDeleteBranch(heads: Set<string>): boolean {
    if (this.isUpgrade || !heads.has(this.revision.revision)) return false;
    return this.downs.length === 0 || this.unmergeTo(heads).length === 0;
  }
  shouldCreateBranch(heads: Set<string>): boolean {
    if (!this.isUpgrade) return false;
    return this.downs.length === 0 || !this.downs.some((d) => heads.has(d));
  }
  shouldMergeBranches(heads: Set<string>): boolean {
    return this.isUpgrade && this.downs.length > 1 && this.downs.filter((d) => heads.has(d)).length > 1;
  }
  shouldUnmergeBranches(heads: Set<string>): boolean {
    return !this.isUpgrade && heads.has(this.revision.revision) && this.downs.length > 1;
  }
  deleteVersionNum(): string { return this.revision.revision; }
  insertVersionNum(): string { return this.revision.revision; }

  mergeBranchIdents(heads: Set<string>): [string[], string, string] {
    const others = [...heads].filter((h) => !this.fromRevisions.includes(h));
    let from = [...this.fromRevisions];
    if (others.length) {
      const anc = this.ancestorIds(others);
      from = from.filter((r) => !anc.has(r));
    }
    return [from.slice(0, -1), from[from.length - 1], this.toRevisions[0]];
  }

  unmergeBranchIdents(heads: Set<string>): [string, string, string[]] {
    const to = this.unmergeTo(heads);
    return [this.fromRevisions[0], to[to.length - 1], to.slice(0, -1)];
  }

  private unmergeTo(heads: Set<string>): string[] {
    const others = [...heads].filter((h) => h !== this.revision.revision);
    // One parent and no other head: nothing to filter, and no walk of the whole history per step
    // (which made downgrading 1,000 revisions quadratic).
    if (!others.length && this.toRevisions.length <= 1) return [...this.toRevisions];
    let anc: Set<string>;
    if (others.length) anc = this.ancestorIds(others);
    else {
      anc = new Set();
      for (const t of this.toRevisions) for (const id of this.ancestorIds([t])) if (id !== t) anc.add(id);
    }
    return this.toRevisions.filter((r) => !anc.has(r));
  }

  private ancestorIds(ids: string[]): Set<string> {
    const out = new Set<string>();
    for (const r of this.map.ancestors(this.map.getRevisions(ids), { check: false })) out.add(r.revision);
    return out;
  }

  updateVersionNum(heads: Set<string>): [string, string] {
    let down: string;
    if (this.downs.length !== 1) {
      const present = this.downs.filter((d) => heads.has(d));
      if (present.length !== 1) throw new Error("Can't do an UPDATE because downrevision is ambiguous");
      down = present[0];
    } else down = this.downs[0];
    return this.isUpgrade ? [down, this.revision.revision] : [this.revision.revision, down];
  }
}
