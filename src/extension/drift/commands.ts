/**
 * "Check Drift" and "New Revision from Database Drift": the second writes a revision whose
 * upgrade() turns what the migrations build into what the database is, then offers to stamp the
 * database at it (the database already has those changes: upgrading would apply them twice).
 */
import * as vscode from 'vscode';
import { CommandError } from '../../engine/errors';
import { maskUrlText } from '../../engine/config/url';
import { pickProject, RevisionArg } from '../projectPick';
import { ProjectState, ProjectStore } from '../projectStore';
import { runStamp } from '../stampCommand';
import { requireTrust } from '../trust';
import { DriftChecks, DriftResult } from './driftChecks';

type RevisionFromDrift = typeof import('../../engine/autogen/revisionFromDifference').revisionFromDrift;

export async function checkDriftCommand(store: ProjectStore, checks: DriftChecks, arg?: RevisionArg & { quiet?: boolean }): Promise<DriftResult | undefined> {
  if (!requireTrust('checking drift builds the migrations\' schema, which runs their code')) return undefined;
  const project = await pickProject(store, arg);
  if (!project) return undefined;
  const result = await vscode.window.withProgress({ location: { viewId: 'alembicMigrations.revisions' } }, () =>
    vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Checking drift of ${project.label}` }, () => checks.check(project)));
  if (arg?.quiet) return result;
  if (result.status === 'clean') {
    void vscode.window.showInformationMessage(`Migrations: no drift: ${project.label}'s database matches what its migrations build at ${headsText(result.heads)}.`);
  } else if (result.status === 'drift') {
    const n = result.report.differences.length;
    void vscode.window.showWarningMessage(`Migrations: ${project.label}'s database differs from its migrations in ${n} place${n === 1 ? '' : 's'} (see Drift in the Migrations view).`, 'New Revision from Drift')
      .then((a) => a && vscode.commands.executeCommand('alembicMigrations.revisionFromDrift', { project }));
  } else if (result.status === 'error') {
    void vscode.window.showErrorMessage(`Migrations: drift of ${project.label} not checked: ${result.message}${result.hint ? ` ${result.hint}` : ''}`);
  }
  return result;
}

/** Returns the written file (tests use it), or undefined when there was nothing to write or it was cancelled. */
export async function revisionFromDriftCommand(store: ProjectStore, checks: DriftChecks, log: vscode.LogOutputChannel,
  arg?: RevisionArg & { message?: string; stamp?: boolean }): Promise<string | undefined> {
  if (!requireTrust('writing a revision from drift builds the migrations\' schema, which runs their code')) return undefined;
  const project = await pickProject(store, arg);
  if (!project?.dir) return undefined;
  // Always from a fresh check: the database may have changed since the one shown.
  const result = await checkDriftCommand(store, checks, { project, quiet: true });
  if (!result || result.status === 'error') {
    if (result?.status === 'error') void vscode.window.showErrorMessage(`Migrations: no revision written: ${result.message}${result.hint ? ` ${result.hint}` : ''}`);
    return undefined;
  }
  if (result.status !== 'drift') {
    void vscode.window.showInformationMessage(`Migrations: no drift in ${project.label}: there is nothing to write a revision for.`);
    return undefined;
  }
  const heads = project.dir.map.heads;
  const current = result.heads;
  if (heads.length !== 1 || current.length !== 1 || current[0] !== heads[0]) {
    // The new revision goes on the head, but its contents are the database's difference at its own revision.
    void vscode.window.showErrorMessage(`Migrations: ${project.label}'s database is at ${headsText(current)}, not at the head (${heads.join(', ')}): upgrade it first (or merge the heads), then write the revision from drift.`);
    return undefined;
  }
  const message = arg?.message ?? await vscode.window.showInputBox({ title: `New revision from the drift of ${project.label}`, prompt: 'Message (what the revision does)', value: 'match database drift' });
  if (message === undefined) return undefined;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { revisionFromDrift } = require('../../engine/autogen/revisionFromDifference') as { revisionFromDrift: RevisionFromDrift };
    const written = revisionFromDrift(project.dir, result.report, message);
    if (!written.path) { void vscode.window.showInformationMessage(`Migrations: ${written.message}`); return undefined; }
    log.info(`${project.label}: revision from drift written: ${written.path}`);
    for (const r of written.reviews) log.warn(`${project.label}: ${written.path}: review: ${r}`);
    await store.refresh();
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(vscode.Uri.file(written.path)));
    const reviews = written.reviews.length ? ` ${written.reviews.length} change(s) are marked "# review:" in the file: check them before committing.` : '';
    const stamp = arg?.stamp ?? (await vscode.window.showInformationMessage(
      `Migrations: revision written from the drift of ${project.label}.${reviews} The database already has these changes: stamp it at the new revision (no migration runs)?`,
      'Stamp Database', 'Not Now')) === 'Stamp Database';
    if (stamp) await stampNew(store, log, project, written.path);
    return written.path;
  } catch (e) {
    const text = maskUrlText(e instanceof Error ? e.message : String(e));
    const hint = e instanceof CommandError && e.hint ? ` ${e.hint}` : '';
    void vscode.window.showErrorMessage(`Migrations: no revision written from drift: ${text}${hint}`);
    return undefined;
  }
}

async function stampNew(store: ProjectStore, log: vscode.LogOutputChannel, project: ProjectState, file: string): Promise<void> {
  const fresh = store.all.find((p) => p.found.root === project.found.root);
  const id = fresh?.dir?.files.find((f) => f.path === file)?.revision;
  if (fresh && id) await runStamp(store, log, fresh, id);
}

const headsText = (heads: readonly string[]) => (heads.length ? heads.join(', ') : 'base');
