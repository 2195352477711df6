/**
 * "Stamp Database...": sets the version table without running migrations, through the engine,
 * in one transaction, with progress; the log shows each step. Only in a trusted workspace.
 */
import * as vscode from 'vscode';
import { stamp } from '../engine/commands/stamp';
import { CommandError } from '../engine/errors';
import { maskUrlText } from '../engine/config/url';
import { pickProject } from './projectPick';
import { ProjectState, ProjectStore } from './projectStore';
import { pickTarget } from './targetPick';
import { runSettings } from './runSettings';
import { requireTrust } from './trust';

export async function runStamp(store: ProjectStore, log: vscode.LogOutputChannel, project: ProjectState | undefined, target?: string): Promise<void> {
  if (!requireTrust('stamping writes to the database')) return;
  project ??= await pickProject(store);
  if (!project?.dir) return;
  target ??= await pickTarget(project, `Stamp the database of ${project.label} (no migration runs)`, [
    { label: 'heads', description: 'every head revision', target: 'heads' },
    { label: 'base', description: 'empty the version table', target: 'base' },
  ]);
  if (!target) return;
  const db = project.db?.status === 'ok' ? project.db.url : project.dir.config.database ? 'the database' : undefined;
  if (vscode.workspace.getConfiguration('alembicMigrations', vscode.Uri.file(project.found.root)).get('confirmDatabaseWrites', true)) {
    const answer = await vscode.window.showWarningMessage(`Stamp ${db ?? 'the database'} at ${target}?`,
      { modal: true, detail: 'The version table is set to this revision; no migration runs and the schema is not changed.' }, 'Stamp');
    if (answer !== 'Stamp') return;
  }
  const dir = project.dir;
  try {
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Migrations: stamping ${target}` }, () =>
      stamp(dir, [target!], { ...runSettings(project!, log), onStep: (t) => log.info(`${project!.label}: ${t}`), onStatement: (sql) => log.info(maskUrlText(sql)) }));
    log.info(`${project.label}: stamped ${target}`);
  } catch (e) {
    const message = maskUrlText(e instanceof Error ? e.message : String(e));
    log.error(`${project.label}: stamp ${target} failed: ${message}`);
    const hint = e instanceof CommandError && e.hint ? ` ${maskUrlText(e.hint)}` : '';
    void vscode.window.showErrorMessage(`Migrations: stamp ${target} failed: ${message}${hint}`, 'Show Log').then((a) => a && log.show());
  } finally {
    await store.refresh();
  }
}
