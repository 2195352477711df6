/**
 * New Revision, Merge Heads and Show SQL: files written by the engine (the project's template,
 * the right down_revision) and opened; SQL shown in a read-only SQL editor, nothing run.
 */
import * as vscode from 'vscode';
import { merge, revision } from '../engine/commands/revision';
import { revisionSql } from '../engine/commands/showSql';
import { maskUrlText } from '../engine/config/url';
import { CommandError } from '../engine/errors';
import { NotRunnableError } from '../engine/runner/migrationSource';
import { ProjectState, ProjectStore } from './projectStore';
import { Direction } from './runCommands';
import { showText } from './shownDocuments';

function fail(what: string, e: unknown): void {
  const message = maskUrlText(e instanceof Error ? e.message : String(e));
  const hint = e instanceof CommandError && e.hint && !(e instanceof NotRunnableError) ? ` ${e.hint}` : '';
  void vscode.window.showErrorMessage(`Migrations: ${what}: ${message}${hint}`);
}

async function open(file: string): Promise<void> {
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  await vscode.window.showTextDocument(doc);
}

/** Returns the new file's path (tests use it), or undefined when cancelled or refused. */
export async function newRevision(store: ProjectStore, project: ProjectState, message?: string): Promise<string | undefined> {
  const dir = project.dir;
  if (!dir || graphBroken(project)) return undefined;
  message ??= await vscode.window.showInputBox({ title: `New revision in ${project.label}`, prompt: 'Message (what the revision does)', placeHolder: 'add users table' });
  if (message === undefined) return undefined;
  let head: string | undefined;
  const heads = dir.map.heads;
  if (heads.length > 1) {
    const pick = await vscode.window.showQuickPick([
      ...heads.map((h) => ({ label: h, description: dir.map.map.get(h)?.doc, head: h })),
      { label: '$(git-merge) Merge the heads instead...', description: '', head: '<merge>' },
    ], { title: 'Several heads: base the new revision on which one?' });
    if (!pick) return undefined;
    if (pick.head === '<merge>') return mergeHeads(store, project);
    head = pick.head;
  }
  try {
    const file = revision(dir, { message: message || undefined, head });
    await store.refresh();
    await open(file);
    return file;
  } catch (e) {
    fail('new revision', e);
    return undefined;
  }
}

/** `heads`: the heads to merge (the graph's selection); all of them when not given. */
export async function mergeHeads(store: ProjectStore, project: ProjectState, message?: string, heads?: string[]): Promise<string | undefined> {
  const dir = project.dir;
  if (!dir || graphBroken(project)) return undefined;
  if ((heads ?? dir.map.heads).length < 2) {
    void vscode.window.showInformationMessage(`Migrations: ${project.label} has a single head; there is nothing to merge.`);
    return undefined;
  }
  message ??= await vscode.window.showInputBox({ title: `Merge ${heads ? heads.join(', ') : `${dir.map.heads.length} heads`} of ${project.label}`, prompt: 'Message', value: 'merge heads' });
  if (message === undefined) return undefined;
  try {
    const file = merge(dir, heads ?? ['heads'], { message });
    await store.refresh();
    await open(file);
    return file;
  } catch (e) {
    fail('merge heads', e);
    return undefined;
  }
}

/** Opens the SQL of one revision's upgrade or downgrade (offline mode); returns the document. */
export async function showSql(project: ProjectState, id: string, direction?: Direction): Promise<vscode.TextDocument | undefined> {
  const dir = project.dir;
  if (!dir) return undefined;
  if (!direction) {
    const pick = await vscode.window.showQuickPick([
      { label: 'Upgrade', description: `the SQL ${id}'s upgrade() runs`, d: 'upgrade' as const },
      { label: 'Downgrade', description: `the SQL ${id}'s downgrade() runs`, d: 'downgrade' as const },
    ], { title: `Show SQL of ${id}` });
    if (!pick) return undefined;
    direction = pick.d;
  }
  try {
    const file = dir.map.map.get(id)?.path;
    const unsaved = vscode.workspace.textDocuments.some((d) => d.isDirty && d.uri.scheme === 'file' && d.uri.fsPath === file);
    const content = (unsaved ? '-- From the file as saved: its unsaved changes are not in this SQL (a run saves them first).\n' : '') + await revisionSql(dir, id, direction);
    return await showText(`${id} ${direction}.sql`, content, 'sql');
  } catch (e) {
    fail(`SQL of ${id}`, e);
    return undefined;
  }
}

/** A new revision needs the graph (its parent is the head): say what is broken instead. */
function graphBroken(project: ProjectState): boolean {
  if (!project.graphError) return false;
  void vscode.window.showErrorMessage(`Migrations: ${project.label}: ${project.graphError}. Fix the revision files first (see Problems).`);
  return true;
}
