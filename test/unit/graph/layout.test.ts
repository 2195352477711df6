import { test } from 'node:test';
import assert from 'node:assert/strict';
import { layoutGraph, LayoutInput } from '../../../src/extension/graph/layout';
import { firstScreen, GraphData } from '../../../src/extension/graph/model';

// The example project's shape: a base, a branchpoint, two branches, their merge, and a head on it.
const example: LayoutInput[] = [
  { id: '7beb', parents: [] },
  { id: 'abc1', parents: ['7beb'] },
  { id: '3f2a', parents: ['abc1'] },
  { id: '91d0', parents: ['abc1'], branchLabels: ['auth'] },
  { id: 'c5e8', parents: ['3f2a', '91d0'] },
  { id: '0d4e', parents: ['c5e8'], depends: ['auth'] },
];
const ids = (input: LayoutInput[], l: ReturnType<typeof layoutGraph>) => l.order.map((i) => input[i].id);

test('every child is drawn above its parents, the two branches side by side in two lanes', () => {
  const l = layoutGraph(example);
  const rows = ids(example, l);
  assert.deepEqual(rows, ['0d4e', 'c5e8', '3f2a', '91d0', 'abc1', '7beb']);
  assert.deepEqual(l.lane, [0, 0, 0, 1, 0, 0], 'the second branch gets its own lane, the rest stay in the first');
  assert.equal(l.lanes, 2);
  // The merge has two edges (one per parent); the branchpoint is reached from both lanes.
  assert.deepEqual(l.edges.filter((e) => e.from === 1), [{ from: 1, to: 2, lane: 0 }, { from: 1, to: 3, lane: 1 }]);
  assert.deepEqual(l.edges.filter((e) => e.to === 4).map((e) => e.from), [2, 3], 'the branchpoint is reached from both branches');
  assert.deepEqual(l.depends, [[0, 3]], 'depends_on on a branch label points at the labelled revision');
  assert.equal(l.missing.size, 0);
});

test('a down_revision naming no revision is reported on its row; the graph is still laid out', () => {
  const input = [...example.slice(0, 5), { id: '0d4e', parents: ['c5e9'] }];
  const l = layoutGraph(input);
  const row = ids(input, l).indexOf('0d4e');
  assert.deepEqual(l.missing.get(row), ['c5e9']);
  assert.equal(l.order.length, 6);
});

test('a cycle does not lose revisions: they are drawn last and marked', () => {
  const input: LayoutInput[] = [{ id: 'a', parents: [] }, { id: 'b', parents: ['c'] }, { id: 'c', parents: ['b'] }];
  const l = layoutGraph(input);
  assert.equal(l.order.length, 3);
  assert.equal(l.cyclic.size, 2);
});

test('10,000 revisions with a branch every 50 take few lanes and lay out quickly', () => {
  const input: LayoutInput[] = [];
  for (let i = 0; i < 10_000; i++) {
    const prev = i ? `r${i - 1}` : undefined;
    const parents = i % 50 === 11 ? [`r${i - 2}`] : i % 50 === 12 ? [`r${i - 2}`, prev!] : prev ? [prev] : [];
    input.push({ id: `r${i}`, parents });
  }
  const t = performance.now();
  const l = layoutGraph(input);
  const ms = performance.now() - t;
  assert.equal(l.order.length, 10_000);
  assert.equal(l.lanes, 2);
  for (const e of l.edges) assert.ok(e.from < e.to, 'edges point down');
  assert.ok(ms < 500, `laid out in ${ms.toFixed(0)} ms`);
});

test('a first screen keeps its rows and the edges leaving them (cut at its end), and says how many rows follow', () => {
  const data: GraphData = { type: 'graph', projects: [], trusted: true, database: '', lanes: 2, rows: ['a', 'b', 'c', 'd'].map((id) => ({ id, lane: 0, doc: '', tags: [], labels: [] })),
    edges: [0, 1, 0, 0, 3, 1, 1, 2, 0, 2, 3, 0], depends: [0, 1, 0, 3] };
  const first = firstScreen(data, 2);
  assert.deepEqual(first.rows.map((r) => r.id), ['a', 'b']);
  assert.deepEqual(first.edges, [0, 1, 0, 0, 2, 1, 1, 2, 0]);
  assert.deepEqual(first.depends, [0, 1]);
  assert.equal(first.total, 4);
});
