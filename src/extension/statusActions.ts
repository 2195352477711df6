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
  items.push(
    { label: '$(list-tree) Show the Migrations view', run: () => vscode.commands.executeCommand('alembicMigrations.revisions.focus') },
    { label: '$(refresh) Refresh', description: 'Re-read the revision files and the database', run: () => store.refresh() },
    { label: '$(output) Show log', run: () => vscode.commands.executeCommand('alembicMigrations.showLog') },
  );
  const pick = await vscode.window.showQuickPick(items, { title: `Migrations${p ? `: ${p.label}` : ''}`, placeHolder: statusBar.item.text.replace(/\$\([^)]+\)\s*/g, '') });
  await pick?.run();
}
