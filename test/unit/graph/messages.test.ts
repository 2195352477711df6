import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRequest } from '../../../src/extension/graph/messages';
import { parentCandidates, replaceParent } from '../../../src/extension/graph/parentCandidates';
import type { Revisions } from '../../../src/extension/graph/model';

const known = { revision: (id: string) => ['a1', 'b2', 'c3'].includes(id), root: (r: string) => r === '/w/api' };

test('the webview\'s valid requests are read as they are', () => {
  assert.deepEqual(parseRequest({ type: 'ready' }, known), { type: 'ready' });
  assert.deepEqual(parseRequest({ type: 'open', revision: 'a1' }, known), { type: 'open', revision: 'a1' });
  assert.deepEqual(parseRequest({ type: 'merge', revisions: ['a1', 'b2'] }, known), { type: 'merge', revisions: ['a1', 'b2'] });
  assert.deepEqual(parseRequest({ type: 'merge', revisions: ['a1', 'b2'], message: 'm' }, known), { type: 'merge', revisions: ['a1', 'b2'], message: 'm' });
  assert.deepEqual(parseRequest({ type: 'selectProject', root: '/w/api' }, known), { type: 'selectProject', root: '/w/api' });
  assert.deepEqual(parseRequest({ type: 'painted', rows: 3, ms: 1.5 }, known), { type: 'painted', rows: 3, ms: 1.5 });
});

test('anything else is ignored with a reason: wrong type, wrong shape, unknown revision, extra fields', () => {
  const cases: [unknown, RegExp][] = [
    [null, /not an object \(null\)/], [[], /array/], ['ready', /string/], [{ type: 'exec' }, /unknown type "exec"/],
    [{ type: 'toString' }, /unknown type/], [{ type: 'hasOwnProperty' }, /unknown type/], [{}, /unknown type/],
    [{ type: 'open' }, /not a string/], [{ type: 'open', revision: 'zz' }, /no revision zz/], [{ type: 'open', revision: ['a1'] }, /not a string/],
    [{ type: 'open', revision: 'a1', then: 'x' }, /unexpected field\(s\) then/], [{ type: 'merge', revisions: ['a1'] }, /2 to 64/],
    [{ type: 'merge', revisions: ['a1', 'a1'] }, /twice/], [{ type: 'merge', revisions: ['a1', 'zz'] }, /no revision zz/],
    [{ type: 'merge', revisions: ['a1', 'b2'], message: 5 }, /message/], [{ type: 'selectProject', root: '/etc' }, /not a project/],
    [{ type: 'painted', rows: 1, ms: Infinity }, /not numbers/], [{ type: 'open', revision: 'a'.repeat(501) }, /not a string/],
  ];
  for (const [raw, why] of cases) {
    const r = parseRequest(raw, known);
    assert.ok('ignored' in r, `${JSON.stringify(raw)} is ignored`);
    assert.match((r as { ignored: string }).ignored, why);
  }
});

const rev = (revision: string, down: string | string[] | null): Revisions[number] =>
  ({ revision, downRevision: down, path: `/v/${revision}.py`, kind: 'python', branchLabels: [], dependsOn: [], longdoc: `doc ${revision}`, lines: { down_revision: 3 }, problems: [] });

test('a missing parent\'s likely replacements: close ids first, then heads, never the revision or what comes after it', () => {
  const files = [rev('0d4e6f8a2b19', null), rev('7beb871f4454', '0d4e6f8a2b19'), rev('ffff00001111', '0d4e6f8a2b19'),
    rev('f1f2f3f4f5f6', '0d4e6f8a2b1'), rev('aaaa00002222', 'f1f2f3f4f5f6')];
  const c = parentCandidates(files, 'f1f2f3f4f5f6', '0d4e6f8a2b1');
  assert.deepEqual(c.map((x) => [x.id, x.why]), [['0d4e6f8a2b19', 'close to 0d4e6f8a2b1'], ['7beb871f4454', 'a head'], ['ffff00001111', 'a head']]);
});

test('the fix replaces the missing id in down_revision, keeping the quotes, and nowhere else', () => {
  const text = '"""Mentions 0d4e6f8a2b1 in the docstring"""\nrevision = "f1"\ndown_revision = (\'x\', "0d4e6f8a2b1")\n';
  const change = replaceParent(text, 3, '0d4e6f8a2b1', '0d4e6f8a2b19')!;
  const fixed = text.slice(0, change.start) + change.text + text.slice(change.end);
  assert.equal(fixed, '"""Mentions 0d4e6f8a2b1 in the docstring"""\nrevision = "f1"\ndown_revision = (\'x\', "0d4e6f8a2b19")\n');
  assert.equal(replaceParent(text, 3, 'nothere', 'x'), undefined);
});
