/** Restricted Mode: verify lists the revisions but runs nothing, and says the workspace must be trusted. */
import assert from 'node:assert/strict';
import path from 'node:path';
import * as vscode from 'vscode';
import { describe, it } from 'mocha';
import type { ExtensionApi } from '../../src/extension/extension';
import type { RunRecord } from '../../src/extension/verify/runVerify';

describe('Verify in an untrusted workspace', () => {
  it('lists the revisions, runs nothing, and ends the run saying the workspace must be trusted', async () => {
    assert.equal(vscode.workspace.isTrusted, false);
    const a = await vscode.extensions.getExtension<ExtensionApi>('migrations-tools.alembic-migrations')!.activate();
    await a.store.ready;
    const root = a.store.all[0].found.root;
    const project = a.verify.controller.items.get(root);
    assert.ok(project, 'the project is listed');
    assert.equal(project.canResolveChildren, true, 'its revisions are made when asked');
    assert.equal(project.children.size, 0, 'not yet');
    const ended = new Promise<RunRecord>((resolve) => { const d = a.verify.runner.onDidEndRun((r) => { d.dispose(); resolve(r); }); });
    const cts = new vscode.CancellationTokenSource();
    await a.verify.profile.runHandler(new vscode.TestRunRequest([project], undefined, a.verify.profile), cts.token);
    const r = await ended;
    assert.equal(project.children.size, 6, 'the run made its six revisions');
    assert.equal(r.untrusted, true);
    assert.equal(r.engineCalls, 0, 'the engine was not called');
    assert.match(r.output.join('\n'), /this workspace is not trusted.*Trust the workspace/, 'the run says why');
    assert.equal(Object.keys(r.results).length, 12, 'every revision on both databases');
    assert.ok(Object.values(r.results).every((x) => x.state === 'skipped'), 'all skipped, none passed or failed');
    const doc = await vscode.workspace.openTextDocument(path.join(root, 'alembic', 'versions', '7beb871f4454_initial_schema.py'));
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri, 10);
    assert.ok(!lenses.some((l) => l.command?.command === 'alembicMigrations.verifyRevision'), 'no Verify lens');
  });
});
