/** The status-bar item: the active project's database revision, pending count, and warnings. */
import * as vscode from 'vscode';
import path from 'node:path';
import { ProjectState, ProjectStore } from './projectStore';
import type { DriftChecks } from './drift/driftChecks';

export class StatusBar implements vscode.Disposable {
  readonly item = vscode.window.createStatusBarItem('alembicMigrations.status', vscode.StatusBarAlignment.Left, 50);

  private drift: DriftChecks | undefined;

  constructor(private readonly store: ProjectStore) {
    this.item.name = 'Migrations: database revision';
    this.item.command = 'alembicMigrations.statusActions';
    store.onDidChange(() => this.render());
    vscode.window.onDidChangeActiveTextEditor(() => this.render());
  }

  /** Warns when the active project's last drift check found differences. */
  attachDrift(checks: DriftChecks): vscode.Disposable {
    this.drift = checks;
    return checks.onDidChange(() => this.render());
  }

  /** The project of the active editor's file, else the first one. */
  activeProject(): ProjectState | undefined {
    const file = vscode.window.activeTextEditor?.document.uri.fsPath;
    const all = this.store.all;
    return (file && (this.store.ownerOf(file) ?? innermostHolder(all, file))) || all.find((p) => p.found.root === this.store.selectedRoot) || all[0];
  }

  render(): void {
    const p = this.activeProject();
    if (!p) { this.item.hide(); return; }
    const tip = new vscode.MarkdownString(`**Migrations: ${p.label}**\n\n`);
    tip.supportThemeIcons = true;
    this.item.backgroundColor = undefined;
    const heads = p.dir && !p.graphError ? p.dir.map.heads : [];
    if (p.error) {
      this.item.text = '$(error) Migrations';
      tip.appendText(`${p.error.message}\n\n${p.error.hint ?? ''}`);
      this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
    } else if (p.graphError) {
      this.item.text = '$(error) Revision graph broken';
      tip.appendText(`${p.graphError}\n\nFix the revision files (see Problems), then the database state is shown again.`);
      this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
    } else if (!p.db) {
      this.item.text = '$(sync~spin) Migrations';
      tip.appendText('Reading the database...');
    } else if (p.db.status === 'unknown') {
      const untrusted = p.db.reason === 'untrusted';
      this.item.text = `${untrusted ? '$(shield)' : '$(database)'} ${heads.length > 1 ? `${heads.length} heads` : untrusted ? 'database not read' : 'no database'}`;
      tip.appendText(untrusted ? `${p.db.message} Trust the workspace to see its revision and run migrations.` : p.db.message);
    } else if (p.db.status === 'error') {
      this.item.text = '$(warning) Database error';
      this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
      tip.appendText(`${p.db.message}\n\n${p.db.hint ?? ''}`);
    } else {
      const current = p.db.heads;
      const doc = (id: string) => p.dir!.map.map.get(id)?.doc ?? '';
      const label = current.length === 0 ? 'base' : current.length === 1 ? `${current[0].slice(0, 8)} ${truncate(doc(current[0]), 28)}` : `${current.length} current heads`;
      this.item.text = `$(database) ${label}${p.db.pending ? ` $(arrow-up)${p.db.pending}` : ''}`;
      tip.appendMarkdown(`Database: \`${p.db.url}\` (from ${p.db.source})\n\n`);
      tip.appendMarkdown(current.length ? `Current: ${current.map((c) => `\`${c}\` ${doc(c)}`).join(', ')}\n\n` : 'Current: base (no revision applied)\n\n');
      tip.appendMarkdown(p.db.pending ? `${p.db.pending} revision(s) pending\n\n` : 'Up to date\n\n');
      if (p.db.warning) tip.appendMarkdown(`$(warning) ${p.db.warning}\n\n`);
    }
    const drift = this.drift?.shown(p.found.root);
    if (drift?.status === 'drift' && p.db?.status === 'ok') {
      const n = drift.report.differences.length;
      this.item.text += ` $(warning) drift`;
      tip.appendMarkdown(`\n\n$(warning) **Drift**: the database differs from what the migrations build in ${n} place${n === 1 ? '' : 's'} (see Drift in the Migrations view).`);
      this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
    }
    if (heads.length > 1) {
      tip.appendMarkdown(`\n\n$(warning) The scripts have ${heads.length} heads (${heads.join(', ')}): merge them or upgrade with \`heads\`.`);
      if (!this.item.backgroundColor) this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
    }
    this.item.tooltip = tip;
    this.item.show();
  }

  dispose(): void { this.item.dispose(); }
}

const truncate = (s: string, n: number) => s.length > n ? `${s.slice(0, n - 1)}…` : s;

/** For a file that is no revision: the innermost project folder holding it. */
function innermostHolder(all: readonly ProjectState[], file: string): ProjectState | undefined {
  const holders = all.filter((p) => file.startsWith(p.found.root + path.sep));
  return holders.sort((a, b) => b.found.root.length - a.found.root.length)[0];
}
