/** A revision file as a node of the revision graph: Alembic's `Script`. */
import { Revision } from '../graph/revision';
import { RevisionFileInfo } from './revisionFile';

export class Script extends Revision {
  readonly path: string;
  readonly longdoc: string;
  readonly info: RevisionFileInfo;
  /** Set by `history --indicate-current` / `current`: the database is at this revision. */
  dbCurrent = false;

  constructor(info: RevisionFileInfo & { revision: string }) {
    super(info.revision, info.downRevision, { branchLabels: info.branchLabels, dependencies: info.dependsOn });
    this.path = info.path;
    this.longdoc = info.longdoc;
    this.info = info;
  }

  /** Alembic's `Script.__str__`, which its warnings use to name a revision. */
  override toString(): string {
    const down = this.versionedDownRevisions.length ? this.versionedDownRevisions.join(', ') : '<base>';
    return `${down} -> ${this.revision}${this.isHead ? ' (head)' : ''}${this.isBranchPoint ? ' (branchpoint)' : ''}` +
      `${this.isMergePoint ? ' (mergepoint)' : ''}, ${this.doc}`;
  }

  /** The message: the docstring's first paragraph (Alembic splits on the first blank line). */
  get doc(): string {
    return this.longdoc.split('\n\n')[0];
  }
}
