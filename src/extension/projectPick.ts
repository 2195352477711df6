/**
 * Which project a command acts on: the one its argument names, else the active editor's, else the
 * one chosen with "Select Project...", else a pick. Waits for the store's first scan, so that a
 * command run while the view still shows last session's snapshot acts once the files are read.
 */
import * as vscode from 'vscode';
import { ProjectState, ProjectStore } from './projectStore';

/** What a tree item, a CodeLens or a test passes to the commands. */
export interface RevisionArg { project?: ProjectState; root?: string; script?: { revision: string }; revision?: string }

/** `readable: false` also offers projects whose configuration could not be read (e.g. to set their URL). */
export async function pickProject(store: ProjectStore, arg?: RevisionArg, o: { readable?: boolean } = {}): Promise<ProjectState | undefined> {
  if (arg?.project) return arg.project;
  await store.firstScan;
  if (arg?.root) return store.all.find((p) => p.found.root === arg.root);
  const projects = o.readable === false ? [...store.all] : store.all.filter((p) => p.dir);
  if (projects.length <= 1) return projects[0];
  const active = vscode.window.activeTextEditor?.document.uri.fsPath;
  const owner = active ? store.ownerOf(active) : undefined;
  if (owner && projects.includes(owner)) return owner;
  const selected = projects.find((p) => p.found.root === store.selectedRoot);
  if (selected) return selected;
  const pick = await vscode.window.showQuickPick(projects.map((p) => ({ label: p.label, description: p.found.root, p })), { title: 'Which project?' });
  return pick?.p;
}
