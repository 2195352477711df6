/**
 * The Test Explorer's items for "verify", built from the ProjectStore (never a copy of its own):
 * a project, its revisions oldest first, and under each revision one item per scratch database.
 * When a revision file changes, the results of it and of the revisions after it are marked
 * outdated (their check starts from the schema it leaves).
 */
import fs from 'node:fs';
import * as vscode from 'vscode';
import { findMigrationFunctions } from '../../engine/analysis/migrationFunctions';
import { walkRevisions } from '../../engine/graph/iterate';
import { RevisionFileInfo } from '../../engine/scripts/revisionFile';
import { Script } from '../../engine/scripts/script';
import type { VerifyDatabase } from '../../engine/verify/types';
import { ProjectState, ProjectStore } from '../projectStore';
import { DATABASE_LABEL, postgresScratch, verifyDatabases } from './settings';

export type ItemMeta =
  | { kind: 'project'; root: string }
  | { kind: 'revision'; root: string; revision: string; file: string }
  | { kind: 'database'; root: string; revision: string; file: string; database: VerifyDatabase };

const lineRange = (line: number) => new vscode.Range(line - 1, 0, line - 1, 0);

export class VerifyTree implements vscode.Disposable {
  readonly meta = new WeakMap<vscode.TestItem, ItemMeta>();
  /** Ids whose results the last file change marked outdated (the tests read it). */
  lastInvalidated: string[] = [];
  /** The header a revision item was built from: a new object means the file changed on disk (the store's header cache re-read it). */
  private readonly seen = new Map<string, RevisionFileInfo>();
  /** `def downgrade` lines by header object (null: none found), filled off the critical path. */
  private readonly downgradeLines = new WeakMap<RevisionFileInfo, number | null>();
  private readonly disposables: vscode.Disposable[] = [];
  /** What each project item was last built from. */
  private readonly synced = new WeakMap<vscode.TestItem, unknown[]>();
  private linesTimer: NodeJS.Timeout | undefined;

  constructor(private readonly controller: vscode.TestController, private readonly store: ProjectStore) {
    this.disposables.push(
      store.onDidChange(() => this.sync()),
      vscode.workspace.onDidChangeConfiguration((e) => { if (e.affectsConfiguration('alembicMigrations.verify')) this.sync(); }),
    );
    if (store.loaded) this.sync();
  }

  /** Brings the items in line with the store; reuses items (and so their results) whose file did not move. */
  sync(): void {
    const outdated: vscode.TestItem[] = [];
    const roots = this.store.all.map((p) => this.projectItem(p, outdated));
    this.controller.items.replace(roots);
    if (outdated.length) {
      this.lastInvalidated = outdated.map((i) => i.id);
      this.controller.invalidateTestResults(outdated);
    }
    this.scheduleDowngradeLines();
  }

  /** The item of a revision (by project root and id), if listed. */
  revisionItem(root: string, revision: string): vscode.TestItem | undefined {
    return this.controller.items.get(root)?.children.get(`${root}::${revision}`);
  }

  /** Records a `def downgrade` line a run reported, and moves the item there. */
  setDowngradeLine(item: vscode.TestItem, line: number): void {
    item.range = lineRange(line);
    item.children.forEach((c) => { c.range = item.range; });
  }

  private projectItem(p: ProjectState, outdated: vscode.TestItem[]): vscode.TestItem {
    const root = p.found.root;
    const uri = vscode.Uri.file(p.found.iniPath ?? p.found.tomlPath ?? root);
    let item = this.controller.items.get(root);
    if (!item || item.uri?.fsPath !== uri.fsPath) {
      item = this.controller.createTestItem(root, p.label, uri);
      this.meta.set(item, { kind: 'project', root });
    }
    // The store also changes when only the database's state does: a project whose files and
    // settings are as at the last sync keeps its items untouched (10,000 revisions are 30,000 items,
    // seconds of the extension host's and the window's time to rebuild).
    const databases = verifyDatabases(p);
    const pg = databases.includes('postgresql') ? postgresScratch(p) : undefined;
    const pgWhere = pg && ('error' in pg ? 'not set up' : pg.where);
    const key = [p.dir, p.label, p.error?.message, p.error?.hint, p.graphError, databases.join(','), pgWhere];
    const last = this.synced.get(item);
    if (last?.every((k, i) => k === key[i])) return item;
    this.synced.set(item, key);
    item.label = p.label;
    item.error = p.error ? `${p.error.message}${p.error.hint ? ` ${p.error.hint}` : ''}`
      : p.graphError ? `${p.graphError}. Fix the revision files first (see Problems); nothing can be verified until then.` : undefined;
    if (!p.dir || p.graphError) {
      item.children.replace([]);
      return item;
    }
    let ordered: Script[];
    try { ordered = [...walkRevisions(p.dir.map)].reverse(); } catch { ordered = [...p.dir.scripts]; }
    const changed: Script[] = [];
    const parent = item;
    const children = ordered.map((s, i) => {
      const previous = this.seen.get(s.path);
      if (previous && previous !== s.info) changed.push(s);
      this.seen.set(s.path, s.info);
      return this.revisionChild(parent, root, s, i, databases, pgWhere);
    });
    item.children.replace(children);
    if (changed.length) {
      // A revision's check starts from the schema the ones before it leave: theirs are outdated too.
      const after = new Set<Script>(changed);
      try { for (const d of p.dir.map.descendants(changed)) after.add(d); } catch { /* the graph was checked above */ }
      for (const s of after) {
        const r = item.children.get(`${root}::${s.revision}`);
        if (r) outdated.push(r);
      }
    }
    return item;
  }

  private revisionChild(parent: vscode.TestItem, root: string, s: Script, index: number, databases: VerifyDatabase[], pgWhere?: string): vscode.TestItem {
    const id = `${root}::${s.revision}`;
    let item = parent.children.get(id);
    if (!item || item.uri?.fsPath !== s.path) {
      item = this.controller.createTestItem(id, '', vscode.Uri.file(s.path));
      this.meta.set(item, { kind: 'revision', root, revision: s.revision, file: s.path });
    }
    item.label = `${s.revision} ${s.doc}`.trim();
    item.sortText = String(index).padStart(7, '0');
    const known = this.downgradeLines.get(s.info);
    item.range = lineRange(known ?? s.info.lines.revision ?? 1);
    const revision = item;
    item.children.replace(databases.map((database) => {
      const dbId = `${id}::${database}`;
      let child = revision.children.get(dbId);
      if (!child || child.uri?.fsPath !== s.path) {
        child = this.controller.createTestItem(dbId, DATABASE_LABEL[database], vscode.Uri.file(s.path));
        this.meta.set(child, { kind: 'database', root, revision: s.revision, file: s.path, database });
      }
      child.sortText = database === 'sqlite' ? '0' : '1';
      child.description = database === 'postgresql' ? pgWhere : undefined;
      child.range = revision.range;
      return child;
    }));
    return item;
  }

  /**
   * Finds each revision's `def downgrade` line (where a failure is shown) after the items are
   * listed, a slice of files at a time, so that a large project's listing does not wait for it.
   */
  private scheduleDowngradeLines(): void {
    if (this.linesTimer) clearTimeout(this.linesTimer);
    this.linesTimer = setTimeout(() => { void this.fillDowngradeLines(); }, 50);
  }

  private async fillDowngradeLines(): Promise<void> {
    let done = 0;
    for (const p of this.store.all) {
      if (!p.dir || p.graphError) continue;
      for (const s of p.dir.scripts) {
        if (this.downgradeLines.has(s.info)) continue;
        let line: number | null = null;
        try {
          line = findMigrationFunctions(fs.readFileSync(s.path, 'utf8'), s.info.kind).find((f) => f.name === 'downgrade')?.line ?? null;
        } catch { /* gone meanwhile: the next sync drops it */ }
        this.downgradeLines.set(s.info, line);
        const item = this.revisionItem(p.found.root, s.revision);
        if (line !== null && item?.uri?.fsPath === s.path) this.setDowngradeLine(item, line);
        if (++done % 100 === 0) await new Promise((resolve) => setImmediate(resolve));
      }
    }
  }

  dispose(): void {
    if (this.linesTimer) clearTimeout(this.linesTimer);
    for (const d of this.disposables) d.dispose();
  }
}
