/**
 * The editor and the CLI on one PostgreSQL database at the same time: whichever starts second
 * waits for the first (and the CLI says it waits for the editor's run), then does only what is
 * left. A migration that sleeps on the server keeps the first run busy long enough.
 */
import assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { after, before, describe, it } from 'mocha';
import { Client } from 'pg';
import type { ExtensionApi } from '../../src/extension/extension';
import { runLockKey } from '../../src/engine/runner/session';

const EXTENSION_ID = 'migrations-tools.alembic-migrations';
const REPO = path.resolve(__dirname, '../../..');
const PGURL = process.env.PGURL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const SLOW = 'f1f1f1f1f1f1';

describe('The editor and the CLI on one PostgreSQL database', () => {
  let a: ExtensionApi;
  const name = `migrations_vscode_${process.pid}`;
  const url = (() => { const u = new URL(PGURL); u.pathname = `/${name}`; return u.toString(); })();
  const workspace = () => vscode.workspace.workspaceFolders![0].uri.fsPath;
  const slowFile = () => path.join(workspace(), 'alembic', 'versions', `${SLOW}_slow.py`);
  const heads = () => { const db = a.store.all[0].db; return db?.status === 'ok' ? db.heads : undefined; };
  const admin = async <T>(fn: (c: Client) => Promise<T>) => {
    const c = new Client({ connectionString: PGURL });
    await c.connect();
    try { return await fn(c); } finally { await c.end(); }
  };

  function cli(...argv: string[]): { child: ChildProcess; out: () => string; done: Promise<number> } {
    const child = spawn(process.execPath, [path.join(REPO, 'dist', 'cli.js'), ...argv], {
      cwd: workspace(), env: { ...process.env, DATABASE_URL: url, MIGRATIONS_NO_CACHE: '1' },
    });
    let out = '';
    child.stdout!.on('data', (d) => { out += d; });
    child.stderr!.on('data', (d) => { out += d; });
    return { child, out: () => out, done: new Promise((resolve) => child.on('close', (c) => resolve(c ?? -1))) };
  }
  async function until(what: string, cond: () => boolean | Promise<boolean>): Promise<void> {
    for (let i = 0; i < 1000; i++) {
      if (await cond()) return;
      await new Promise((r) => setTimeout(r, 30));
    }
    assert.fail(`timed out waiting for ${what}`);
  }
  /** Whether the editor's run holds the run lock (its session names itself in pg_stat_activity). */
  const editorHoldsLock = () => admin((c) => c.query("SELECT count(*)::int AS n FROM pg_locks l JOIN pg_stat_activity s USING (pid) WHERE l.locktype = 'advisory' AND l.granted AND s.application_name = 'alembic-migrations (vscode)'"))
    .then((r) => r.rows[0].n > 0);

  before(async () => {
    a = await vscode.extensions.getExtension<ExtensionApi>(EXTENSION_ID)!.activate();
    await a.store.ready;
    await admin(async (c) => { await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`); await c.query(`CREATE DATABASE "${name}"`); });
    // A revision on the head whose upgrade and downgrade each keep the server busy for 3 s.
    fs.writeFileSync(slowFile(), `"""slow\n\nRevision ID: ${SLOW}\nRevises: 0d4e6f8a2b19\n"""\nfrom alembic import op\n\nrevision = '${SLOW}'\ndown_revision = '0d4e6f8a2b19'\n\n\n`
      + 'def upgrade():\n    op.execute("SELECT pg_sleep(3)")\n\n\ndef downgrade():\n    op.execute("SELECT pg_sleep(3)")\n');
    await vscode.workspace.getConfiguration('alembicMigrations').update('confirmDatabaseWrites', false, vscode.ConfigurationTarget.Workspace);
    await vscode.commands.executeCommand('alembicMigrations.setDatabaseUrl', undefined, url);
    await vscode.commands.executeCommand('alembicMigrations.refresh');
    assert.ok(a.store.all[0].dir?.map.map.get(SLOW), 'the editor sees the new revision');
    assert.deepEqual(heads(), [], 'the new database is empty');
  });
  after(async () => {
    fs.rmSync(slowFile(), { force: true });
    await vscode.commands.executeCommand('alembicMigrations.clearDatabaseUrl');
    await vscode.workspace.getConfiguration('alembicMigrations').update('confirmDatabaseWrites', undefined, vscode.ConfigurationTarget.Workspace);
    await admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
  });

  it('the CLI runs first: the editor\'s upgrade waits for it, then finds nothing left to do', async () => {
    const run = cli('upgrade', 'head');
    await until('the CLI to reach the slow revision', () => run.out().includes(`-> ${SLOW}, slow`));
    const started = Date.now();
    const r = await vscode.commands.executeCommand<{ ok: boolean; steps: number }>('alembicMigrations.upgradeHead', { root: a.store.all[0].found.root });
    // The CLI was inside the slow revision's 3 s pg_sleep: the editor waited for its commit (its process may still be exiting).
    assert.ok(Date.now() - started >= 1000, `the editor's run waited for the CLI's (${Date.now() - started} ms)`);
    assert.equal(await run.done, 0, run.out());
    assert.deepEqual({ ok: r.ok, steps: r.steps }, { ok: true, steps: 0 }, 'the editor did not run the migrations again');
    assert.deepEqual(heads(), [SLOW]);
  });

  it('the editor runs first: the CLI waits for the editor\'s run (and says so), then downgrades one more step', async () => {
    const editor = vscode.commands.executeCommand<{ ok: boolean; steps: number }>('alembicMigrations.downgradeOne', { root: a.store.all[0].found.root });
    // The editor's run holds the lock while the slow downgrade sleeps on the server.
    await until('the editor\'s run to hold the lock', editorHoldsLock);
    const run = cli('downgrade', '-1');
    const r = await editor;
    assert.deepEqual({ ok: r.ok, steps: r.steps }, { ok: true, steps: 1 });
    assert.equal(await run.done, 0, run.out());
    assert.match(run.out(), /Waiting for another migration run to finish \(pid \d+, "alembic-migrations \(vscode\)"/);
    assert.match(run.out(), /Running downgrade 0d4e6f8a2b19 -> c5e8f7a1b302/);
    await vscode.commands.executeCommand('alembicMigrations.refresh');
    assert.deepEqual(heads(), ['c5e8f7a1b302'], 'one step each, in turn');
  });


  it('gives up after the lock timeout set in the settings, and cancels a statement at the statement timeout; nothing changes', async () => {
    const config = vscode.workspace.getConfiguration('alembicMigrations');
    const root = { root: a.store.all[0].found.root };
    const holder = new Client({ connectionString: url, application_name: 'deploy-script' });
    await holder.connect();
    try {
      await holder.query('SELECT pg_advisory_lock($1::bigint)', [runLockKey({ table: 'alembic_version' }).toString()]);
      await config.update('postgres.lockTimeout', 1, vscode.ConfigurationTarget.Workspace);
      const t = Date.now();
      const r = await vscode.commands.executeCommand<{ ok: boolean; message: string }>('alembicMigrations.upgradeHead', root);
      assert.equal(r.ok, false);
      assert.match(r.message, /Another migration run holds the lock on alembic_version; waited 1 s/);
      assert.ok(Date.now() - t < 15_000, 'it did not wait the default 60 s');
    } finally {
      await holder.end();
      await config.update('postgres.lockTimeout', undefined, vscode.ConfigurationTarget.Workspace);
    }
    await config.update('postgres.statementTimeout', 1, vscode.ConfigurationTarget.Workspace);
    try {
      const r = await vscode.commands.executeCommand<{ ok: boolean; message: string }>('alembicMigrations.upgradeHead', root);
      assert.equal(r.ok, false);
      assert.match(r.message, /ran longer than the statement timeout \(1 s\) and was cancelled/);
    } finally {
      await config.update('postgres.statementTimeout', undefined, vscode.ConfigurationTarget.Workspace);
    }
    await vscode.commands.executeCommand('alembicMigrations.refresh');
    assert.deepEqual(heads(), ['c5e8f7a1b302'], 'neither run changed the database');
  });

  it('runs a revision that reads rows back in a loop (evaluated in the worker beside the bundle): what it writes comes from the rows it read', async () => {
    const reads = path.join(workspace(), 'alembic', 'versions', 'e2e2e2e2e2e2_reads.py');
    fs.writeFileSync(reads, ['"""reads', '', 'Revision ID: e2e2e2e2e2e2', `Revises: ${SLOW}`, '"""', 'from alembic import op', 'import sqlalchemy as sa', '',
      "revision = 'e2e2e2e2e2e2'", `down_revision = '${SLOW}'`, '', '', 'def upgrade():',
      '    op.create_table("tally", sa.Column("id", sa.Integer, primary_key=True), sa.Column("v", sa.Integer))',
      '    bind = op.get_bind()', '    for i in range(50):', '        bind.execute(sa.text("INSERT INTO tally (id, v) VALUES (%d, %d)" % (i, i)))',
      '    total = 0', '    for i in range(50):', '        total += bind.execute(sa.text("SELECT v FROM tally WHERE id = %d" % i)).scalar()',
      '    op.execute("INSERT INTO tally (id, v) VALUES (100, %d)" % total)', '', '', 'def downgrade():', '    op.drop_table("tally")', ''].join('\n'));
    try {
      await vscode.commands.executeCommand('alembicMigrations.refresh');
      const r = await vscode.commands.executeCommand<{ ok: boolean; message?: string }>('alembicMigrations.upgradeHead', { root: a.store.all[0].found.root });
      assert.equal(r.ok, true, r.message);
      const c = new Client({ connectionString: url });
      await c.connect();
      try { assert.equal((await c.query('SELECT v FROM tally WHERE id = 100')).rows[0]?.v, (49 * 50) / 2); } finally { await c.end(); }
      assert.deepEqual(heads(), ['e2e2e2e2e2e2']);
    } finally {
      fs.rmSync(reads, { force: true });
      await vscode.commands.executeCommand('alembicMigrations.refresh');
    }
  });
});
