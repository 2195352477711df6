import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { downgradeSteps, upgradeSteps } from '../../../src/engine/commands/migrate';
import { loadProjectConfig } from '../../../src/engine/config/project';
import { SQLITE } from '../../../src/engine/dialects';
import { planRevisionSteps } from '../../../src/engine/runner/migrationSource';
import { PlanCache } from '../../../src/engine/runner/planCache';
import { loadScriptDirectory } from '../../../src/engine/scripts/scriptDirectory';
import { writeTree } from '../tmpProject';

const rev = (id: string, down: string | null, up: string, downBody = 'pass') =>
  `revision = '${id}'\ndown_revision = ${down ? `'${down}'` : 'None'}\nfrom alembic import op\nimport sqlalchemy as sa\n\n` +
  `def upgrade():\n${up.split('\n').map((l) => `    ${l}`).join('\n')}\n\ndef downgrade():\n    ${downBody}\n`;

function project() {
  const root = writeTree({
    'alembic.ini': '[alembic]\nscript_location = %(here)s/alembic\n',
    'alembic/env.py': '',
    'alembic/versions/a.py': rev('a', null, "op.create_table('account', sa.Column('id', sa.Integer(), primary_key=True))", "op.drop_table('account')"),
    'alembic/versions/b.py': rev('b', 'a', "op.add_column('account', sa.Column('email', sa.String(200)))"),
    'alembic/versions/c.py': rev('c', 'b', "with op.batch_alter_table('account') as batch_op:\n    batch_op.alter_column('email', nullable=False)"),
  });
  const plan = (cache?: PlanCache, up = true) => {
    const dir = loadScriptDirectory(loadProjectConfig({ iniPath: path.join(root, 'alembic.ini'), cwd: root, env: {} }));
    const steps = up ? upgradeSteps(dir, 'head', []) : downgradeSteps(dir, 'base', ['c']);
    return planRevisionSteps(steps, SQLITE, root, cache).map((p) => p.planned);
  };
  return { root, plan, cacheFile: path.join(root, 'plans.json') };
}

test('a second run takes compiled statements from the plan cache, the same as compiling afresh', () => {
  const p = project();
  const fresh = p.plan();
  const first = new PlanCache();
  assert.deepEqual(p.plan(first), fresh);
  first.save(p.cacheFile);
  const second = PlanCache.load(p.cacheFile);
  assert.deepEqual(p.plan(second), fresh);
  // a and b are plain statements; c's batch block is compiled against the live table, never cached.
  assert.equal(second.hits, 2);
  assert.equal(fresh[2][0].kind, 'recreate');
  // Downgrade is a function of its own: not served from the upgrade's entries.
  const down = PlanCache.load(p.cacheFile);
  p.plan(down, false);
  assert.equal(down.hits, 0);
});

test('an edited revision is compiled again, and a cache from another engine build is ignored', () => {
  const p = project();
  const cache = new PlanCache();
  p.plan(cache);
  cache.save(p.cacheFile);
  const b = path.join(p.root, 'alembic/versions/b.py');
  fs.writeFileSync(b, fs.readFileSync(b, 'utf8').replace("'email', sa.String(200)", "'phone', sa.String(20)"));
  const again = PlanCache.load(p.cacheFile);
  const sql = p.plan(again).flat().flatMap((s) => (s.kind === 'sql' ? s.statements.map((x) => x.sql) : []));
  assert.equal(again.hits, 1, 'a.py only');
  assert.ok(sql.includes('ALTER TABLE account ADD COLUMN phone VARCHAR(20)'), sql.join('\n'));
  const stored = JSON.parse(fs.readFileSync(p.cacheFile, 'utf8'));
  fs.writeFileSync(p.cacheFile, JSON.stringify({ ...stored, engine: 'another build' }));
  const other = PlanCache.load(p.cacheFile);
  p.plan(other);
  assert.equal(other.hits, 0);
});
