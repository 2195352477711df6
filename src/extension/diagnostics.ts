/**
 * Problems of revision files in the Problems panel: recomputed when the project is re-read and
 * as the user types (unsaved text is what is checked). Severities can be overridden per code in
 * the `alembicMigrations.diagnostics.severity` setting.
 */
import fs from 'node:fs';
import * as vscode from 'vscode';
import { collectProblems, databaseDialect, fileProblems } from '../engine/analysis/projectProblems';
import { Problem } from '../engine/errors';
import { RevisionFileInfo } from '../engine/scripts/revisionFile';
import { ProjectStore } from './projectStore';

const LEVELS: Record<string, vscode.DiagnosticSeverity | null> = {
  error: vscode.DiagnosticSeverity.Error, warning: vscode.DiagnosticSeverity.Warning,
  information: vscode.DiagnosticSeverity.Information, hint: vscode.DiagnosticSeverity.Hint, off: null,
};

export class Diagnostics implements vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection('alembic-migrations');
  private readonly disposables: vscode.Disposable[] = [this.collection];
  private timer: NodeJS.Timeout | undefined;
  /** Per-file results for files on disk, by size and modification time. */
  private readonly onDisk = new Map<string, { size: number; mtimeMs: number; dialect?: string; result: ReturnType<typeof fileProblems> }>();

  constructor(private readonly store: ProjectStore) {
    const soon = (ms = 250) => { if (this.timer) clearTimeout(this.timer); this.timer = setTimeout(() => this.refresh(), ms); };
    this.disposables.push(
      // After the view: diagnostics of a large project must not delay its first render.
      store.onDidChange(() => soon(20)),
      vscode.workspace.onDidChangeTextDocument((e) => { if (this.isRevisionFile(e.document.uri)) soon(); }),
      // An open file also gets the checks skipped for closed ones (what the engine cannot run).
      vscode.workspace.onDidOpenTextDocument((d) => { if (this.isRevisionFile(d.uri)) soon(); }),
      vscode.workspace.onDidCloseTextDocument((d) => { if (this.isRevisionFile(d.uri)) soon(); }),
      vscode.workspace.onDidChangeConfiguration((e) => { if (e.affectsConfiguration('alembicMigrations.diagnostics')) this.refresh(); }),
    );
  }

  /** Files only: git's `git:` copy of an open file (the gutter's diff) has the same path. */
  private isRevisionFile(uri: vscode.Uri): boolean {
    return uri.scheme === 'file' && this.store.ownerOf(uri.fsPath) !== undefined;
  }

  refresh(): void {
    this.collection.clear();
    const open = new Map(vscode.workspace.textDocuments.filter((d) => d.uri.scheme === 'file').map((d) => [d.uri.fsPath, d]));
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const project of this.store.all) {
      if (!project.dir) continue;
      const dialect = databaseDialect(project.dir);
      const perFile = (f: RevisionFileInfo) => {
        const doc = open.get(f.path);
        if (doc) return fileProblems(f, doc.getText(), dialect, { importRoots: project.dir?.config.importRoots, convention: project.dir ? () => project.dir!.config.namingConvention() : undefined, rebuildOutsideBatch: rebuildsOutsideBatch(project.dir) }); // unsaved edits count
        try {
          const st = fs.statSync(f.path);
          const hit = this.onDisk.get(f.path);
          if (hit && hit.size === st.size && hit.mtimeMs === st.mtimeMs && hit.dialect === dialect) return hit.result;
          const result = fileProblems(f, fs.readFileSync(f.path, 'utf8'), dialect, { embedded: false });
          this.onDisk.set(f.path, { size: st.size, mtimeMs: st.mtimeMs, dialect, result });
          return result;
        } catch { return undefined; }
      };
      for (const p of collectProblems(project.dir, () => undefined, perFile)) {
        const d = this.toDiagnostic(p, open.get(p.file ?? ''));
        if (!d || !p.file) continue;
        (byFile.get(p.file) ?? byFile.set(p.file, []).get(p.file)!).push(d);
      }
    }
    for (const [file, list] of byFile) this.collection.set(vscode.Uri.file(file), list);
  }

  private toDiagnostic(p: Problem, doc: vscode.TextDocument | undefined): vscode.Diagnostic | undefined {
    const overrides = vscode.workspace.getConfiguration('alembicMigrations.diagnostics', p.file ? vscode.Uri.file(p.file) : undefined)
      .get<Record<string, string>>('severity', {});
    const chosen = overrides[p.code];
    const severity = chosen !== undefined && chosen in LEVELS ? LEVELS[chosen]
      : p.severity === 'error' ? vscode.DiagnosticSeverity.Error : p.severity === 'warning' ? vscode.DiagnosticSeverity.Warning
        : p.severity === 'hint' ? vscode.DiagnosticSeverity.Hint : vscode.DiagnosticSeverity.Information;
    if (severity === null) return undefined;
    const line = Math.max(0, (p.line ?? 1) - 1);
    const text = doc && line < doc.lineCount ? doc.lineAt(line).text : undefined;
    const start = text ? text.length - text.trimStart().length : 0;
    const range = new vscode.Range(line, start, line, text?.length ?? 200);
    const d = new vscode.Diagnostic(range, p.message, severity);
    d.source = 'migrations';
    d.code = p.code;
    return d;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
  }
}

/** `sqlite-outside-batch = "rebuild"`; a bad value is reported by the run that reads it, not by the editor's checks. */
export function rebuildsOutsideBatch(dir: { config: { rebuildsOutsideBatch(): boolean } } | undefined): boolean {
  try { return dir?.config.rebuildsOutsideBatch() ?? false; } catch { return false; }
}
