/**
 * "Verify" in the Test Explorer: the stairway check of each revision (upgrade, downgrade, schema
 * as before, upgrade again) on scratch databases, as tests grouped by project and revision, with
 * one item per database. Runs from the Test Explorer, the gutter, or the revision's CodeLens.
 */
import * as vscode from 'vscode';
import { RevisionArg } from '../projectPick';
import { ProjectStore } from '../projectStore';
import { RunRecord, VerifyRunner } from './runVerify';
import { VerifyTree } from './testTree';

export interface VerifyApi extends vscode.Disposable {
  controller: vscode.TestController;
  profile: vscode.TestRunProfile;
  tree: VerifyTree;
  runner: VerifyRunner;
}

export function registerVerify(store: ProjectStore, log: vscode.LogOutputChannel): VerifyApi {
  const controller = vscode.tests.createTestController('alembicMigrations.verify', 'Migrations');
  const tree = new VerifyTree(controller, store);
  const runner = new VerifyRunner(controller, tree, store, log);
  const profile = controller.createRunProfile('Verify (stairway check)', vscode.TestRunProfileKind.Run,
    async (request, token) => { await runner.run(request, token); }, true);
  controller.refreshHandler = () => store.refresh();
  const command = vscode.commands.registerCommand('alembicMigrations.verifyRevision', (arg?: RevisionArg) => verifyRevision(store, tree, runner, profile, arg));
  return {
    controller, profile, tree, runner,
    dispose: () => { command.dispose(); runner.dispose(); tree.dispose(); controller.dispose(); },
  };
}

/**
 * Runs one revision (all its databases) as a Test Explorer run, so that its result shows in the
 * explorer and the gutter. The revision comes from the argument (CodeLens, view) or the active editor.
 */
async function verifyRevision(store: ProjectStore, tree: VerifyTree, runner: VerifyRunner, profile: vscode.TestRunProfile, arg?: RevisionArg): Promise<RunRecord | undefined> {
  await store.firstScan;
  let root = arg?.project?.found.root ?? arg?.root;
  let revision = arg?.script?.revision ?? arg?.revision;
  if (!root || !revision) {
    const file = vscode.window.activeTextEditor?.document.uri.fsPath;
    const project = file ? store.ownerOf(file) : undefined;
    root = project?.found.root;
    revision = project?.dir?.files.find((f) => f.path === file)?.revision;
  }
  if (!root || !revision) {
    void vscode.window.showInformationMessage('Migrations: open a revision file to verify it, or run the checks from the Testing view.');
    return undefined;
  }
  let item = tree.revisionItem(root, revision);
  if (!item) { tree.sync(); item = tree.revisionItem(root, revision); }
  if (!item) {
    void vscode.window.showErrorMessage(`Migrations: ${revision} is not in the revision graph (see Problems); nothing was verified.`);
    return undefined;
  }
  const cancel = new vscode.CancellationTokenSource();
  try {
    return await runner.run(new vscode.TestRunRequest([item], undefined, profile), cancel.token);
  } finally {
    cancel.dispose();
  }
}
