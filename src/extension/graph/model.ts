/**
 * What the graph webview draws for one project: its revisions in rows and lanes (layout.ts), with
 * the database's state as the Migrations view shows it. Built from the revision files, so that a
 * broken graph (a missing parent) is drawn too, with what is wrong marked.
 */
import type { RevisionFileInfo } from '../../engine/scripts/revisionFile';
import type { RevisionState } from '../databaseState';
import type { ProjectState } from '../projectStore';
import { layoutGraph } from './layout';

export interface GraphRow {
  id: string;
  lane: number;
  doc: string;
  state?: RevisionState;
  /** head, branchpoint, mergepoint, base. */
  tags: string[];
  labels: string[];
  /** down_revision ids no revision has. */
  missing?: string[];
  cyclic?: boolean;
}

export interface GraphData {
  type: 'graph';
  root?: string;
  label?: string;
  projects: { root: string; label: string }[];
  trusted: boolean;
  /** One line about the database: where it is, or why its state is not shown. */
  database: string;
  /** The project cannot be read at all. */
  error?: string;
  rows: GraphRow[];
  /** Flat [from, to, lane] triples. */
  edges: number[];
  /** Flat [from, to] pairs. */
  depends: number[];
  lanes: number;
  /** Set on a first screen sent ahead of a big graph: how many rows the whole graph has. */
  total?: number;
}

/** The first `rows` rows of a graph and the edges among them: painted while the rest is on its way. */
export function firstScreen(data: GraphData, rows: number, total = data.rows.length): GraphData {
  const edges: number[] = [];
  for (let k = 0; k < data.edges.length; k += 3) if (data.edges[k] < rows) edges.push(data.edges[k], Math.min(data.edges[k + 1], rows), data.edges[k + 2]);
  const depends: number[] = [];
  for (let k = 0; k < data.depends.length; k += 2) if (data.depends[k] < rows && data.depends[k + 1] < rows) depends.push(data.depends[k], data.depends[k + 1]);
  return { ...data, rows: data.rows.slice(0, rows), edges, depends, total };
}

export type Revisions = (RevisionFileInfo & { revision: string })[];

/** The readable revision files (what the graph is drawn from), the last of a duplicated id winning. */
export function revisionsOf(project: ProjectState): Revisions {
  const byId = new Map<string, RevisionFileInfo & { revision: string }>();
  for (const f of project.dir?.files ?? []) if (f.revision !== undefined && !f.problems.some((p) => p.severity === 'error' && p.code !== 'missing-parent')) byId.set(f.revision, f as RevisionFileInfo & { revision: string });
  return [...byId.values()];
}

export const parentsOf = (f: RevisionFileInfo): string[] => (f.downRevision === null ? [] : typeof f.downRevision === 'string' ? [f.downRevision] : f.downRevision);

export function databaseLine(project: ProjectState | undefined, trusted: boolean): string {
  const db = project?.db;
  if (!trusted) return 'Restricted Mode: the database is not read; trust the workspace to see its state and act on it.';
  if (project?.graphError) return `The revision graph is broken (${project.graphError.replace(/ \(Alembic.*$/, '')}): the database's state shows again once it is repaired.`;
  if (!db) return 'Reading the database...';
  if (db.status === 'ok') return `${db.url} is at ${db.heads.join(', ') || 'base (nothing applied)'}; ${db.pending} pending`;
  if (db.status === 'unknown') return db.message;
  return `Database: ${db.message}`;
}

/** `limit`: only the first rows are built (the first screen of a big graph; `total` says how many there are). */
/** What the graph of one scan is drawn from: its revisions (also by id), their layout, children counts. */
export interface GraphBasis { files: Revisions; byId: Map<string, Revisions[number]>; layout: ReturnType<typeof layoutGraph>; children: Map<string, number> }

const bases = new WeakMap<object, GraphBasis>();

/** Computed once per scan (a new scan is a new `dir`): the first screen, the whole graph and the page's requests share it. */
export function graphBasis(project: ProjectState): GraphBasis {
  const key = project.dir ?? project;
  let basis = bases.get(key);
  if (basis) return basis;
  const files = revisionsOf(project);
  const layout = layoutGraph(files.map((f) => ({ id: f.revision, parents: parentsOf(f), depends: f.dependsOn, branchLabels: f.branchLabels })));
  const children = new Map<string, number>();
  for (const f of files) for (const p of parentsOf(f)) children.set(p, (children.get(p) ?? 0) + 1);
  bases.set(key, basis = { files, byId: new Map(files.map((f) => [f.revision, f])), layout, children });
  return basis;
}

export function graphData(projects: readonly ProjectState[], project: ProjectState | undefined, trusted: boolean, limit = Infinity): GraphData {
  const base: GraphData = {
    type: 'graph', root: project?.found.root, label: project?.label, trusted,
    projects: projects.map((p) => ({ root: p.found.root, label: p.label })),
    database: databaseLine(project, trusted), rows: [], edges: [], depends: [], lanes: 0,
  };
  if (!project) return { ...base, error: 'No Alembic project in this workspace.' };
  if (project.error) return { ...base, error: `${project.error.message}${project.error.hint ? ` ${project.error.hint}` : ''}` };
  const { files, layout, children } = graphBasis(project);
  const states = trusted && project.db?.status === 'ok' ? project.db.states : undefined;
  const shown = limit < layout.order.length ? layout.order.slice(0, limit) : layout.order;
  const rows = shown.map((i, row): GraphRow => {
    const f = files[i];
    const kids = children.get(f.revision) ?? 0;
    const parents = parentsOf(f);
    const tags = [kids === 0 && 'head', kids > 1 && 'branchpoint', parents.length > 1 && 'mergepoint', parents.length === 0 && 'base']
      .filter((t): t is string => !!t);
    return {
      id: f.revision, lane: layout.lane[row], doc: f.longdoc.split('\n\n')[0], state: states?.get(f.revision), tags, labels: f.branchLabels,
      ...(layout.missing.has(row) ? { missing: layout.missing.get(row) } : {}), ...(layout.cyclic.has(row) ? { cyclic: true } : {}),
    };
  });
  const data = { ...base, rows, edges: layout.edges.flatMap((e) => [e.from, e.to, e.lane]), depends: layout.depends.flat(), lanes: layout.lanes };
  return shown === layout.order ? data : firstScreen(data, rows.length, layout.order.length);
}
