/**
 * Lays a revision graph out in rows (newest first) and lanes, as git graph views do, in time
 * linear in revisions + edges. Pure: no vscode, no DOM (the extension host runs it, tests and
 * bench/graph.mjs measure it). Works from the files alone, so a graph Alembic refuses (a missing
 * parent, a cycle) is still drawn, with what is wrong marked.
 */

export interface LayoutInput {
  id: string;
  /** down_revision, in file order. */
  parents: readonly string[];
  /** depends_on: revision ids or branch labels (drawn dashed, they take no lane). */
  depends?: readonly string[];
  branchLabels?: readonly string[];
}

/** A down_revision edge from `from` (child row) to `to` (parent row), running down `lane` between them. */
export interface LaneEdge { from: number; to: number; lane: number }

export interface GraphLayout {
  /** Row -> index into the input. */
  order: number[];
  /** Row -> lane. */
  lane: number[];
  edges: LaneEdge[];
  /** depends_on: [child row, dependency row]. */
  depends: [number, number][];
  /** Row -> parents named in down_revision that no revision has. */
  missing: Map<number, string[]>;
  /** Rows on a cycle (drawn at the end, in file order). */
  cyclic: Set<number>;
  lanes: number;
}

export function layoutGraph(input: readonly LayoutInput[]): GraphLayout {
  const index = new Map<string, number>();
  input.forEach((r, i) => index.set(r.id, i)); // a duplicate id: the last file wins, as in Alembic
  const parentsOf = input.map((r) => r.parents.filter((p) => index.has(p) && p !== r.id).map((p) => index.get(p)!));
  const children = new Int32Array(input.length);
  for (const ps of parentsOf) for (const p of ps) children[p]++;

  // Topological order, children first. A stack (not a queue) keeps a branch's revisions together:
  // after a revision, its first parent comes next as soon as all its children are placed.
  const order: number[] = [];
  const placed = new Uint8Array(input.length);
  const stack: number[] = [];
  for (let i = input.length - 1; i >= 0; i--) if (children[i] === 0 && index.get(input[i].id) === i) stack.push(i);
  while (stack.length) {
    const i = stack.pop()!;
    if (placed[i]) continue;
    placed[i] = 1;
    order.push(i);
    const ps = parentsOf[i];
    for (let k = ps.length - 1; k >= 0; k--) if (--children[ps[k]] === 0) stack.push(ps[k]);
  }
  const cyclic = new Set<number>();
  for (let i = 0; i < input.length; i++) {
    if (!placed[i] && index.get(input[i].id) === i) { cyclic.add(order.length); order.push(i); placed[i] = 1; }
  }
  const rowOf = new Int32Array(input.length).fill(-1);
  order.forEach((i, row) => { rowOf[i] = row; });

  // Lanes: each lane holds the revision it waits for (a parent of a row above); a row takes the
  // leftmost lane waiting for it, or the first free one.
  const slots: (number | null)[] = [];
  const waiting = new Map<number, number[]>(); // revision index -> lanes waiting for it
  let freeFrom = 0;
  const take = (): number => {
    while (freeFrom < slots.length && slots[freeFrom] !== null) freeFrom++;
    if (freeFrom === slots.length) slots.push(null);
    return freeFrom;
  };
  const free = (l: number) => { slots[l] = null; if (l < freeFrom) freeFrom = l; };
  const wait = (l: number, i: number) => { slots[l] = i; const w = waiting.get(i); if (w) w.push(l); else waiting.set(i, [l]); };
  const lane: number[] = new Array(order.length);
  const edges: LaneEdge[] = [];
  const missing = new Map<number, string[]>();
  let lanes = 0;
  for (let row = 0; row < order.length; row++) {
    const i = order[row];
    const w = waiting.get(i);
    waiting.delete(i);
    let own: number;
    if (w) {
      own = Math.min(...w);
      for (const l of w) free(l);
    } else own = take();
    lane[row] = own;
    slots[own] = -1; // held while the parents are placed
    const ps = parentsOf[i];
    ps.forEach((p, k) => {
      if (rowOf[p] < row) { edges.push({ from: row, to: rowOf[p], lane: own }); return; } // a cycle's back edge
      const already = waiting.get(p);
      let l: number;
      if (already) l = already[0];
      else if (k === 0) { l = own; wait(l, p); }
      else { l = take(); wait(l, p); }
      edges.push({ from: row, to: rowOf[p], lane: l });
    });
    if (slots[own] === -1) free(own);
    const gone = input[i].parents.filter((p) => !index.has(p));
    if (gone.length) missing.set(row, gone);
    lanes = Math.max(lanes, own + 1, slots.length);
    while (slots.length && slots[slots.length - 1] === null) slots.pop();
    if (freeFrom > slots.length) freeFrom = slots.length;
  }

  const labels = new Map<string, number>();
  input.forEach((r, i) => r.branchLabels?.forEach((b) => labels.set(b, i)));
  const depends: [number, number][] = [];
  order.forEach((i, row) => {
    for (const d of input[i].depends ?? []) {
      const target = index.get(d) ?? labels.get(d);
      if (target !== undefined && rowOf[target] >= 0) depends.push([row, rowOf[target]]);
    }
  });
  return { order, lane, edges, depends, missing, cyclic, lanes };
}
