/** The Migrations view: one node per project, its revisions in history order (newest first). */
import * as vscode from 'vscode';
import { walkRevisions } from '../engine/graph';
import { Script } from '../engine/scripts/script';
import { ProjectState, ProjectStore } from './projectStore';

const STATE_ICONS = {
  current: new vscode.ThemeIcon('debug-stackframe', new vscode.ThemeColor('charts.blue')),
  applied: new vscode.ThemeIcon('pass-filled', new vscode.ThemeColor('testing.iconPassed')),
  pending: new vscode.ThemeIcon('circle-large-outline', new vscode.ThemeColor('disabledForeground')),
};
const STATE_TEXT = { current: 'current: the database is here', applied: 'applied', pending: 'pending: not applied yet' };

type Node = { kind: 'project'; project: ProjectState } | { kind: 'revision'; project: ProjectState; script: Script }
  | { kind: 'message'; text: string; tooltip?: string };

export class MigrationsTree implements vscode.TreeDataProvider<Node> {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly store: ProjectStore) {
    store.onDidChange(() => this.changed.fire(undefined));
  }

  getChildren(node?: Node): Node[] {
    if (!node) {
      const projects = this.store.all;
      if (projects.length === 1) return this.revisionsOf(projects[0]);
      return projects.map((project) => ({ kind: 'project', project }));
    }
    return node.kind === 'project' ? this.revisionsOf(node.project) : [];
  }

  private revisionsOf(project: ProjectState): Node[] {
    if (project.error) return [{ kind: 'message', text: project.error.message, tooltip: project.error.hint }];
    const dir = project.dir!;
    try {
      return [...walkRevisions(dir.map)].map((script) => ({ kind: 'revision', project, script: script as Script }));
    } catch (e) {
      return [{ kind: 'message', text: String((e as Error).message) }];
    }
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === 'message') {
      const item = new vscode.TreeItem(node.text);
      item.iconPath = new vscode.ThemeIcon('error');
      item.tooltip = node.tooltip;
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
    item.id = `${node.project.found.root}#${s.revision}`;
    item.description = s.doc;
    const tags = [s.isHead && 'head', s.isBranchPoint && 'branchpoint', s.isMergePoint && 'mergepoint'].filter(Boolean);
    const db = node.project.db;
    const state = db?.status === 'ok' ? db.states.get(s.revision) : undefined;
    item.iconPath = state ? STATE_ICONS[state]
      : new vscode.ThemeIcon(s.isMergePoint ? 'git-merge' : s.isBranchPoint ? 'repo-forked' : s.isHead ? 'arrow-up' : 'git-commit');
    const md = new vscode.MarkdownString();
    md.appendMarkdown(`**${s.revision}**${tags.length ? ` (${tags.join(', ')})` : ''}${state ? ` · ${STATE_TEXT[state]}` : ''}\n\n`);
    md.appendText(`${s.doc}\n\n`);
    md.appendMarkdown(`Parents: \`${s.versionedDownRevisions.join(', ') || '<base>'}\`\n\n`);
    if (s.branchLabels.length) md.appendMarkdown(`Branch labels: \`${s.branchLabels.join(', ')}\`\n\n`);
    md.appendText(s.path);
    item.tooltip = md;
    item.contextValue = state ? `revision.${state}` : 'revision';
    item.resourceUri = vscode.Uri.file(s.path);
    item.command = { command: 'vscode.open', title: 'Open Revision', arguments: [vscode.Uri.file(s.path)] };
    return item;
  }
}
