/**
 * The Migrations view's first page as last shown, kept between sessions in the extension's global storage:
 * VS Code gets rows the moment it asks, while the store still reads the revision files (10,000 of
 * them take a second or more in a busy extension host). Snapshot rows open their file but carry no
 * actions; the first scan replaces them, with the same ids, so selection and scroll stay put.
 */
import path from 'node:path';
import { cacheFileName, readJsonCache, writeJsonCache } from '../engine/util/jsonCache';
import type { RevisionState } from './databaseState';

export type RevisionShape = 'head' | 'branchpoint' | 'mergepoint' | 'revision';

export interface SnapshotRow { revision: string; doc: string; path: string; shape: RevisionShape; state?: RevisionState; tags?: string[] }
export interface SnapshotProject { root: string; label: string; total: number; rows: SnapshotRow[] }
export interface ViewSnapshot { format: number; projects: SnapshotProject[] }

const FORMAT = 1;

/**
 * One file per set of workspace folders, in the extension's global storage: workspaceState and the
 * workspace storage folder are keyed by the window's address under code-server (its port included),
 * so a new server would not find them.
 */
export function snapshotPath(storageDir: string, folders: string[]): string | undefined {
  if (!folders.length) return undefined;
  return path.join(storageDir, cacheFileName('view', folders.join('\n')));
}

/** Read at activation: one small synchronous read. */
export function loadSnapshot(file: string | undefined): ViewSnapshot | undefined {
  if (!file) return undefined;
  const snap = readJsonCache<ViewSnapshot>(file); // none yet, or unreadable: the view waits for the files
  return snap?.format === FORMAT && Array.isArray(snap.projects) && snap.projects.length && snap.projects.every(wellFormed) ? snap : undefined;
}

const isString = (v: unknown): v is string => typeof v === 'string';
const SHAPES = new Set(['head', 'branchpoint', 'mergepoint', 'revision']);
const STATES = new Set([undefined, 'applied', 'current', 'pending']);

/** A file edited or damaged by hand is not shown (the view then waits for the files). */
function wellFormed(p: SnapshotProject): boolean {
  return isString(p?.root) && isString(p.label) && Number.isInteger(p.total) && Array.isArray(p.rows) &&
    p.rows.every((r) => isString(r?.revision) && isString(r.doc) && isString(r.path) && SHAPES.has(r.shape) && STATES.has(r.state)
      && (r.tags === undefined || (Array.isArray(r.tags) && r.tags.every(isString))));
}

/** Keeps the snapshot current, writing (atomically) only when what the view shows has changed. */
export class SnapshotWriter {
  private last: string;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly file: string | undefined, loaded: ViewSnapshot | undefined) {
    this.last = JSON.stringify(loaded ?? null);
  }

  /** Writes `take()` a little later, off the path of the render that caused it. */
  schedule(take: () => ViewSnapshot | undefined, delayMs = 1500): void {
    if (!this.file) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.write(take()), delayMs);
  }

  private write(snap: ViewSnapshot | undefined): void {
    const text = JSON.stringify(snap ?? null);
    // One that cannot be written only costs the next start its early rows.
    if (snap && text !== this.last && this.file && writeJsonCache(this.file, text)) this.last = text;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
  }
}
