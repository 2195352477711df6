/** `node out/test/fuzz/repro.js <trace file>`: runs one input the fuzzer wrote (FUZZ_TRACE), timing each part. */
import fs from 'node:fs';
import { readMigrationFunctions } from '../../src/engine/ops/python/reader';

const [name, ...rest] = fs.readFileSync(process.argv[2], 'utf8').split('\n');
let src = rest.join('\n');
let ctx = {};
if (name === 'evaluator mutants') { const [, text] = JSON.parse(src) as [number, string]; src = text; ctx = { importRoots: [] }; }
for (const dialect of ['sqlite', 'postgresql'] as const) {
  for (const offline of [false, true]) {
    const t = performance.now();
    try {
      const r = readMigrationFunctions(src, { ...ctx, dialect, offline, budget: Number(process.env.BUDGET ?? 100_000) });
      console.log(dialect, offline, `${(performance.now() - t).toFixed(0)} ms`, r.map((f) => f.unsupported?.message ?? `${f.ops?.length} ops`));
    } catch (e) { console.log(dialect, offline, `${(performance.now() - t).toFixed(0)} ms`, e); }
  }
}
