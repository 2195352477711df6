/** Drawing one slice of the graph (the rows on screen): the SVG of nodes and edges, and the rows' text. */
import type { GraphData, GraphRow } from '../../extension/graph/model';

const LANE = 16;
const SVG_NS = 'http://www.w3.org/2000/svg';

export const el = <K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] => {
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

const x = (lane: number) => 10 + lane * LANE + LANE / 2;
export const graphWidth = (lanes: number) => 20 + Math.max(1, lanes) * LANE;
const stateText = (r: GraphRow) => (r.state === 'current' ? 'current: the database is here' : r.state === 'applied' ? 'applied' : r.state === 'pending' ? 'pending' : '');

function label(r: GraphRow): string {
  const parts = [`${r.id}: ${r.doc}`];
  if (stateText(r)) parts.push(stateText(r));
  if (r.tags.length) parts.push(r.tags.join(', '));
  if (r.labels.length) parts.push(`branch ${r.labels.join(', ')}`);
  if (r.missing) parts.push(`error: parent ${r.missing.join(', ')} is missing`);
  if (r.cyclic) parts.push('error: on a cycle');
  return parts.join('; ');
}

function edgePath(from: number, to: number, fromLane: number, via: number, toLane: number, top: number, rowHeight: number): string {
  const y = (row: number) => (row - top) * rowHeight + rowHeight / 2;
  const [x0, xv, x1, y0, y1] = [x(fromLane), x(via), x(toLane), y(from), y(to)];
  const h = rowHeight / 2;
  if (to === from + 1) return `M${x0},${y0} C${x0},${y0 + h} ${x1},${y1 - h} ${x1},${y1}`;
  return `M${x0},${y0} C${x0},${y0 + h} ${xv},${y0 + h} ${xv},${y0 + rowHeight} L${xv},${y1 - rowHeight} C${xv},${y1 - h} ${x1},${y1 - h} ${x1},${y1}`;
}

/** Nodes and edges of rows first..last (edges crossing them included). */
export function drawSlice(data: GraphData, first: number, last: number, rowHeight: number): SVGElement {
  const width = graphWidth(data.lanes);
  const rows = data.rows;
  const pic = svg('svg', { width, height: (last - first + 1) * rowHeight, class: 'edges', 'aria-hidden': 'true' });
  const e = data.edges;
  for (let k = 0; k < e.length; k += 3) {
    const [from, to, lane] = [e[k], e[k + 1], e[k + 2]];
    if (from > last || to < first) continue;
    const end = rows[to]; // absent on a first screen: the edge runs on down its lane
    const cls = `edge lane-${lane % 6}${rows[from].state && rows[from].state === end?.state ? ` ${rows[from].state}` : ''}`;
    pic.append(svg('path', { d: edgePath(from, end ? to : to + 10, rows[from].lane, lane, end?.lane ?? lane, first, rowHeight), class: cls }));
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
  return pic;
}

export function rowElement(data: GraphData, i: number, o: { width: number; rowHeight: number; active: boolean; selected: boolean }): HTMLElement {
  const r = data.rows[i];
  const row = el('div', `row${o.active ? ' active' : ''}${o.selected ? ' selected' : ''}${r.missing || r.cyclic ? ' broken' : ''}`);
  row.id = `row-${i}`;
  row.dataset.index = String(i);
  row.style.height = `${o.rowHeight}px`;
  row.style.paddingLeft = `${o.width}px`;
  row.setAttribute('role', 'option');
  row.setAttribute('aria-selected', String(o.selected));
  row.setAttribute('aria-label', label(r));
  row.dataset.vscodeContext = JSON.stringify({
    webviewSection: r.missing ? 'brokenRevision' : 'revision', root: data.root, revision: r.id,
    revisionState: r.state ?? 'unknown', preventDefaultContextMenuItems: true,
  });
  row.append(el('span', 'id', r.id.slice(0, 12)));
  if (r.state === 'current') row.append(el('span', 'pill current', 'database'));
  for (const t of r.tags) row.append(el('span', `pill ${t}`, t));
  for (const l of r.labels) row.append(el('span', 'pill label', `@${l}`));
  row.append(el('span', 'doc', r.doc));
  if (r.missing) {
    row.append(el('span', 'pill missing', `parent ${r.missing.join(', ')} missing`));
    if (data.trusted) {
      const fix = el('button', 'fix', 'Fix down_revision...');
      fix.dataset.fix = r.id;
      row.append(fix);
    }
  }
  if (r.cyclic) row.append(el('span', 'pill missing', 'on a cycle'));
  return row;
}
