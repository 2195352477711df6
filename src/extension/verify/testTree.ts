/**
 * The Test Explorer's items for "verify", built from the ProjectStore (never a copy of its own):
 * a project, its revisions oldest first, and under each revision one item per scratch database.
 * When a revision file changes, the results of it and of the revisions after it are marked
 * outdated (their check starts from the schema it leaves).
 *
 * Items are made when asked for (10,000 revisions would be 30,000 items, seconds of the extension
 * host's and the window's time): a project's revisions when VS Code resolves it (the Testing view
 * expands it) or a run needs them, a revision's databases when it is resolved; the revisions of
 * the files open in editors, and of `revisionItem()`, one by one (their gutter, the CodeLens).
 */
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import { findMigrationFunctions } from '../../engine/analysis/migrationFunctions';
import { RevisionFileInfo } from '../../engine/scripts/revisionFile';
import { Script } from '../../engine/scripts/script';
import type { ScriptDirectory } from '../../engine/scripts/scriptDirectory';
import type { VerifyDatabase } from '../../engine/verify/types';
import { ProjectState, ProjectStore } from '../projectStore';
import { pause, RevisionOrder } from './revisionOrder';
import { DATABASE_LABEL, postgresScratch, verifyDatabases } from './settings';

export type ItemMeta =
  | { kind: 'project'; root: string }
  | { kind: 'revision'; root: string; revision: string; file: string }
  | { kind: 'database'; root: string; revision: string; file: string; database: VerifyDatabase };

/** What a project's items are made from, as of the last sync. */
interface Context { p: ProjectState; dir: ScriptDirectory; databases: VerifyDatabase[]; pgWhere?: string }

/** Revisions made at a time when VS Code asks for a project's (about 50 ms of the extension host's time). */
const SLICE = 500;

const lineRange = (line: number) => new vscode.Range(line - 1, 0, line - 1, 0);

export class VerifyTree implements vscode.Disposable {
  readonly meta = new WeakMap<vscode.TestItem, ItemMeta>();
  /** Ids whose results the last file change marked outdated (the tests read it). */
  lastInvalidated: string[] = [];
  /** The header a revision was last seen with: a new object means the file changed on disk (the store's header cache re-read it). */
  private readonly seen = new Map<string, RevisionFileInfo>();
  /** `def downgrade` lines by header object (null: none found), filled off the critical path. */
  private readonly downgradeLines = new WeakMap<RevisionFileInfo, number | null>();
  /** The header each revision item was built from. */
  private readonly infoOf = new WeakMap<vscode.TestItem, RevisionFileInfo>();
  private readonly disposables: vscode.Disposable[] = [];
  /** What each project item was last built from. */
  private readonly synced = new WeakMap<vscode.TestItem, unknown[]>();
  private contexts = new Map<string, Context>();
  /** Project items listing all their revisions, revision items listing their databases. */
  private readonly resolved = new WeakSet<vscode.TestItem>();
  /** Revisions (by project root) whose file, or one before, changed while they had no item: outdated once made. */
  private readonly pending = new Map<string, Set<string>>();
  /** What a revision item's databases were last made from. */
  private readonly databasesKey = new WeakMap<vscode.TestItem, string>();
  private readonly order = new RevisionOrder();
  private linesTimer: NodeJS.Timeout | undefined;

  constructor(private readonly controller: vscode.TestController, private readonly store: ProjectStore) {
    controller.resolveHandler = async (item) => { if (item) await this.resolveAsked(item); };
    this.disposables.push(
      store.onDidChange(() => this.sync()),
      vscode.workspace.onDidChangeConfiguration((e) => { if (e.affectsConfiguration('alembicMigrations.verify')) this.sync(); }),
      vscode.window.onDidChangeVisibleTextEditors(() => this.listOpenFiles()),
    );
    if (store.loaded) this.sync();
  }

  /** Brings the items in line with the store; reuses items (and so their results) whose file did not move. */
  sync(): void {
    const outdated: vscode.TestItem[] = [];
    const contexts = new Map<string, Context>();
    const roots = this.store.all.map((p) => this.projectItem(p, contexts, outdated));
    this.contexts = contexts;
    this.controller.items.replace(roots);
    this.invalidate(outdated);
    this.listOpenFiles();
  }

  /** Makes the children of a project (every revision) or of a revision (its databases), once. */
  resolve(item: vscode.TestItem): void {
    const meta = this.meta.get(item);
    const ctx = meta && this.contexts.get(meta.root);
    if (!meta || !ctx || this.resolved.has(item)) return;
    const made: vscode.TestItem[] = [];
    if (meta.kind === 'project' && this.controller.items.get(meta.root) === item) {
      this.resolved.add(item);
      item.children.replace(this.order.of(ctx.dir).list.map((s, i) => this.revisionChild(item, ctx, s, made, i)));
      this.pending.delete(meta.root);
    } else if (meta.kind === 'revision') {
      const s = this.scriptOf(ctx, meta.revision);
      if (s?.path === meta.file) this.databaseChildren(item, ctx, s);
    }
    this.invalidate(made);
  }

  /**
   * VS Code asks for an item's children (the Testing view expanded it): a project's revisions are
   * ordered and made a slice at a time, the extension host answering in between and the rows
   * showing as they come. Files changed meanwhile: again, with the items made so far kept.
   */
  async resolveAsked(item: vscode.TestItem): Promise<void> {
    const meta = this.meta.get(item);
    if (meta?.kind !== 'project') return this.resolve(item);
    const current = (ctx?: Context) => !!ctx && ctx === this.contexts.get(meta.root) && !this.resolved.has(item) && this.controller.items.get(meta.root) === item;
    for (let ctx = this.contexts.get(meta.root); current(ctx); ctx = this.contexts.get(meta.root)) {
      const { list } = await this.order.ofCooperatively(ctx!.dir);
      for (let i = 0; i < list.length && current(ctx); i += SLICE) {
        if (i) await pause();
        if (!current(ctx)) break;
        const made: vscode.TestItem[] = [];
        for (let k = i; k < Math.min(i + SLICE, list.length); k++) item.children.add(this.revisionChild(item, ctx!, list[k], made, k));
        this.invalidate(made);
      }
      if (current(ctx)) {
        this.resolved.add(item);
        this.pending.delete(meta.root);
      }
    }
  }

  /** The item of a revision (by project root and id), made (with its databases) if not yet; undefined if not listed. */
  revisionItem(root: string, revision: string): vscode.TestItem | undefined {
    const project = this.controller.items.get(root);
    const ctx = this.contexts.get(root);
    let item = project?.children.get(`${root}::${revision}`);
    if (!item && project && ctx && !this.resolved.has(project)) {
      const s = this.scriptOf(ctx, revision);
      const made: vscode.TestItem[] = [];
      if (s) project.children.add(item = this.revisionChild(project, ctx, s, made));
      this.invalidate(made);
    }
    if (item) this.resolve(item);
    return item;
  }

  /** Records a `def downgrade` line a run reported, and moves the item there. */
  setDowngradeLine(item: vscode.TestItem, line: number): void {
    item.range = lineRange(line);
    item.children.forEach((c) => { c.range = item.range; });
  }

  private projectItem(p: ProjectState, contexts: Map<string, Context>, outdated: vscode.TestItem[]): vscode.TestItem {
    const root = p.found.root;
    const uri = vscode.Uri.file(p.found.iniPath ?? p.found.tomlPath ?? root);
    let item = this.controller.items.get(root);
    if (!item || item.uri?.fsPath !== uri.fsPath) {
      item = this.controller.createTestItem(root, p.label, uri);
      this.meta.set(item, { kind: 'project', root });
    }
    const databases = verifyDatabases(p);
    const pg = databases.includes('postgresql') ? postgresScratch(p) : undefined;
    const pgWhere = pg && ('error' in pg ? 'not set up' : pg.where);
    const previous = this.contexts.get(root);
    let ctx: Context | undefined;
    if (p.dir && !p.graphError) {
      // The same object while nothing it holds changed: a resolve in slices goes on across a database state change.
      if (previous?.dir === p.dir && previous.databases.join() === databases.join() && previous.pgWhere === pgWhere) (ctx = previous).p = p;
      else {
        ctx = { p, dir: p.dir, databases, pgWhere };
        if (previous) this.order.carry(previous.dir, p.dir);
      }
      contexts.set(root, ctx);
    }
    // The store also changes when only the database's state does: a project whose files and
    // settings are as at the last sync keeps its items untouched.
    const key = [p.dir, p.label, p.error?.message, p.error?.hint, p.graphError, databases.join(','), pgWhere];
    const last = this.synced.get(item);
    if (last?.every((k, i) => k === key[i])) return item;
    this.synced.set(item, key);
    item.label = p.label;
    item.error = p.error ? `${p.error.message}${p.error.hint ? ` ${p.error.hint}` : ''}`
      : p.graphError ? `${p.graphError}. Fix the revision files first (see Problems); nothing can be verified until then.` : undefined;
    item.canResolveChildren = !!ctx;
    if (!ctx) {
      item.children.replace([]);
      return item;
    }
    const after = this.changedSinceSeen(ctx);
    const parent = item;
    if (this.resolved.has(item)) {
      item.children.replace(this.order.of(ctx.dir).list.map((s, i) => this.revisionChild(parent, ctx, s, outdated, i)));
    } else {
      // Only the revisions made so far (open files, runs), following their files.
      const kept: vscode.TestItem[] = [];
      item.children.forEach((c) => {
        const meta = this.meta.get(c);
        const s = meta?.kind === 'revision' ? this.scriptOf(ctx, meta.revision) : undefined;
        if (s) kept.push(this.revisionChild(parent, ctx, s, outdated));
      });
      item.children.replace(kept);
    }
    for (const revision of after) {
      const r = item.children.get(`${root}::${revision}`);
      if (r) outdated.push(r);
      else if (!this.resolved.has(item)) (this.pending.get(root) ?? this.pending.set(root, new Set()).get(root)!).add(revision);
    }
    return item;
  }

  /** The revisions whose file changed since the last sync, and those after them (their check starts from the schema it leaves). */
  private changedSinceSeen(ctx: Context): Set<string> {
    const changed: Script[] = [];
    for (const s of ctx.dir.scripts) {
      const previous = this.seen.get(s.path);
      if (previous && previous !== s.info) changed.push(s);
      this.seen.set(s.path, s.info);
    }
    const after = new Set(changed.map((s) => s.revision));
    if (changed.length) {
      try { for (const d of ctx.dir.map.descendants(changed)) after.add(d.revision); } catch { /* the graph was checked by the store */ }
    }
    return after;
  }

  /**
   * A revision's item; `made` gets the new ones whose results a file change outdated before they
   * existed. `index`: its place in upgrade order, when known (the walk takes 0.2 s at 10,000
   * revisions: not done for the one revision of an open file).
   */
  private revisionChild(parent: vscode.TestItem, ctx: Context, s: Script, made: vscode.TestItem[], index = this.order.known(ctx.dir)?.index.get(s.revision)): vscode.TestItem {
    const root = ctx.p.found.root;
    const id = `${root}::${s.revision}`;
    let item = parent.children.get(id);
    if (!item || item.uri?.fsPath !== s.path) {
      item = this.controller.createTestItem(id, '', vscode.Uri.file(s.path));
      item.canResolveChildren = true;
      this.meta.set(item, { kind: 'revision', root, revision: s.revision, file: s.path });
      if (this.pending.get(root)?.delete(s.revision)) made.push(item);
    }
    const sortText = index === undefined ? item.sortText : String(index).padStart(7, '0');
    // An item whose file and place did not change is left as is (a sync after a save touches 10,000).
    if (this.infoOf.get(item) !== s.info || item.sortText !== sortText) {
      item.label = `${s.revision} ${s.doc}`.trim();
      item.sortText = sortText;
      const known = this.downgradeLines.get(s.info);
      item.range = lineRange(known ?? s.info.lines.revision ?? 1);
      if (known === undefined) this.scheduleDowngradeLines();
      this.infoOf.set(item, s.info);
    }
    if (this.resolved.has(item)) this.databaseChildren(item, ctx, s);
    return item;
  }

  private databaseChildren(revision: vscode.TestItem, ctx: Context, s: Script): void {
    this.resolved.add(revision);
    const key = `${ctx.databases.join(',')}\n${ctx.pgWhere}\n${revision.range?.start.line}`;
    if (this.databasesKey.get(revision) === key) return;
    this.databasesKey.set(revision, key);
    revision.children.replace(ctx.databases.map((database) => {
      const dbId = `${revision.id}::${database}`;
      let child = revision.children.get(dbId);
      if (!child || child.uri?.fsPath !== s.path) {
        child = this.controller.createTestItem(dbId, DATABASE_LABEL[database], vscode.Uri.file(s.path));
        this.meta.set(child, { kind: 'database', root: ctx.p.found.root, revision: s.revision, file: s.path, database });
      }
      child.sortText = database === 'sqlite' ? '0' : '1';
      child.description = database === 'postgresql' ? ctx.pgWhere : undefined;
      child.range = revision.range;
      return child;
    }));
  }

  /** The revisions of the files shown in editors, made if not yet: VS Code draws the gutter's run buttons only for items it knows. */
  private listOpenFiles(): void {
    for (const e of vscode.window.visibleTextEditors) {
      if (e.document.uri.scheme !== 'file') continue;
      const file = e.document.uri.fsPath;
      const p = this.store.ownerOf(file);
      const revision = p?.dir?.files.find((f) => f.path === file)?.revision;
      if (p && revision) this.revisionItem(p.found.root, revision);
    }
  }

  private scriptOf(ctx: Context, revision: string): Script | undefined {
    const s = ctx.dir.map.map.get(revision); // also keyed by branch labels
    return s?.revision === revision ? s : undefined;
  }

  private invalidate(items: vscode.TestItem[]): void {
    if (!items.length) return;
    const unique = [...new Set(items)];
    this.lastInvalidated = unique.map((i) => i.id);
    this.controller.invalidateTestResults(unique);
  }

  /**
   * Finds the `def downgrade` line (where a failure is shown) of each revision that has an item,
   * after the items are made, a slice of files at a time, so that making them does not wait for it.
   */
  private scheduleDowngradeLines(): void {
    if (this.linesTimer) return;
    this.linesTimer = setTimeout(() => { void this.fillDowngradeLines(); }, 50);
  }

  private async fillDowngradeLines(): Promise<void> {
    let since = performance.now();
    // Again until none is missing: items made meanwhile (a resolve, an opened file) are found next round.
    for (let todo = this.withoutLine(); todo.length; todo = this.withoutLine()) {
      for (const [item, info] of todo) {
        if (this.downgradeLines.has(info)) continue;
        let line: number | null = null;
        try {
          line = findMigrationFunctions(fs.readFileSync(info.path, 'utf8'), info.kind).find((f) => f.name === 'downgrade')?.line ?? null;
        } catch { /* gone meanwhile: the next sync drops it */ }
        this.downgradeLines.set(info, line);
        if (line !== null && this.infoOf.get(item) === info) this.setDowngradeLine(item, line);
        if (performance.now() - since > 30) {
          await pause();
          since = performance.now();
        }
      }
    }
    this.linesTimer = undefined;
  }

  private withoutLine(): [vscode.TestItem, RevisionFileInfo][] {
    const out: [vscode.TestItem, RevisionFileInfo][] = [];
    this.controller.items.forEach((p) => p.children.forEach((r) => {
      const info = this.infoOf.get(r);
      if (info && !this.downgradeLines.has(info)) out.push([r, info]);
    }));
    return out;
  }

  dispose(): void {
    if (this.linesTimer) clearTimeout(this.linesTimer);
    for (const d of this.disposables) d.dispose();
  }
}
