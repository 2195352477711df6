/**
 * A Test Explorer run of "verify": the request's items become one engine `verify()` call per
 * project (per set of databases asked), whose results stream into the run as they come. The
 * engine (and PGlite) is loaded on the first run, never at activation.
 */
import * as vscode from 'vscode';
import { CommandError } from '../../engine/errors';
import type { ScriptDirectory } from '../../engine/scripts/scriptDirectory';
import type { RevisionResult, VerifyDatabase, VerifyOptions, VerifyReport } from '../../engine/verify/types';
import { ProjectState, ProjectStore } from '../projectStore';
import { requireTrust } from '../trust';
import { failureLine, failureMessages, failureText, outputLine } from './messages';
import { DATABASE_LABEL, DATABASES, postgresScratch } from './settings';
import { ItemMeta, VerifyTree } from './testTree';

type VerifyFn = (dir: ScriptDirectory, o: VerifyOptions) => Promise<VerifyReport>;

export type LeafState = 'passed' | 'failed' | 'skipped' | 'errored';

/** What a run reported for one revision on one database (VS Code keeps its own copy; the tests read this one). */
export interface LeafResult { state: LeafState; messages: string[]; line?: number; durationMs?: number }

export interface RunRecord {
  /** By database item id (`<root>::<revision>::<database>`). */
  results: Record<string, LeafResult>;
  /** Ids in the order they started. */
  started: string[];
  untrusted?: boolean;
  cancelled?: boolean;
  /** How many times the engine's verify() was called. */
  engineCalls: number;
  /** The lines written to the run's output. */
  output: string[];
}

interface Leaf { item: vscode.TestItem; meta: Extract<ItemMeta, { kind: 'database' }> }

export class VerifyRunner implements vscode.Disposable {
  private readonly ended = new vscode.EventEmitter<RunRecord>();
  readonly onDidEndRun = this.ended.event;
  private readonly startedItem = new vscode.EventEmitter<vscode.TestItem>();
  /** A database item's check started (its spinner shows). */
  readonly onDidStartItem = this.startedItem.event;
  last: RunRecord | undefined;

  constructor(private readonly controller: vscode.TestController, private readonly tree: VerifyTree,
    private readonly store: ProjectStore, private readonly log: vscode.LogOutputChannel) {}

  async run(request: vscode.TestRunRequest, token: vscode.CancellationToken): Promise<RunRecord> {
    const run = this.controller.createTestRun(request);
    const record: RunRecord = { results: {}, started: [], engineCalls: 0, output: [] };
    try {
      await this.store.firstScan;
      const leaves = this.leaves(request);
      if (!vscode.workspace.isTrusted) {
        // Migrations are code: nothing runs until the workspace is trusted.
        record.untrusted = true;
        this.out(run, record, 'Not verified: this workspace is not trusted, and verifying runs the migrations\' code. Trust the workspace (Manage Workspace Trust), then run again.');
        for (const l of leaves) this.report(run, record, l, 'skipped');
        requireTrust('verifying runs the migrations\' code');
        return record;
      }
      const abort = new AbortController();
      const cancel = () => { record.cancelled = true; abort.abort(); };
      const subscriptions = [token.onCancellationRequested(cancel), run.token.onCancellationRequested(cancel)];
      try {
        for (const l of leaves) run.enqueued(l.item);
        const byProject = new Map<string, Leaf[]>();
        for (const l of leaves) (byProject.get(l.meta.root) ?? byProject.set(l.meta.root, []).get(l.meta.root)!).push(l);
        for (const [root, list] of byProject) {
          if (abort.signal.aborted) break;
          await this.verifyProject(run, record, root, list, abort.signal);
        }
        if (abort.signal.aborted) {
          for (const l of leaves) if (!record.results[l.item.id]) this.report(run, record, l, 'skipped');
          this.out(run, record, 'Cancelled: the revisions not checked yet are marked skipped.');
        }
      } finally {
        for (const s of subscriptions) s.dispose();
      }
      return record;
    } finally {
      run.end();
      this.last = record;
      this.ended.fire(record);
    }
  }

  /** The database items a request asks for, minus the excluded ones, in the tree's order. */
  private leaves(request: vscode.TestRunRequest): Leaf[] {
    const excluded = new Set((request.exclude ?? []).map((i) => i.id));
    const out = new Map<string, Leaf>();
    const visit = (item: vscode.TestItem) => {
      if (excluded.has(item.id)) return;
      const meta = this.tree.meta.get(item);
      if (meta?.kind === 'database') { out.set(item.id, { item, meta }); return; }
      this.tree.resolve(item); // its children may not be made yet (they are when VS Code asks)
      const children: vscode.TestItem[] = [];
      item.children.forEach((c) => { children.push(c); });
      children.sort((a, b) => (a.sortText ?? a.label).localeCompare(b.sortText ?? b.label));
      for (const c of children) visit(c);
    };
    if (request.include) for (const i of request.include) visit(i);
    else this.controller.items.forEach((i) => visit(i));
    return [...out.values()];
  }

  private async verifyProject(run: vscode.TestRun, record: RunRecord, root: string, leaves: Leaf[], signal: AbortSignal): Promise<void> {
    let project = this.store.all.find((p) => p.found.root === root);
    if (project) project = await this.saveRevisionEdits(project);
    if (!project?.dir || project.graphError) {
      const why = project?.graphError ?? project?.error?.message ?? 'the project is no longer in the workspace';
      for (const l of leaves) this.report(run, record, l, 'errored', [`Not verified: ${why}.`]);
      return;
    }
    const dir = project.dir;
    const byKey = new Map(leaves.map((l) => [`${l.meta.revision}::${l.meta.database}`, l]));
    // Where the PostgreSQL scratch database lives; when it cannot be made, only SQLite runs.
    let postgres: VerifyOptions['postgres'];
    if (leaves.some((l) => l.meta.database === 'postgresql')) {
      const pg = postgresScratch(project);
      if ('error' in pg) {
        for (const l of leaves) if (l.meta.database === 'postgresql') this.report(run, record, l, 'errored', [pg.error]);
        leaves = leaves.filter((l) => l.meta.database !== 'postgresql');
      } else postgres = pg.scratch;
    }
    // One call per set of databases asked (usually one): a revision asked on SQLite only is not checked on PostgreSQL.
    const groups = new Map<string, { databases: VerifyDatabase[]; revisions: string[] }>();
    const perRevision = new Map<string, VerifyDatabase[]>();
    for (const l of leaves) (perRevision.get(l.meta.revision) ?? perRevision.set(l.meta.revision, []).get(l.meta.revision)!).push(l.meta.database);
    for (const [revision, databases] of perRevision) {
      const ordered = DATABASES.filter((d) => databases.includes(d)); // SQLite first, as listed
      const key = ordered.join(',');
      (groups.get(key) ?? groups.set(key, { databases: ordered, revisions: [] }).get(key)!).revisions.push(revision);
    }
    let verify: VerifyFn;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      ({ verify } = require('../../engine/verify') as { verify: VerifyFn });
    } catch (e) {
      this.log.error(`verify could not be loaded: ${(e as Error).message}`);
      for (const l of leaves) this.report(run, record, l, 'errored', ['Not verified: the check could not be loaded (see Migrations: Show Log).']);
      return;
    }
    for (const g of groups.values()) {
      if (signal.aborted) return;
      const label = `${project.label}: verify ${g.revisions.length} revision(s) on ${g.databases.map((d) => DATABASE_LABEL[d]).join(' and ')}`;
      this.log.info(label);
      this.out(run, record, label);
      const group = project;
      const asked = new Set(g.revisions);
      try {
        record.engineCalls++;
        const report = await verify(dir, {
          databases: g.databases,
          revisions: g.revisions,
          postgres,
          signal,
          onLog: (line) => this.out(run, record, line),
          onStart: (revision, database) => {
            const l = byKey.get(`${revision}::${database}`);
            if (l && !record.results[l.item.id]) { record.started.push(l.item.id); run.started(l.item); this.startedItem.fire(l.item); }
          },
          onResult: (r) => {
            const l = byKey.get(`${r.revision}::${r.database}`);
            if (l && !record.results[l.item.id]) this.reportResult(run, record, l, r);
          },
        });
        for (const p of report.problems) this.out(run, record, `${group.label}: ${p}`, undefined, this.controller.items.get(root));
        this.log.info(`${group.label}: verified in ${(report.durationMs / 1000).toFixed(1)} s: ${summary(report.results)}`);
      } catch (e) {
        if (signal.aborted) return;
        const message = e instanceof CommandError && e.hint ? `${e.message} ${e.hint}` : e instanceof Error ? e.message : String(e);
        this.log.error(`${group.label}: verify failed: ${message}`);
        for (const l of leaves) if (!record.results[l.item.id] && asked.has(l.meta.revision)) this.report(run, record, l, 'errored', [`Not verified: ${message}`]);
        continue;
      }
      for (const l of leaves) {
        if (!record.results[l.item.id] && asked.has(l.meta.revision) && !signal.aborted) this.report(run, record, l, 'skipped', undefined, 'the engine gave no result for it');
      }
    }
  }

  private reportResult(run: vscode.TestRun, record: RunRecord, l: Leaf, r: RevisionResult): void {
    if (r.downgradeLine && l.item.parent) this.tree.setDowngradeLine(l.item.parent, r.downgradeLine);
    const where = `${r.revision} on ${DATABASE_LABEL[r.database]}`;
    for (const w of r.warnings) this.out(run, record, `${where}: warning: ${w}`, undefined, l.item);
    if (r.status === 'passed') {
      run.passed(l.item, r.durationMs);
      record.results[l.item.id] = { state: 'passed', messages: [], durationMs: r.durationMs };
    } else if (r.status === 'failed') {
      run.failed(l.item, failureMessages(r), r.durationMs);
      for (const f of r.failures) this.out(run, record, `${where}: ${failureText(f)}`, undefined, l.item);
      record.results[l.item.id] = { state: 'failed', messages: r.failures.map(failureText), line: r.failures[0] ? failureLine(r, r.failures[0]) : r.downgradeLine, durationMs: r.durationMs };
    } else this.report(run, record, l, 'skipped', undefined, r.skippedReason ?? 'not checked', r.durationMs);
  }

  private out(run: vscode.TestRun, record: RunRecord, text: string, location?: vscode.Location, item?: vscode.TestItem): void {
    record.output.push(text);
    run.appendOutput(outputLine(text), location, item);
  }

  /** Reports a state that did not come from a check's result (skipped, errored). */
  private report(run: vscode.TestRun, record: RunRecord, l: Leaf, state: 'skipped' | 'errored', messages: string[] = [], reason?: string, durationMs?: number): void {
    const where = `${l.meta.revision} on ${DATABASE_LABEL[l.meta.database]}`;
    if (state === 'skipped') {
      run.skipped(l.item);
      if (reason) this.out(run, record, `${where}: not checked: ${reason}`, undefined, l.item);
    } else {
      run.errored(l.item, messages.map((m) => new vscode.TestMessage(m)), durationMs);
      for (const m of messages) this.out(run, record, `${where}: ${m}`, undefined, l.item);
    }
    record.results[l.item.id] = { state, messages: reason ? [reason, ...messages] : messages, durationMs };
  }

  /** The run uses the files on disk: unsaved edits of the project's revision files are saved first (as `testing.saveBeforeTest` does). */
  private async saveRevisionEdits(project: ProjectState): Promise<ProjectState | undefined> {
    const files = new Set(project.dir?.files.map((f) => f.path));
    const dirty = vscode.workspace.textDocuments.filter((d) => d.isDirty && d.uri.scheme === 'file' && files.has(d.uri.fsPath));
    if (!dirty.length) return project;
    for (const d of dirty) await d.save();
    await this.store.refresh();
    return this.store.all.find((p) => p.found.root === project.found.root);
  }

  dispose(): void { this.ended.dispose(); this.startedItem.dispose(); }
}

function summary(results: RevisionResult[]): string {
  const n = (s: string) => results.filter((r) => r.status === s).length;
  return `${n('passed')} passed, ${n('failed')} failed, ${n('skipped')} skipped`;
}
