/** Composition root: builds the store and the surfaces, and hands a small API to tests. */
import * as vscode from 'vscode';
import { performance } from 'node:perf_hooks';
import { RevisionCodeLens } from './codeLens';
import { Diagnostics } from './diagnostics';
import { DowngradeQuickFix } from './downgradeQuickFix';
import { MergeHeadsQuickFix } from './mergeHeadsQuickFix';
import { MigrationsTree } from './migrationsTree';
import { ProjectState, ProjectStore, revisionCount } from './projectStore';
import { StatusBar } from './statusBar';
import { showStatusActions } from './statusActions';
import { runStamp } from './stampCommand';
import { registerProjectCommands } from './projectCommands';
import { registerRunCommands } from './registerRunCommands';
import { registerInitCommands } from './initCommands';

/** Returned by activate(): used by the extension-host tests to read what the surfaces show. */
export interface ExtensionApi { store: ProjectStore; tree: MigrationsTree; statusBar: StatusBar; diagnostics: Diagnostics }

/** When this bundle's code started to run: activation time is measured from here. */
const loadedAt = performance.now();

export function activate(context: vscode.ExtensionContext): ExtensionApi {
  const activateAt = performance.now();
  const log = vscode.window.createOutputChannel('Alembic Migrations', { log: true });
  const store = new ProjectStore(log, (root) => context.secrets.get(`alembicMigrations.databaseUrl:${root}`), context.globalStorageUri.fsPath);
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
    ...registerRunCommands(store, log),
    ...registerInitCommands(store, log),
    vscode.languages.registerCodeActionsProvider({ scheme: 'file', language: 'python' }, new DowngradeQuickFix(),
      { providedCodeActionKinds: DowngradeQuickFix.kinds }),
    vscode.languages.registerCodeActionsProvider(['python', 'sql', 'typescript', 'javascript'].map((language) => ({ scheme: 'file', language })),
      new MergeHeadsQuickFix(store), { providedCodeActionKinds: MergeHeadsQuickFix.kinds }),
    vscode.commands.registerCommand('alembicMigrations.statusActions', () => showStatusActions(store, statusBar)),
    vscode.window.createTreeView('alembicMigrations.revisions', { treeDataProvider: tree, showCollapseAll: true }),
    vscode.commands.registerCommand('alembicMigrations.refresh', () => store.refresh()),
    vscode.commands.registerCommand('alembicMigrations.showMore', (node: { project: ProjectState }) => tree.showMore(node.project)),
    vscode.commands.registerCommand('alembicMigrations.showLog', () => log.show()),
  );
  void store.ready.then(() => vscode.commands.executeCommand('setContext', 'alembicMigrations.projectCount', store.all.length));
  store.onDidChange(() => vscode.commands.executeCommand('setContext', 'alembicMigrations.projectCount', store.all.length));
  const end = performance.now();
  log.info(`Activated in ${(end - loadedAt).toFixed(1)} ms (module ${(activateAt - loadedAt).toFixed(1)} ms, activate() ${(end - activateAt).toFixed(1)} ms)`);
  // The view can render once the files are read (the database state follows).
  const first = store.onDidChange(() => {
    first.dispose();
    const revisions = store.all.reduce((n, p) => n + revisionCount(p), 0);
    const t = performance.now();
    const rows = tree.getChildren().length;
    log.info(`First view data: ${rows} rows for ${revisions} revisions ready ${(performance.now() - activateAt).toFixed(1)} ms after activation (rows built in ${(performance.now() - t).toFixed(1)} ms)`);
  });
  return { store, tree, statusBar, diagnostics };
}

export function deactivate(): void { /* disposables are released by VS Code */ }
