/** Workspace Trust: migrations are code, so nothing that runs them or writes a database happens untrusted. */
import * as vscode from 'vscode';

/** True when trusted; otherwise tells the user why `what` did not happen, with a way to trust. */
export function requireTrust(what: string): boolean {
  if (vscode.workspace.isTrusted) return true;
  void vscode.window.showWarningMessage(`Migrations: ${what}; trust this workspace first.`, 'Manage Workspace Trust')
    .then((a) => a && vscode.commands.executeCommand('workbench.trust.manage'));
  return false;
}
