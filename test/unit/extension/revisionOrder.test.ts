import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { loadProjectConfig } from '../../../src/engine/config/project';
import { walkRevisions } from '../../../src/engine/graph';
import { loadScriptDirectory } from '../../../src/engine/scripts/scriptDirectory';
import { RevisionOrder } from '../../../src/extension/verify/revisionOrder';
import { pyRevision, writeTree } from '../tmpProject';

/** A branch (b, c from a) and its merge (d): the order depends on the graph, not only the files. */
function project() {
  return writeTree({
    'alembic.ini': '[alembic]\nscript_location = migrations\n',
    'migrations/env.py': '',
    'migrations/versions/a.py': pyRevision('a1a1a1a1a1a1', null),
    'migrations/versions/b.py': pyRevision('b2b2b2b2b2b2', 'a1a1a1a1a1a1'),
    'migrations/versions/c.py': pyRevision('c3c3c3c3c3c3', 'a1a1a1a1a1a1'),
    'migrations/versions/d.py': pyRevision('d4d4d4d4d4d4', ['b2b2b2b2b2b2', 'c3c3c3c3c3c3']),
  });
}
const read = (root: string) => loadScriptDirectory(loadProjectConfig({ cwd: root, env: {} }));
const walked = (root: string) => [...walkRevisions(read(root).map)].reverse().map((s) => s.revision);

test('the upgrade order, walked at once or in steps, is oldest first', async () => {
  const root = project();
  const dir = read(root);
  const order = new RevisionOrder();
  assert.equal(order.known(dir), undefined);
  assert.deepEqual(order.of(dir).list.map((s) => s.revision), walked(root));
  assert.equal(order.of(dir).index.get('a1a1a1a1a1a1'), 0);
  const other = new RevisionOrder();
  assert.deepEqual((await other.ofCooperatively(dir)).list.map((s) => s.revision), walked(root));
});

test('a new read keeps the order when only bodies changed, with the new scripts; not when the graph did', () => {
  const root = project();
  const order = new RevisionOrder();
  const first = read(root);
  order.of(first);
  fs.appendFileSync(path.join(root, 'migrations/versions/b.py'), '\n# edited\n');
  const second = read(root);
  order.carry(first, second);
  const carried = order.known(second);
  assert.ok(carried, 'carried over');
  assert.deepEqual(carried.list.map((s) => s.revision), walked(root));
  assert.ok(carried.list.every((s) => second.scripts.includes(s)), 'the new read\'s scripts');
  // c now comes after b: the merge's parents change order, the order is walked again.
  fs.writeFileSync(path.join(root, 'migrations/versions/c.py'), pyRevision('c3c3c3c3c3c3', 'b2b2b2b2b2b2'));
  fs.writeFileSync(path.join(root, 'migrations/versions/d.py'), pyRevision('d4d4d4d4d4d4', 'c3c3c3c3c3c3'));
  const third = read(root);
  order.carry(second, third);
  assert.equal(order.known(third), undefined, 'a changed down_revision is not carried');
  assert.deepEqual(order.of(third).list.map((s) => s.revision), ['a1a1a1a1a1a1', 'b2b2b2b2b2b2', 'c3c3c3c3c3c3', 'd4d4d4d4d4d4']);
  fs.writeFileSync(path.join(root, 'migrations/versions/e.py'), pyRevision('e5e5e5e5e5e5', 'd4d4d4d4d4d4'));
  const fourth = read(root);
  order.carry(third, fourth);
  assert.equal(order.known(fourth), undefined, 'a new file is not carried');
});
