/**
 * Quick fix for `not-possible-on-dialect` on an op SQLite runs only in batch mode: rewrites the
 * statement as the same op in a `batch_alter_table` block, which Alembic runs there too.
 */
import * as vscode from 'vscode';
import { batchForm } from '../engine/analysis/batchForm';
import { findMigrationFunctions } from '../engine/analysis/migrationFunctions';

export class BatchQuickFix implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const out: vscode.CodeAction[] = [];
    for (const diag of context.diagnostics.filter((d) => d.source === 'migrations' && (d.code === 'not-possible-on-dialect' || d.code === 'rebuilt-outside-batch'))) {
      const line = diag.range.start.line + 1;
      const statement = findMigrationFunctions(document.getText(), 'python').flatMap((f) => f.body ?? []).find((s) => s.line === line);
      const lines = statement && batchForm(statement.text);
      if (!statement || !lines) continue;
      const indent = ' '.repeat(statement.indent);
      const last = line - 1 + (statement.text.match(/\n/g)?.length ?? 0);
      const edit = new vscode.WorkspaceEdit();
      edit.replace(document.uri, new vscode.Range(line - 1, statement.indent, last, document.lineAt(last).text.length), lines.map((l, i) => (i ? indent : '') + l).join('\n'));
      const action = new vscode.CodeAction('Run it in a batch_alter_table block (as Alembic needs on SQLite)', vscode.CodeActionKind.QuickFix);
      action.edit = edit;
      action.diagnostics = [diag];
      action.isPreferred = true;
      out.push(action);
    }
    return out;
  }
}
