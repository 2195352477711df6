/**
 * Hand-written, real-world-shaped projects (test/fixtures/projects) and the bundled example:
 * every read-only verb with both tools. The pyproject.toml project is compared with Alembic run
 * on an equivalent alembic.ini, since the reference Alembic 1.8 predates [tool.alembic].
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { failedLine, normalize, REPO, Result, runAlembic, runOurs } from './oracle';

const VERBS = [
  ['heads'], ['heads', '--verbose'], ['heads', '--resolve-dependencies'], ['branches'], ['branches', '--verbose'],
  ['history'], ['history', '--verbose'], ['history', '-r', 'base:head'], ['show', 'head'], ['show', 'heads'],
];

const PROJECTS: Record<string, string[][]> = {
  'test/fixtures/projects/two-locations': [...VERBS, ['show', 'billing@head'], ['history', '-r', 'billing@base:billing@head'],
    ['show', '3cac'], ['history', '-r', '1975ea83b712:4a5e'], ['show', 'billing@-1']],
  'migrations/example': [...VERBS, ['show', 'auth@head'], ['history', '-r', '3f2a:'], ['show', 'c5e8'], ['show', '0d4e-2']],
};

function assertSame(argv: string[], theirs: Result, ours: Result, where: string): void {
  assert.equal(ours.code, theirs.code, `${where} ${argv.join(' ')}: exit code\nours: ${ours.stdout}${ours.stderr}`);
  if (theirs.code === 0) assert.equal(normalize(ours.stdout, argv[0]), normalize(theirs.stdout, argv[0]), `${where} ${argv.join(' ')}`);
  else assert.equal(failedLine(ours), failedLine(theirs), `${where} ${argv.join(' ')}`);
}

for (const [rel, commands] of Object.entries(PROJECTS)) {
  test(`${rel}: read-only verbs equal Alembic's`, async () => {
    const cwd = path.join(REPO, rel);
    const jobs = commands.map((argv) => ({ cwd, argv }));
    const theirs = runAlembic(jobs);
    const ours = await runOurs(jobs);
    jobs.forEach((j, i) => assertSame(j.argv, theirs[i], ours[i], rel));
    assert.ok(theirs.filter((r) => r.code === 0 && r.stdout.length > 0).length >= commands.length / 2, 'most commands printed something');
  });
}

test('pyproject.toml [tool.alembic] reads as the same project configured in alembic.ini', async () => {
  const cwd = path.join(REPO, 'test/fixtures/projects/pyproject');
  const iniDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ini-'));
  const ini = path.join(iniDir, 'alembic.ini');
  fs.writeFileSync(ini, `[alembic]\nscript_location = ${cwd}/db/migrations\n`);
  const theirs = runAlembic(VERBS.map((argv) => ({ cwd, argv: ['-c', ini, ...argv] })));
  const ours = await runOurs(VERBS.map((argv) => ({ cwd, argv: ['-c', 'pyproject.toml', ...argv] })));
  VERBS.forEach((argv, i) => assertSame(argv, theirs[i], ours[i], 'pyproject'));
  // Without -c, pyproject.toml in the working directory is found as Alembic 1.16+ finds it.
  const [plain] = await runOurs([{ cwd, argv: ['heads'] }]);
  assert.equal(plain.stdout, theirs[0].stdout);
  fs.rmSync(iniDir, { recursive: true, force: true });
});
