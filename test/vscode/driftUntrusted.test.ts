/** Restricted Mode: drift is never checked (building the migrations' schema runs their code), and no Drift row shows. */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { describe, it } from 'mocha';
import type { ExtensionApi } from '../../src/extension/extension';

describe('Drift in an untrusted workspace', () => {
  it('checks nothing when asked, and the view shows no Drift row', async () => {
    assert.equal(vscode.workspace.isTrusted, false);
    const a = await vscode.extensions.getExtension<ExtensionApi>('migrations-tools.alembic-migrations')!.activate();
    await a.store.ready;
    const root = a.store.all[0].found.root;
    // Called directly (the palette hides it: its enablement is isWorkspaceTrusted).
    const r = await vscode.commands.executeCommand('alembicMigrations.checkDrift', { root, quiet: true });
    assert.equal(r, undefined, 'the command refused');
    assert.equal(a.drift.get(root), undefined, 'no check ran');
    assert.ok(!a.tree.getChildren().some((n) => n.kind === 'drift'), 'no Drift row');
  });
});
