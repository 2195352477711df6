/** "Create Alembic Project..." (the welcome view's offer) and "Select Project...". */
import * as vscode from 'vscode';
import path from 'node:path';
import { initProject } from '../engine/commands/init';
import { listBackups, restoreBackup } from '../engine/db/backups';
import { parseDatabaseUrl, sqliteFile } from '../engine/config/url';
import { pickProject } from './projectPick';
import { ProjectStore } from './projectStore';
import { requireTrust } from './trust';

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
    vscode.commands.registerCommand('alembicMigrations.restoreBackup', async (arg?: { root?: string; backup?: string; confirm?: boolean }) => {
      if (!requireTrust('restoring a backup writes the database')) return undefined;
      const project = await pickProject(store, arg);
      const db = project?.dir?.config.database;
      const file = db && (() => { try { const u = parseDatabaseUrl(db.url, db.source); return u.dialect === 'sqlite' ? sqliteFile(u, project!.dir!.config.cwd) : undefined; } catch { return undefined; } })();
      if (!project || !file) { void vscode.window.showInformationMessage('Migrations: backups are made for SQLite files; this project\'s database is not one.'); return undefined; }
      const backups = listBackups(file);
      if (!backups.length) { void vscode.window.showInformationMessage(`Migrations: no backup of ${path.basename(file)} yet (one is made before each run that changes it).`); return undefined; }
      const chosen = arg?.backup ?? (await vscode.window.showQuickPick(backups.map((b) => ({ label: b.date.toLocaleString(), description: `${(b.size / 1024).toFixed(0)} KB`, detail: b.path, b })),
        { title: `Restore ${path.basename(file)} from which backup?` }))?.b.path;
      if (!chosen) return undefined;
      if (arg?.confirm !== false) {
        const ok = await vscode.window.showWarningMessage(`Replace ${path.basename(file)} with the backup of ${path.basename(chosen)}?`,
          { modal: true, detail: 'The current file is backed up first, so this can be undone.' }, 'Restore');
        if (ok !== 'Restore') return undefined;
      }
      try {
        const saved = restoreBackup(file, chosen, vscode.workspace.getConfiguration('alembicMigrations', vscode.Uri.file(project.found.root)).get('backups.keep', 5));
        log.info(`${project.label}: restored ${file} from ${chosen}${saved ? ` (the replaced file is in ${saved})` : ''}`);
        await store.refresh();
        return chosen;
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
