/**
 * "Fix down_revision...": a revision whose parent names no revision (a typo, a file deleted or not
 * yet pulled) gets a new parent, picked among the likely ones (an id close to the missing one, the
 * heads of the rest of the graph). Written as an edit of the file's down_revision, and only if the
 * file is as it was when the choice was offered.
 */
import fs from 'node:fs';
import * as vscode from 'vscode';
import type { ProjectState, ProjectStore } from '../projectStore';
import { parentsOf, revisionsOf } from './model';
import { ParentCandidate, parentCandidates, replaceParent } from './parentCandidates';

export type FixResult = 'fixed' | 'cancelled' | `refused: ${string}`;

/**
 * Offers the likely parents (`choose`: a quick pick, or a test's answer) and writes the choice.
 * Refuses when the file has unsaved changes or changed on disk while the choice was made.
 */
export async function fixParent(store: ProjectStore, log: vscode.LogOutputChannel, project: ProjectState, revision: string,
  choose: (items: ParentCandidate[], missing: string) => Promise<string | undefined> = pickParent): Promise<FixResult> {
  const files = revisionsOf(project);
  const file = files.find((f) => f.revision === revision);
  const missing = file && parentsOf(file).find((p) => !files.some((f) => f.revision === p));
  if (!file || !missing) return 'refused: the revision has no missing parent';
  const refuse = (why: string): FixResult => {
    void vscode.window.showErrorMessage(`Migrations: down_revision of ${revision} not changed: ${why}`);
    log.warn(`Graph: down_revision of ${revision} not changed: ${why}`);
    return `refused: ${why}`;
  };
  const open = () => vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && d.uri.fsPath === file.path);
  if (open()?.isDirty) return refuse(`${vscode.workspace.asRelativePath(file.path)} has unsaved changes; save or revert them first.`);
  const before = fs.readFileSync(file.path, 'utf8');
  const parent = await choose(parentCandidates(files, revision, missing), missing);
  if (!parent) return 'cancelled';
  if (!files.some((f) => f.revision === parent)) return refuse(`${parent} is not a revision of ${project.label}.`);
  let now: string;
  try { now = fs.readFileSync(file.path, 'utf8'); } catch { return refuse(`${file.path} can no longer be read.`); }
  if (now !== before || open()?.isDirty) return refuse(`${vscode.workspace.asRelativePath(file.path)} changed while the parent was chosen; look at it and try again.`);
  const change = replaceParent(now, file.lines.down_revision, missing, parent);
  if (!change) return refuse(`'${missing}' was not found in its down_revision (line ${file.lines.down_revision ?? '?'}).`);
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file.path));
  const edit = new vscode.WorkspaceEdit();
  edit.replace(doc.uri, new vscode.Range(doc.positionAt(change.start), doc.positionAt(change.end)), change.text);
  if (!(await vscode.workspace.applyEdit(edit)) || !(await doc.save())) return refuse(`${file.path} could not be written.`);
  log.info(`Graph: ${revision}: down_revision ${missing} -> ${parent} (${file.path})`);
  await store.refresh();
  return 'fixed';
}

async function pickParent(items: ParentCandidate[], missing: string): Promise<string | undefined> {
  const pick = await vscode.window.showQuickPick(items.map((c) => ({ label: c.id, description: c.doc, detail: c.why, id: c.id })),
    { title: `down_revision '${missing}' names no revision: which revision is the parent?`, matchOnDescription: true });
  return pick?.id;
}
