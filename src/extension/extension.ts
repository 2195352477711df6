/** Composition root: builds the store and the surfaces, and hands a small API to tests. */
import * as vscode from 'vscode';
import { performance } from 'node:perf_hooks';
import { RevisionCodeLens } from './codeLens';
import { Diagnostics } from './diagnostics';
import { BatchQuickFix } from './batchQuickFix';
import { DowngradeQuickFix } from './downgradeQuickFix';
import { MergeHeadsQuickFix } from './mergeHeadsQuickFix';
import { MigrationsTree } from './migrationsTree';
import { ProjectState, ProjectStore, revisionCount } from './projectStore';
import { StatusBar } from './statusBar';
import { showStatusActions } from './statusActions';
import { runStamp } from './stampCommand';
import { registerProjectCommands } from './projectCommands';
import { registerRunCommands } from './registerRunCommands';
import { registerShownDocuments } from './shownDocuments';
import { registerInitCommands } from './initCommands';
import { loadSnapshot, snapshotPath, SnapshotWriter } from './viewSnapshot';
import { registerVerify, VerifyApi } from './verify';
import { DriftChecks, registerDrift } from './drift';
import { GraphHost } from './graph/graphView';
import { registerGraphCommands } from './graph/graphCommands';

/** Returned by activate(): used by the extension-host tests to read what the surfaces show. */
export interface ExtensionApi {
  store: ProjectStore; tree: MigrationsTree; statusBar: StatusBar; diagnostics: Diagnostics; verify: VerifyApi; drift: DriftChecks; graph: GraphHost; snapshotFile?: string;
}

/** Set by the bundle's first line (scripts/build.mjs); absent when the modules are loaded unbundled. */
declare const __migrationsBundleStart: number | undefined;
/** How long the bundle took to evaluate, from its first line to here (its last module). */
const bundleMs = typeof __migrationsBundleStart === 'number' ? performance.now() - __migrationsBundleStart : undefined;

export function activate(context: vscode.ExtensionContext): ExtensionApi {
  const activateAt = performance.now();
  const log = vscode.window.createOutputChannel('Alembic Migrations', { log: true });
  const snapshotFile = snapshotPath(context.globalStorageUri.fsPath, (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath));
  const snapshot = loadSnapshot(snapshotFile);
  log.info(snapshot ? `View snapshot of ${snapshot.projects.length} project(s) read from ${snapshotFile}` : `No view snapshot at ${snapshotFile ?? '(no workspace storage)'}`);
  let firstAsked!: () => void;
  const asked = new Promise<void>((resolve) => { firstAsked = resolve; });
  // With a snapshot to show, the first scan waits for the view's first request (at most 400 ms:
  // the view may be closed), so that the rows are not queued behind the scan's first slice.
  const startAfter = snapshot ? Promise.race([asked, new Promise((resolve) => setTimeout(resolve, 400))]) : Promise.resolve();
  const secrets = rememberingSecrets(context.secrets);
  const store = new ProjectStore(log, (root) => secrets.get(`alembicMigrations.databaseUrl:${root}`), context.globalStorageUri.fsPath, startAfter);
  const tree = new MigrationsTree(store, snapshot, (rows, source) => {
    firstAsked();
    log.info(`View rows: ${rows} given to VS Code ${(performance.now() - activateAt).toFixed(1)} ms after activation (from ${source === 'snapshot' ? "the last session's snapshot" : 'the revision files'})`);
  });
  const snapshots = new SnapshotWriter(snapshotFile, snapshot);
  store.onDidChange(() => snapshots.schedule(() => tree.takeSnapshot()));
  const statusBar = new StatusBar(store);
  const treeView = vscode.window.createTreeView('alembicMigrations.revisions', { treeDataProvider: tree, showCollapseAll: true });
  // A progress bar on the view while the files are read (the snapshot's rows, if any, show meanwhile).
  void vscode.window.withProgress({ location: { viewId: 'alembicMigrations.revisions' } }, () => store.ready);
  const diagnostics = new Diagnostics(store);
  const verify = registerVerify(store, log);
  const drift = registerDrift(store, log, tree, statusBar);
  const graph = new GraphHost(store, log, context.extensionUri);
  context.subscriptions.push(
    graph,
    ...registerGraphCommands(graph),
    verify,
    ...drift.disposables,
    log,
    store,
    snapshots,
    statusBar,
    diagnostics,
    vscode.languages.registerCodeLensProvider(
      [{ scheme: 'file', language: 'python' }, { scheme: 'file', language: 'sql' }, { scheme: 'file', language: 'typescript' }, { scheme: 'file', language: 'javascript' }],
      new RevisionCodeLens(store)),
    vscode.commands.registerCommand('alembicMigrations.stamp', (node?: { project?: ProjectState; script?: { revision: string } }) =>
      runStamp(store, log, node?.project, node?.script?.revision)),
    registerShownDocuments(),
    ...registerProjectCommands(store, secrets, log),
    ...registerRunCommands(store, log),
    ...registerInitCommands(store, log),
    vscode.languages.registerCodeActionsProvider({ scheme: 'file', language: 'python' }, new DowngradeQuickFix(),
      { providedCodeActionKinds: DowngradeQuickFix.kinds }),
    vscode.languages.registerCodeActionsProvider({ scheme: 'file', language: 'python' }, new BatchQuickFix(store),
      { providedCodeActionKinds: BatchQuickFix.kinds }),
    vscode.languages.registerCodeActionsProvider(['python', 'sql', 'typescript', 'javascript'].map((language) => ({ scheme: 'file', language })),
      new MergeHeadsQuickFix(store), { providedCodeActionKinds: MergeHeadsQuickFix.kinds }),
    vscode.commands.registerCommand('alembicMigrations.statusActions', () => showStatusActions(store, statusBar)),
    treeView,
    vscode.commands.registerCommand('alembicMigrations.refresh', () => store.refresh()),
    vscode.commands.registerCommand('alembicMigrations.showMore', (node: { project: ProjectState }) => tree.showMore(node.project)),
    vscode.commands.registerCommand('alembicMigrations.showLog', () => log.show()),
  );
  void store.ready.then(() => vscode.commands.executeCommand('setContext', 'alembicMigrations.projectCount', store.all.length));
  store.onDidChange(() => vscode.commands.executeCommand('setContext', 'alembicMigrations.projectCount', store.all.length));
  const end = performance.now();
  log.info(`Activated: bundle evaluated in ${bundleMs?.toFixed(1) ?? '?'} ms, activate() ${(end - activateAt).toFixed(1)} ms`);
  // The view can render once the files are read (the database state follows).
  const first = store.onDidChange(() => {
    first.dispose();
    const revisions = store.all.reduce((n, p) => n + revisionCount(p), 0);
    const t = performance.now();
    const rows = tree.getChildren().length;
    log.info(`First view data: ${rows} rows for ${revisions} revisions ready ${(performance.now() - activateAt).toFixed(1)} ms after activation (rows built in ${(performance.now() - t).toFixed(1)} ms)`);
  });
  return { store, tree, statusBar, diagnostics, verify, drift: drift.checks, graph, snapshotFile };
}

/**
 * Secret storage that remembers what this session wrote: the refresh right after "Set Database
 * URL" must see the new URL, and a remote secret store (code-server's) may answer a read before the
 * write has reached it.
 */
function rememberingSecrets(s: vscode.SecretStorage): vscode.SecretStorage {
  const written = new Map<string, string | undefined>();
  return {
    get: async (key) => (written.has(key) ? written.get(key) : s.get(key)),
    keys: () => s.keys(),
    store: async (key, value) => { written.set(key, value); await s.store(key, value); },
    delete: async (key) => { written.set(key, undefined); await s.delete(key); },
    onDidChange: s.onDidChange,
  };
}

export function deactivate(): void { /* disposables are released by VS Code */ }
