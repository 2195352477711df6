/**
 * CodeLens on revision files: where the revision stands against the project's database
 * (current / applied / pending) and its place in the graph. Computed from the store, so it
 * follows file and database changes; the header line comes from the document's own text.
 */
import * as vscode from 'vscode';
import { readRevisionFile, revisionFileKind } from '../engine/scripts/revisionFile';
import { shapeTags } from './migrationsTree';
import { ProjectState, ProjectStore } from './projectStore';

const STATE_LABEL = { current: '$(debug-stackframe) current: the database is here', applied: '$(pass-filled) applied', pending: '$(circle-large-outline) pending' };

export class RevisionCodeLens implements vscode.CodeLensProvider {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(private readonly store: ProjectStore) {
    store.onDidChange(() => this.changed.fire());
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const file = document.uri.fsPath;
    const project = this.store.ownerOf(file);
    const kind = revisionFileKind(file.split(/[\\/]/).pop() ?? '');
    if (!project?.dir || !kind) return [];
    const info = readRevisionFile(file, document.getText(), kind); // unsaved edits count
    if (!info.revision) return [];
    const line = Math.max(0, (info.lines.revision ?? 1) - 1);
    const range = new vscode.Range(line, 0, line, 0);
    const lenses: vscode.CodeLens[] = [];
    const db = project.db;
    const state = db?.status === 'ok' ? db.states.get(info.revision) : undefined;
    if (state) {
      const pendingBelow = state === 'pending' && db?.status === 'ok' ? this.pendingUpTo(project, info.revision) : 0;
      const title = state === 'pending' && pendingBelow > 1 ? `${STATE_LABEL.pending} (${pendingBelow} revisions to apply up to here)` : STATE_LABEL[state];
      lenses.push(new vscode.CodeLens(range, { title, command: 'alembicMigrations.revisions.focus', tooltip: 'Show in the Migrations view' }));
      const arg = { root: project.found.root, revision: info.revision };
      if (vscode.workspace.isTrusted) {
        lenses.push(state === 'pending'
          ? new vscode.CodeLens(range, { title: '$(play) Apply (upgrade to here)', command: 'alembicMigrations.upgradeTo', arguments: [arg], tooltip: `Upgrade the database to ${info.revision}` })
          : new vscode.CodeLens(range, { title: '$(discard) Revert (downgrade to before this)', command: 'alembicMigrations.downgradeTo', arguments: [arg], tooltip: `Downgrade the database to just before ${info.revision}` }));
      }
    } else if (db && db.status !== 'ok') {
      const title = db.status === 'error' ? '$(warning) database state unknown' : db.reason === 'untrusted' ? '$(shield) database not read' : '$(database) no database';
      lenses.push(new vscode.CodeLens(range, { title, command: 'alembicMigrations.statusActions', tooltip: db.message }));
    }
    // TypeScript/JavaScript revisions make their SQL by running against a live database: nothing to show offline.
    if (kind === 'python' || kind === 'sql') lenses.push(new vscode.CodeLens(range, { title: '$(file-code) Show SQL', command: 'alembicMigrations.showSql', arguments: [{ root: project.found.root, revision: info.revision }], tooltip: 'The SQL this revision runs (offline mode; nothing runs)' }));
    const s = project.graphError ? undefined : project.dir.map.map.get(info.revision);
    // The stairway check on scratch databases; its result shows in the Test Explorer and the gutter.
    if (s && vscode.workspace.isTrusted) lenses.push(new vscode.CodeLens(range, { title: '$(beaker) Verify', command: 'alembicMigrations.verifyRevision', arguments: [{ root: project.found.root, revision: info.revision }], tooltip: 'Upgrade, downgrade and upgrade again on scratch databases (never the configured one): the schema must come back as it was' }));
    if (s) {
      const tags = [...shapeTags(s), ...s.branchLabels.map((l) => `@${l}`)];
      if (tags.length) lenses.push(new vscode.CodeLens(range, { title: tags.join(' · '), command: '' }));
    }
    return lenses;
  }

  /** How many pending revisions an upgrade to `id` would apply (it and its pending ancestors). */
  private pendingUpTo(project: ProjectState, id: string): number {
    const { dir, db } = project;
    if (!dir || db?.status !== 'ok' || project.graphError) return 0;
    const rev = dir.map.map.get(id);
    if (!rev) return 0;
    let n = 0;
    for (const r of dir.map.ancestors([rev])) if (db.states.get(r.revision) === 'pending') n++;
    return n;
  }
}
