/** The drift settings of a project (resource scope: each folder of a multi-root workspace its own). */
import * as vscode from 'vscode';
import { ProjectState } from '../projectStore';

export interface DriftSettings {
  /** Glob patterns of tables (`name` or `schema.name`) left out of the comparison; pyproject's `drift-ignore` adds to them. */
  ignore: string[];
  /** Check again when the database's revision changes (after runs), once the project has been checked. */
  checkAfterRuns: boolean;
  /** Check as soon as the database's revision is first read. */
  checkOnOpen: boolean;
}

export function driftSettings(project: ProjectState): DriftSettings {
  const cfg = vscode.workspace.getConfiguration('alembicMigrations.drift', vscode.Uri.file(project.found.root));
  const ignore = cfg.get<unknown>('ignore', []);
  return {
    ignore: Array.isArray(ignore) ? ignore.filter((p): p is string => typeof p === 'string' && p.trim() !== '').map((p) => p.trim()) : [],
    checkAfterRuns: cfg.get<boolean>('checkAfterRuns', true) !== false,
    checkOnOpen: cfg.get<boolean>('checkOnOpen', false) === true,
  };
}
