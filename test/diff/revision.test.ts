/**
 * `revision` and `merge` against Alembic's: the same commands on two copies of a project; the
 * files written must be the same (name and text, apart from the Create Date line), and errors too.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { failedLine, OracleServer, REPO, runOurs } from './oracle';

const SHOP = path.join(REPO, 'test/fixtures/migrate/shop');

/** The template `alembic init` writes, as most projects have it. */
let initTemplate: string | undefined;
function alembicInitTemplate(): string {
  if (!initTemplate) {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'alembic-init-'));
    execFileSync(process.env.ORACLE_PYTHON ?? '/usr/bin/python3', ['-m', 'alembic', 'init', path.join(tmp, 'a')], { cwd: tmp, stdio: 'ignore' });
    initTemplate = path.join(tmp, 'a', 'script.py.mako');
  }
  return initTemplate;
}

function copy(template: boolean, ini?: (s: string) => string): string {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'revision-diff-')));
  fs.cpSync(SHOP, root, { recursive: true });
  if (template) fs.copyFileSync(alembicInitTemplate(), path.join(root, 'alembic/script.py.mako'));
  if (ini) fs.writeFileSync(path.join(root, 'alembic.ini'), ini(fs.readFileSync(path.join(root, 'alembic.ini'), 'utf8')));
  return root;
}

function files(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) { if (e.name !== '__pycache__') walk(p); } else if (p.endsWith('.py')) {
        out[path.relative(root, p)] = fs.readFileSync(p, 'utf8').replace(/^Create Date: .*$/m, 'Create Date: <now>');
      }
    }
  };
  walk(path.join(root, 'alembic'));
  return out;
}

const SEQUENCES: { name: string; template: boolean; ini?: (s: string) => string; commands: string[][] }[] = [
  { name: 'revisions on a branchy project with the project template', template: true, commands: [
    ['revision', '-m', 'Add the ünïcode "table" — v2!', '--rev-id', 'aaa111'],
    ['revision', '-m', 'second', '--rev-id', 'bbb222', '--head', 'aaa111'],
    ['revision', '-m', 'again on a non-head', '--rev-id', 'ccc333', '--head', '3c4d5e6f7081'],
    ['revision', '-m', 'spliced', '--rev-id', 'ccc333', '--head', '3c4d5e6f7081', '--splice', '--branch-label', 'side'],
    ['revision', '-m', 'no head given', '--rev-id', 'ddd444'],
    ['revision', '-m', 'on side', '--rev-id', 'ddd444', '--head', 'side@head', '--depends-on', 'aaa1'],
    ['merge', '-m', 'merge them', '--rev-id', 'eee555', 'heads'],
    ['merge', 'bbb222', '--rev-id', 'fff666'],
    ['revision', '--rev-id', 'ggg777'],
    ['revision', '-m', 'x', '--rev-id', 'bad id!'],
    ['revision', '-m', 'dup', '--rev-id', 'eee555'],
  ] },
  { name: 'the bundled template and a custom file_template', template: false,
    ini: (s) => s.replace('[alembic]', '[alembic]\nfile_template = %%(year)d_%%(month).2d_%%(day).2d-%%(rev)s_%%(slug)s\ntruncate_slug_length = 12'),
    commands: [['revision', '-m', 'a rather long message that gets truncated', '--rev-id', 'abc123']] },
];

for (const seq of SEQUENCES) {
  test(`revision/merge: ${seq.name}`, { timeout: 60_000 }, async (t) => {
    const theirs = copy(seq.template, seq.ini);
    const ours = copy(seq.template, seq.ini);
    // Without a project template we use our bundled one; Alembic is given the same file.
    if (!seq.template) fs.copyFileSync(path.join(REPO, 'migrations/templates/script.py.mako'), path.join(theirs, 'alembic/script.py.mako'));
    const oracle = new OracleServer();
    t.after(() => oracle.close());
    for (let i = 0; i < seq.commands.length; i++) {
      const a = [] as { stdout: string; stderr: string; code: number }[];
      a[i] = await oracle.alembic({ cwd: theirs, argv: seq.commands[i] });
      const [b] = await runOurs([{ cwd: ours, argv: seq.commands[i] }]);
      const where = seq.commands[i].join(' ');
      assert.equal(b.code === 0, a[i].code === 0, `${where}: exit ${a[i].code} vs ours ${b.code}: ${a[i].stdout}${a[i].stderr.slice(-300)} | ${b.stdout}${b.stderr}`);
      if (a[i].code === 255) assert.equal(failedLine(b), failedLine(a[i]), where);
      // The batch oracle's stdout is a StringIO, which Alembic writes as ASCII ('?' for the rest).
      if (a[i].code === 0) assert.equal(b.stdout.replaceAll(ours, '<root>').replace(/[^ -~\n]/g, '?'), a[i].stdout.replaceAll(theirs, '<root>'), where);
      assert.deepEqual(files(ours), files(theirs), `files after: ${where}`);
    }
    fs.rmSync(theirs, { recursive: true, force: true });
    fs.rmSync(ours, { recursive: true, force: true });
  });
}
