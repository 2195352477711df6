/**
 * The extension's single source of truth: the Alembic projects of the workspace and their
 * revision graphs. Surfaces render from it and listen to `onDidChange`; none keeps its own copy.
 */
import * as vscode from 'vscode';
import path from 'node:path';
import { findProjects, FoundProject } from '../engine/config/discover';
import { loadProjectConfig, ProjectConfig } from '../engine/config/project';
import { CommandError } from '../engine/errors';
import { PlanCache } from '../engine/runner/planCache';
import { HeaderCache } from '../engine/scripts/headerCache';
import { cacheFileName } from '../engine/util/jsonCache';
import { loadScriptDirectoryCooperatively, ScriptDirectory } from '../engine/scripts/scriptDirectory';
import { DatabaseState, readDatabaseState } from './databaseState';

export interface ProjectState {
  found: FoundProject;
  label: string;
  config?: ProjectConfig;
  dir?: ScriptDirectory;
  /** Set when the project could not be read at all: what and what to do. */
  error?: { message: string; hint?: string };
  /** The database's state, once read (undefined while reading). */
  db?: DatabaseState;
  /** Set when the files were read but do not form a graph (a cycle, a missing parent): `dir.map` must not be used. */
  graphError?: string;
}

/** How many revisions a project has, also when its graph cannot be built. */
export const revisionCount = (p: ProjectState): number => (p.dir ? (p.graphError ? p.dir.files.length : p.dir.scripts.length) : 0);

const pauseForHost = () => new Promise<void>((resolve) => setImmediate(resolve));

export class ProjectStore implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private projects: ProjectState[] = [];
  private readonly caches = new Map<string, HeaderCache>();
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private timer: NodeJS.Timeout | undefined;
  /** The project chosen with "Select Project..." (commands default to it when no editor says otherwise). */
  selectedRoot: string | undefined;
  /** Resolves when the first scan is done (tests wait on it). */
  ready: Promise<void>;
  /** False until the first scan has read the files: until then `all` is empty (the view shows its snapshot). */
  loaded = false;
  /** Resolves once the first scan has read the files (or failed): commands wait on it. */
  readonly firstScan: Promise<void>;
  private markScanned!: () => void;
  private disposed = false;

  /**
   * `secretUrl` returns a database URL the user set in the editor for a project root, if any;
   * `cacheDir` keeps parsed revision headers between sessions (re-read only what changed);
   * the first scan starts once `startAfter` settles (the view paints its snapshot first).
   */
  constructor(
    private readonly log: vscode.LogOutputChannel,
    private readonly secretUrl: (root: string) => Thenable<string | undefined> = async () => undefined,
    private readonly cacheDir?: string,
    startAfter: Promise<unknown> = Promise.resolve(),
  ) {
    const watcher = vscode.workspace.createFileSystemWatcher('**/*.{py,ts,js,sql,ini,toml,env}');
    const schedule = () => this.scheduleRefresh();
    // A SQLite file written by alembic, the app or another tool changes the state we show.
    const dbWatcher = vscode.workspace.createFileSystemWatcher('**/*.{db,sqlite,sqlite3}');
    this.disposables.push(watcher, watcher.onDidChange(schedule), watcher.onDidCreate(schedule), watcher.onDidDelete(schedule),
      dbWatcher, dbWatcher.onDidChange(schedule), dbWatcher.onDidCreate(schedule), dbWatcher.onDidDelete(schedule),
      vscode.workspace.onDidChangeWorkspaceFolders(schedule), vscode.workspace.onDidGrantWorkspaceTrust(schedule),
      vscode.window.onDidChangeWindowState((w) => { if (w.focused) schedule(); }));
    this.firstScan = new Promise((resolve) => { this.markScanned = resolve; });
    this.queue = startAfter.then(() => undefined, () => undefined);
    this.ready = this.refresh();
    void this.ready.finally(() => this.markScanned());
  }

  get all(): readonly ProjectState[] { return this.projects; }

  /** Revision file -> its project, built on first use after each scan (asked on every keystroke). */
  private owners: Map<string, ProjectState> | undefined;

  /** The project that lists `file` (a path) among its revision files. */
  ownerOf(file: string): ProjectState | undefined {
    if (!this.owners) {
      this.owners = new Map();
      for (const p of this.projects) for (const f of p.dir?.files ?? []) if (!this.owners.has(f.path)) this.owners.set(f.path, p);
    }
    return this.owners.get(file);
  }

  scheduleRefresh(delayMs = 300): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => { void this.refresh(); }, delayMs);
  }

  private queue: Promise<void> = Promise.resolve();

  /** Re-reads files and databases; runs one at a time, so a caller that awaits sees settled state. */
  refresh(): Promise<void> {
    this.queue = this.queue.then(() => this.doRefresh(), () => this.doRefresh());
    return this.queue;
  }

  private async doRefresh(): Promise<void> {
    if (this.disposed) return; // e.g. disposed while the first scan waited for the view
    const started = Date.now();
    const folders = vscode.workspace.workspaceFolders ?? [];
    const found = folders.flatMap((f) => findProjects(f.uri.fsPath));
    const foundAt = Date.now();
    const previous = new Map(this.projects.map((p) => [p.found.root, p.db]));
    const projects: ProjectState[] = [];
    for (const p of found) projects.push(await this.load(p, folders.length > 1 || found.length > 1));
    if (this.disposed) return;
    this.projects = projects;
    this.owners = undefined;
    this.loaded = true;
    this.markScanned();
    // Until the database answers again, keep showing what it said last time (no flicker).
    for (const p of this.projects) p.db = previous.get(p.found.root);
    const revisions = this.projects.reduce((n, p) => n + revisionCount(p), 0);
    this.log.info(`Read ${this.projects.length} project(s), ${revisions} revision(s) in ${Date.now() - started} ms (finding projects ${foundAt - started} ms)`);
    this.changed.fire();
    this.saveCachesSoon();
    await this.readDatabases(this.projects);
  }

  private cacheFile(root: string, kind: 'headers' | 'plans' = 'headers'): string | undefined {
    return this.cacheDir && path.join(this.cacheDir, cacheFileName(kind, root));
  }

  private readonly plans = new Map<string, PlanCache>();

  /** A project's compiled statements, kept between runs (as the CLI keeps them); call `savePlans` after a run. */
  plansOf(root: string): PlanCache {
    let cache = this.plans.get(root);
    if (!cache) this.plans.set(root, cache = this.cacheFile(root, 'plans') ? PlanCache.load(this.cacheFile(root, 'plans')!) : new PlanCache());
    return cache;
  }

  savePlans(root: string): void {
    const file = this.cacheFile(root, 'plans');
    if (file) this.plans.get(root)?.save(file);
  }

  private saveTimer: NodeJS.Timeout | undefined;

  /** Writes the header caches after the view has rendered, off the critical path. */
  private saveCachesSoon(): void {
    if (!this.cacheDir) return;
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => {
      for (const [root, cache] of this.caches) cache.save(this.cacheFile(root)!);
    }, 2000);
  }

  private async readDatabases(projects: ProjectState[]): Promise<void> {
    const trusted = vscode.workspace.isTrusted;
    await Promise.all(projects.map(async (p) => {
      if (!p.dir) return;
      // A URL set with "Set Database URL..." wins: the user chose it for this editor.
      const secret = await this.secretUrl(p.found.root);
      if (secret) p.dir.config.database = { url: secret, source: 'the editor (Set Database URL)' };
      p.db = await readDatabaseState(p.dir, trusted);
      if (p.db.status === 'error') this.log.warn(`${p.label}: ${p.db.message}${p.db.hint ? ` (${p.db.hint})` : ''}`);
      else if (p.db.status === 'ok') this.log.info(`${p.label}: ${p.db.url} is at ${p.db.heads.join(', ') || 'base'}; ${p.db.pending} pending`);
    }));
    if (projects === this.projects) this.changed.fire();
  }

  private async load(found: FoundProject, qualify: boolean): Promise<ProjectState> {
    const label = qualify ? vscode.workspace.asRelativePath(found.root, (vscode.workspace.workspaceFolders?.length ?? 0) > 1) || path.basename(found.root) : path.basename(found.root);
    try {
      const config = loadProjectConfig({ iniPath: found.iniPath, tomlPath: found.tomlPath, cwd: found.root });
      let cache = this.caches.get(found.root);
      if (!cache) {
        this.caches.set(found.root, cache = this.cacheFile(found.root) ? HeaderCache.load(this.cacheFile(found.root)!) : new HeaderCache());
        await pauseForHost(); // a large project's cache is megabytes of JSON: let waiting requests through
      }
      const t0 = Date.now();
      // In slices, so that the extension host (shared with other extensions) answers between them.
      const dir = await loadScriptDirectoryCooperatively(config, cache, pauseForHost);
      const t1 = Date.now();
      // Build the graph now: the log says where the time goes, and a broken graph is known before any surface uses it.
      let graphError: string | undefined;
      try { void dir.map.heads; } catch (e) { graphError = (e as Error).message; }
      this.log.info(`${label}: ${dir.files.length} revision files read in ${t1 - t0} ms, graph built in ${Date.now() - t1} ms`);
      for (const p of dir.problems) this.log.warn(`${p.file}${p.line ? `:${p.line}` : ''}: ${p.message}`);
      for (const w of dir.warnings) this.log.warn(w);
      if (graphError) this.log.error(`${label}: ${graphError}`);
      return { found, label, config, dir, graphError };
    } catch (e) {
      const err = e instanceof CommandError ? { message: e.message, hint: e.hint } : { message: String((e as Error).message ?? e) };
      this.log.error(`${found.iniPath ?? found.tomlPath}: ${err.message}`);
      return { found, label, error: err };
    }
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.saveTimer) clearTimeout(this.saveTimer);
    for (const d of this.disposables) d.dispose();
  }
}
