/**
 * Drift in the editor: the checks, the view's Drift row, the status bar's warning, and the
 * commands "Check Drift", "New Revision from Database Drift" and "Compare with Alembic's Autogenerate".
 */
import * as vscode from 'vscode';
import type { MigrationsTree } from '../migrationsTree';
import { RevisionArg } from '../projectPick';
import { ProjectStore } from '../projectStore';
import type { StatusBar } from '../statusBar';
import { checkDriftCommand, revisionFromDriftCommand } from './commands';
import { DriftChecks } from './driftChecks';
import { COMPARE_SCHEME, compareAutogenerate, GeneratedDocuments } from './compareAutogenerate';

export { DriftChecks } from './driftChecks';

export function registerDrift(store: ProjectStore, log: vscode.LogOutputChannel, tree: MigrationsTree, statusBar: StatusBar): { checks: DriftChecks; disposables: vscode.Disposable[] } {
  const checks = new DriftChecks(store, log);
  const generated = new GeneratedDocuments();
  return {
    checks,
    disposables: [
      checks,
      tree.attachDrift(checks),
      statusBar.attachDrift(checks),
      vscode.commands.registerCommand('alembicMigrations.checkDrift', (arg?: RevisionArg & { quiet?: boolean }) => checkDriftCommand(store, checks, arg)),
      vscode.commands.registerCommand('alembicMigrations.revisionFromDrift', (arg?: RevisionArg & { message?: string; stamp?: boolean }) =>
        revisionFromDriftCommand(store, checks, log, arg)),
      vscode.workspace.registerTextDocumentContentProvider(COMPARE_SCHEME, generated),
      vscode.commands.registerCommand('alembicMigrations.compareAutogenerate', (arg?: RevisionArg & { pick?: 'drift' | 'alembic' | 'none'; message?: string }) =>
        compareAutogenerate(store, checks, generated, log, arg)),
    ],
  };
}
