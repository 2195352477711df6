/** The revision graph in Restricted Mode: drawn, without the database's state, and nothing acts. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import * as vscode from 'vscode';
import { describe, it } from 'mocha';
import type { ExtensionApi } from '../../src/extension/extension';
import { graphData } from '../../src/extension/graph/model';

describe('The revision graph in an untrusted workspace', () => {
  it('shows the revisions without database state, and refuses merge, repair and runs', async () => {
    assert.equal(vscode.workspace.isTrusted, false);
    const a = await vscode.extensions.getExtension<ExtensionApi>('migrations-tools.alembic-migrations')!.activate();
    await a.store.ready;
    const project = a.store.all[0];
    const data = graphData(a.store.all, project, vscode.workspace.isTrusted);
    assert.equal(data.rows.length, 6, 'the graph is drawn');
    assert.ok(data.rows.every((r) => r.state === undefined), 'no database state');
    assert.match(data.database, /^Restricted Mode/);
    const surface = await vscode.commands.executeCommand<{ receive(m: unknown): Promise<string> }>('alembicMigrations.openGraph');
    assert.equal(await surface.receive({ type: 'open', revision: '0d4e6f8a2b19' }), 'opened', 'reading a file is fine');
    const files = () => fs.readdirSync(project.dir!.config.versionLocations[0]).sort();
    const before = files();
    assert.match(await surface.receive({ type: 'merge', revisions: ['0d4e6f8a2b19', 'c5e8f7a1b302'], message: 'x' }), /^ignored: merge: Restricted Mode/);
    assert.match(await surface.receive({ type: 'fixParent', revision: '0d4e6f8a2b19' }), /^ignored: fixParent: Restricted Mode/);
    const r = await vscode.commands.executeCommand('alembicMigrations.graph.upgradeTo', { root: project.found.root, revision: '0d4e6f8a2b19' });
    assert.deepEqual(r, { ok: false, message: 'untrusted' }, 'the run is refused');
    assert.deepEqual(files(), before, 'nothing written');
  });
});
