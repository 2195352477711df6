/**
 * The shared shape of the online differential tests (reads, the Inspector, reflection, the ORM):
 * a fixture project run up, down to a1 and up again by the real Alembic and by our CLI on two
 * databases of the same kind, the schema and rows compared after each step.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO, runAlembic, runOurs } from './oracle';

/** A copy of `test/fixtures/<name>` with the shop fixture's env.py (DATABASE_URL from the environment). */
export function fixtureProject(name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${name}-`));
  fs.cpSync(path.join(REPO, 'test/fixtures', name), dir, { recursive: true });
  fs.copyFileSync(path.join(REPO, 'test/fixtures/migrate/shop/alembic/env.py'), path.join(dir, 'alembic', 'env.py'));
  return dir;
}

export const dumpSchema = (url: string) => (runAlembic([{ schema: url } as never])[0] as unknown as { schema: unknown }).schema;

/**
 * Upgrade head, downgrade a1, upgrade head with both; asserts the same schema and rows after each
 * step and returns the rows of `table` as our run left them (JSON).
 */
export async function upDownUpLikeAlembic(kind: 'sqlite' | 'postgresql', fixture: string, pgUrl: (name: string) => Promise<string>, table: string): Promise<string> {
  const theirs = fixtureProject(fixture);
  const ours = fixtureProject(fixture);
  const urls = kind === 'sqlite'
    ? [`sqlite:///${path.join(theirs, `${fixture}.db`)}`, `sqlite:///${path.join(ours, `${fixture}.db`)}`]
    : [await pgUrl('alembic'), await pgUrl('ours')];
  for (const [target, verb] of [['head', 'upgrade'], ['a1', 'downgrade'], ['head', 'upgrade']] as const) {
    const [a] = runAlembic([{ cwd: theirs, argv: [verb, target], env: { DATABASE_URL: urls[0] } }]);
    const [b] = await runOurs([{ cwd: ours, argv: [verb, target], env: { DATABASE_URL: urls[1] } }]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr + b.stdout);
    assert.deepEqual(dumpSchema(urls[1]), dumpSchema(urls[0]), `after ${verb} ${target}`);
  }
  const d = dumpSchema(urls[1]) as { rows?: Record<string, unknown[]>; tables?: Record<string, { rows: unknown[] }> };
  return JSON.stringify(kind === 'sqlite' ? d.tables![table].rows : d.rows![table]);
}
