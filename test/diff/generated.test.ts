/**
 * Differential test of the read-only verbs: seeded random revision graphs, every verb with both
 * tools, stdout and exit code compared (set-ordered parts as sets), error lines compared word for word.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { generateGraph, GenRevision, rng, writeProject } from './generate';
import { failedLine, Job, normalize, REPO, runAlembic, runOurs } from './oracle';

const GRAPHS = Number(process.env.DIFF_GRAPHS ?? 30);
const SEED = Number(process.env.DIFF_SEED ?? 20261124);

function commandsFor(revs: GenRevision[], seed: number): string[][] {
  const r = rng(seed * 7 + 1);
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)];
  const id = () => pick(revs).id;
  const partial = () => id().slice(0, 4 + Math.floor(r() * 4));
  const labels = revs.flatMap((x) => x.labels);
  const cmds: string[][] = [
    ['heads'], ['heads', '--verbose'], ['heads', '--resolve-dependencies'], ['branches'], ['branches', '--verbose'],
    ['history'], ['history', '--verbose'], ['history', '-r', 'base:heads'], ['show', 'head'], ['show', 'heads'], ['show', 'base'],
    ['history', '-r', `${id()}:`], ['history', '-r', `:${id()}`], ['history', '-r', `${partial()}:${id()}`],
    ['history', '-r', `${id()}:${id()}`, '-v'], ['history', '-r', 'base:head'], ['history', '-r', `${id()}:heads`],
    ['show', id()], ['show', partial()], ['show', id().slice(0, 3)], ['show', 'nope'], ['show', '-1'],
    ['history', '-r', 'nope'], ['history', '--rev-range=-2:'], ['history', '-r', '-1:head'], ['history', '-r', `${id()}-1:${id()}+1`],
    ['show', `${id()}+1`], ['show', `${id()}-1`], ['show', 'head-1'],
  ];
  for (const label of labels.slice(0, 3)) {
    cmds.push(['show', `${label}@head`], ['show', `${label}@base`], ['history', '-r', `${label}@base:${label}@head`], ['show', label], ['show', `${label}@-1`]);
  }
  return cmds;
}

test(`read-only verbs print what Alembic prints on ${GRAPHS} generated graphs`, { timeout: 15 * 60_000 }, async () => {
  const jobs: (Job & { seed: number })[] = [];
  const roots: string[] = [];
  for (let g = 0; g < GRAPHS; g++) {
    const seed = SEED + g;
    const revs = generateGraph(seed, 1 + (g * 7) % 40);
    const root = writeProject(revs, seed);
    roots.push(root);
    for (const argv of commandsFor(revs, seed)) jobs.push({ cwd: root, argv, seed });
  }
  // The example project shipped with the extension, too.
  const example = path.join(REPO, 'migrations', 'example');
  for (const argv of [['heads'], ['branches'], ['history', '--verbose'], ['show', 'auth@head'], ['history', '-r', '3f2a:'], ['show', 'c5e8']]) {
    jobs.push({ cwd: example, argv, seed: 0 });
  }
  const theirs = runAlembic(jobs);
  const ours = await runOurs(jobs);
  const failures: string[] = [];
  jobs.forEach((job, i) => {
    const a = theirs[i];
    const b = ours[i];
    const verb = job.argv[0];
    const where = `seed ${job.seed} (${job.cwd}): ${job.argv.join(' ')}`;
    if (a.code !== b.code) failures.push(`${where}\n  exit ${a.code} vs ours ${b.code}\n  alembic: ${(a.stdout + a.stderr).trim().split('\n').slice(-2).join(' | ')}\n  ours: ${(b.stdout + b.stderr).trim().split('\n').slice(-2).join(' | ')}`);
    else if (a.code === 255 || a.code === 2) {
      if (a.code === 255 && failedLine(a) !== failedLine(b)) failures.push(`${where}\n  alembic: ${failedLine(a)}\n  ours:    ${failedLine(b)}`);
    } else if (normalize(a.stdout, verb) !== normalize(b.stdout, verb)) {
      failures.push(`${where}\n--- alembic\n${a.stdout}--- ours\n${b.stdout}`);
    }
  });
  for (const root of roots) fs.rmSync(root, { recursive: true, force: true });
  assert.equal(failures.length, 0, `${failures.length} of ${jobs.length} commands differ:\n\n${failures.slice(0, 8).join('\n\n')}`);
  assert.ok(jobs.length > GRAPHS * 25, 'every graph ran its commands');
});
