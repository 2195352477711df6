/**
 * The Migrations view: one node per project, its revisions in history order (newest first) with
 * the database's state. Long histories are shown a page at a time (the newest first), and
 * tooltips are built only when hovered, so that a project of 10,000 revisions renders at once.
 */
import * as vscode from 'vscode';
import { walkRevisions } from '../engine/graph';
import { Script } from '../engine/scripts/script';
import type { ScriptDirectory } from '../engine/scripts/scriptDirectory';
import type { RevisionState } from './databaseState';
import { ProjectState, ProjectStore } from './projectStore';
import { revisionTooltip } from './graph/tooltip';
import { RevisionShape, SnapshotProject, SnapshotRow, ViewSnapshot } from './viewSnapshot';
import type { DriftChecks } from './drift/driftChecks';
import { differenceItem, driftItem } from './drift/driftNodes';
import type { SchemaDifference } from '../engine/schema/diff';

const STATE_ICONS = {
  current: new vscode.ThemeIcon('debug-stackframe', new vscode.ThemeColor('charts.blue')),
  applied: new vscode.ThemeIcon('pass-filled', new vscode.ThemeColor('testing.iconPassed')),
  pending: new vscode.ThemeIcon('circle-large-outline', new vscode.ThemeColor('disabledForeground')),
};
const SHAPE_ICONS: Record<RevisionShape, string> = { mergepoint: 'git-merge', branchpoint: 'repo-forked', head: 'arrow-up', revision: 'git-commit' };
/** A revision row's id, the same from a snapshot and from the files: VS Code keeps selection and scroll. */
const rowId = (root: string, revision: string) => `${root}#${revision}`;
const shapeOf = (s: Script): RevisionShape => (s.isMergePoint ? 'mergepoint' : s.isBranchPoint ? 'branchpoint' : s.isHead ? 'head' : 'revision');
/** Which of head, branchpoint and mergepoint a revision is (tooltip, CodeLens, row). */
export const shapeTags = (s: Script): string[] =>
  [s.isHead && 'head', s.isBranchPoint && 'branchpoint', s.isMergePoint && 'mergepoint'].filter((t): t is string => !!t);
/** Its place in the graph, after the message: the icon shows the database's state once it is known. */
const graphTags = (s: Script): string[] => [...shapeTags(s), ...s.origBranchLabels.map((l) => `@${l}`)];
const withTags = (doc: string, tags: readonly string[] = []) => (tags.length ? `${doc} · ${tags.join(' · ')}` : doc);

/** Revisions shown per page; "Show more" adds another page. */
export const PAGE_SIZE = 200;

export type Node = { kind: 'project'; project: ProjectState } | { kind: 'revision'; project: ProjectState; script: Script }
  | { kind: 'message'; text: string; tooltip?: string; icon?: string; command?: vscode.Command }
  | { kind: 'more'; project: ProjectState; remaining: number }
  /** The project's last drift check, and each difference it found. */
  | { kind: 'drift'; project: ProjectState } | { kind: 'driftDifference'; project: ProjectState; difference: SchemaDifference }
  /** From the last session's snapshot, until the first scan is done. */
  | { kind: 'snapshotProject'; snap: SnapshotProject } | { kind: 'snapshotRow'; snap: SnapshotProject; row: SnapshotRow };

export class MigrationsTree implements vscode.TreeDataProvider<Node> {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  /** Pages shown per project root. */
  private readonly pages = new Map<string, number>();
  /** History order per project, computed once per refresh of the store. */
  private readonly orders = new WeakMap<object, HistoryPages>();

  private firstRowsSeen = false;

  /**
   * `snapshot` is what the view showed last session (shown until the store has read the files);
   * `onFirstRows` hears when VS Code is first given revision rows, and from where.
   */
  constructor(private readonly store: ProjectStore, private snapshot?: ViewSnapshot,
    private readonly onFirstRows?: (rows: number, source: 'snapshot' | 'files') => void) {
    // Last session's states stand in for a project's until its database answers (no icon flicker);
    // in Restricted Mode there is no database state to show, old or new.
    if (snapshot && vscode.workspace.isTrusted) {
      for (const p of snapshot.projects) for (const r of p.rows) if (r.state) this.lastStates.set(rowId(p.root, r.revision), r.state);
    }
    store.onDidChange(() => { if (store.loaded) this.snapshot = undefined; this.changed.fire(undefined); });
  }

  private readonly lastStates = new Map<string, RevisionState>();
  private drift: DriftChecks | undefined;

  /** Shows each project's drift row once a check has run. */
  attachDrift(checks: DriftChecks): vscode.Disposable {
    this.drift = checks;
    return checks.onDidChange(() => this.changed.fire(undefined));
  }

  showMore(project: ProjectState): void {
    this.pages.set(project.found.root, (this.pages.get(project.found.root) ?? 1) + 1);
    this.changed.fire(undefined);
  }

  getChildren(node?: Node): Node[] {
    const nodes = this.childrenOf(node);
    if (!this.firstRowsSeen && this.onFirstRows) {
      const rows = nodes.filter((n) => n.kind === 'revision' || n.kind === 'snapshotRow').length;
      if (rows) { this.firstRowsSeen = true; this.onFirstRows(rows, this.snapshot ? 'snapshot' : 'files'); }
    }
    return nodes;
  }

  private childrenOf(node?: Node): Node[] {
    if (this.snapshot && !this.store.loaded) {
      if (!node) {
        const projects = this.snapshot.projects;
        return projects.length === 1 ? this.snapshotRows(projects[0]) : projects.map((snap): Node => ({ kind: 'snapshotProject', snap }));
      }
      return node.kind === 'snapshotProject' ? this.snapshotRows(node.snap) : [];
    }
    if (!node) {
      const projects = this.store.all;
      if (projects.length === 1) return this.revisionsOf(projects[0]);
      return projects.map((project) => ({ kind: 'project', project }));
    }
    if (node.kind === 'drift') {
      const r = this.drift?.shown(node.project.found.root);
      return r && (r.status === 'drift' || r.status === 'clean') ? r.report.differences.map((difference): Node => ({ kind: 'driftDifference', project: node.project, difference })) : [];
    }
    return node.kind === 'project' ? this.revisionsOf(node.project) : [];
  }

  private snapshotRows(snap: SnapshotProject): Node[] {
    const rows = snap.rows.map((row): Node => ({ kind: 'snapshotRow', snap, row }));
    const remaining = snap.total - snap.rows.length;
    if (remaining > 0) rows.push({ kind: 'message', text: `${remaining.toLocaleString('en')} older revisions`, icon: 'ellipsis' });
    return rows;
  }

  /** The first page of every readable project, as shown now: the next session's first rows. */
  takeSnapshot(): ViewSnapshot | undefined {
    if (!this.store.loaded) return undefined;
    const projects: SnapshotProject[] = [];
    for (const project of this.store.all) {
      if (!project.dir || project.error || project.graphError) continue;
      try {
        const order = this.orderOf(project.dir);
        projects.push({
          root: project.found.root, label: project.label, total: order.total,
          rows: order.take(PAGE_SIZE).map((s) => ({ revision: s.revision, doc: s.doc, path: s.path, shape: shapeOf(s), state: this.stateOf({ project, script: s }), tags: graphTags(s) })),
        });
      } catch { /* a graph the view cannot order shows its error instead; nothing to keep */ }
    }
    return { format: 1, projects };
  }

  private orderOf(dir: ScriptDirectory): HistoryPages {
    let order = this.orders.get(dir);
    if (!order) this.orders.set(dir, order = new HistoryPages(dir.map));
    return order;
  }

  private revisionsOf(project: ProjectState): Node[] {
    if (project.error) return [{ kind: 'message', text: project.error.message, tooltip: project.error.hint }];
    const dir = project.dir!;
    if (project.graphError) return [{ kind: 'message', text: project.graphError, tooltip: 'Fix the revision files (see Problems).' }];
    const shown = PAGE_SIZE * (this.pages.get(project.found.root) ?? 1);
    let order: HistoryPages;
    let first: Script[];
    try {
      order = this.orderOf(dir);
      first = order.take(shown);
    } catch (e) {
      return [{ kind: 'message', text: String((e as Error).message) }];
    }
    const drift: Node[] = this.drift?.get(project.found.root) ? [{ kind: 'drift', project }] : [];
    const nodes: Node[] = [...this.databaseRow(project), ...drift, ...first.map((script): Node => ({ kind: 'revision', project, script }))];
    if (order.total > shown) nodes.push({ kind: 'more', project, remaining: order.total - shown });
    return nodes;
  }

  /** Above the revisions when the database is not configured or cannot be read: why, and a click to fix it. */
  private databaseRow(project: ProjectState): Node[] {
    const db = project.db;
    const fix = { command: 'alembicMigrations.setDatabaseUrl', title: 'Set Database URL...', arguments: [{ kind: 'project', project }] };
    if (db?.status === 'unknown' && db.reason === 'untrusted') {
      return [{ kind: 'message', text: 'Restricted Mode: the database is not read', tooltip: `${db.message} Trust the workspace to see each revision's state and to run migrations.`, icon: 'shield', command: { command: 'workbench.trust.manage', title: 'Manage Workspace Trust' } }];
    }
    if (db?.status === 'unknown' && db.reason === 'no-url') {
      return [{ kind: 'message', text: 'No database configured: click to set one', tooltip: db.message, icon: 'plug', command: fix }];
    }
    if (db?.status === 'error') {
      return [{ kind: 'message', text: `Database: ${db.message}`, tooltip: `${db.url ?? ''}\n\n${db.message}\n\n${db.hint ?? 'Click to set another database URL.'}`, icon: 'warning', command: fix }];
    }
    return [];
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === 'snapshotProject') {
      const item = new vscode.TreeItem(node.snap.label, vscode.TreeItemCollapsibleState.Expanded);
      item.iconPath = new vscode.ThemeIcon('database');
      return item;
    }
    if (node.kind === 'snapshotRow') {
      const { row } = node;
      const item = new vscode.TreeItem(row.revision);
      item.id = rowId(node.snap.root, row.revision);
      item.description = withTags(row.doc, row.tags);
      const state = this.lastStates.get(item.id);
      item.iconPath = state ? STATE_ICONS[state] : new vscode.ThemeIcon(SHAPE_ICONS[row.shape]);
      item.tooltip = `${row.revision}: ${row.doc}\n\nAs shown last session; the revision files are being read again.`;
      item.contextValue = 'snapshotRevision'; // no actions until the files are read
      item.resourceUri = vscode.Uri.file(row.path);
      item.command = { command: 'vscode.open', title: 'Open Revision', arguments: [vscode.Uri.file(row.path)] };
      return item;
    }
    if (node.kind === 'message') {
      const item = new vscode.TreeItem(node.text);
      item.iconPath = new vscode.ThemeIcon(node.icon ?? 'error');
      item.tooltip = node.tooltip;
      item.command = node.command;
      item.contextValue = 'message';
      return item;
    }
    if (node.kind === 'drift') {
      const root = node.project.found.root;
      const item = driftItem(this.drift!.shown(root)!, this.drift!.get(root)?.status === 'checking');
      item.id = `${root}#drift`;
      return item;
    }
    if (node.kind === 'driftDifference') return differenceItem(node.difference);
    if (node.kind === 'more') {
      const item = new vscode.TreeItem(`Show ${Math.min(PAGE_SIZE, node.remaining)} more (${node.remaining.toLocaleString('en')} older revisions)`);
      item.iconPath = new vscode.ThemeIcon('ellipsis');
      item.command = { command: 'alembicMigrations.showMore', title: 'Show More', arguments: [node] };
      return item;
    }
    if (node.kind === 'project') {
      const item = new vscode.TreeItem(node.project.label, vscode.TreeItemCollapsibleState.Expanded);
      item.iconPath = new vscode.ThemeIcon('database');
      item.contextValue = 'project';
      item.tooltip = node.project.found.iniPath ?? node.project.found.tomlPath;
      return item;
    }
    const s = node.script;
    const item = new vscode.TreeItem(s.revision);
    item.id = rowId(node.project.found.root, s.revision);
    item.description = withTags(s.doc, graphTags(s));
    const state = this.stateOf(node);
    const shown = state ?? (node.project.db === undefined ? this.lastStates.get(item.id) : undefined);
    item.iconPath = shown ? STATE_ICONS[shown] : new vscode.ThemeIcon(SHAPE_ICONS[shapeOf(s)]);
    item.contextValue = state ? `revision.${state}` : 'revision';
    item.resourceUri = vscode.Uri.file(s.path);
    item.command = { command: 'vscode.open', title: 'Open Revision', arguments: [vscode.Uri.file(s.path)] };
    return item;
  }

  /** Tooltips are built on hover only. */
  resolveTreeItem(item: vscode.TreeItem, node: Node): vscode.TreeItem {
    if (node.kind !== 'revision') return item;
    const s = node.script;
    const t = revisionTooltip({ revision: s.revision, longdoc: s.longdoc, path: s.path, parents: s.versionedDownRevisions, branchLabels: s.branchLabels, dependencies: s.dependencies },
      shapeTags(s), this.stateOf(node));
    const md = new vscode.MarkdownString();
    md.appendMarkdown(`**${t.revision}**${t.suffix}\n\n`);
    md.appendText(`${t.doc}\n\n`);
    for (const [label, ids] of t.details) md.appendMarkdown(`${label}: \`${ids}\`\n\n`);
    if (t.created) md.appendText(`Created ${t.created}\n\n`);
    md.appendText(t.path);
    item.tooltip = md;
    return item;
  }

  private stateOf(node: { project: ProjectState; script: Script }) {
    const db = node.project.db;
    return db?.status === 'ok' ? db.states.get(node.script.revision) : undefined;
  }
}

/**
 * History order (newest first), computed only as far as the pages shown: the first page of a
 * 10,000-revision project does not wait for the whole topological sort.
 */
class HistoryPages {
  private readonly rows: Script[] = [];
  private readonly it: Iterator<Script>;
  /** Every revision is an ancestor of a head, so the walk from heads to base lists them all. */
  readonly total: number;
  constructor(map: ScriptDirectory['map']) {
    this.it = walkRevisions(map);
    this.total = map.revisions().length;
  }
  take(n: number): Script[] {
    while (this.rows.length < n) {
      const next = this.it.next();
      if (next.done) break;
      this.rows.push(next.value);
    }
    return this.rows.slice(0, n);
  }
}
