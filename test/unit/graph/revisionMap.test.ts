/**
 * The revision map against Alembic's own RevisionMap: random graphs, and for each the heads and
 * bases, identifier resolution (ids, prefixes, labels, symbols, relative steps) and upgrade /
 * downgrade walks, compared result for result and error message for error message.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { iterateRevisions, Revision, RevisionError, RevisionMap } from '../../../src/engine/graph';
import { generateGraph, GenRevision, rng } from '../../diff/generate';
import { PYTHON } from '../pythonOracle';

type Query = { op: 'get'; id: unknown } | { op: 'up' | 'down'; upper: unknown; lower: unknown; implicit?: boolean; inclusive?: boolean; assertLength?: boolean };
type Answer = { ok: (string | null)[] } | { err: string; msg: string; revision_error?: boolean };

function queriesFor(revs: GenRevision[], seed: number): Query[] {
  const r = rng(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)];
  const ids = revs.map((x) => x.id);
  const labels = revs.flatMap((x) => x.labels);
  const targets: (string | null | string[])[] = [
    null, 'base', 'head', 'heads', '+1', '-1', '+2', '-2', pick(ids), pick(ids), pick(ids).slice(0, 4), pick(ids).slice(0, 3),
    `${pick(ids)}+1`, `${pick(ids)}-1`, `${pick(ids)}+2`, 'nonexistent', [pick(ids), pick(ids)],
  ];
  for (const l of labels.slice(0, 3)) targets.push(l, `${l}@head`, `${l}@base`, `${l}@+1`, `${l}@-1`, `${l}@${pick(ids)}`, `${l}@heads`);
  const q: Query[] = targets.map((id) => ({ op: 'get', id }));
  const currents: (string | null | string[])[] = [null, pick(ids), pick(ids), 'heads'];
  for (const upper of targets) {
    for (const lower of currents) {
      if (r() < 0.5) q.push({ op: 'up', upper, lower, implicit: r() < 0.2, inclusive: r() < 0.3 });
      if (r() < 0.5) q.push({ op: 'down', upper: lower ?? 'heads', lower: upper, implicit: r() < 0.2, inclusive: r() < 0.3 });
    }
  }
  q.push({ op: 'up', upper: 'heads', lower: 'base', inclusive: true, assertLength: false }); // what history walks
  return q;
}

function ours(revs: GenRevision[], queries: Query[]) {
  const list = revs.map((x) => new Revision(x.id, x.down.length > 1 ? x.down : x.down[0] ?? null, { branchLabels: x.labels, dependencies: x.depends }));
  const map = new RevisionMap(() => list);
  const name = (x: unknown) => x === null || typeof x === 'string' ? x : (x as Revision).revision;
  const answers: Answer[] = queries.map((q) => {
    try {
      if (q.op === 'get') return { ok: map.getRevisions(q.id as string).map(name) };
      const walk = iterateRevisions(map, q.upper as string, q.lower as string, {
        implicitBase: q.implicit, inclusive: q.inclusive, assertRelativeLength: q.assertLength ?? true, selectForDowngrade: q.op === 'down',
      });
      return { ok: [...walk].map((x) => x.revision) };
    } catch (e) {
      return { err: (e as Error).constructor.name, msg: (e as Error).message, revision_error: e instanceof RevisionError };
    }
  });
  return { heads: [...map.heads], bases: [...map.bases], real_heads: [...map.realHeads], real_bases: [...map.realBases], queries: answers };
}

test('the revision map answers as Alembic RevisionMap on 40 random graphs', () => {
  const graphs = Array.from({ length: 40 }, (_, g) => {
    const revs = generateGraph(9000 + g, 2 + (g * 5) % 30);
    return { revs, queries: queriesFor(revs, 9000 + g) };
  });
  const expected = JSON.parse(execFileSync(PYTHON, [path.resolve(__dirname, '../../../../test/unit/graph/oracle.py')], {
    input: JSON.stringify(graphs), encoding: 'utf8', maxBuffer: 256 << 20,
  })) as ReturnType<typeof ours>[];
  let compared = 0;
  const failures: string[] = [];
  graphs.forEach((g, i) => {
    const mine = ours(g.revs, g.queries);
    const want = expected[i];
    for (const k of ['heads', 'bases', 'real_heads', 'real_bases'] as const) {
      if (JSON.stringify(mine[k]) !== JSON.stringify(want[k])) failures.push(`graph ${i} ${k}: ${mine[k]} vs ${want[k]}`);
    }
    g.queries.forEach((q, j) => {
      compared++;
      const a = mine.queries[j];
      const b = want.queries[j];
      const same = 'ok' in b
        ? 'ok' in a && JSON.stringify(a.ok) === JSON.stringify(b.ok)
        : 'err' in a && (b.revision_error ? a.err === b.err && a.msg === b.msg : true); // Python's own errors: any error will do
      if (!same) failures.push(`graph ${i} ${JSON.stringify(q)}:\n  alembic: ${JSON.stringify(b)}\n  ours:    ${JSON.stringify(a)}`);
    });
  });
  assert.equal(failures.length, 0, `${failures.length} of ${compared} answers differ:\n${failures.slice(0, 10).join('\n')}`);
  assert.ok(compared > 2000, `compared ${compared} answers`);
  if (process.env.GRAPH_STATS) console.log(JSON.stringify(expected.flatMap((e) => e.queries).reduce((acc: Record<string, number>, q) => { const k = "ok" in q ? (q.ok.length ? "ok-nonempty" : "ok-empty") : (q as { err: string }).err; acc[k] = (acc[k] ?? 0) + 1; return acc; }, {})));
});
