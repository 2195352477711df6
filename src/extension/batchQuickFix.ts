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
import { findEmbeddedProblems } from '../engine/analysis/embeddedProblems';
import { findMigrationFunctions } from '../engine/analysis/migrationFunctions';
import { withToolSetting } from '../engine/config/toolSettings';
import { rebuildsOutsideBatch } from './diagnostics';
import type { ProjectStore } from './projectStore';

export class BatchQuickFix implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];

  constructor(private readonly store: ProjectStore) {}

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const out: vscode.CodeAction[] = [];
    const diags = context.diagnostics.filter((d) => d.source === 'migrations' && (d.code === 'not-possible-on-dialect' || d.code === 'rebuilt-outside-batch'));
    if (!diags.length) return out;
    const project = this.store.ownerOf(document.uri.fsPath);
    const config = project?.dir?.config;
    const rebuilds = rebuildsOutsideBatch(project?.dir);
    const text = document.getText();
    // The lines where the op runs as in its own batch block (the rebuild plans): there the rewrite runs under Alembic too.
    const runsInBatch = new Set(findEmbeddedProblems(document.uri.fsPath, text, 'sqlite', config?.importRoots, config ? () => config.namingConvention() : undefined, true)
      .filter((p) => p.code === 'rebuilt-outside-batch').map((p) => p.line));
    const statements = findMigrationFunctions(text, 'python').flatMap((f) => f.body ?? []);
    for (const diag of diags) {
      const line = diag.range.start.line + 1;
      const statement = runsInBatch.has(line) ? statements.find((s) => s.line === line) : undefined;
      const rewrite = statement && batchEdit(document, statement);
      if (rewrite) out.push(action('Run it in a batch_alter_table block (as Alembic needs on SQLite)', rewrite, diag, true));
      if (diag.code === 'not-possible-on-dialect' && !rebuilds && runsInBatch.has(line)) {
        const setting = this.settingEdit(config?.here);
        if (setting) out.push(action('Let the embedded engine rebuild such tables in this project (sqlite-outside-batch = "rebuild" in pyproject.toml)', setting, diag, false));
      }
    }
    return out;
  }

  /** The edit setting `sqlite-outside-batch = "rebuild"` in the pyproject.toml beside the project's config. */
  private settingEdit(here: string | undefined): vscode.WorkspaceEdit | undefined {
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

/** The statement as the same op in its own batch block; undefined where it is not one call alone (with at most a comment after it). */
function batchEdit(document: vscode.TextDocument, statement: { text: string; line: number; indent: number }): vscode.WorkspaceEdit | undefined {
  const form = batchForm(statement.text);
  if (!form) return undefined;
  const line = statement.line;
  const rest = statement.text.slice(form.end);
  if (!/^[ \t]*(#[^\n]*)?\s*$/.test(rest)) return undefined; // another statement after it on the line
  const head = statement.text.slice(0, form.end);
  const newlines = head.split('\n').length - 1;
  const endLine = line - 1 + newlines;
  const endCol = newlines ? head.length - head.lastIndexOf('\n') - 1 : statement.indent + head.length;
  // The file's own indentation: a tab-indented file gets a tab more, others four spaces.
  const indent = document.lineAt(line - 1).text.slice(0, statement.indent);
  const unit = indent.includes('\t') ? '\t' : '    ';
  const [open, body] = form.lines;
  const edit = new vscode.WorkspaceEdit();
  edit.replace(document.uri, new vscode.Range(line - 1, statement.indent, endLine, endCol), `${open}\n${indent}${unit}${body.trimStart()}`);
  return edit;
}
