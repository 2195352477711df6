/** Quick fix for "several heads": create the merge revision (Merge Heads...). */
import * as vscode from 'vscode';
import { ProjectStore } from './projectStore';

export class MergeHeadsQuickFix implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];

  constructor(private readonly store: ProjectStore) {}

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const diag = context.diagnostics.find((d) => d.source === 'migrations' && d.code === 'multiple-heads');
    const project = this.store.ownerOf(document.uri.fsPath);
    if (!diag || !project) return [];
    const action = new vscode.CodeAction('Merge the heads into a new revision', vscode.CodeActionKind.QuickFix);
    action.command = { command: 'alembicMigrations.mergeHeads', title: 'Merge Heads', arguments: [{ root: project.found.root }] };
    action.diagnostics = [diag];
    action.isPreferred = true;
    return [action];
  }
}
