/**
 * Broken projects: both tools must fail the same way (exit code and FAILED line), and where
 * Alembic only shows a Python traceback, ours must say what is wrong and where.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { GenRevision, writeProject } from './generate';
import { failedLine, runAlembic, runOurs } from './oracle';

const r = (id: string, down: string[], extra: Partial<GenRevision> = {}): GenRevision =>
  ({ id, down, labels: [], depends: [], message: `rev ${id}`, ...extra });

/** `anyOrder`: Alembic picks from a Python set which revision to name first; match the pattern instead. */
const CASES: { name: string; revs: GenRevision[]; ours: RegExp; anyOrder?: boolean }[] = [
  { name: 'a cycle', revs: [r('aaaa0001', []), r('bbbb0002', ['cccc0003']), r('cccc0003', ['bbbb0002'])], ours: /Cycle is detected in revisions \(bbbb0002, cccc0003\)/ },
  { name: 'a missing parent', revs: [r('aaaa0001', []), r('bbbb0002', ['ffff9999'])], ours: /Revision ffff9999 is not present, yet .*bbbb0002_rev_bbbb0002\.py:\d+ refers to it/ },
  { name: 'a revision that is its own parent', revs: [r('aaaa0001', []), r('bbbb0002', ['bbbb0002'])], ours: /Self-loop is detected in revisions \(bbbb0002\)/ },
  { name: 'a branch label used twice', revs: [r('aaaa0001', [], { labels: ['x'] }), r('bbbb0002', ['aaaa0001'], { labels: ['x'] })], ours: /Branch name 'x' in revision (aaaa0001|bbbb0002) already used by revision (aaaa0001|bbbb0002)/, anyOrder: true },
  { name: 'a dependency on nothing', revs: [r('aaaa0001', []), r('bbbb0002', ['aaaa0001'], { depends: ['eeee7777'] })], ours: /Revision eeee7777 is not present/ },
  { name: 'an illegal character in an id', revs: [r('aaaa-0001', [])], ours: /Character\(s\) '-' not allowed in revision identifier 'aaaa-0001'/ },
];

for (const c of CASES) {
  test(`${c.name}: same failure as Alembic, and a message that says what`, async () => {
    const root = writeProject(c.revs, 7);
    const jobs = [['heads'], ['history'], ['branches'], ['show', 'head']].map((argv) => ({ cwd: root, argv }));
    const theirs = runAlembic(jobs);
    const ours = await runOurs(jobs);
    jobs.forEach((job, i) => {
      const where = `${c.name}: ${job.argv.join(' ')}`;
      assert.notEqual(theirs[i].code, 0, `${where}: Alembic fails`);
      assert.equal(ours[i].code, theirs[i].code, `${where}: exit code (ours: ${ours[i].stdout}${ours[i].stderr})`);
      if (theirs[i].code === 255 && !c.anyOrder) assert.equal(failedLine(ours[i]), failedLine(theirs[i]), where);
      else assert.match(ours[i].stderr + ours[i].stdout, c.ours, where);
      assert.doesNotMatch(ours[i].stderr, /internal error|at .*\.js:\d+/, `${where}: no stack trace`);
    });
    fs.rmSync(root, { recursive: true, force: true });
  });
}
