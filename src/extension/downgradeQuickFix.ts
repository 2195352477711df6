/**
 * Quick fix for "missing downgrade" / "empty downgrade": writes the inverse of the upgrade's
 * operations where they can be derived (else TODO lines and a stub that refuses to run).
 */
import * as vscode from 'vscode';
import { inverseOperations } from '../engine/analysis/inverseOps';
import { findMigrationFunctions } from '../engine/analysis/migrationFunctions';

export class DowngradeQuickFix implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const diag = context.diagnostics.find((d) => d.source === 'migrations' && (d.code === 'missing-downgrade' || d.code === 'empty-downgrade'));
    if (!diag) return [];
    const fns = findMigrationFunctions(document.getText(), 'python');
    const upgrade = fns.find((f) => f.name === 'upgrade');
    if (!upgrade?.body) return [];
    const { lines, complete } = inverseOperations(upgrade.body);
    const indent = ' '.repeat(upgrade.body[0]?.indent ?? 4);
    const body = lines.map((l) => `${indent}${l}`).join('\n');
    const edit = new vscode.WorkspaceEdit();
    const downgrade = fns.find((f) => f.name === 'downgrade');
    if (downgrade && downgrade.endLine !== undefined) {
      const from = new vscode.Position(downgrade.line, 0); // the line after `def downgrade():`
      const to = document.lineAt(Math.min(downgrade.endLine, document.lineCount) - 1).range.end;
      edit.replace(document.uri, new vscode.Range(from, to), body);
    } else {
      const end = document.lineAt(document.lineCount - 1).range.end;
      const text = document.getText();
      const sep = text.endsWith('\n\n\n') ? '' : text.endsWith('\n\n') ? '\n' : text.endsWith('\n') ? '\n\n' : '\n\n\n';
      edit.insert(document.uri, end, `${sep}def downgrade() -> None:\n${body}\n`);
    }
    const action = new vscode.CodeAction(complete ? 'Write the downgrade from the upgrade' : 'Write the downgrade from the upgrade (with TODOs for what cannot be derived)', vscode.CodeActionKind.QuickFix);
    action.edit = edit;
    action.diagnostics = [diag];
    action.isPreferred = complete;
    return [action];
  }
}
