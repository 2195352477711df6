import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { HeaderCache } from '../../../src/engine/scripts/headerCache';
import { listRevisionFiles } from '../../../src/engine/scripts/listFiles';
import { pyRevision, writeTree } from '../tmpProject';

test('files are listed as Alembic lists them: sorted, __init__ and non-revision files skipped, sub-folders only when recursive', () => {
  const root = writeTree({
    'v/b_second.py': pyRevision('b', 'a'),
    'v/a_first.py': pyRevision('a', null),
    'v/__init__.py': '',
    'v/notes.txt': 'x',
    'v/sub/c_third.py': pyRevision('c', 'b'),
    'v/__pycache__/a_first.cpython-311.pyc': '',
  });
  const names = (recursive: boolean) => listRevisionFiles([path.join(root, 'v')], recursive, () => undefined).map((f) => path.relative(root, f.path));
  assert.deepEqual(names(false), ['v/a_first.py', 'v/b_second.py']);
  assert.deepEqual(names(true), ['v/a_first.py', 'v/b_second.py', 'v/sub/c_third.py']);
});

test('a file reached through two version locations is read once, with a warning', () => {
  const root = writeTree({ 'v/a.py': pyRevision('a', null) });
  fs.symlinkSync(path.join(root, 'v'), path.join(root, 'w'));
  const warnings: string[] = [];
  const files = listRevisionFiles([path.join(root, 'v'), path.join(root, 'w')], false, (m) => warnings.push(m));
  assert.equal(files.length, 1);
  assert.match(warnings[0], /loaded twice! ignoring/);
});

test('the header cache re-reads only the file that changed', () => {
  const root = writeTree(Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`v/r${i}.py`, pyRevision(`r${i}`, i ? `r${i - 1}` : null)])));
  const files = listRevisionFiles([path.join(root, 'v')], false, () => undefined).map((f) => f.path);
  const cache = new HeaderCache();
  cache.readAll(files);
  assert.equal(cache.lastReads, 20);
  cache.readAll(files);
  assert.equal(cache.lastReads, 0);
  const changed = path.join(root, 'v/r7.py');
  fs.writeFileSync(changed, pyRevision('r7', 'r6', 'a new message that changes the size'));
  const infos = cache.readAll(files);
  assert.equal(cache.lastReads, 1);
  assert.equal(infos.find((i) => i.path === changed)!.longdoc.split('\n')[0], 'a new message that changes the size');
});

test('the cache survives a save and load, and a corrupt cache file is an empty cache', () => {
  const root = writeTree({ 'v/a.py': pyRevision('a', null) });
  const file = path.join(root, 'cache.json');
  const cache = new HeaderCache();
  cache.readAll([path.join(root, 'v/a.py')]);
  cache.save(file);
  const loaded = HeaderCache.load(file);
  loaded.readAll([path.join(root, 'v/a.py')]);
  assert.equal(loaded.lastReads, 0);
  fs.writeFileSync(file, '{not json');
  const broken = HeaderCache.load(file);
  broken.readAll([path.join(root, 'v/a.py')]);
  assert.equal(broken.lastReads, 1);
});
