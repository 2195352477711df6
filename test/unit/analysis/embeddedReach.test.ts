/**
 * What the editor flags while you type, for the constructs that now run embedded: an autocommit
 * block, `bind.commit()`, the URL, `try` over Python errors, `global` and `datetime` are not
 * flagged; a `try` whose handler would catch the database's errors around statements is, saying why.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findEmbeddedProblems } from '../../../src/engine/analysis/embeddedProblems';

const rev = (body: string) => `"""r\n\nRevision ID: a1\n"""\nimport datetime\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = "a1"\ndown_revision = None\nN = 0\n\n\ndef upgrade():\n${body}\n\n\ndef downgrade():\n    pass\n`;

test('runs embedded, so nothing is flagged: autocommit_block, bind.commit(), bind.engine.url, try over Python errors, global, datetime', () => {
  const body = [
    '    global N', '    N += 1', '    bind = op.get_bind()', '    bind.commit()', '    with op.get_context().autocommit_block():',
    '        op.execute("CREATE INDEX CONCURRENTLY ix ON t (c)")', '    if str(bind.engine.url).startswith("mysql"):', '        op.execute("x")',
    '    try:', '        width = {"a": 1}["b"]', '    except KeyError:', '        width = 2',
    '    op.execute(f"UPDATE t SET at = \'{datetime.datetime.utcnow()}\', w = {width}")',
  ].join('\n');
  for (const dialect of ['postgresql', 'sqlite'] as const) assert.deepEqual(findEmbeddedProblems('/p/a1.py', rev(body), dialect), [], dialect);
});

test('a try whose handler would catch the database\'s errors around statements is flagged on the try, with why', () => {
  const problems = findEmbeddedProblems('/p/a1.py', rev('    try:\n        op.drop_column("t", "c")\n    except sa.exc.OperationalError:\n        pass'), 'postgresql');
  assert.equal(problems.length, 1);
  assert.equal(problems[0].code, 'not-embedded');
  assert.equal(problems[0].line, 15);
  assert.match(problems[0].message, /try: \.\.\. except sa\.exc\.OperationalError:: whether the database raises here is known only when its statements run/);
});

test('alter_column(nullable=...) outside batch on SQLite: an info under it (older SQLite fails there), a warning for a type change; nothing on PostgreSQL', () => {
  const nullable = rev('    op.alter_column("t", "c", nullable=False)');
  const [info] = findEmbeddedProblems('/p/a1.py', nullable, 'sqlite');
  assert.deepEqual([info.severity, info.code, info.line], ['info', 'older-database-fails', 15]);
  assert.match(info.message, /runs on SQLite 3\.53 and later .* batch_alter_table works on both\.$/);
  assert.deepEqual(findEmbeddedProblems('/p/a1.py', nullable, 'postgresql'), []);
  const [warning] = findEmbeddedProblems('/p/a1.py', rev('    op.alter_column("t", "c", type_=sa.Integer())'), 'sqlite');
  assert.deepEqual([warning.severity, warning.code], ['warning', 'not-possible-on-dialect']);
});

test('a function that reads rows back: what it does before its first read is checked (an info, a warning); with sqlite-outside-batch = "rebuild", an info where the table is rebuilt', () => {
  const body = rev([
    '    op.alter_column("t", "c", nullable=False)',
    '    op.create_foreign_key("fk_t_p", "t", "p", ["pid"], ["id"])',
    '    n = op.get_bind().execute(sa.text("SELECT count(*) FROM t")).scalar()',
    '    op.execute("UPDATE t SET n = %d" % n)',
  ].join('\n'));
  assert.deepEqual(findEmbeddedProblems('/p/a1.py', body, 'sqlite').map((p) => [p.severity, p.code, p.line]),
    [['info', 'older-database-fails', 15], ['warning', 'not-possible-on-dialect', 16]]);
  const rebuilt = findEmbeddedProblems('/p/a1.py', body, 'sqlite', undefined, undefined, true);
  assert.deepEqual(rebuilt.map((p) => [p.severity, p.code, p.line]), [['info', 'older-database-fails', 15], ['info', 'rebuilt-outside-batch', 16]]);
  assert.match(rebuilt[1].message, /^op\.create_foreign_key\(\): Alembic cannot run this on SQLite outside batch mode; the table is rebuilt .*your own alembic fails here\.$/);
  assert.deepEqual(findEmbeddedProblems('/p/a1.py', body, 'postgresql'), []);
});

test('a keyword a batch op does not take is the TypeError Alembic raises: a python-error warning under it', () => {
  const body = rev("    with op.batch_alter_table('t') as batch_op:\n        batch_op.drop_constraint('uq_t_a', type_='unique', if_exists=True)");
  for (const dialect of ['sqlite', 'postgresql'] as const) {
    const [w] = findEmbeddedProblems('/p/a1.py', body, dialect);
    assert.deepEqual([w.severity, w.code, w.line], ['warning', 'python-error', 16], dialect);
    assert.match(w.message, /^upgrade\(\) fails: TypeError: batch_op\.drop_constraint\(\) got an unexpected keyword argument 'if_exists'\.$/);
  }
});
