/**
 * Commands that read a project or set how to reach its database: copy id, show history / current,
 * set or clear the database URL (kept in SecretStorage, never in settings).
 */
import * as vscode from 'vscode';
import { history } from '../engine/commands/readOnly';
import { maskUrlText, parseDatabaseUrl } from '../engine/config/url';
import { CommandError } from '../engine/errors';
import { pickProject } from './projectPick';
import { ProjectState, ProjectStore } from './projectStore';
import { showText } from './shownDocuments';

type Node = { project?: ProjectState; script?: { revision: string } } | undefined;

export function registerProjectCommands(store: ProjectStore, secrets: vscode.SecretStorage, log: vscode.LogOutputChannel): vscode.Disposable[] {
  const project = (node: Node) => pickProject(store, node, { readable: false });
  return [
    vscode.commands.registerCommand('alembicMigrations.copyId', async (node: Node) => {
      if (!node?.script) return;
      await vscode.env.clipboard.writeText(node.script.revision);
      vscode.window.setStatusBarMessage(`Copied ${node.script.revision}`, 2000);
    }),
    vscode.commands.registerCommand('alembicMigrations.showHistory', async (node: Node) => {
      const p = await project(node);
      if (!p?.dir) return;
      const lines: string[] = [];
      try {
        await history(p.dir, (t) => lines.push(t), { verbose: true, indicateCurrent: p.db?.status === 'ok',
          currentHeads: async () => (p.db?.status === 'ok' ? p.db.heads : []) });
      } catch (e) {
        void vscode.window.showErrorMessage(`Migrations: ${e instanceof Error ? e.message : String(e)}`);
        return;
      }
      await showText(`${p.label.replace(/[\\/]/g, '-')} history.txt`, lines.join(''), 'plaintext');
    }),
    vscode.commands.registerCommand('alembicMigrations.showCurrent', async (node: Node) => {
      const p = await project(node);
      const db = p?.db;
      if (!p || !db) return;
      if (db.status !== 'ok') { void vscode.window.showWarningMessage(`Migrations (${p.label}): ${db.message}`); return; }
      const text = db.heads.length ? db.heads.map((h) => `${h} ${p.dir?.map.map.get(h)?.doc ?? ''}`).join('; ') : 'base (no revision applied)';
      void vscode.window.showInformationMessage(`Migrations (${p.label}): ${db.url} is at ${text}; ${db.pending} pending.`);
    }),
    vscode.commands.registerCommand('alembicMigrations.setDatabaseUrl', async (node: Node, given?: string) => {
      const p = await project(node);
      if (!p) return;
      const url = given ?? await vscode.window.showInputBox({
        title: `Database URL for ${p.label}`, password: true, ignoreFocusOut: true,
        prompt: 'A SQLAlchemy URL, e.g. postgresql://user:password@localhost/app or sqlite:///app.db. Kept in VS Code\'s secret storage, never in settings.',
        validateInput: (v) => { try { parseDatabaseUrl(v); return undefined; } catch (e) { return e instanceof CommandError ? e.message : String(e); } },
      });
      if (!url) return;
      await secrets.store(secretKey(p), url);
      log.info(`${p.label}: database URL set in the editor (${maskUrlText(url)})`);
      await store.refresh();
    }),
    vscode.commands.registerCommand('alembicMigrations.clearDatabaseUrl', async (node: Node) => {
      const p = await project(node);
      if (!p) return;
      await secrets.delete(secretKey(p));
      log.info(`${p.label}: database URL set in the editor removed`);
      await store.refresh();
    }),
  ];
}

/** The SecretStorage key of a project's database URL. */
export const secretKey = (p: { found: { root: string } }) => `alembicMigrations.databaseUrl:${p.found.root}`;
