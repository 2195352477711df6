/**
 * A run the embedded engine cannot do: it stops before the first statement (the database file is
 * byte-identical), names file:line and the construct, and `--with-alembic` hands the same command
 * to the project's own alembic (spawned without a shell; here a virtualenv-style `alembic` that
 * runs the real Alembic), which then migrates the database.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO, runOurs } from './oracle';

const PYTHON = process.env.ORACLE_PYTHON ?? '/usr/bin/python3';
const sha = (f: string) => crypto.createHash('sha256').update(fs.readFileSync(f)).digest('hex');

function project(): string {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-')));
  fs.cpSync(path.join(REPO, 'test/fixtures/migrate/shop'), root, { recursive: true });
  // A revision with Python the engine cannot decide before the run (a handler for the database's errors), after the ones it runs.
  fs.writeFileSync(path.join(root, 'alembic/versions/8192a3b4c5d6_python_logic.py'),
    '"""python logic\n\nRevision ID: 8192a3b4c5d6\nRevises: 708192a3b4c5\n"""\nfrom alembic import op\n\nrevision = "8192a3b4c5d6"\n' +
    'down_revision = "708192a3b4c5"\n\n\ndef upgrade():\n    try:\n        op.execute("CREATE TABLE extra_a (id INTEGER)")\n    except Exception:\n        pass\n    op.execute("CREATE TABLE extra_b (id INTEGER)")\n\n\n' +
    'def downgrade():\n    op.execute("DROP TABLE extra_b")\n    op.execute("DROP TABLE extra_a")\n');
  return root;
}

test('an unsupported construct stops the whole run before it starts, and says where and what to do', async () => {
  const root = project();
  const env = { DATABASE_URL: `sqlite:///${root}/app.db` };
  const [first] = await runOurs([{ cwd: root, argv: ['upgrade', '3c4d5e6f7081'], env }]);
  assert.equal(first.code, 0, first.stderr);
  const before = sha(`${root}/app.db`);
  const [r] = await runOurs([{ cwd: root, argv: ['upgrade', 'head'], env }]);
  assert.equal(r.code, 255);
  assert.match(r.stdout, /FAILED: The embedded engine cannot run this migration; nothing was changed\.\n {2}alembic\/versions\/8192a3b4c5d6_python_logic\.py:13 \(8192a3b4c5d6\): try: \.\.\. except Exception:: whether the database raises here is known only when its statements run/);
  assert.match(r.stderr, /hint: .*--with-alembic/);
  assert.equal(sha(`${root}/app.db`), before, 'the database file is untouched (the four runnable steps before it did not run either)');
  fs.rmSync(root, { recursive: true, force: true });
});

test('--with-alembic hands the run to the project\'s alembic, without a shell, and it migrates', async () => {
  const root = project();
  const bin = path.join(root, '.venv', 'bin');
  fs.mkdirSync(bin, { recursive: true });
  // What a virtualenv's console script does: run Alembic's main with this interpreter.
  fs.writeFileSync(path.join(bin, 'alembic'), `#!${PYTHON}\nimport sys\nfrom alembic.config import main\nsys.exit(main(prog="alembic"))\n`, { mode: 0o755 });
  const env = { DATABASE_URL: `sqlite:///${root}/app.db` };
  const [r] = await runOurs([{ cwd: root, argv: ['upgrade', 'head', '--with-alembic'], env }]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stderr, new RegExp(`hint: handing this run to ${bin.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/alembic`));
  const [cur] = await runOurs([{ cwd: root, argv: ['current'], env }]);
  assert.equal(cur.stdout.trim(), '8192a3b4c5d6 (head)');
  const [down] = await runOurs([{ cwd: root, argv: ['downgrade', '-1'], env }]);
  assert.equal(down.code, 0, 'the downgrade of that revision is plain op.execute calls: the embedded engine runs it');
  fs.rmSync(root, { recursive: true, force: true });
});
