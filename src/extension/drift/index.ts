/**
 * Drift in the editor: the checks, the view's Drift row, the status bar's warning, and the
 * commands "Check Drift" and "New Revision from Database Drift".
 */
import * as vscode from 'vscode';
import type { MigrationsTree } from '../migrationsTree';
import { RevisionArg } from '../projectPick';
import { ProjectStore } from '../projectStore';
import type { StatusBar } from '../statusBar';
import { checkDriftCommand, revisionFromDriftCommand } from './commands';
import { DriftChecks } from './driftChecks';

export { DriftChecks } from './driftChecks';

export function registerDrift(store: ProjectStore, log: vscode.LogOutputChannel, tree: MigrationsTree, statusBar: StatusBar): { checks: DriftChecks; disposables: vscode.Disposable[] } {
  const checks = new DriftChecks(store, log);
  return {
    checks,
    disposables: [
      checks,
      tree.attachDrift(checks),
      statusBar.attachDrift(checks),
      vscode.commands.registerCommand('alembicMigrations.checkDrift', (arg?: RevisionArg & { quiet?: boolean }) => checkDriftCommand(store, checks, arg)),
      vscode.commands.registerCommand('alembicMigrations.revisionFromDrift', (arg?: RevisionArg & { message?: string; stamp?: boolean }) =>
        revisionFromDriftCommand(store, checks, log, arg)),
    ],
  };
}
