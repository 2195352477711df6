/**
 * The revision graph webview, from the extension's side, in the real VS Code: every message the
 * page can send, valid and malformed (a malformed one is ignored and logged, never acted on), the
 * context-menu commands' argument checks, merging two heads and repairing a down_revision.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { after, before, describe, it } from 'mocha';
import type { ExtensionApi } from '../../src/extension/extension';
import type { GraphSurface } from '../../src/extension/graph/graphView';
import { fixParent } from '../../src/extension/graph/fixParent';
import { graphData } from '../../src/extension/graph/model';

const EXTENSION_ID = 'migrations-tools.alembic-migrations';
const HEAD = '0d4e6f8a2b19';

describe('The revision graph', () => {
  let a: ExtensionApi;
  let graph: GraphSurface;
  const versions = () => path.join(vscode.workspace.workspaceFolders![0].uri.fsPath, 'alembic', 'versions');
  const written: string[] = [];
  const write = (name: string, text: string) => { const f = path.join(versions(), name); fs.writeFileSync(f, text); written.push(f); return f; };
  const revisionFile = (rev: string, down: string, doc: string) => `"""${doc}\n\nRevision ID: ${rev}\n"""\nrevision = "${rev}"\ndown_revision = "${down}"\n\n\ndef upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n`;
  const project = () => a.store.all[0];

  before(async () => {
    a = await vscode.extensions.getExtension<ExtensionApi>(EXTENSION_ID)!.activate();
    await a.store.ready;
    const result = await vscode.commands.executeCommand('alembicMigrations.openGraph');
    graph = [...a.graph.surfaces].find((s) => s.kind === 'panel')!;
    assert.ok(graph, 'Open Graph made a panel');
    // Run from the palette, VS Code sends the command's result to the window as JSON before it makes
    // the page: it must be a few bytes, not the store (at 10,000 revisions that held the page back 1 s).
    assert.equal(result, graph);
    assert.ok(JSON.stringify(result).length < 200, JSON.stringify(result).slice(0, 200));
  });

  after(async () => {
    for (const f of written) fs.rmSync(f, { force: true });
    await a.store.refresh();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('draws the example: its branch and merge in two lanes, heads and branch label tagged', () => {
    const data = graphData(a.store.all, project(), vscode.workspace.isTrusted);
    assert.equal(data.rows.length, 6);
    assert.equal(data.rows[0].id, HEAD);
    assert.equal(data.lanes, 2, 'the two branches side by side');
    const merge = data.rows.find((r) => r.id === 'c5e8f7a1b302')!;
    assert.deepEqual(merge.tags, ['mergepoint']);
    assert.deepEqual(data.rows.find((r) => r.id === 'abc123def456')!.tags, ['branchpoint']);
    assert.deepEqual(data.rows.find((r) => r.id === '91d0e4b2c6aa')!.labels, ['auth']);
  });

  it('makes the page with its first screen inside, as data no revision message can break out of', () => {
    const first = graphData(a.store.all, project(), true, 2);
    assert.equal(first.rows.length, 2);
    assert.equal(first.total, 6, 'the page knows how many rows are coming');
    assert.ok(first.edges.every((n, k) => k % 3 === 2 || n <= 2), 'only the edges of the rows it has');
    first.rows[0] = { ...first.rows[0], doc: '</script><script>alert(1)</script>' };
    const html = a.graph.html(graph.webview, first);
    assert.equal(html.match(/<script/g)?.length, 2, 'the data block and the page script, nothing else');
    assert.ok(html.includes('\\u003c/script>\\u003cscript>alert(1)\\u003c/script>'), 'the message is escaped inside the JSON');
    assert.deepEqual(JSON.parse(/<script type="application\/json" id="initial">(.*?)<\/script>/s.exec(html)![1]).rows[0].doc, first.rows[0].doc, 'and reads back as it was');
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)![1];
    const nonce = /script-src 'nonce-([^']+)';/.exec(csp)![1];
    assert.match(csp, /^default-src 'none';/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.ok(html.includes(`<script nonce="${nonce}">`), 'the page script carries the nonce');
  });

  it('acts on valid messages: ready, open, hover', async () => {
    assert.equal(await graph.receive({ type: 'ready' }), 'posted');
    assert.equal(await graph.receive({ type: 'ready', at: Date.now() }), 'posted', 'with when its script ran');
    assert.equal(await graph.receive({ type: 'open', revision: '91d0e4b2c6aa' }), 'opened');
    assert.match(vscode.window.activeTextEditor?.document.uri.fsPath ?? '', /91d0e4b2c6aa_api_keys\.py$/, 'the file is open');
    assert.equal(await graph.receive({ type: 'hover', revision: 'c5e8f7a1b302' }), 'tooltip');
  });

  it('ignores malformed messages, unknown types and unknown revisions, and acts on none', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const before = fs.readdirSync(versions()).sort();
    const bad: unknown[] = [
      null, 'open', 42, [], ['open', HEAD], {}, { type: 'launch' }, { type: 'constructor' }, { type: '__proto__' },
      { type: 'open' }, { type: 'open', revision: 42 }, { type: 'open', revision: 'deadbeef0000' }, { type: 'open', revision: '' },
      { type: 'open', revision: 'x'.repeat(10_000) }, { type: 'open', revision: HEAD, command: 'workbench.action.terminal.new' },
      { type: 'merge', revisions: [HEAD] }, { type: 'merge', revisions: HEAD }, { type: 'merge', revisions: [HEAD, HEAD] },
      { type: 'merge', revisions: [HEAD, 'abc123def456'] }, { type: 'merge', revisions: [HEAD, 'nope'] },
      { type: 'fixParent', revision: HEAD }, { type: 'selectProject', root: '/etc' }, { type: 'painted', rows: 'many', ms: 1 },
      { type: 'ready', at: 'now' }, { type: 'ready', at: Infinity },
    ];
    for (const m of bad) {
      const r = await graph.receive(m);
      assert.match(r, /^(ignored|refused): /, `${JSON.stringify(m)?.slice(0, 80)} -> ${r}`);
    }
    assert.equal(vscode.window.activeTextEditor, undefined, 'no file was opened');
    assert.deepEqual(fs.readdirSync(versions()).sort(), before, 'no file was written');
  });

  it('checks the context-menu commands\' argument: another project or revision runs nothing', async () => {
    for (const arg of [undefined, {}, { root: '/nope', revision: HEAD }, { root: project().found.root, revision: 'deadbeef0000' }, { root: project().found.root, revision: 7 }]) {
      assert.equal(await vscode.commands.executeCommand('alembicMigrations.graph.upgradeTo', arg), undefined);
      assert.equal(await vscode.commands.executeCommand('alembicMigrations.graph.fixParent', arg), undefined);
    }
  });

  it('merges two selected heads into a new revision', async () => {
    write('e1e2e3e4e5e6_side.py', revisionFile('e1e2e3e4e5e6', 'c5e8f7a1b302', 'a second head'));
    await a.store.refresh();
    const r = await graph.receive({ type: 'merge', revisions: [HEAD, 'e1e2e3e4e5e6'], message: 'merge from the graph' });
    const file = /^merged into (.*)$/.exec(r)?.[1];
    assert.ok(file && fs.existsSync(file), r);
    written.push(file);
    assert.match(fs.readFileSync(file, 'utf8'), /down_revision[^\n]*\(\s*'0d4e6f8a2b19',\s*'e1e2e3e4e5e6'\s*\)/);
    await a.store.refresh();
    assert.equal(project().dir!.map.heads.length, 1, 'a single head again');
  });

  it('repairs a down_revision that names no revision, and refuses when the file changed meanwhile', async () => {
    const broken = write('f1f2f3f4f5f6_typo.py', revisionFile('f1f2f3f4f5f6', '0d4e6f8a2b1', 'a typo in the parent'));
    await a.store.refresh();
    const row = graphData(a.store.all, project(), true).rows.find((x) => x.id === 'f1f2f3f4f5f6')!;
    assert.deepEqual(row.missing, ['0d4e6f8a2b1'], 'drawn with its missing parent');
    const log = vscode.window.createOutputChannel('graph test', { log: true });
    const changed = await fixParent(a.store, log, project(), 'f1f2f3f4f5f6', async (items) => {
      fs.appendFileSync(broken, '# edited elsewhere\n');
      return items[0].id;
    });
    assert.match(changed, /^refused: .*changed while the parent was chosen/);
    assert.match(fs.readFileSync(broken, 'utf8'), /down_revision = "0d4e6f8a2b1"\n/, 'nothing written');
    let offered: string[] = [];
    const fixed = await fixParent(a.store, log, project(), 'f1f2f3f4f5f6', async (items) => { offered = items.map((c) => c.id); return items[0].id; });
    assert.equal(fixed, 'fixed');
    assert.equal(offered[0], HEAD, 'the close id is offered first');
    assert.match(fs.readFileSync(broken, 'utf8'), /down_revision = "0d4e6f8a2b19"\n/);
    assert.equal(graphData(a.store.all, project(), true).rows.find((x) => x.id === 'f1f2f3f4f5f6')!.missing, undefined);
    log.dispose();
  });
});
