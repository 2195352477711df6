/**
 * The graph page: draws the rows the extension sends (only those on screen: 10,000 revisions
 * scroll as fast as 10), and asks the extension to act (open, merge, fix). It never acts itself.
 */
import type { GraphData } from '../../extension/graph/model';
import type { RevisionTooltip } from '../../extension/graph/tooltip';
import { drawSlice, el, graphWidth, rowElement } from './draw';
import './graph.css';

declare function acquireVsCodeApi(): { postMessage(m: unknown): void; getState(): unknown; setState(s: unknown): void };
const vscode = acquireVsCodeApi();

const OVERSCAN = 10;
const saved = (vscode.getState() ?? {}) as { rowHeight?: number };
let rowHeight = saved.rowHeight ?? 24;
let data: GraphData | undefined;
let active = -1;
const selected = new Set<number>();
/** Which data were reported painted: a first screen (of a big graph), the whole. */
const painted = new Set<string>();
let received = 0;

const app = document.getElementById('app')!;
const header = el('div', 'header');
const projectSelect = el('select', 'project');
projectSelect.setAttribute('aria-label', 'Project');
const database = el('div', 'database');
const actions = el('div', 'actions');
const mergeButton = el('button', 'merge', 'Merge these heads');
const banner = el('div', 'banner');
banner.setAttribute('role', 'alert');
const scroller = el('div', 'scroller');
scroller.tabIndex = 0;
scroller.setAttribute('role', 'listbox');
scroller.setAttribute('aria-multiselectable', 'true');
const spacer = el('div', 'spacer');
const layer = el('div', 'layer');
const tooltip = el('div', 'tooltip');
tooltip.setAttribute('role', 'tooltip');
tooltip.id = 'graph-tooltip';
actions.append(mergeButton);
header.append(projectSelect, database, actions);
spacer.append(layer);
scroller.append(spacer);
app.append(header, banner, scroller, tooltip);

function render(): void {
  if (!data) return;
  const rows = data.rows;
  spacer.style.height = `${(data.total ?? rows.length) * rowHeight}px`;
  const first = Math.max(0, Math.floor(scroller.scrollTop / rowHeight) - OVERSCAN);
  const last = Math.min(rows.length - 1, Math.ceil((scroller.scrollTop + scroller.clientHeight) / rowHeight) + OVERSCAN);
  layer.replaceChildren();
  layer.style.top = `${first * rowHeight}px`;
  if (last < first) return;
  const width = graphWidth(data.lanes);
  const pic = drawSlice(data, first, last, rowHeight);
  layer.append(pic);
  for (let i = first; i <= last; i++) layer.append(rowElement(data, i, { width, rowHeight, active: i === active, selected: selected.has(i) }));
  const kind = data.total ? 'first screen' : 'whole';
  if (!painted.has(kind)) {
    painted.add(kind);
    requestAnimationFrame(() => {
      // When (epoch ms) the frame was drawn: what the benchmark reads, free of its polling delay.
      scroller.dataset[kind === 'whole' ? 'paintedWhole' : 'paintedFirst'] = String(Date.now());
      vscode.postMessage({ type: 'painted', rows: rows.length, ms: performance.now() - received });
    });
  }
}

function update(next: GraphData): void {
  const keep = active >= 0 && data ? data.rows[active]?.id : undefined;
  const keepSelected = data ? [...selected].map((i) => data!.rows[i]?.id) : [];
  data = next;
  const index = new Map(next.rows.map((r, i) => [r.id, i]));
  active = keep !== undefined ? index.get(keep) ?? -1 : -1;
  selected.clear();
  for (const id of keepSelected) { const i = id === undefined ? undefined : index.get(id); if (i !== undefined) selected.add(i); }
  projectSelect.replaceChildren(...next.projects.map((p) => { const o = el('option', undefined, p.label); o.value = p.root; o.selected = p.root === next.root; return o; }));
  projectSelect.hidden = next.projects.length < 2;
  database.textContent = next.database;
  database.classList.toggle('restricted', !next.trusted);
  banner.textContent = next.error ?? '';
  banner.hidden = !next.error;
  scroller.setAttribute('aria-label', `Revision graph${next.label ? ` of ${next.label}` : ''}: ${next.total ?? next.rows.length} revisions. Arrow keys move, Enter opens, Space selects.`);
  scroller.toggleAttribute('data-complete', next.total === undefined);
  refreshActions();
  render();
  setActive(active, false);
}

function refreshActions(): void {
  const heads = [...selected].filter((i) => data?.rows[i]?.tags.includes('head'));
  mergeButton.hidden = !data?.trusted || heads.length < 2 || heads.length !== selected.size;
  mergeButton.textContent = `Merge these ${heads.length} heads`;
}

function setActive(i: number, reveal = true): void {
  if (!data || i < 0 || i >= data.rows.length) { scroller.removeAttribute('aria-activedescendant'); return; }
  active = i;
  if (reveal) {
    const top = i * rowHeight;
    if (top < scroller.scrollTop) scroller.scrollTop = top;
    else if (top + rowHeight > scroller.scrollTop + scroller.clientHeight) scroller.scrollTop = top + rowHeight - scroller.clientHeight;
  }
  render();
  scroller.setAttribute('aria-activedescendant', `row-${i}`);
}

function toggle(i: number): void {
  if (selected.has(i)) selected.delete(i); else selected.add(i);
  refreshActions();
  render();
}

const rowIndex = (t: EventTarget | null): number | undefined => {
  const row = (t as HTMLElement | null)?.closest?.('.row') as HTMLElement | null;
  return row ? Number(row.dataset.index) : undefined;
};

scroller.addEventListener('click', (ev) => {
  const fix = (ev.target as HTMLElement).closest('button.fix') as HTMLElement | null;
  if (fix) { vscode.postMessage({ type: 'fixParent', revision: fix.dataset.fix }); return; }
  const i = rowIndex(ev.target);
  if (i === undefined || !data) return;
  scroller.focus();
  if (ev.ctrlKey || ev.metaKey) { active = i; toggle(i); setActive(i); return; }
  selected.clear();
  selected.add(i);
  refreshActions();
  setActive(i);
  vscode.postMessage({ type: 'open', revision: data.rows[i].id });
});

scroller.addEventListener('keydown', (ev) => {
  if (!data || !data.rows.length) return;
  const page = Math.max(1, Math.floor(scroller.clientHeight / rowHeight) - 1);
  const r = data.rows[active];
  const parentRow = () => { for (let k = 0; k < data!.edges.length; k += 3) if (data!.edges[k] === active) return data!.edges[k + 1]; return active; };
  const childRow = () => { for (let k = 0; k < data!.edges.length; k += 3) if (data!.edges[k + 1] === active) return data!.edges[k]; return active; };
  const moves: Record<string, () => number> = {
    ArrowDown: () => active + 1, ArrowUp: () => Math.max(0, active - 1), PageDown: () => active + page, PageUp: () => Math.max(0, active - page),
    Home: () => 0, End: () => data!.rows.length - 1, ArrowRight: parentRow, ArrowLeft: childRow,
  };
  if (moves[ev.key]) {
    ev.preventDefault();
    setActive(active < 0 ? 0 : Math.min(data.rows.length - 1, moves[ev.key]()));
  } else if (ev.key === 'Enter' && r) {
    vscode.postMessage({ type: 'open', revision: r.id });
  } else if (ev.key === ' ' && r) {
    ev.preventDefault();
    toggle(active);
  } else if ((ev.key === '+' || ev.key === '=' || ev.key === '-') && (ev.ctrlKey || ev.metaKey || ev.altKey)) {
    ev.preventDefault();
    zoom(ev.key === '-' ? -2 : 2);
  }
});

function zoom(step: number): void {
  const anchor = scroller.scrollTop / rowHeight;
  rowHeight = Math.min(40, Math.max(16, rowHeight + step));
  vscode.setState({ rowHeight });
  spacer.style.height = `${(data?.total ?? data?.rows.length ?? 0) * rowHeight}px`;
  scroller.scrollTop = anchor * rowHeight;
  render();
}

scroller.addEventListener('wheel', (ev) => {
  if (!ev.ctrlKey) return;
  ev.preventDefault();
  zoom(ev.deltaY > 0 ? -2 : 2);
}, { passive: false });

let frame = 0;
scroller.addEventListener('scroll', () => { if (!frame) frame = requestAnimationFrame(() => { frame = 0; render(); }); });
new ResizeObserver(() => render()).observe(scroller);

// Hover: the extension builds the tooltip (the same text as the Migrations view's).
let hoverTimer: ReturnType<typeof setTimeout> | undefined;
let hovered: string | undefined;
scroller.addEventListener('mouseover', (ev) => {
  const i = rowIndex(ev.target);
  const id = i === undefined ? undefined : data?.rows[i].id;
  if (id === hovered) return;
  hovered = id;
  tooltip.classList.remove('shown');
  if (hoverTimer) clearTimeout(hoverTimer);
  if (id) hoverTimer = setTimeout(() => vscode.postMessage({ type: 'hover', revision: id }), 500);
});
scroller.addEventListener('mouseleave', () => { hovered = undefined; if (hoverTimer) clearTimeout(hoverTimer); tooltip.classList.remove('shown'); });

function showTooltip(t: RevisionTooltip): void {
  if (t.revision !== hovered || !data) return;
  const i = data.rows.findIndex((r) => r.id === t.revision);
  const row = document.getElementById(`row-${i}`);
  if (!row) return;
  const head = el('div', 'tip-head');
  head.append(el('strong', undefined, t.revision), document.createTextNode(t.suffix));
  const lines = [head, el('div', 'tip-doc', t.doc),
    ...t.details.map(([k, v]) => { const d = el('div'); d.append(document.createTextNode(`${k}: `), el('code', undefined, v)); return d; }),
    ...(t.created ? [el('div', undefined, `Created ${t.created}`)] : []), el('div', 'tip-path', t.path)];
  tooltip.replaceChildren(...lines);
  const box = row.getBoundingClientRect();
  tooltip.style.left = `${Math.min(box.left + graphWidth(data.lanes) + 40, window.innerWidth - 320)}px`;
  tooltip.style.top = `${box.bottom + 4}px`;
  tooltip.classList.add('shown');
  row.setAttribute('aria-describedby', tooltip.id);
}

mergeButton.addEventListener('click', () => {
  if (!data) return;
  vscode.postMessage({ type: 'merge', revisions: [...selected].map((i) => data!.rows[i].id) });
});
projectSelect.addEventListener('change', () => vscode.postMessage({ type: 'selectProject', root: projectSelect.value }));

window.addEventListener('message', (ev: MessageEvent) => {
  const m = ev.data as { type?: string };
  if (m?.type === 'graph') { received = performance.now(); update(m as GraphData); }
  else if (m?.type === 'tooltip') showTooltip(m as unknown as RevisionTooltip);
});
// The first screen came with the page: painted now, before asking for the whole graph.
const initial = document.getElementById('initial')?.textContent;
if (initial) { received = performance.now(); update(JSON.parse(initial) as GraphData); }
vscode.postMessage({ type: 'ready', at: Date.now() });
