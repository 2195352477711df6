// The revision graph's layout on big projects: our linear lane assignment against a general layered
// layout library (@dagrejs/dagre, when it can be imported: DAGRE_PATH or node_modules; it is not
// a dependency). `node bench/graph.mjs` alone, or part of `npm run bench`.
import * as esbuild from 'esbuild';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { revisionGraph } from './generate.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

async function loadLayout() {
  const out = await esbuild.build({ entryPoints: [path.join(repo, 'src/extension/graph/layout.ts')], bundle: true, format: 'esm', platform: 'node', write: false, logLevel: 'error' });
  return import(`data:text/javascript;base64,${Buffer.from(out.outputFiles[0].text).toString('base64')}`);
}

function loadDagre() {
  const from = process.env.DAGRE_PATH ? pathToFileURL(path.join(process.env.DAGRE_PATH, 'x')).href : import.meta.url;
  try { return createRequire(from)('@dagrejs/dagre'); } catch { return undefined; }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function measureGraph({ sizes = [1000, 10000], runs = 5, dagreMax = 10000 } = {}) {
  const { layoutGraph } = await loadLayout();
  const dagre = loadDagre();
  const rows = [];
  for (const n of sizes) {
    const input = [...revisionGraph(n, 7)].map(({ rev, down }) => ({ id: rev, parents: down === null ? [] : [].concat(down) }));
    layoutGraph(input); // warm-up
    const lanes = median(Array.from({ length: runs }, () => { const t = performance.now(); layoutGraph(input); return performance.now() - t; }));
    let dagreMs;
    if (dagre && n <= dagreMax) {
      const t = performance.now();
      try {
      const g = new dagre.graphlib.Graph();
      g.setGraph({ rankdir: 'TB', nodesep: 10, ranksep: 10 });
      g.setDefaultEdgeLabel(() => ({}));
      for (const r of input) g.setNode(r.id, { width: 12, height: 12 });
      for (const r of input) for (const p of r.parents) g.setEdge(p, r.id);
      dagre.layout(g);
      dagreMs = performance.now() - t;
      } catch (e) { dagreMs = `failed after ${(performance.now() - t).toFixed(0)} ms: ${e.message}`; }
    }
    const l = layoutGraph(input);
    rows.push({ n, lanes, lanesWide: l.lanes, dagre: dagreMs });
    console.log(`graph layout of ${n} revisions: lanes ${lanes.toFixed(1)} ms (${l.lanes} lanes wide)${dagreMs === undefined ? (dagre ? '' : ', dagre not installed') : `, dagre ${typeof dagreMs === 'string' ? dagreMs : `${dagreMs.toFixed(0)} ms (one run)`}`}`);
  }
  return rows;
}

export const graphTable = (rows, runs) => [
  `Measured ${new Date().toISOString().slice(0, 10)} in Node ${process.version}. Lanes: median of ${runs} runs after a warm-up; dagre: one run (when installed; it is not a dependency).`,
  '',
  '| revisions | lane layout (ours) | lanes wide | @dagrejs/dagre |',
  '| ---: | ---: | ---: | ---: |',
  ...rows.map((r) => `| ${r.n.toLocaleString('en')} | ${r.lanes.toFixed(1)} ms | ${r.lanesWide} | ${r.dagre === undefined ? 'not measured' : typeof r.dagre === 'string' ? r.dagre : `${r.dagre.toFixed(0)} ms`} |`),
].join('\n');

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const rows = await measureGraph({ sizes: (process.env.BENCH_SIZES ?? '1000,10000').split(',').map(Number) });
  console.log(graphTable(rows, 5));
}
