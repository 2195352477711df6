/**
 * Bad input in the real VS Code: broken configuration, hostile revision files and unusable
 * database URLs, one at a time in the example workspace. The extension host must keep going: the
 * view says what is wrong (a row, a problem), the status bar says it, commands still answer, and
 * the database file is never touched.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { after, before, describe, it } from 'mocha';
import type { ExtensionApi } from '../../src/extension/extension';

const EXTENSION_ID = 'migrations-tools.alembic-migrations';
const REPO = path.resolve(__dirname, '../../..');

interface Case { name: string; files?: Record<string, string | Buffer | null>; url?: string; fifo?: string; expect: RegExp }

const head = (id: string, down: string) => `"""x\n\nRevision ID: ${id}\n"""\nfrom alembic import op\n\nrevision = '${id}'\ndown_revision = '${down}'\n\n\ndef upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n`;

const CASES: Case[] = [
  { name: 'a binary alembic.ini', files: { 'alembic.ini': Buffer.from([0, 159, 146, 150, 255, 0, 12]) }, expect: /script_location|alembic\.ini/ },
  { name: 'alembic.ini without script_location', files: { 'alembic.ini': '[alembic]\nsqlalchemy.url = sqlite:///x.db\n' }, expect: /script_location/ },
  { name: 'a line that is not key = value', files: { 'alembic.ini': '[alembic]\nscript_location = %(here)s/alembic\nthis is not a setting\n' }, expect: /parsing errors|line 3/ },
  { name: 'a binary revision file', files: { 'alembic/versions/ffff00000001_bin.py': Buffer.from([0, 1, 2, 255, 254, 0, 0, 7]) }, expect: /ffff00000001_bin\.py/ },
  { name: 'a syntax error in a header', files: { 'alembic/versions/ffff00000001_bad.py': '"""bad\nrevision = \'ffff\n' }, expect: /ffff00000001_bad\.py/ },
  { name: 'a cycle', files: { 'alembic/versions/ffff00000001_a.py': head('ffff00000001', 'ffff00000002'), 'alembic/versions/ffff00000002_b.py': head('ffff00000002', 'ffff00000001') }, expect: /[Cc]ycle|ffff0000000[12]/ },
  { name: 'a missing parent', files: { 'alembic/versions/ffff00000001_a.py': head('ffff00000001', 'eeee99999999') }, expect: /eeee99999999/ },
  { name: 'a duplicate id', files: { 'alembic/versions/ffff00000001_dup.py': head('0d4e6f8a2b19', 'c5e8f7a1b302') }, expect: /0d4e6f8a2b19/ },
  { name: 'a 2.4 MB revision file', files: { 'alembic/versions/ffff00000001_big.py': `${head('ffff00000001', '0d4e6f8a2b19')}${'x = 1\n'.repeat(400_000)}` }, expect: /ffff00000001|2 heads|head/ },
  { name: 'a FIFO named like a revision file', fifo: 'alembic/versions/ffff00000001_fifo.py', expect: /0d4e6f8a2b19/ },
  { name: 'an unknown dialect', url: 'mysql://u@h/db', expect: /mysql/ },
  { name: 'a URL that is not a URL', url: 'just some text', expect: /just some text|URL/ },
  { name: 'an unreachable PostgreSQL server (password masked)', url: 'postgresql://postgres:s3cret@127.0.0.1:1/app', expect: /127\.0\.0\.1:1/ },
  { name: 'a database that does not exist', url: 'postgresql://postgres@127.0.0.1:5432/no_such_db_here', expect: /no_such_db_here/ },
];

describe('Bad input in the editor', () => {
  let a: ExtensionApi;
  const workspace = () => vscode.workspace.workspaceFolders![0].uri.fsPath;
  const db = () => path.join(workspace(), 'example.db');
  const sha = () => crypto.createHash('sha256').update(fs.readFileSync(db())).digest('hex');

  before(async () => {
    a = await vscode.extensions.getExtension<ExtensionApi>(EXTENSION_ID)!.activate();
    await a.store.ready;
    fs.copyFileSync(path.join(REPO, 'migrations', 'example', 'example.db'), db());
  });
  after(async () => {
    fs.rmSync(db(), { force: true });
    await vscode.commands.executeCommand('alembicMigrations.refresh');
  });

  /** Everything the view and the status bar would render, as text. */
  function rendered(): string {
    const lines: string[] = [];
    const walk = (nodes: ReturnType<ExtensionApi['tree']['getChildren']>) => {
      for (const n of nodes) {
        const item = a.tree.getTreeItem(n);
        lines.push(`${String(typeof item.label === 'string' ? item.label : item.label?.label)} ${String(item.description ?? '')} ${String(typeof item.tooltip === 'string' ? item.tooltip : item.tooltip?.value ?? '')}`);
        if (n.kind === 'project') walk(a.tree.getChildren(n));
      }
    };
    walk(a.tree.getChildren());
    const diags = vscode.languages.getDiagnostics().flatMap(([uri, ds]) => ds.map((d) => `${uri.fsPath}: ${d.message}`));
    const p = a.store.all[0];
    return [...lines, `status: ${a.statusBar.item.text} ${String((a.statusBar.item.tooltip as vscode.MarkdownString | undefined)?.value ?? a.statusBar.item.tooltip ?? '')}`,
      p?.error ? `error: ${p.error.message}` : '', p?.db?.status === 'error' ? `db: ${p.db.message}` : '',
      ...(p?.dir?.problems ?? []).map((x) => `${x.file}: ${x.message}`), ...(p?.dir?.warnings ?? []), ...diags].join('\n');
  }

  for (const c of CASES) {
    it(`${c.name}: says what is wrong and keeps going, the database untouched`, async () => {
      const before = sha();
      const saved = new Map<string, Buffer | null>();
      for (const f of [...Object.keys(c.files ?? {}), ...(c.fifo ? [c.fifo] : [])]) {
        const p = path.join(workspace(), f);
        saved.set(p, fs.existsSync(p) ? fs.readFileSync(p) : null);
      }
      try {
        for (const [f, text] of Object.entries(c.files ?? {})) {
          if (text === null) fs.rmSync(path.join(workspace(), f), { force: true });
          else fs.writeFileSync(path.join(workspace(), f), text);
        }
        if (c.fifo) execFileSync('mkfifo', [path.join(workspace(), c.fifo)]);
        if (c.url) await vscode.commands.executeCommand('alembicMigrations.setDatabaseUrl', undefined, c.url);
        await vscode.commands.executeCommand('alembicMigrations.refresh');
        const text = rendered();
        assert.match(text, c.expect, text);
        assert.ok(!text.includes('s3cret'), 'the password is never shown');
        assert.ok(vscode.extensions.getExtension(EXTENSION_ID)!.isActive, 'the extension is still running');
        // Commands still answer (a read, and a run that must refuse or do nothing harmful).
        await vscode.commands.executeCommand('alembicMigrations.showCurrent');
        assert.equal(sha(), before, 'the database file is untouched');
      } finally {
        if (c.url) await vscode.commands.executeCommand('alembicMigrations.clearDatabaseUrl');
        for (const [p, content] of saved) {
          fs.rmSync(p, { force: true });
          if (content) fs.writeFileSync(p, content);
        }
        await vscode.commands.executeCommand('alembicMigrations.refresh');
      }
      assert.equal(a.store.all[0]?.dir?.scripts.length, 6, 'back to the example once the file is restored');
    });
  }
});
