/**
 * `verify` against the real Alembic doing the same stairway (test/diff/stairway_alembic.py: upgrade,
 * downgrade one step, schema compared, upgrade again, schema compared) on the verify fixture project,
 * on SQLite and on PostgreSQL: revision by revision, each check both can tell gets the same verdict.
 * The reference is Debian's Alembic 1.8 + SQLAlchemy 1.4 (ORACLE_PYTHON for another interpreter).
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { RevisionResult, VerifyDatabase, VerifyReport } from '../../src/engine/verify/types';
import { cliHasVerify, runOursVerify } from '../survey/stairway';
import { disagreements, oursChecks, referenceChecks } from '../survey/stairwayCompare';
import { PGURL, RefRun, runStairwayReference, scratchDatabase } from '../survey/stairwayReference';
import { REPO } from './oracle';

const PROJECT = path.join(REPO, 'test/fixtures/verify/project');
const CLI = path.join(REPO, 'dist/cli.js');
const PYTHON = process.env.ORACLE_PYTHON ?? '/usr/bin/python3';
const GOOD = 'a1f3c2d4e5b6';
const FORGETS_INDEX = 'b2e4d6f8a0c1';
const FORGETS_ENUM = 'c3a5b7c9d1e2';

async function reference(database: VerifyDatabase): Promise<RefRun> {
  const db = await scratchDatabase(database, 'fixture');
  try {
    return await runStairwayReference({ url: db.url, config: path.join(PROJECT, 'alembic.ini'), python: PYTHON });
  } finally { await db.drop(); }
}

async function ours(database: VerifyDatabase, postgresUrl?: string): Promise<VerifyReport> {
  assert.ok(cliHasVerify(CLI), `${CLI} has no \`verify\` command: build the CLI with it (npm run build)`);
  // No rows seeded: the reference seeds none (the rows checks are verify's own).
  const r = await runOursVerify(CLI, path.join(PROJECT, 'alembic.ini'), database, postgresUrl, 120_000, ['--no-rows']);
  assert.ok(!('error' in r), `verify --json gave no report: ${'error' in r ? r.error : ''}`);
  return r as VerifyReport;
}

function agree(ref: RefRun, report: VerifyReport, database: VerifyDatabase): void {
  assert.equal(ref.error, undefined, `Alembic could not walk the fixture: ${ref.error}`);
  const mine = report.results.filter((r) => r.database === database);
  const byRev = new Map<string, RevisionResult>(mine.map((r) => [r.revision, r]));
  const problems: string[] = [];
  for (const r of ref.revisions) {
    const o = byRev.get(r.revision);
    if (!o) { problems.push(`${r.revision}: Alembic checked it, verify has no result`); continue; }
    if (o.status === 'skipped') { problems.push(`${r.revision}: verify skipped it (${o.skippedReason}); Alembic: ${JSON.stringify(referenceChecks(r))}`); continue; }
    for (const d of disagreements(r, o)) {
      problems.push(`${r.revision} ${d.check}: Alembic ${d.alembic ? 'passes' : 'fails'}${d.alembicSays ? ` (${d.alembicSays})` : ''}, verify ${d.ours ? 'passes' : 'fails'}${d.oursSays ? ` (${d.oursSays})` : ''}`);
    }
  }
  // A revision Alembic never reached (its walk stopped at a failed upgrade) is not checked by verify either.
  for (const o of mine) {
    if (!ref.revisions.some((r) => r.revision === o.revision) && o.status !== 'skipped') problems.push(`${o.revision}: verify ${o.status} it, Alembic never reached it (${ref.stopped})`);
  }
  assert.deepEqual(problems, [], `verify and Alembic disagree on ${database}:\n${problems.join('\n')}`);
}

for (const database of ['sqlite', 'postgresql'] as const) {
  test(`verify gives Alembic's verdicts on the fixture project, ${database}`, async () => {
    const ref = await reference(database);
    // What the fixture is for, as the real Alembic sees it: the first revision reverses, the second leaves its index.
    const good = ref.revisions.find((r) => r.revision === GOOD);
    assert.deepEqual(good && referenceChecks(good), { upgrade: true, 'downgrade-present': true, downgrade: true, 'schema-restored': true, 'upgrade-again': true, 'schema-reproduced': true });
    const leaves = ref.revisions.find((r) => r.revision === FORGETS_INDEX);
    assert.equal(leaves?.restored, false);
    assert.match(leaves?.differences.join('\n') ?? '', /index users\.ix_users_created_at: absent ->/);
    // Only PostgreSQL has named ENUM types: there the type stays, on SQLite the revision reverses.
    const mood = ref.revisions.find((r) => r.revision === FORGETS_ENUM);
    assert.equal(mood?.restored, database === 'sqlite');
    if (database === 'postgresql') assert.match(mood?.differences.join('\n') ?? '', /enum type mood: absent ->/);

    const report = await ours(database, database === 'postgresql' ? PGURL : undefined);
    agree(ref, report, database);
    // The index verify names is the one Alembic's schema shows left behind.
    const mine = report.results.find((r) => r.database === database && r.revision === FORGETS_INDEX);
    assert.ok(mine && oursChecks(mine)['schema-restored'] === false);
    assert.match(JSON.stringify(mine.failures), /ix_users_created_at/);
  });
}

test('verify on PGlite gives the verdicts Alembic gives on a PostgreSQL server', async () => {
  const ref = await reference('postgresql');
  agree(ref, await ours('postgresql'), 'postgresql');
});
