/**
 * Drift in the editor: for each project, what the last check found (the live database against the
 * schema its migrations build at the database's revision), checked on demand, again after runs
 * (whenever the database's revision changes), and on opening if the setting asks. Checks
 * read the database only; the engine (and PGlite) is loaded on the first check, never at activation.
 * Never in an untrusted workspace: building the expected schema runs the migrations' code.
 */
import * as vscode from 'vscode';
import { parseDatabaseUrl, maskUrlText } from '../../engine/config/url';
import { CommandError } from '../../engine/errors';
import type { DriftReport } from '../../engine/drift';
import { ProjectState, ProjectStore } from '../projectStore';
import { postgresScratch } from '../verify/settings';
import { driftSettings } from './settings';

export type DriftResult =
  | { status: 'checking'; previous?: DriftResult }
  | { status: 'clean' | 'drift'; report: DriftReport; heads: string[]; at: Date }
  | { status: 'error'; message: string; hint?: string; heads?: string[]; at: Date };

type DriftFn = typeof import('../../engine/drift').drift;

export class DriftChecks implements vscode.Disposable {
  private readonly results = new Map<string, DriftResult>();
  private readonly changed = new vscode.EventEmitter<string>();
  /** Fires with a project root when its result changes (a check started or ended). */
  readonly onDidChange = this.changed.event;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly disposables: vscode.Disposable[] = [this.changed];
  /** Projects whose automatic check is queued, so that a burst of refreshes asks once. */
  private readonly queued = new Set<string>();

  constructor(private readonly store: ProjectStore, private readonly log: vscode.LogOutputChannel) {
    this.disposables.push(store.onDidChange(() => this.checkChanged()));
  }

  get(root: string): DriftResult | undefined { return this.results.get(root); }

  /** The result to show: while a check runs, the one before it. */
  shown(root: string): DriftResult | undefined {
    const r = this.results.get(root);
    return r?.status === 'checking' ? r.previous ?? r : r;
  }

  /** Checks one project now (after any check already running); resolves with its result. */
  check(project: ProjectState): Promise<DriftResult> {
    const root = project.found.root;
    const run = this.queue.then(() => this.run(root));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Automatic checks: a checked project whose database revision changed (a run), and, with
   * checkOnOpen, a project whose revision is read for the first time.
   */
  private checkChanged(): void {
    if (!vscode.workspace.isTrusted) return;
    for (const p of this.store.all) {
      const root = p.found.root;
      if (p.db?.status !== 'ok' || !p.dir || p.graphError || this.queued.has(root)) continue;
      const settings = driftSettings(p);
      const last = this.results.get(root);
      if (last?.status === 'checking' || !(last ? settings.checkAfterRuns : settings.checkOnOpen)) continue;
      const key = p.db.heads.join(',');
      if (last && 'heads' in last && last.heads?.join(',') === key) continue;
      this.queued.add(root);
      void this.check(p).finally(() => this.queued.delete(root));
    }
  }

  private async run(root: string): Promise<DriftResult> {
    const project = this.store.all.find((p) => p.found.root === root);
    const previous = this.results.get(root);
    const at = new Date();
    if (!project) return this.set(root, { status: 'error', message: 'The project is no longer in the workspace.', at });
    if (!vscode.workspace.isTrusted) {
      return this.set(root, { status: 'error', message: 'Not checked: the workspace is not trusted, and building the migrations\' schema runs their code.', hint: 'Trust the workspace (Manage Workspace Trust), then check again.', at });
    }
    const dir = project.dir;
    if (!dir || project.graphError) return this.set(root, { status: 'error', message: `Not checked: ${project.graphError ?? project.error?.message ?? 'the project could not be read'}.`, at });
    const configured = dir.config.database;
    if (!configured) return this.set(root, { status: 'error', message: 'Not checked: no database is configured.', hint: 'Set DATABASE_URL (environment or .env), sqlalchemy.url in alembic.ini, or use Set Database URL...', at });
    const heads = project.db?.status === 'ok' ? project.db.heads : undefined;
    this.set(root, { status: 'checking', previous: previous?.status === 'checking' ? previous.previous : previous });
    const started = Date.now();
    try {
      const url = parseDatabaseUrl(configured.url, configured.source);
      const settings = driftSettings(project);
      let postgres: { mode: 'pglite' } | { mode: 'server'; url: string } | undefined;
      if (url.dialect === 'postgresql') {
        const pg = postgresScratch(project);
        if ('error' in pg) throw new CommandError(pg.error);
        postgres = pg.scratch;
      }
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { drift } = require('../../engine/drift') as { drift: DriftFn };
      const report = await drift(dir, { url, cwd: dir.config.cwd, ignore: settings.ignore, postgres, onLog: (line) => this.log.info(`${project.label}: drift: ${maskUrlText(line)}`) });
      const status = report.differences.length ? 'drift' : 'clean';
      this.log.info(`${project.label}: drift check: ${status === 'clean' ? 'no drift' : `${report.differences.length} difference(s)`} (${Date.now() - started} ms)`);
      for (const d of report.differences) this.log.info(`${project.label}: drift: ${d.message}`);
      return this.set(root, { status, report, heads: report.heads, at });
    } catch (e) {
      const message = maskUrlText(e instanceof Error ? e.message : String(e));
      const hint = e instanceof CommandError && e.hint ? maskUrlText(e.hint) : undefined;
      this.log.warn(`${project.label}: drift check failed: ${message}`);
      return this.set(root, { status: 'error', message, hint, heads, at });
    }
  }

  private set(root: string, r: DriftResult): DriftResult {
    this.results.set(root, r);
    this.changed.fire(root);
    return r;
  }

  dispose(): void { for (const d of this.disposables) d.dispose(); }
}
