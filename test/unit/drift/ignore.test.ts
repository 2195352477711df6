/** drift's ignore patterns: globs on qualified table names, as users write them in --ignore and pyproject.toml. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { globToRegExp, ignoreMatcher } from '../../../src/engine/drift/ignore';

test('globs: * any run (dots included), ? one character, [set] and [!set]; everything else literal', () => {
  const m = (p: string, name: string) => globToRegExp(p).test(name);
  assert.ok(m('celery_*', 'celery_taskmeta'));
  assert.ok(!m('celery_*', 'app_celery_taskmeta'));
  assert.ok(m('audit.*', 'audit.log'));
  assert.ok(!m('audit.*', 'audit_log'), 'a dot is a dot');
  assert.ok(m('t?', 't1') && !m('t?', 't10'));
  assert.ok(m('log_[0-9]', 'log_7') && !m('log_[0-9]', 'log_x'));
  assert.ok(m('log_[!0-9]', 'log_x') && !m('log_[!0-9]', 'log_7'));
  assert.ok(m('a+b(c)', 'a+b(c)') && !m('a+b(c)', 'aab(c)'));
  assert.ok(m('[', '['), 'an unclosed bracket is literal');
});

test('a name is ignored when any pattern matches; no patterns ignore nothing', () => {
  const ignored = ignoreMatcher(['celery_*', 'apscheduler_jobs']);
  assert.deepEqual(['celery_taskmeta', 'apscheduler_jobs', 'users'].filter(ignored), ['celery_taskmeta', 'apscheduler_jobs']);
  assert.equal(ignoreMatcher([])('users'), false);
});
