/**
 * The graph page: draws the rows the extension sends (only those on screen: 10,000 revisions
 * scroll as fast as 10), and asks the extension to act (open, merge, fix). It never acts itself.
 */
import type { GraphData, GraphRow } from '../../extension/graph/model';
import type { RevisionTooltip } from '../../extension/graph/tooltip';
import './graph.css';

declare function acquireVsCodeApi(): { postMessage(m: unknown): void; getState(): unknown; setState(s: unknown): void };
const vscode = acquireVsCodeApi();

const LANE = 16;
const OVERSCAN = 10;
const SVG_NS = 'http://www.w3.org/2000/svg';
const saved = (vscode.getState() ?? {}) as { rowHeight?: number };
let rowHeight = saved.rowHeight ?? 24;
let data: GraphData | undefined;
let active = -1;
const selected = new Set<number>();
/** Which data were reported painted: a first screen (of a big graph), the whole. */
const painted = new Set<string>();
let received = 0;

const el = <K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
};
const svg = (tag: string, attrs: Record<string, string | number>): SVGElement => {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
};

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

const x = (lane: number) => 10 + lane * LANE + LANE / 2;
const graphWidth = () => 20 + Math.max(1, data?.lanes ?? 1) * LANE;
const stateText = (r: GraphRow) => (r.state === 'current' ? 'current: the database is here' : r.state === 'applied' ? 'applied' : r.state === 'pending' ? 'pending' : '');
const isHead = (i: number) => data!.rows[i].tags.includes('head');

function label(r: GraphRow): string {
  const parts = [`${r.id}: ${r.doc}`];
  if (stateText(r)) parts.push(stateText(r));
  if (r.tags.length) parts.push(r.tags.join(', '));
  if (r.labels.length) parts.push(`branch ${r.labels.join(', ')}`);
  if (r.missing) parts.push(`error: parent ${r.missing.join(', ')} is missing`);
  if (r.cyclic) parts.push('error: on a cycle');
  return parts.join('; ');
}

function edgePath(from: number, to: number, fromLane: number, via: number, toLane: number, top: number): string {
  const y = (row: number) => (row - top) * rowHeight + rowHeight / 2;
  const [x0, xv, x1, y0, y1] = [x(fromLane), x(via), x(toLane), y(from), y(to)];
  const h = rowHeight / 2;
  if (to === from + 1) return `M${x0},${y0} C${x0},${y0 + h} ${x1},${y1 - h} ${x1},${y1}`;
  return `M${x0},${y0} C${x0},${y0 + h} ${xv},${y0 + h} ${xv},${y0 + rowHeight} L${xv},${y1 - rowHeight} C${xv},${y1 - h} ${x1},${y1 - h} ${x1},${y1}`;
}

function render(): void {
  if (!data) return;
  const rows = data.rows;
  spacer.style.height = `${(data.total ?? rows.length) * rowHeight}px`;
  const first = Math.max(0, Math.floor(scroller.scrollTop / rowHeight) - OVERSCAN);
  const last = Math.min(rows.length - 1, Math.ceil((scroller.scrollTop + scroller.clientHeight) / rowHeight) + OVERSCAN);
  layer.replaceChildren();
  layer.style.top = `${first * rowHeight}px`;
  if (last < first) return;
  const width = graphWidth();
  const pic = svg('svg', { width, height: (last - first + 1) * rowHeight, class: 'edges', 'aria-hidden': 'true' });
  const e = data.edges;
  for (let k = 0; k < e.length; k += 3) {
    const [from, to, lane] = [e[k], e[k + 1], e[k + 2]];
    if (from > last || to < first) continue;
    const end = rows[to]; // absent on a first screen: the edge runs on down its lane
    const cls = `edge lane-${lane % 6}${rows[from].state && rows[from].state === end?.state ? ` ${rows[from].state}` : ''}`;
    pic.append(svg('path', { d: edgePath(from, end ? to : to + OVERSCAN, rows[from].lane, lane, end?.lane ?? lane, first), class: cls }));
  }
  const d = data.depends;
  for (let k = 0; k < d.length; k += 2) {
    const [from, to] = [d[k], d[k + 1]];
    if (from > Math.max(last, to) || Math.max(from, to) < first || Math.min(from, to) > last) continue;
    const [y0, y1] = [(from - first) * rowHeight + rowHeight / 2, (to - first) * rowHeight + rowHeight / 2];
    const bend = width - 4;
    pic.append(svg('path', { d: `M${x(rows[from].lane)},${y0} C${bend},${y0} ${bend},${y1} ${x(rows[to].lane)},${y1}`, class: 'edge depends' }));
  }
  for (let i = first; i <= last; i++) {
    const r = rows[i];
    const cy = (i - first) * rowHeight + rowHeight / 2;
    const cx = x(r.lane);
    if (r.missing) pic.append(svg('path', { d: `M${cx},${cy} L${cx},${cy + rowHeight * 0.8}`, class: 'edge broken' }));
    const radius = r.state === 'current' ? 6 : 5;
    const cls = `node ${r.missing || r.cyclic ? 'error' : r.state ?? 'unknown'}${r.tags.includes('mergepoint') ? ' merge' : ''}`;
    pic.append(svg('circle', { cx, cy, r: radius, class: cls }));
    if (r.state === 'current') pic.append(svg('circle', { cx, cy, r: radius + 3, class: 'ring' }));
  }
  layer.append(pic);
  for (let i = first; i <= last; i++) layer.append(rowElement(i, width));
  const kind = data.total ? 'first screen' : 'whole';
  if (!painted.has(kind)) {
    painted.add(kind);
    requestAnimationFrame(() => vscode.postMessage({ type: 'painted', rows: rows.length, ms: performance.now() - received }));
  }
}

function rowElement(i: number, width: number): HTMLElement {
  const r = data!.rows[i];
  const row = el('div', `row${i === active ? ' active' : ''}${selected.has(i) ? ' selected' : ''}${r.missing || r.cyclic ? ' broken' : ''}`);
  row.id = `row-${i}`;
  row.dataset.index = String(i);
  row.style.height = `${rowHeight}px`;
  row.style.paddingLeft = `${width}px`;
  row.setAttribute('role', 'option');
  row.setAttribute('aria-selected', String(selected.has(i)));
  row.setAttribute('aria-label', label(r));
  row.dataset.vscodeContext = JSON.stringify({
    webviewSection: r.missing ? 'brokenRevision' : 'revision', root: data!.root, revision: r.id,
    revisionState: r.state ?? 'unknown', preventDefaultContextMenuItems: true,
  });
  row.append(el('span', 'id', r.id.slice(0, 12)));
  if (r.state === 'current') row.append(el('span', 'pill current', 'database'));
  for (const t of r.tags.filter((t) => t !== 'base')) row.append(el('span', `pill ${t}`, t));
  for (const l of r.labels) row.append(el('span', 'pill label', `@${l}`));
  row.append(el('span', 'doc', r.doc));
  if (r.missing) {
    row.append(el('span', 'pill missing', `parent ${r.missing.join(', ')} missing`));
    if (data!.trusted) {
      const fix = el('button', 'fix', 'Fix down_revision...');
      fix.dataset.fix = r.id;
      row.append(fix);
    }
  }
  if (r.cyclic) row.append(el('span', 'pill missing', 'on a cycle'));
  return row;
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
  const heads = [...selected].filter((i) => data && isHead(i));
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
  tooltip.style.left = `${Math.min(box.left + graphWidth() + 40, window.innerWidth - 320)}px`;
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
vscode.postMessage({ type: 'ready' });
