/**
 * "Verify" in the real VS Code's Test Explorer, on the verify fixture copied into the workspace:
 * one good revision, one whose downgrade forgets its index (fails on both databases), one whose
 * downgrade forgets its ENUM type (fails on PostgreSQL only, SQLite has no named types).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { after, before, describe, it } from 'mocha';
import { Client } from 'pg';
import type { ExtensionApi } from '../../src/extension/extension';
import type { RunRecord } from '../../src/extension/verify/runVerify';

const EXTENSION_ID = 'migrations-tools.alembic-migrations';
const REPO = path.resolve(__dirname, '../../..');
const FIXTURE = path.join(REPO, 'test', 'fixtures', 'verify', 'project');
const PGURL = process.env.PGURL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const GOOD = 'a1f3c2d4e5b6';
const INDEX = 'b2e4d6f8a0c1';
const ENUM = 'c3a5b7c9d1e2';

describe('Verify in the Test Explorer', function () {
  this.timeout(180_000);
  let a: ExtensionApi;
  const project = () => path.join(vscode.workspace.workspaceFolders![0].uri.fsPath, 'verify-fixture');
  const versions = () => path.join(project(), 'alembic', 'versions');
  const fileOf = (id: string) => path.join(versions(), fs.readdirSync(versions()).find((f) => f.startsWith(id.slice(0, 2)))!);
  /** The 1-based line of `def downgrade` in a revision file, as the user sees it. */
  const downgradeLine = (id: string) => fs.readFileSync(fileOf(id), 'utf8').split('\n').findIndex((l) => l.startsWith('def downgrade')) + 1;
  const projectItem = () => a.verify.controller.items.get(project())!;
  const revisionItem = (id: string) => a.verify.tree.revisionItem(project(), id)!;
  const leafId = (id: string, db: string) => `${project()}::${id}::${db}`;
  const revisionId = (id: string) => `${project()}::${id}`;
  const children = (item: vscode.TestItem) => { const out: vscode.TestItem[] = []; item.children.forEach((c) => { out.push(c); }); return out.sort((x, y) => (x.sortText ?? '').localeCompare(y.sortText ?? '')); };
  const verifySettings = () => vscode.workspace.getConfiguration('alembicMigrations.verify');

  /** Runs items through the default run profile, as the Test Explorer's run button does. */
  async function run(items: vscode.TestItem[], o: { onStart?: (cancel: () => void) => void } = {}): Promise<RunRecord> {
    const cts = new vscode.CancellationTokenSource();
    const started = o.onStart ? a.verify.runner.onDidStartItem(() => o.onStart!(() => cts.cancel())) : undefined;
    const ended = new Promise<RunRecord>((resolve) => { const d = a.verify.runner.onDidEndRun((r) => { d.dispose(); resolve(r); }); });
    try {
      assert.equal(a.verify.profile.isDefault, true, 'Verify is the default run profile');
      await a.verify.profile.runHandler(new vscode.TestRunRequest(items, undefined, a.verify.profile), cts.token);
      return await ended;
    } finally {
      started?.dispose();
      cts.dispose();
    }
  }
  const states = (r: RunRecord) => Object.fromEntries(Object.entries(r.results).map(([id, x]) => [id.slice(project().length + 2), x.state]));

  before(async () => {
    a = await vscode.extensions.getExtension<ExtensionApi>(EXTENSION_ID)!.activate();
    await a.store.ready;
    fs.cpSync(FIXTURE, project(), { recursive: true, filter: (p) => !p.endsWith('.db') });
    await vscode.commands.executeCommand('alembicMigrations.refresh');
    assert.ok(a.store.all.some((p) => p.found.root === project()), 'the fixture is a project of the workspace');
  });
  after(async () => {
    for (const key of ['databases', 'postgres', 'postgresUrl']) await verifySettings().update(key, undefined, vscode.ConfigurationTarget.Workspace);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.rmSync(project(), { recursive: true, force: true });
    await vscode.commands.executeCommand('alembicMigrations.refresh');
  });

  it('makes the items when asked: an open revision file\'s at once (its gutter), the others when VS Code resolves the project', async () => {
    const p = projectItem();
    assert.equal(p.canResolveChildren, true, 'the Testing view shows it expandable');
    assert.equal(p.children.size, 0, 'no revision item before VS Code asks');
    // A file changed before its item exists: its results (and those after it) are outdated once made.
    fs.appendFileSync(fileOf(GOOD), '\n# touched\n');
    await vscode.commands.executeCommand('alembicMigrations.refresh');
    assert.equal(projectItem().children.size, 0);
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(fileOf(INDEX)));
    for (let i = 0; i < 50 && !p.children.size; i++) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(children(p).map((r) => r.id), [revisionId(INDEX)], 'the open file\'s revision only');
    assert.deepEqual(children(p.children.get(revisionId(INDEX))!).map((c) => c.label), ['SQLite', 'PostgreSQL'], 'with its databases, for the gutter');
    assert.deepEqual(a.verify.tree.lastInvalidated, [revisionId(INDEX)], 'outdated (it comes after the changed file)');
    await a.verify.controller.resolveHandler!(p);
    assert.deepEqual(children(p).map((r) => r.id), [GOOD, INDEX, ENUM].map(revisionId), 'all, oldest first');
    assert.deepEqual([...a.verify.tree.lastInvalidated].sort(), [revisionId(GOOD), revisionId(ENUM)].sort(), 'the others outdated as they are made');
    assert.equal(p.children.get(revisionId(GOOD))!.children.size, 0, 'a revision\'s databases wait for it to be resolved');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('lists each project, its revisions oldest first at their downgrade line, and one item per database', async () => {
    const roots: string[] = [];
    a.verify.controller.items.forEach((i) => { roots.push(i.label); });
    assert.deepEqual(roots.sort(), a.store.all.map((p) => p.label).sort(), 'one root per project, named as in the Migrations view');
    assert.ok(roots.includes('verify-fixture'));
    const revisions = children(projectItem());
    assert.deepEqual(revisions.map((r) => r.label), [`${GOOD} create users`, `${INDEX} users name, and an index on created_at`, `${ENUM} user moods`]);
    // The `def downgrade` lines are found after the items are listed.
    for (let i = 0; i < 50 && revisions[2].range?.start.line !== downgradeLine(ENUM) - 1; i++) await new Promise((r) => setTimeout(r, 20));
    for (const r of revisions) {
      const id = r.label.split(' ')[0];
      assert.equal(r.canResolveChildren, true);
      await a.verify.controller.resolveHandler!(r);
      assert.equal(r.uri?.fsPath, fileOf(id));
      assert.equal(r.range?.start.line, downgradeLine(id) - 1, `${id} sits at its def downgrade`);
      assert.deepEqual(children(r).map((c) => c.label), ['SQLite', 'PostgreSQL']);
    }
  });

  it('runs a project: the forgotten index fails on both databases, the forgotten ENUM type on PostgreSQL only, the good revision passes', async () => {
    const r = await run([projectItem()]);
    assert.deepEqual(states(r), {
      [`${GOOD}::sqlite`]: 'passed', [`${GOOD}::postgresql`]: 'passed',
      [`${INDEX}::sqlite`]: 'failed', [`${INDEX}::postgresql`]: 'failed',
      [`${ENUM}::sqlite`]: 'passed', [`${ENUM}::postgresql`]: 'failed',
    });
    assert.equal(r.engineCalls, 1, 'one verify() call for the project');
    for (const db of ['sqlite', 'postgresql']) {
      const x = r.results[leafId(INDEX, db)];
      assert.match(x.messages.join('\n'), /ix_users_created_at/, `${db}: the message names the index`);
      assert.match(x.messages[0], /still/, `${db}: and says it is still there: ${x.messages[0]}`);
      assert.equal(x.line, downgradeLine(INDEX), `${db}: shown at the downgrade`);
      assert.ok(typeof x.durationMs === 'number' && x.durationMs >= 0, 'with its duration');
    }
    const e = r.results[leafId(ENUM, 'postgresql')];
    assert.match(e.messages.join('\n'), /\bmood\b/, `the message names the type: ${e.messages.join(' | ')}`);
    assert.match(e.messages.join('\n'), /type|enum/i);
    assert.equal(e.line, downgradeLine(ENUM));
    assert.deepEqual(r.started, [GOOD, INDEX, ENUM].flatMap((id) => leafId(id, 'sqlite')).concat([GOOD, INDEX, ENUM].map((id) => leafId(id, 'postgresql'))),
      'oldest first, SQLite then PostgreSQL');
    assert.ok(!fs.existsSync(path.join(project(), 'app.db')), 'the configured database (sqlite:///app.db) was never created or touched');
  });

  it('the Verify CodeLens runs that revision on each of its databases', async () => {
    const doc = await vscode.workspace.openTextDocument(fileOf(INDEX));
    await vscode.window.showTextDocument(doc);
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri, 20);
    const lens = lenses.find((l) => l.command?.title === '$(beaker) Verify');
    assert.ok(lens, `a Verify lens: ${lenses.map((l) => l.command?.title).join(', ')}`);
    const r = await vscode.commands.executeCommand<RunRecord>(lens.command!.command, ...(lens.command!.arguments ?? []));
    assert.deepEqual(states(r), { [`${INDEX}::sqlite`]: 'failed', [`${INDEX}::postgresql`]: 'failed' });
  });

  it('one revision on one database runs only that item', async () => {
    const pg = revisionItem(ENUM).children.get(leafId(ENUM, 'postgresql'))!;
    const r = await run([pg]);
    assert.deepEqual(states(r), { [`${ENUM}::postgresql`]: 'failed' });
  });

  it('a changed revision file outdates its results and those after it; the fixed downgrade then passes', async () => {
    const file = fileOf(INDEX);
    const text = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, text.replace("    op.drop_column('users', 'name')", "    op.drop_index('ix_users_created_at', table_name='users')\n    op.drop_column('users', 'name')"));
    await vscode.commands.executeCommand('alembicMigrations.refresh');
    assert.deepEqual([...a.verify.tree.lastInvalidated].sort(), [revisionItem(INDEX).id, revisionItem(ENUM).id].sort());
    const r = await run([revisionItem(INDEX)]);
    assert.deepEqual(states(r), { [`${INDEX}::sqlite`]: 'passed', [`${INDEX}::postgresql`]: 'passed' });
  });

  it('a run can be cancelled from its token: the checks not done yet are skipped', async () => {
    const t = Date.now();
    const r = await run([projectItem()], { onStart: (cancel) => cancel() });
    assert.equal(r.cancelled, true);
    assert.equal(Object.keys(r.results).length, 6, 'every item asked got a state');
    assert.equal(r.results[leafId(ENUM, 'sqlite')].state, 'skipped', 'the last revision was not checked');
    assert.equal(r.results[leafId(ENUM, 'postgresql')].state, 'skipped');
    assert.ok(Date.now() - t < 30_000, `it stopped soon (${Date.now() - t} ms)`);
  });

  it('alembicMigrations.verify.databases chooses the databases listed under each revision', async () => {
    await verifySettings().update('databases', ['sqlite'], vscode.ConfigurationTarget.Workspace);
    assert.deepEqual(children(revisionItem(GOOD)).map((c) => c.label), ['SQLite']);
    await verifySettings().update('databases', undefined, vscode.ConfigurationTarget.Workspace);
    assert.deepEqual(children(revisionItem(GOOD)).map((c) => c.label), ['SQLite', 'PostgreSQL']);
  });

  it('"server" makes the PostgreSQL scratch database on a server, never the configured one; without one it says what to set', async () => {
    const databases = async () => {
      const c = new Client({ connectionString: PGURL });
      await c.connect();
      try { return (await c.query('SELECT datname FROM pg_database ORDER BY 1')).rows.map((x) => String(x.datname)); } finally { await c.end(); }
    };
    const before = await databases();
    await verifySettings().update('postgres', 'server', vscode.ConfigurationTarget.Workspace);
    const pg = () => revisionItem(ENUM).children.get(leafId(ENUM, 'postgresql'))!;
    // The fixture's own database is SQLite: without postgresUrl there is no server to use.
    let r = await run([pg()]);
    assert.deepEqual(states(r), { [`${ENUM}::postgresql`]: 'errored' });
    assert.match(r.results[leafId(ENUM, 'postgresql')].messages[0], /set alembicMigrations\.verify\.postgresUrl/);
    assert.equal(r.engineCalls, 0);
    await verifySettings().update('postgresUrl', PGURL, vscode.ConfigurationTarget.Workspace);
    assert.match(pg().description ?? '', /temporary database on 127\.0\.0\.1:5432/);
    r = await run([pg()]);
    assert.deepEqual(states(r), { [`${ENUM}::postgresql`]: 'failed' });
    assert.match(r.results[leafId(ENUM, 'postgresql')].messages.join('\n'), /\bmood\b/);
    // Other runs may share the server: the check is on the database this run says it made.
    const made = /Created the temporary database (migrations_verify_\w+) on /.exec(r.output.join('\n'))?.[1];
    assert.ok(made, `the run says which temporary database it made: ${r.output.join(' | ')}`);
    assert.ok(!before.includes(made), 'a new one');
    assert.ok(!(await databases()).includes(made), 'and dropped it afterwards');
  });
});
