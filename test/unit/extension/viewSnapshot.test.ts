import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadSnapshot, snapshotPath, SnapshotWriter, ViewSnapshot } from '../../../src/extension/viewSnapshot';

const snap: ViewSnapshot = {
  format: 1,
  projects: [{ root: '/w/api', label: 'api', total: 3, rows: [
    { revision: 'c3', doc: 'merge', path: '/w/api/alembic/versions/c3.py', shape: 'mergepoint', state: 'current' },
    { revision: 'b2', doc: 'add email', path: '/w/api/alembic/versions/b2.py', shape: 'revision' },
  ] }],
};

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'migrations-snapshot-'));
const settle = () => new Promise((r) => setTimeout(r, 20));

test('a snapshot written by the writer is read back as it was; an unchanged one is not rewritten', async () => {
  const file = snapshotPath(tmp(), ['/w'])!;
  const writer = new SnapshotWriter(file, undefined);
  writer.schedule(() => snap, 0);
  await settle();
  assert.deepEqual(loadSnapshot(file), JSON.parse(JSON.stringify(snap)));
  assert.deepEqual(fs.readdirSync(path.dirname(file)), [path.basename(file)], 'no temporary file left');
  const before = fs.statSync(file).mtimeMs;
  await settle();
  writer.schedule(() => JSON.parse(JSON.stringify(snap)), 0);
  await settle();
  assert.equal(fs.statSync(file).mtimeMs, before);
  writer.dispose();
});

test('a damaged, foreign or hand-edited snapshot is not shown', () => {
  const dir = tmp();
  const file = path.join(dir, 'view.json');
  const bad = (text: string) => { fs.writeFileSync(file, text); return loadSnapshot(file); };
  assert.equal(loadSnapshot(path.join(dir, 'missing.json')), undefined);
  assert.equal(bad(JSON.stringify(snap).slice(0, 40)), undefined, 'truncated');
  assert.equal(bad(JSON.stringify({ ...snap, format: 99 })), undefined, 'another format');
  assert.equal(bad(JSON.stringify({ format: 1, projects: [] })), undefined, 'nothing to show');
  assert.equal(bad(JSON.stringify({ format: 1, projects: [{ ...snap.projects[0], rows: [{ revision: 'x' }] }] })), undefined, 'a row without its fields');
  assert.equal(bad(JSON.stringify({ format: 1, projects: [{ ...snap.projects[0], rows: [{ ...snap.projects[0].rows[0], state: 'deleted' }] }] })), undefined, 'an unknown state');
  assert.ok(bad(JSON.stringify(snap)));
});

test('the snapshot is per set of workspace folders, and none without a folder', () => {
  assert.notEqual(snapshotPath('/s', ['/a']), snapshotPath('/s', ['/a', '/b']));
  assert.equal(snapshotPath('/s', ['/a']), snapshotPath('/s', ['/a']));
  assert.equal(snapshotPath('/s', []), undefined);
});
