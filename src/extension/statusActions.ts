/** What a click on the status-bar item offers: the next useful actions for the active project. */
import * as vscode from 'vscode';
import { ProjectStore } from './projectStore';
import { StatusBar } from './statusBar';

export async function showStatusActions(store: ProjectStore, statusBar: StatusBar): Promise<void> {
  const p = statusBar.activeProject();
  const items: (vscode.QuickPickItem & { run: () => unknown })[] = [];
  if (p?.db?.status === 'ok') {
    for (const id of p.db.heads) {
      const s = p.dir?.map.map.get(id);
      if (s) items.push({ label: `$(go-to-file) Open current revision ${id}`, description: s.doc, run: () => vscode.window.showTextDocument(vscode.Uri.file(s.path)) });
    }
  }
  const arg = p ? { root: p.found.root } : undefined;
  if (p?.db?.status === 'ok' && vscode.workspace.isTrusted) {
    if (p.db.pending > 0) items.push({ label: '$(arrow-circle-up) Upgrade to head', description: `${p.db.pending} pending`, run: () => vscode.commands.executeCommand('alembicMigrations.upgradeHead', arg) });
    if (p.db.heads.length) items.push({ label: '$(arrow-circle-down) Downgrade one step', run: () => vscode.commands.executeCommand('alembicMigrations.downgradeOne', arg) });
  }
  if (p?.dir && !p.graphError && p.dir.map.heads.length > 1) items.push({ label: '$(git-merge) Merge heads...', run: () => vscode.commands.executeCommand('alembicMigrations.mergeHeads', arg) });
  items.push(
    { label: '$(add) New revision...', run: () => vscode.commands.executeCommand('alembicMigrations.newRevision', arg) },
    { label: '$(list-tree) Show the Migrations view', run: () => vscode.commands.executeCommand('alembicMigrations.revisions.focus') },
    { label: '$(refresh) Refresh', description: 'Re-read the revision files and the database', run: () => store.refresh() },
    { label: '$(output) Show log', run: () => vscode.commands.executeCommand('alembicMigrations.showLog') },
  );
  const pick = await vscode.window.showQuickPick(items, { title: `Migrations${p ? `: ${p.label}` : ''}`, placeHolder: statusBar.item.text.replace(/\$\([^)]+\)\s*/g, '') });
  await pick?.run();
}
