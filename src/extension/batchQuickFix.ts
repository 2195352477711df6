/**
 * Quick fixes for an op SQLite runs only in batch mode (`not-possible-on-dialect`): rewrite the
 * statement as the same op in a `batch_alter_table` block (which Alembic runs there too), or let the
 * embedded engine rebuild such tables for the whole project (`sqlite-outside-batch = "rebuild"` in
 * the project's pyproject.toml, which the CLI reads too).
 */
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { batchForm } from '../engine/analysis/batchForm';
import { findMigrationFunctions } from '../engine/analysis/migrationFunctions';
import { withToolSetting } from '../engine/config/toolSettings';
import type { ProjectStore } from './projectStore';

export class BatchQuickFix implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];

  constructor(private readonly store: ProjectStore) {}

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
      out.push(action('Run it in a batch_alter_table block (as Alembic needs on SQLite)', edit, diag, true));
      if (diag.code === 'not-possible-on-dialect') {
        const setting = this.settingEdit(document.uri.fsPath);
        if (setting) out.push(action('Let the embedded engine rebuild such tables in this project (sqlite-outside-batch = "rebuild" in pyproject.toml)', setting, diag, false));
      }
    }
    return out;
  }

  /** The edit setting `sqlite-outside-batch = "rebuild"` in the pyproject.toml beside the project's config. */
  private settingEdit(file: string): vscode.WorkspaceEdit | undefined {
    const here = this.store.ownerOf(file)?.dir?.config.here;
    if (!here) return undefined;
    const uri = vscode.Uri.file(path.join(here, 'pyproject.toml'));
    const open = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === uri.fsPath);
    let text: string | undefined;
    try { text = open ? open.getText() : fs.readFileSync(uri.fsPath, 'utf8'); } catch { text = undefined; }
    const next = withToolSetting(text, 'sqlite-outside-batch', 'rebuild');
    if (next === undefined) return undefined;
    const edit = new vscode.WorkspaceEdit();
    if (text === undefined) {
      edit.createFile(uri, { ignoreIfExists: true });
      edit.insert(uri, new vscode.Position(0, 0), next);
    } else {
      const lines = text.split('\n');
      edit.replace(uri, new vscode.Range(0, 0, lines.length - 1, lines[lines.length - 1].length), next);
    }
    return edit;
  }
}

function action(title: string, edit: vscode.WorkspaceEdit, diag: vscode.Diagnostic, preferred: boolean): vscode.CodeAction {
  const a = new vscode.CodeAction(title, vscode.CodeActionKind.QuickFix);
  a.edit = edit;
  a.diagnostics = [diag];
  a.isPreferred = preferred;
  return a;
}
