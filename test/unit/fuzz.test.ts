/** A short run of the fuzzer (`npm run fuzz` runs a million inputs): no reader may crash or hang. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';

test('fuzzing the header, body, ini and target readers and the evaluator: 50,000 inputs, no crash, no hang', { timeout: 120_000 }, () => {
  // About 25 s alone; the time budget leaves room for a busy machine.
  const out = execFileSync(process.execPath, [path.join(__dirname, '..', 'fuzz', 'fuzz.js'), '60', '50000'], { encoding: 'utf8' });
  const n = Number(/fuzz: ([\d,]+) inputs/.exec(out)![1].replace(/,/g, ''));
  assert.ok(n >= 50_000, out);
  assert.match(out, /evaluator programs [\d,]+, evaluator mutants [\d,]+/, out);
});
