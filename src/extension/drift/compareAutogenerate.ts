/**
 * "Compare with Alembic's Autogenerate": where the project has a working `alembic`, its own
 * autogenerate (the models against the database) beside ours (the migrations against the
 * database), in a diff editor of two read-only documents; the user then writes the one they pick.
 * Both read the database only; nothing is written until the user picks.
 */
import * as vscode from 'vscode';
import { maskUrlText } from '../../engine/config/url';
import { CommandError } from '../../engine/errors';
import { findAlembic, runAlembic } from '../../engine/handoff/alembic';
import { alembicAutogenerate } from '../../engine/handoff/alembicAutogenerate';
import { pickProject, RevisionArg } from '../projectPick';
import { ProjectStore } from '../projectStore';
import { requireTrust } from '../trust';
import { checkDriftCommand } from './commands';
import { DriftChecks } from './driftChecks';

export const COMPARE_SCHEME = 'alembic-migrations-autogenerate';

/** The two generated texts, served read-only under COMPARE_SCHEME. */
export class GeneratedDocuments implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();
  set(uri: vscode.Uri, text: string): void { this.texts.set(uri.toString(), text); }
  provideTextDocumentContent(uri: vscode.Uri): string { return this.texts.get(uri.toString()) ?? ''; }
}

const body = (title: string, upgrades: string, downgrades: string) =>
  `# ${title}\n\ndef upgrade():\n    ${upgrades.trim() ? upgrades.trim() : 'pass'}\n\n\ndef downgrade():\n    ${downgrades.trim() ? downgrades.trim() : 'pass'}\n`;
const indent = (code: string) => code.split('\n').map((l, i) => (i === 0 ? l : `    ${l}`)).join('\n');

export async function compareAutogenerate(store: ProjectStore, checks: DriftChecks, docs: GeneratedDocuments, log: vscode.LogOutputChannel,
  arg?: RevisionArg & { pick?: 'drift' | 'alembic' | 'none'; message?: string }): Promise<{ ours: string; alembic: string } | undefined> {
  if (!requireTrust('Alembic\'s autogenerate imports the project\'s code')) return undefined;
  const project = await pickProject(store, arg);
  if (!project?.dir) return undefined;
  const dir = project.dir;
  const configured = vscode.workspace.getConfiguration('alembicMigrations', vscode.Uri.file(project.found.root)).get<string>('alembicPath') || undefined;
  const exe = findAlembic(project.found.root, configured);
  if (!exe) {
    void vscode.window.showWarningMessage(`Migrations: no alembic found for ${project.label} (looked in .venv, venv, env, $VIRTUAL_ENV and PATH): only the revision from drift can be written.`);
    return undefined;
  }
  const ini = project.found.iniPath;
  if (!ini) {
    void vscode.window.showWarningMessage(`Migrations: ${project.label} has no alembic.ini: Alembic's autogenerate is run only for projects configured in alembic.ini.`);
    return undefined;
  }
  const result = await checkDriftCommand(store, checks, { project, quiet: true });
  if (!result || result.status === 'error') {
    if (result?.status === 'error') void vscode.window.showErrorMessage(`Migrations: drift of ${project.label} not checked: ${result.message}`);
    return undefined;
  }
  const message = arg?.message ?? 'autogenerate';
  let alembic;
  try {
    alembic = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Running Alembic's autogenerate (${exe})`, cancellable: true },
      (_p, token) => {
        const abort = new AbortController();
        token.onCancellationRequested(() => abort.abort());
        return alembicAutogenerate(exe, { configFile: ini, cwd: dir.config.cwd, message,
          databaseUrl: dir.config.database?.url, signal: abort.signal });
      });
  } catch (e) {
    const text = maskUrlText(e instanceof Error ? e.message : String(e));
    log.warn(`${project.label}: ${text}`);
    void vscode.window.showErrorMessage(`Migrations: ${text}${e instanceof CommandError && e.hint ? ` ${e.hint}` : ''}`);
    return undefined;
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { autogenerate } = require('../../engine/autogen') as typeof import('../../engine/autogen');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { styleFor } = require('../../engine/autogen/revisionFromDifference') as typeof import('../../engine/autogen/revisionFromDifference');
  const ours = result.status === 'drift' ? autogenerate(result.report.expected, result.report.actual, styleFor(dir, result.report.expected.dialect)) : undefined;
  const left = vscode.Uri.from({ scheme: COMPARE_SCHEME, path: `/${project.label}/alembic-autogenerate.py` });
  const right = vscode.Uri.from({ scheme: COMPARE_SCHEME, path: `/${project.label}/from-database-drift.py` });
  const alembicText = body('Alembic autogenerate: what makes the database match the models', indent(alembic.upgrade), indent(alembic.downgrade));
  const oursText = body('From database drift: what makes the migrations match the database', indent(ours?.upgrades ?? ''), indent(ours?.downgrades ?? ''));
  docs.set(left, alembicText);
  docs.set(right, oursText);
  await vscode.commands.executeCommand('vscode.diff', left, right, `${project.label}: Alembic's autogenerate ↔ from database drift`, { preview: true });
  const pick = arg?.pick ?? await vscode.window.showInformationMessage(
    'Left: Alembic\'s autogenerate (the models against the database). Right: from drift (the migrations against the database). Write which as a new revision?',
    'Write From Drift', 'Write Alembic\'s').then((a) => (a === 'Write From Drift' ? 'drift' : a ? 'alembic' : 'none'));
  if (pick === 'drift') await vscode.commands.executeCommand('alembicMigrations.revisionFromDrift', { project, message: arg?.message });
  if (pick === 'alembic') {
    const r = await runAlembic(exe, ['-c', ini, 'revision', '--autogenerate', '-m', message], { cwd: dir.config.cwd, databaseUrl: dir.config.database?.url, onStderr: (s) => log.info(maskUrlText(s.trimEnd())) });
    if (r.code !== 0) void vscode.window.showErrorMessage(`Migrations: alembic revision --autogenerate failed (exit ${r.code}); see the log.`);
    await store.refresh();
  }
  return { ours: oursText, alembic: alembicText };
}
