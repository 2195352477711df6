/** A QuickPick of targets: the project's revisions (newest first, with state) plus symbols. */
import * as vscode from 'vscode';
import { walkRevisions } from '../engine/graph';
import { ProjectState } from './projectStore';

export interface TargetItem extends vscode.QuickPickItem { target: string }

export async function pickTarget(project: ProjectState, title: string, symbols: TargetItem[]): Promise<string | undefined> {
  const db = project.db?.status === 'ok' ? project.db : undefined;
  const revisions: TargetItem[] = [];
  try {
    for (const s of walkRevisions(project.dir!.map)) {
      const state = db?.states.get(s.revision);
      revisions.push({ label: s.revision, description: s.doc, detail: state ? `${state}${s.isHead ? ' · head' : ''}` : s.isHead ? 'head' : undefined, target: s.revision });
    }
  } catch { /* a broken graph still offers the symbols */ }
  const items: (TargetItem | vscode.QuickPickItem)[] = [...symbols, { label: 'Revisions', kind: vscode.QuickPickItemKind.Separator }, ...revisions];
  const pick = await vscode.window.showQuickPick(items, { title, matchOnDescription: true, matchOnDetail: true }) as TargetItem | undefined;
  return pick?.target;
}
