/**
 * The revision graph as a webview: a view under the Migrations tree and an editor panel ("Open
 * Graph"). The page (src/webview/graph/) only draws and asks; every request is checked by
 * messages.ts and acted on here. Strict CSP with a nonce; scripts and styles only from dist/webview.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import type { ProjectState, ProjectStore } from '../projectStore';
import { mergeHeads } from '../revisionCommands';
import { fixParent } from './fixParent';
import { parseRequest } from './messages';
import { graphBasis, GraphData, graphData, GraphRow, parentsOf, Revisions } from './model';
import { revisionTooltip } from './tooltip';

export const GRAPH_VIEW = 'alembicMigrations.graph';
export const GRAPH_PANEL = 'alembicMigrations.graphPanel';
/** Rows sent ahead of a big graph: more than a tall screen shows. */
const FIRST_SCREEN = 150;

/** One webview showing the graph of one project. */
export class GraphSurface implements vscode.Disposable {
  root: string | undefined;
  private lastPosted = '';
  /** The rows as last sent: the tooltip says what the page shows. */
  private rows = new Map<string, GraphRow>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly created = performance.now();
  private readied = false;

  /**
   * `visible`: a hidden surface is sent the graph when it shows again, not on every change. The
   * page is made with the graph's first screen in it: it paints as soon as its script runs, without
   * waiting for a message; the whole graph follows once it asks.
   */
  constructor(readonly webview: vscode.Webview, private readonly host: GraphHost, readonly kind: 'view' | 'panel', private readonly visible: () => boolean, root?: string) {
    this.root = root;
    webview.options = { enableScripts: true, localResourceRoots: host.resourceRoots };
    this.disposables.push(webview.onDidReceiveMessage((m) => { void this.receive(m); }));
    // The extension host sends its messages to the window on a timer: each step waits for the one
    // before to leave, so that VS Code starts making the webview, then gets the page, while the
    // whole graph is laid out here (ready when the page asks).
    let timer = setTimeout(() => {
      webview.html = host.html(webview, visible() ? graphData(host.store.all, this.project(), vscode.workspace.isTrusted, FIRST_SCREEN) : undefined);
      timer = setTimeout(() => { if (this.visible()) this.prepare(); }, 0);
    }, 0);
    this.disposables.push({ dispose: () => clearTimeout(timer) });
  }

  /**
   * What "Open Graph" returns to its caller: tests in the extension host get the surface itself,
   * but VS Code serializes a command's result back to the window when the palette ran it, and the
   * surface reaches the whole store (10,000 revisions: 130 ms of JSON here, and a large message the
   * window must read before it makes the page).
   */
  toJSON(): { kind: string; root?: string } { return { kind: this.kind, root: this.root }; }

  private prepared: { key: unknown[]; data: GraphData; text: string; ms: number } | undefined;

  /** The graph as the store, the project's database and trust are now; computed once for each. */
  private prepare() {
    const project = this.project();
    const key = [this.host.store.all, project, project?.db, vscode.workspace.isTrusted];
    if (this.prepared?.key.every((k, i) => k === key[i])) return this.prepared;
    const t = performance.now();
    const data = graphData(this.host.store.all, project, vscode.workspace.isTrusted);
    return this.prepared = { key, data, text: JSON.stringify(data), ms: performance.now() - t };
  }

  project(): ProjectState | undefined {
    const all = this.host.store.all;
    return all.find((p) => p.found.root === this.root) ?? all.find((p) => p.found.root === this.host.store.selectedRoot) ?? all.find((p) => p.dir) ?? all[0];
  }

  /** Sends the graph (unless the page already has exactly this). */
  post(force = false): void {
    if (!this.visible() || !this.readied) return; // the page asks when it has loaded
    const { data, text, ms } = this.prepare();
    if (!force && text === this.lastPosted) return;
    this.lastPosted = text;
    this.host.log.info(`Graph: ${data.rows.length} revisions laid out in ${ms.toFixed(0)} ms (${(text.length / 1024).toFixed(0)} KB, ${data.lanes} lanes), sent to the ${this.kind}`);
    this.rows = new Map(data.rows.map((r) => [r.id, r]));
    void this.webview.postMessage(data);
  }

  /** Handles one message from the page; returns what was done, or why it was ignored (tests read it). */
  async receive(raw: unknown): Promise<string> {
    const project = this.project();
    const files = project ? this.host.filesOf(project) : new Map<string, Revisions[number]>();
    const request = parseRequest(raw, { revision: (id) => files.has(id), root: (r) => this.host.store.all.some((p) => p.found.root === r) });
    const ignore = (why: string) => {
      this.host.log.warn(`Graph: a message from the webview was ignored: ${why}`);
      return `ignored: ${why}`;
    };
    if ('ignored' in request) return ignore(request.ignored);
    switch (request.type) {
      case 'ready':
        if (!this.readied) {
          const made = performance.timeOrigin + this.created;
          const ran = request.at === undefined ? '' : `, its script ran after ${(request.at - made).toFixed(0)} ms`;
          this.host.log.info(`Graph: page ready ${(performance.now() - this.created).toFixed(0)} ms after the ${this.kind} was made (VS Code's webview set-up${ran})`);
        }
        this.readied = true;
        this.post(true);
        return 'posted';
      case 'painted':
        this.host.log.info(`Graph: ${request.rows} revisions painted ${request.ms.toFixed(0)} ms after the data arrived (${this.kind})`);
        return 'logged';
      case 'selectProject': this.root = request.root; this.post(); return 'posted';
      case 'open': {
        await vscode.window.showTextDocument(vscode.Uri.file(files.get(request.revision)!.path), { preview: true });
        return 'opened';
      }
      case 'hover': {
        const f = files.get(request.revision)!;
        const row = this.rows.get(f.revision);
        const tip = revisionTooltip({ revision: f.revision, longdoc: f.longdoc, path: f.path, parents: parentsOf(f), branchLabels: f.branchLabels, dependencies: f.dependsOn },
          (row?.tags ?? []).filter((t) => t !== 'base'), row?.state);
        void this.webview.postMessage({ type: 'tooltip', ...tip });
        return 'tooltip';
      }
      case 'merge': {
        if (!vscode.workspace.isTrusted) return ignore('merge: Restricted Mode (the graph is read-only)');
        const heads = new Set(this.host.headsOf(project!));
        const notHead = request.revisions.find((r) => !heads.has(r));
        if (notHead) return ignore(`merge: ${notHead} is not a head`);
        const file = await mergeHeads(this.host.store, project!, request.message, request.revisions);
        return file ? `merged into ${file}` : 'not merged';
      }
      case 'fixParent': {
        if (!vscode.workspace.isTrusted) return ignore('fixParent: Restricted Mode (the graph is read-only)');
        return fixParent(this.host.store, this.host.log, project!, request.revision);
      }
    }
  }

  dispose(): void { for (const d of this.disposables) d.dispose(); }
}

/** Makes the surfaces, keeps them in step with the store, and registers the graph's commands. */
export class GraphHost implements vscode.WebviewViewProvider, vscode.Disposable {
  readonly surfaces = new Set<GraphSurface>();
  readonly resourceRoots: vscode.Uri[];
  private readonly disposables: vscode.Disposable[] = [];
  private panel: vscode.WebviewPanel | undefined;

  constructor(readonly store: ProjectStore, readonly log: vscode.LogOutputChannel, private readonly extensionUri: vscode.Uri) {
    this.resourceRoots = [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media')];
    this.disposables.push(
      store.onDidChange(() => { for (const s of this.surfaces) s.post(); }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => { for (const s of this.surfaces) s.post(); }),
      vscode.window.registerWebviewViewProvider(GRAPH_VIEW, this),
      vscode.commands.registerCommand('alembicMigrations.openGraph', (arg?: { root?: string }) => this.openPanel(arg?.root)),
    );
  }

  /** A project's revisions by id, computed once per scan. */
  filesOf(project: ProjectState): Map<string, Revisions[number]> {
    return graphBasis(project).byId;
  }

  headsOf(project: ProjectState): string[] {
    const { files, children } = graphBasis(project);
    return files.filter((f) => !children.has(f.revision)).map((f) => f.revision);
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    const surface = this.add(view.webview, 'view', () => view.visible);
    const shown = view.onDidChangeVisibility(() => surface.post());
    view.onDidDispose(() => { shown.dispose(); this.remove(surface); });
  }

  openPanel(root?: string): GraphSurface {
    if (this.panel) {
      this.panel.reveal();
      const s = [...this.surfaces].find((x) => x.webview === this.panel!.webview)!;
      if (root) { s.root = root; s.post(); }
      return s;
    }
    const panel = this.panel = vscode.window.createWebviewPanel(GRAPH_PANEL, 'Revision Graph', vscode.ViewColumn.Active, { enableScripts: true, localResourceRoots: this.resourceRoots });
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'migrations.svg');
    const surface = this.add(panel.webview, 'panel', () => panel.visible, root);
    panel.onDidChangeViewState(() => surface.post());
    panel.onDidDispose(() => { this.panel = undefined; this.remove(surface); });
    return surface;
  }

  private add(webview: vscode.Webview, kind: 'view' | 'panel', visible: () => boolean, root?: string): GraphSurface {
    const s = new GraphSurface(webview, this, kind, visible, root);
    this.surfaces.add(s);
    return s;
  }

  private remove(s: GraphSurface): void { s.dispose(); this.surfaces.delete(s); }

  /**
   * The page, its script and style inline (each file fetched through VS Code's webview resource
   * loader costs a round trip before the first paint) under a CSP that runs only what carries this
   * page's nonce. `initial`: graph data in a JSON block (data, never run; `<` escaped so that no
   * revision message can close the block).
   */
  html(webview: vscode.Webview, initial?: GraphData): string {
    const nonce = crypto.randomBytes(18).toString('base64');
    const { js, css } = this.assets();
    const csp = `default-src 'none'; style-src ${webview.cspSource} 'nonce-${nonce}'; script-src 'nonce-${nonce}'; img-src ${webview.cspSource}; font-src ${webview.cspSource};`;
    const data = initial ? `\n<script type="application/json" id="initial">${JSON.stringify(initial).replace(/</g, '\\u003c')}</script>` : '';
    return `<!DOCTYPE html>
<html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<style nonce="${nonce}">${css}</style>
<title>Revision Graph</title></head>
<body data-vscode-context='{"preventDefaultContextMenuItems": true}'>
<div id="app" data-nonce="${nonce}"></div>${data}
<script nonce="${nonce}">${js}</script>
</body></html>`;
  }

  private assetText: { js: string; css: string } | undefined;

  /** The page's bundle (dist/webview), read once; what could end its element is escaped. */
  private assets(): { js: string; css: string } {
    if (this.assetText) return this.assetText;
    const read = (f: string) => fs.readFileSync(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview', f).fsPath, 'utf8').replace(/\n\/[/*][#@] sourceMappingURL=.*$/m, '');
    return this.assetText = { js: read('graph.js').replace(/<\/(script)/gi, '<\\/$1'), css: read('graph.css').replace(/<\/(style)/gi, '<\\/$1') };
  }

  dispose(): void {
    this.panel?.dispose();
    for (const s of this.surfaces) s.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
