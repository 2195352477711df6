/**
 * Upgrade / downgrade from the editor: pick a target (or take it from the view or a CodeLens),
 * confirm, run through the embedded engine with cancellable progress (cancel = rollback), every
 * statement in the log. When the engine cannot run a migration, offer the project's own alembic.
 */
import * as vscode from 'vscode';
import { downgrade, downgradeSteps, RunCancelled, StatementError, upgrade, upgradeSteps } from '../engine/commands/migrate';
import { maskUrlText } from '../engine/config/url';
import { CommandError } from '../engine/errors';
import { findAlembic, runAlembic } from '../engine/handoff/alembic';
import { NotRunnableError } from '../engine/runner/migrationSource';
import { ProjectState, ProjectStore } from './projectStore';
import { pickTarget } from './targetPick';
import { backupNote, runSettings } from './runSettings';
import { requireTrust } from './trust';

export type Direction = 'upgrade' | 'downgrade';

const currentHeads = (p: ProjectState): string[] | undefined => (p.db?.status === 'ok' ? p.db.heads : undefined);

/** "Revert this revision": the target just below it (a merge asks which parent to go back to). */
export async function revertTarget(project: ProjectState, id: string): Promise<string | undefined> {
  const s = project.dir?.map.map.get(id);
  if (!s) return undefined;
  if (s.versionedDownRevisions.length <= 1) return `${id}-1`;
  const pick = await vscode.window.showQuickPick(s.versionedDownRevisions.map((d) => {
    const parent = project.dir!.map.map.get(d);
    return { label: d, description: parent?.doc, target: d };
  }), { title: `${id} merges ${s.versionedDownRevisions.length} branches: downgrade to which parent?` });
  return pick?.target;
}

export async function chooseTarget(project: ProjectState, direction: Direction): Promise<string | undefined> {
  return direction === 'upgrade'
    ? pickTarget(project, `Upgrade ${project.label} to...`, [
      { label: 'head', description: 'the latest revision', target: 'head' },
      { label: 'heads', description: 'every head (all branches)', target: 'heads' },
      { label: '+1', description: 'one revision up', target: '+1' },
    ])
    : pickTarget(project, `Downgrade ${project.label} to...`, [
      { label: '-1', description: 'one revision down', target: '-1' },
      { label: 'base', description: 'before the first revision (every migration reverted)', target: 'base' },
    ]);
}

export interface RunResult { ok: boolean; steps?: number; message: string }

/** Runs upgrade/downgrade to `target` with progress; returns what happened (also shown to the user). */
export async function runMigration(store: ProjectStore, log: vscode.LogOutputChannel, project: ProjectState, direction: Direction, target: string,
  o: { confirm?: boolean } = {}): Promise<RunResult> {
  if (!requireTrust('running migrations executes the project\'s code')) return { ok: false, message: 'untrusted' };
  if (!project.dir) return { ok: false, message: 'no project' };
  const heads = currentHeads(project);
  const settings = runSettings(project, log);
  const config = vscode.workspace.getConfiguration('alembicMigrations', vscode.Uri.file(project.found.root));
  const perMigration = config.get('transactionPerMigration', false);
  const all = perMigration ? 'a transaction per migration: a failure or a cancel keeps the migrations before it' : 'in one transaction: all or nothing';
  let count: number | undefined; // unknown until the database has answered (still reading, or unreadable)
  let question: string | undefined; // a downgrade said in words: which revisions go, back to where
  if (heads) {
    try {
      const steps = direction === 'upgrade' ? upgradeSteps(project.dir, target, heads) : downgradeSteps(project.dir, target, heads);
      count = steps.length;
      if (direction === 'downgrade' && count) question = revertQuestion(steps.map((st) => st.revision), project.db?.status === 'ok' ? project.db.url : 'the database');
    } catch (e) {
      const message = maskUrlText((e as Error).message);
      void vscode.window.showErrorMessage(`Migrations: ${direction} ${target}: ${message}`);
      return { ok: false, message };
    }
    if (count === 0) {
      void vscode.window.showInformationMessage(`Migrations: ${project.label} is already at ${target}; nothing to ${direction}.`);
      return { ok: true, steps: 0, message: 'nothing to do' };
    }
  }
  const unsaved = unsavedRevisionFiles(project);
  const confirm = o.confirm ?? config.get('confirmDatabaseWrites', true);
  if (confirm) {
    const db = project.db?.status === 'ok' ? project.db.url : 'the database';
    const verb = direction === 'upgrade' ? 'Upgrade' : 'Downgrade';
    const what = count === undefined
      ? `The database's current revision is not known yet: the run reads it first and works out the migrations to ${direction === 'upgrade' ? 'run' : 'revert'}, ${all}.`
      : `${count} migration${count === 1 ? '' : 's'} will ${direction === 'upgrade' ? 'run' : 'be reverted'}, ${all}.`;
    const saving = unsaved.length ? `\n\nUnsaved changes are saved first (the run uses the files): ${unsaved.map((d) => vscode.workspace.asRelativePath(d.uri)).join(', ')}.` : '';
    const title = question ?? `${verb} ${db} to ${target}?`;
    const answer = await vscode.window.showWarningMessage(title, { modal: true, detail: `${what}${saving}\n\n${backupNote(project, settings)}` }, verb);
    if (answer !== verb) return { ok: false, message: 'not confirmed' };
  }
  if (unsaved.length) {
    const saved = await saveRevisionEdits(store, project, unsaved);
    if (!saved?.dir) return { ok: false, message: 'unsaved revision files' };
    project = saved;
  }
  const dir = project.dir!;
  const fn = direction === 'upgrade' ? upgrade : downgrade;
  log.info(`${project.label}: ${direction} ${target}${perMigration ? ' (a transaction per migration)' : ''}`);
  try {
    const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Migrations: ${direction} ${target}`, cancellable: true },
      (progress, token) => {
        const abort = new AbortController();
        token.onCancellationRequested(() => {
          log.info(`${project.label}: cancel requested; the run stops before its next statement and rolls back ${perMigration ? 'the migration in progress' : 'everything it did'}`);
          abort.abort();
        });
        return fn(dir, target, {
          ...settings,
          onWait: (t) => { settings.onWait?.(t); progress.report({ message: t }); },
          signal: abort.signal,
          transactionPerMigration: perMigration,
          onLog: (t) => { log.info(`${project.label}: ${t}`); if (t.startsWith('Running ')) progress.report({ message: t.slice(8) }); },
          onStatement: (sql) => log.info(maskUrlText(sql)),
          planCache: store.plansOf(project.found.root),
        });
      });
    const message = `${project.label}: ${direction} to ${target} done (${result.steps} migration${result.steps === 1 ? '' : 's'}); now at ${result.heads.join(', ') || 'base'}`;
    log.info(message);
    void vscode.window.showInformationMessage(`Migrations: ${message}`);
    return { ok: true, steps: result.steps, message };
  } catch (e) {
    return reportFailure(log, project, direction, target, e, perMigration);
  } finally {
    store.savePlans(project.found.root);
    await store.refresh();
  }
}

/**
 * The engine runs the files on disk; the editor shows (and CodeLens reads) the buffers. Like a
 * task's `saveBeforeRun`, unsaved revision files of the project are saved first, then re-read.
 */
function unsavedRevisionFiles(project: ProjectState): vscode.TextDocument[] {
  const files = new Set(project.dir?.files.map((f) => f.path));
  return vscode.workspace.textDocuments.filter((d) => d.isDirty && d.uri.scheme === 'file' && files.has(d.uri.fsPath));
}

async function saveRevisionEdits(store: ProjectStore, project: ProjectState, dirty: vscode.TextDocument[]): Promise<ProjectState | undefined> {
  for (const d of dirty) {
    if (!(await d.save())) {
      void vscode.window.showErrorMessage(`Migrations: ${vscode.workspace.asRelativePath(d.uri)} could not be saved; nothing was run.`);
      return undefined;
    }
  }
  await store.refresh();
  return store.all.find((p) => p.found.root === project.found.root);
}

async function reportFailure(log: vscode.LogOutputChannel, project: ProjectState, direction: Direction, target: string, e: unknown, perMigration = false): Promise<RunResult> {
  const message = maskUrlText(e instanceof Error ? e.message : String(e));
  log.error(`${project.label}: ${direction} ${target} failed: ${message}`);
  if (e instanceof RunCancelled) {
    void vscode.window.showInformationMessage(e.kept ? `Migrations: cancelled. ${e.kept}` : perMigration
      ? 'Migrations: cancelled; the migration in progress was rolled back, the ones before it are kept (a transaction per migration).'
      : 'Migrations: cancelled; everything the run did was rolled back.');
    return { ok: false, message };
  }
  if (e instanceof StatementError) {
    void vscode.window.showErrorMessage(`Migrations: ${direction} failed at ${vscode.workspace.asRelativePath(e.file)}:${e.line}: ${message}. ${e.kept ?? (perMigration ? 'That migration was rolled back; the ones before it are kept.' : 'The database was rolled back.')}`, 'Open File', 'Show Log')
      .then(async (a) => {
        if (a === 'Show Log') log.show();
        if (a === 'Open File') await vscode.window.showTextDocument(vscode.Uri.file(e.file), { selection: new vscode.Range(e.line - 1, 0, e.line - 1, 0) });
      });
    return { ok: false, message };
  }
  if (e instanceof NotRunnableError && !e.items.every((i) => i.dialectProblem)) {
    void vscode.window.showErrorMessage(`Migrations: ${message}`, { modal: false }, 'Run with Alembic', 'Open File').then(async (a) => {
      if (a === 'Run with Alembic') await handOff(log, project, direction, target);
      if (a === 'Open File') {
        const i = e.items[0];
        await vscode.window.showTextDocument(vscode.Uri.file(i.file), { selection: new vscode.Range(i.line - 1, 0, i.line - 1, 0) });
      }
    });
    return { ok: false, message };
  }
  const hint = e instanceof CommandError && e.hint ? ` ${maskUrlText(e.hint)}` : '';
  void vscode.window.showErrorMessage(`Migrations: ${direction} ${target} failed: ${message}${hint}`, 'Show Log').then((a) => a && log.show());
  return { ok: false, message };
}

/** Runs the project's own alembic for this command (no shell; a URL we hold goes in the environment). */
export async function handOff(log: vscode.LogOutputChannel, project: ProjectState, direction: Direction, target: string): Promise<number | undefined> {
  if (!requireTrust('Alembic runs the project\'s env.py and migrations')) return undefined;
  const configured = vscode.workspace.getConfiguration('alembicMigrations', vscode.Uri.file(project.found.root)).get<string>('alembicPath') || undefined;
  const exe = findAlembic(project.found.root, configured);
  if (!exe) {
    void vscode.window.showErrorMessage('Migrations: no alembic executable found (looked in .venv, venv, env, $VIRTUAL_ENV and PATH). Set "alembicMigrations.alembicPath".', 'Open Settings')
      .then((a) => a && vscode.commands.executeCommand('workbench.action.openSettings', 'alembicMigrations.alembicPath'));
    return undefined;
  }
  const cfg = project.dir?.config;
  const args = [...(cfg?.iniFile ? ['-c', cfg.iniFile] : cfg?.tomlFile ? ['-c', cfg.tomlFile] : []), direction, target];
  // A URL alembic's env.py may not find by itself (set in the editor, or in a .env file) goes in its environment.
  const secretUrl = cfg?.database && !/^sqlalchemy\.url|\(environment\)/.test(cfg.database.source) ? cfg.database.url : undefined;
  log.info(`${project.label}: running ${exe} ${args.join(' ')}`);
  const r = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Migrations: alembic ${direction} ${target}`, cancellable: true },
    (_p, token) => {
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      return runAlembic(exe, args, { cwd: cfg?.cwd ?? project.found.root, databaseUrl: secretUrl, signal: abort.signal,
        onStdout: (s) => log.info(maskUrlText(s.trimEnd())), onStderr: (s) => log.info(maskUrlText(s.trimEnd())) })
        .catch((err: Error) => ({ code: -1, stdout: '', stderr: err.message }));
    });
  if (r.code === 0) void vscode.window.showInformationMessage(`Migrations: alembic ${direction} ${target} done.`);
  else void vscode.window.showErrorMessage(`Migrations: alembic ${direction} ${target} failed (exit ${r.code}).`, 'Show Log').then((a) => a && log.show());
  return r.code;
}

/**
 * "Revert 3f9a1c2d4e5b and the 5 revisions after it in <db>, back to abc123def456?": the revisions a
 * downgrade reverts (newest first, as the steps run), named by the oldest of them, and where it ends.
 */
function revertQuestion(reverted: { revision: string; versionedDownRevisions: readonly string[] }[], db: string): string {
  const oldest = reverted[reverted.length - 1];
  const after = reverted.length - 1;
  const back = oldest.versionedDownRevisions.length ? oldest.versionedDownRevisions.join(' and ') : 'base (an empty schema)';
  return `Revert ${oldest.revision}${after ? ` and the ${after} revision${after === 1 ? '' : 's'} after it` : ''} in ${db}, back to ${back}?`;
}
