/**
 * "Fix down_revision...": a revision whose parent names no revision (a typo, a file deleted or not
 * yet pulled) gets a new parent, picked among the likely ones (an id close to the missing one, the
 * heads of the rest of the graph). Written as an edit of the file's down_revision, and only if the
 * file is as it was when the choice was offered.
 */
import fs from 'node:fs';
import * as vscode from 'vscode';
import type { ProjectState, ProjectStore } from '../projectStore';
import { parentsOf, revisionsOf, Revisions } from './model';

export interface ParentCandidate { id: string; doc: string; why: string }

/** Levenshtein distance, stopping early past `max`. */
function distance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    if (Math.min(...cur) > max) return max + 1;
    prev = cur;
  }
  return prev[b.length];
}

/** Likely parents for `revision` in place of `missing`: close ids first, then heads; never itself or a descendant (a cycle). */
export function parentCandidates(files: Revisions, revision: string, missing: string): ParentCandidate[] {
  const children = new Map<string, string[]>();
  for (const f of files) for (const p of parentsOf(f)) (children.get(p) ?? children.set(p, []).get(p)!).push(f.revision);
  const below = new Set<string>([revision]);
  for (const todo = [revision]; todo.length;) for (const c of children.get(todo.pop()!) ?? []) if (!below.has(c)) { below.add(c); todo.push(c); }
  const out: ParentCandidate[] = [];
  const doc = (f: Revisions[number]) => f.longdoc.split('\n\n')[0];
  for (const f of files) {
    if (below.has(f.revision)) continue;
    const d = distance(f.revision, missing, 3);
    if (d <= 3 || (missing.length >= 4 && (f.revision.startsWith(missing) || missing.startsWith(f.revision)))) out.push({ id: f.revision, doc: doc(f), why: `close to ${missing}` });
  }
  const close = new Set(out.map((c) => c.id));
  for (const f of files) {
    if (!below.has(f.revision) && !close.has(f.revision) && !children.has(f.revision)) out.push({ id: f.revision, doc: doc(f), why: 'a head' });
  }
  return out.slice(0, 30);
}

/** The file's text with `missing` replaced by `parent` in its down_revision (from that line on), or undefined. */
export function replaceParent(text: string, downRevisionLine: number | undefined, missing: string, parent: string): { start: number; end: number; text: string } | undefined {
  let offset = 0;
  for (let line = 1; line < (downRevisionLine ?? 1); line++) {
    const nl = text.indexOf('\n', offset);
    if (nl < 0) return undefined;
    offset = nl + 1;
  }
  const escaped = missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const m = new RegExp(`(['"])${escaped}\\1`, 'g');
  m.lastIndex = offset;
  const hit = m.exec(text);
  if (!hit) return undefined;
  return { start: hit.index + 1, end: hit.index + 1 + missing.length, text: parent };
}

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
