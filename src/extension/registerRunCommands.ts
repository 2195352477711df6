/** The commands that run, write or show migrations, as the view, CodeLens and palette call them. */
import * as vscode from 'vscode';
import { ProjectStore } from './projectStore';
import { mergeHeads, newRevision, showSql } from './revisionCommands';
import { pickProject, RevisionArg } from './projectPick';
import { chooseTarget, Direction, revertTarget, runMigration } from './runCommands';
import { pickTarget } from './targetPick';

export function registerRunCommands(store: ProjectStore, log: vscode.LogOutputChannel): vscode.Disposable[] {
  const project = (arg?: RevisionArg) => pickProject(store, arg);
  const revisionOf = (arg?: RevisionArg) => arg?.script?.revision ?? arg?.revision;
  const run = (direction: Direction, target: (arg: RevisionArg | undefined, p: NonNullable<Awaited<ReturnType<typeof project>>>) => Promise<string | undefined> | string | undefined) =>
    async (arg?: RevisionArg) => {
      const p = await project(arg);
      if (!p?.dir) return undefined;
      if (p.graphError) {
        // Steps come from the graph: nothing can run until the files form one again.
        void vscode.window.showErrorMessage(`Migrations: ${p.label}: ${p.graphError}. Fix the revision files first (see Problems); nothing was run.`);
        return { ok: false, message: p.graphError };
      }
      const t = await target(arg, p);
      return t ? runMigration(store, log, p, direction, t) : undefined;
    };
  return [
    vscode.commands.registerCommand('alembicMigrations.upgradeHead', run('upgrade', () => 'head')),
    vscode.commands.registerCommand('alembicMigrations.downgradeOne', run('downgrade', () => '-1')),
    vscode.commands.registerCommand('alembicMigrations.upgrade', run('upgrade', (_a, p) => chooseTarget(p, 'upgrade'))),
    vscode.commands.registerCommand('alembicMigrations.downgrade', run('downgrade', (_a, p) => chooseTarget(p, 'downgrade'))),
    vscode.commands.registerCommand('alembicMigrations.upgradeTo', run('upgrade', (a) => revisionOf(a))),
    vscode.commands.registerCommand('alembicMigrations.downgradeTo', run('downgrade', (a, p) => { const id = revisionOf(a); return id ? revertTarget(p, id) : undefined; })),
    // Alembic's `downgrade <rev>`: this revision stays applied, everything after it is reverted.
    vscode.commands.registerCommand('alembicMigrations.downgradeToHere', run('downgrade', (a) => revisionOf(a))),
    vscode.commands.registerCommand('alembicMigrations.showSql', async (arg?: RevisionArg & { direction?: Direction }) => {
      const p = await project(arg);
      if (!p?.dir) return undefined;
      // From the palette: the revision in the active editor, else a pick.
      const active = vscode.window.activeTextEditor?.document.uri.fsPath;
      const id = revisionOf(arg) ?? p.dir.files.find((f) => f.path === active)?.revision
        ?? await pickTarget(p, `Show SQL of which revision of ${p.label}?`, []);
      return id ? showSql(p, id, arg?.direction) : undefined;
    }),
    vscode.commands.registerCommand('alembicMigrations.newRevision', async (arg?: RevisionArg & { message?: string }) => {
      const p = await project(arg);
      return p ? newRevision(store, p, arg?.message) : undefined;
    }),
    vscode.commands.registerCommand('alembicMigrations.mergeHeads', async (arg?: RevisionArg & { message?: string }) => {
      const p = await project(arg);
      return p ? mergeHeads(store, p, arg?.message) : undefined;
    }),
  ];
}
