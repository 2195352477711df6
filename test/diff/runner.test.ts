/**
 * The runner's all-or-nothing promise: a run cancelled between two statements (as the editor's
 * Cancel does), or failing on its last statement, leaves the SQLite file byte-identical and the
 * PostgreSQL database as it was.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { REPO } from './oracle';
import { loadProjectConfig } from '../../src/engine/config/project';
import { HeaderCache } from '../../src/engine/scripts/headerCache';
import { loadScriptDirectory } from '../../src/engine/scripts/scriptDirectory';
import { RunCancelled, StatementError, upgrade } from '../../src/engine/commands/migrate';

const PGURL = process.env.PGURL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
let admin: Client;
const dbs: string[] = [];
before(async () => { admin = new Client({ connectionString: PGURL }); await admin.connect(); });
after(async () => { for (const d of dbs) await admin.query(`DROP DATABASE IF EXISTS "${d}" WITH (FORCE)`); await admin.end(); });

function load(root: string, url: string) {
  const config = loadProjectConfig({ iniPath: path.join(root, 'alembic.ini'), cwd: root, env: { DATABASE_URL: url } });
  return loadScriptDirectory(config, new HeaderCache({ fingerprints: false }));
}

function project(): string {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'runner-')));
  fs.cpSync(path.join(REPO, 'test/fixtures/migrate/shop'), root, { recursive: true });
  return root;
}

async function pgState(url: string): Promise<string> {
  const c = new Client({ connectionString: url });
  await c.connect();
  const r = await c.query("SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1, 2");
  const v = await c.query("SELECT to_regclass('public.alembic_version') IS NOT NULL AS has").then(async (x) => x.rows[0].has ? (await c.query('SELECT version_num FROM alembic_version')).rows : null);
  await c.end();
  return JSON.stringify([r.rows, v]);
}

for (const kind of ['sqlite', 'postgresql'] as const) {
  test(`${kind}: a run cancelled between statements is rolled back entirely`, async () => {
    const root = project();
    let url = `sqlite:///${root}/app.db`;
    if (kind === 'postgresql') {
      const name = `migrations_cancel_${process.pid}`;
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.query(`CREATE DATABASE "${name}"`);
      dbs.push(name);
      const u = new URL(PGURL); u.pathname = `/${name}`; url = u.toString();
    }
    await upgrade(load(root, url), '2b3c4d5e6f70');
    const state = async () => (kind === 'sqlite' ? crypto.createHash('sha256').update(fs.readFileSync(`${root}/app.db`)).digest('hex') : pgState(url));
    const before = await state();
    const abort = new AbortController();
    let seen = 0;
    await assert.rejects(upgrade(load(root, url), 'heads', {
      signal: abort.signal,
      onStatement: () => { if (++seen === 9) abort.abort(); }, // the middle of the orders migration
    }), RunCancelled);
    assert.ok(seen >= 9, 'statements ran before the cancel');
    assert.equal(await state(), before, 'nothing of the cancelled run is left');
    // A statement failing at the end of a long run: same promise.
    fs.appendFileSync(path.join(root, 'alembic/versions/708192a3b4c5_users_constraints.py'), '\n\ndef upgrade():\n    op.execute("SELECT * FROM no_such_table")\n');
    await assert.rejects(upgrade(load(root, url), 'heads'), (e) => e instanceof StatementError && /no_such_table/.test(e.message) && e.line === 37);
    assert.equal(await state(), before);
    fs.rmSync(root, { recursive: true, force: true });
  });
}
