/** Composition root: builds the store and the surfaces, and hands a small API to tests. */
import * as vscode from 'vscode';
import { RevisionCodeLens } from './codeLens';
import { Diagnostics } from './diagnostics';
import { MigrationsTree } from './migrationsTree';
import { ProjectState, ProjectStore } from './projectStore';
import { StatusBar } from './statusBar';
import { showStatusActions } from './statusActions';
import { runStamp } from './stampCommand';
import { registerProjectCommands } from './projectCommands';

/** Returned by activate(): used by the extension-host tests to read what the surfaces show. */
export interface ExtensionApi { store: ProjectStore; tree: MigrationsTree; statusBar: StatusBar; diagnostics: Diagnostics }

export function activate(context: vscode.ExtensionContext): ExtensionApi {
  const log = vscode.window.createOutputChannel('Alembic Migrations', { log: true });
  const store = new ProjectStore(log, (root) => context.secrets.get(`alembicMigrations.databaseUrl:${root}`));
  const tree = new MigrationsTree(store);
  const statusBar = new StatusBar(store);
  const diagnostics = new Diagnostics(store);
  context.subscriptions.push(
    log,
    store,
    statusBar,
    diagnostics,
    vscode.languages.registerCodeLensProvider(
      [{ scheme: 'file', language: 'python' }, { scheme: 'file', language: 'sql' }, { scheme: 'file', language: 'typescript' }, { scheme: 'file', language: 'javascript' }],
      new RevisionCodeLens(store)),
    vscode.commands.registerCommand('alembicMigrations.stamp', (node?: { project?: ProjectState; script?: { revision: string } }) =>
      runStamp(store, log, node?.project, node?.script?.revision)),
    ...registerProjectCommands(store, context.secrets, log),
    vscode.commands.registerCommand('alembicMigrations.statusActions', () => showStatusActions(store, statusBar)),
    vscode.window.createTreeView('alembicMigrations.revisions', { treeDataProvider: tree, showCollapseAll: true }),
    vscode.commands.registerCommand('alembicMigrations.refresh', () => store.refresh()),
    vscode.commands.registerCommand('alembicMigrations.showLog', () => log.show()),
  );
  void store.ready.then(() => vscode.commands.executeCommand('setContext', 'alembicMigrations.projectCount', store.all.length));
  store.onDidChange(() => vscode.commands.executeCommand('setContext', 'alembicMigrations.projectCount', store.all.length));
  return { store, tree, statusBar, diagnostics };
}

export function deactivate(): void { /* disposables are released by VS Code */ }
