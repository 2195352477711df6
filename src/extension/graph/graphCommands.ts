/**
 * The graph's context-menu commands (package.json `webview/context`). VS Code calls them with the
 * `data-vscode-context` of the row right-clicked: text from the page, so the project and the
 * revision it names are checked before the Migrations command it stands for runs.
 */
import * as vscode from 'vscode';
import { requireTrust } from '../trust';
import { fixParent } from './fixParent';
import { GraphHost } from './graphView';

/** graph command -> the command it runs and how that command takes a revision. */
const FORWARD: Record<string, [string, (root: string, revision: string) => unknown]> = {
  'alembicMigrations.graph.upgradeTo': ['alembicMigrations.upgradeTo', (root, revision) => ({ root, revision })],
  'alembicMigrations.graph.downgradeToHere': ['alembicMigrations.downgradeToHere', (root, revision) => ({ root, revision })],
  'alembicMigrations.graph.revert': ['alembicMigrations.downgradeTo', (root, revision) => ({ root, revision })],
  'alembicMigrations.graph.showSql': ['alembicMigrations.showSql', (root, revision) => ({ root, revision })],
  'alembicMigrations.graph.copyId': ['alembicMigrations.copyId', (_root, revision) => ({ script: { revision } })],
};

export function registerGraphCommands(host: GraphHost): vscode.Disposable[] {
  /** The project and revision a context names, if both exist. */
  const target = (command: string, arg: unknown) => {
    const a = (typeof arg === 'object' && arg !== null ? arg : {}) as { root?: unknown; revision?: unknown };
    const project = host.store.all.find((p) => p.found.root === a.root);
    if (typeof a.revision === 'string' && project && host.filesOf(project).has(a.revision)) return { project, revision: a.revision };
    host.log.warn(`Graph: ${command} ignored: its argument names no revision of a project here`);
    return undefined;
  };
  return [
    ...Object.entries(FORWARD).map(([command, [to, arg]]) => vscode.commands.registerCommand(command, (context: unknown) => {
      const t = target(command, context);
      return t ? vscode.commands.executeCommand(to, arg(t.project.found.root, t.revision)) : undefined;
    })),
    vscode.commands.registerCommand('alembicMigrations.graph.fixParent', (context: unknown) => {
      const t = target('alembicMigrations.graph.fixParent', context);
      if (t && !requireTrust('the graph is read-only in Restricted Mode')) return 'refused: untrusted';
      return t ? fixParent(host.store, host.log, t.project, t.revision) : undefined;
    }),
  ];
}
