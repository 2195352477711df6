/** "Create Alembic Project..." (the welcome view's offer) and "Select Project...". */
import * as vscode from 'vscode';
import path from 'node:path';
import { initProject } from '../engine/commands/init';
import { ProjectStore } from './projectStore';

export function registerInitCommands(store: ProjectStore, log: vscode.LogOutputChannel): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('alembicMigrations.initProject', async (arg?: { folder?: string; scriptDir?: string }) => {
      const folders = vscode.workspace.workspaceFolders ?? [];
      let root = arg?.folder;
      if (!root) {
        if (!folders.length) { void vscode.window.showInformationMessage('Migrations: open a folder first.'); return undefined; }
        root = folders.length === 1 ? folders[0].uri.fsPath
          : (await vscode.window.showWorkspaceFolderPick({ placeHolder: 'Create the Alembic project in which folder?' }))?.uri.fsPath;
      }
      if (!root) return undefined;
      const scriptDir = arg?.scriptDir ?? await vscode.window.showInputBox({ title: 'Create Alembic Project', prompt: 'Folder for env.py and versions/ (alembic init\'s directory)', value: 'alembic',
        validateInput: (v) => (/^[\w.-]+(\/[\w.-]+)*$/.test(v) ? undefined : 'A relative folder name') });
      if (!scriptDir) return undefined;
      try {
        const r = initProject(root, scriptDir);
        for (const f of r.created) log.info(`Created ${path.relative(root, f) || f}`);
        await store.refresh();
        await vscode.window.showTextDocument(vscode.Uri.file(r.ini));
        void vscode.window.showInformationMessage('Migrations: project created. Point sqlalchemy.url (or DATABASE_URL) at your database, then create a first revision.', 'New Revision')
          .then((a) => a && vscode.commands.executeCommand('alembicMigrations.newRevision', { root }));
        return r.ini;
      } catch (e) {
        void vscode.window.showErrorMessage(`Migrations: ${(e as Error).message}`);
        return undefined;
      }
    }),
    vscode.commands.registerCommand('alembicMigrations.selectProject', async (root?: string) => {
      const projects = store.all;
      root ??= (await vscode.window.showQuickPick(projects.map((p) => ({ label: p.label, description: p.found.root, root: p.found.root,
        picked: p.found.root === store.selectedRoot })), { title: 'Commands and the status bar follow which project?' }))?.root;
      if (!root) return;
      store.selectedRoot = root;
      await store.refresh();
    }),
  ];
}
