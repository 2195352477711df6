/**
 * Bad input, one case at a time, through the CLI as users run it: broken configuration, broken or
 * hostile revision files, bad targets, bad URLs and unreachable databases, migrations that cannot
 * run. Each must fail with a message that names what (and where), never a stack trace or an
 * "internal error", and leave the SQLite database byte-identical.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { runOurs } from './oracle';
import { startCluster } from '../support/pgCluster';

const INI = '[alembic]\nscript_location = %(here)s/alembic\npath_separator = os\nsqlalchemy.url = sqlite:///%(here)s/app.db\n';
const rev = (id: string, down: string | null, body = "    op.create_table('t_" + id + "', sa.Column('id', sa.Integer(), primary_key=True))", downBody = "    op.drop_table('t_" + id + "')") =>
  `"""rev ${id}\n\nRevision ID: ${id}\n"""\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = '${id}'\ndown_revision = ${down ? `'${down}'` : 'None'}\n\n\ndef upgrade():\n${body}\n\n\ndef downgrade():\n${downBody}\n`;
const BASE: Record<string, string> = {
  'alembic.ini': INI,
  'alembic/env.py': 'raise SystemExit("not used")\n',
  'alembic/versions/aaaa00000001_one.py': rev('aaaa00000001', null),
  'alembic/versions/bbbb00000002_two.py': rev('bbbb00000002', 'aaaa00000001'),
};

interface Case { name: string; files?: Record<string, string | Buffer | null>; argv: string[]; env?: Record<string, string>; expect: RegExp; code?: number; setup?: (root: string) => Promise<void> | void }

const PG_DOWN = 'postgresql://postgres@127.0.0.1:1/app';
const big = 'x = 1\n'.repeat(400_000);

const CASES: Case[] = [
  // Configuration
  { name: 'no alembic.ini', files: { 'alembic.ini': null }, argv: ['heads'], expect: /No 'script_location' key found in configuration\.[\s\S]*No alembic\.ini found/ },
  { name: 'alembic.ini without [alembic]', files: { 'alembic.ini': '[other]\nx = 1\n' }, argv: ['heads'], expect: /No 'script_location' key found[\s\S]*\[alembic\]/ },
  { name: 'no script_location', files: { 'alembic.ini': '[alembic]\nsqlalchemy.url = sqlite:///x.db\n' }, argv: ['heads'], expect: /script_location/ },
  { name: 'script_location pointing nowhere', files: { 'alembic.ini': '[alembic]\nscript_location = %(here)s/nowhere\n' }, argv: ['heads'], expect: /nowhere/ },
  { name: 'an unknown %(name)s interpolation', files: { 'alembic.ini': '[alembic]\nscript_location = %(nope)s/alembic\n' }, argv: ['heads'], expect: /nope/ },
  { name: 'a line that is not key = value', files: { 'alembic.ini': '[alembic]\nscript_location = %(here)s/alembic\nthis is not a setting\n' }, argv: ['heads'], expect: /Source contains parsing errors: '.*alembic\.ini'\n\t\[line 3\]: 'this is not a setting'/ },
  { name: 'a duplicate section', files: { 'alembic.ini': '[alembic]\nscript_location = %(here)s/alembic\n[alembic]\nx = 1\n' }, argv: ['heads'], expect: /section 'alembic' already exists|duplicate/i },
  { name: 'a binary alembic.ini', files: { 'alembic.ini': Buffer.from([0, 159, 146, 150, 255, 0, 12]) }, argv: ['heads'], expect: /alembic\.ini/ },
  { name: 'an empty alembic.ini', files: { 'alembic.ini': '' }, argv: ['heads'], expect: /No 'script_location' key found/ },
  { name: 'an invalid pyproject.toml', files: { 'alembic.ini': null, 'pyproject.toml': '[tool.alembic\nscript_location = "x"\n' }, argv: ['-c', 'pyproject.toml', 'heads'], expect: /pyproject\.toml/ },
  { name: 'two ini files', argv: ['-c', 'alembic.ini', '-c', 'other.ini', 'heads'], expect: /only one ini file may be indicated/ },
  // Revision files
  { name: 'a revision file with a syntax error in its header', files: { 'alembic/versions/cccc_bad.py': '"""bad\nrevision = \'cccc\n' }, argv: ['heads'], expect: /cccc_bad\.py/ },
  { name: 'a non-literal revision id', files: { 'alembic/versions/cccc_bad.py': 'from x import ID\nrevision = ID\ndown_revision = None\n' }, argv: ['heads'], expect: /cccc_bad\.py:2.*not a literal/ },
  { name: 'a file without revision', files: { 'alembic/versions/cccc_bad.py': '"""no id"""\ndown_revision = None\n' }, argv: ['heads'], expect: /Could not determine revision id from filename cccc_bad\.py/ },
  { name: 'an empty revision file', files: { 'alembic/versions/cccc_empty.py': '' }, argv: ['heads'], expect: /cccc_empty\.py/ },
  { name: 'a binary .py file', files: { 'alembic/versions/cccc_bin.py': Buffer.from([0, 1, 2, 255, 254, 0, 0, 7]) }, argv: ['heads'], expect: /cccc_bin\.py/ },
  { name: 'duplicate revision ids', files: { 'alembic/versions/cccc_dup.py': rev('bbbb00000002', 'aaaa00000001') }, argv: ['upgrade', 'head'], expect: /bbbb00000002 is present more than once|Multiple|present more than once/ },
  { name: 'a cycle', files: { 'alembic/versions/aaaa00000001_one.py': rev('aaaa00000001', 'bbbb00000002') }, argv: ['upgrade', 'head'], expect: /[Cc]ycle/ },
  { name: 'a missing parent', files: { 'alembic/versions/bbbb00000002_two.py': rev('bbbb00000002', 'ffff99999999') }, argv: ['upgrade', 'head'], expect: /ffff99999999/ },
  { name: 'a revision that is its own parent', files: { 'alembic/versions/bbbb00000002_two.py': rev('bbbb00000002', 'bbbb00000002') }, argv: ['heads'], expect: /bbbb00000002/ },
  { name: 'down_revision with a number in a tuple', files: { 'alembic/versions/cccc_n.py': '"""n"""\nrevision = "cccc"\ndown_revision = ("aaaa00000001", 3)\n' }, argv: ['heads'], expect: /cccc_n\.py:3/ },
  { name: 'a branch label used twice', files: { 'alembic/versions/cccc_l.py': '"""l"""\nrevision = "cccc"\ndown_revision = "aaaa00000001"\nbranch_labels = ("x",)\n', 'alembic/versions/dddd_l.py': '"""l"""\nrevision = "dddd"\ndown_revision = "aaaa00000001"\nbranch_labels = ("x",)\n' }, argv: ['heads'], expect: /Branch name 'x' in revision (cccc|dddd) already used by revision (cccc|dddd)/ },
  { name: 'depends_on naming nothing', files: { 'alembic/versions/cccc_d.py': '"""d"""\nrevision = "cccc"\ndown_revision = "bbbb00000002"\ndepends_on = "nothere"\n' }, argv: ['heads'], expect: /nothere/ },
  { name: 'an illegal character in an id', files: { 'alembic/versions/cccc_i.py': '"""i"""\nrevision = "cc-cc"\ndown_revision = "bbbb00000002"\n' }, argv: ['heads'], expect: /cc-cc/ },
  // A FIFO blocks a read forever (Alembic hangs on it): skipped with a warning, never read.
  { name: 'a FIFO named like a revision file', setup: (root) => { execFileSync('mkfifo', [path.join(root, 'alembic/versions/cccc_fifo.py')]); }, argv: ['heads'], code: 0, expect: /bbbb00000002 \(head\)[\s\S]*cccc_fifo\.py is not a regular file; ignoring it/ },
  { name: 'a huge revision file (2.4 MB)', files: { 'alembic/versions/cccc_big.py': `"""big"""\nfrom alembic import op\nrevision = "cccc"\ndown_revision = "bbbb00000002"\n${big}\ndef upgrade():\n    try:\n        op.execute("SELECT 1")\n    except Exception:\n        pass\n\ndef downgrade():\n    pass\n` }, argv: ['upgrade', 'head'], expect: /cccc_big\.py:\d+.*whether the database raises here/ },
  // Targets
  { name: 'an unknown revision', argv: ['upgrade', 'ffff1234'], expect: /Can't locate revision identified by 'ffff1234'/ },
  { name: 'an unknown short id', argv: ['history', '-r', 'zz:'], expect: /Can't locate revision identified by 'zz'/ },
  { name: 'an ambiguous partial id', files: { 'alembic/versions/aaaa00000003_three.py': rev('aaaa00000003', 'bbbb00000002') }, argv: ['show', 'aaaa'], expect: /Can't locate revision identified by 'aaaa'/ },
  { name: 'a relative target past the end', argv: ['upgrade', '+5'], expect: /Relative revision \+5 didn't produce 5 migrations/ },
  { name: 'a range without --sql', argv: ['upgrade', 'aaaa00000001:head'], expect: /Range revision not allowed/ },
  { name: 'downgrade --sql without a range', argv: ['downgrade', '-1', '--sql'], expect: /downgrade with --sql requires <fromrev>:<torev>/ },
  { name: 'an unknown command', argv: ['upgrayde', 'head'], expect: /invalid choice: 'upgrayde'/, code: 2 },
  { name: 'upgrade without a target', argv: ['upgrade'], expect: /the following arguments are required: revision/, code: 2 },
  { name: 'a downgrade target above the current revision', setup: up('aaaa00000001'), argv: ['downgrade', 'bbbb00000002'], expect: /not a valid downgrade target from current head/ },
  // Database URLs and servers
  { name: 'no database URL', files: { 'alembic.ini': '[alembic]\nscript_location = %(here)s/alembic\n' }, argv: ['upgrade', 'head'], env: { DATABASE_URL: '' }, expect: /No database URL is configured/ },
  { name: 'an unknown dialect', argv: ['upgrade', 'head'], env: { DATABASE_URL: 'mysql://u@h/db' }, expect: /mysql/ },
  { name: 'a malformed URL', argv: ['upgrade', 'head'], env: { DATABASE_URL: 'postgresql://user:pw@host:notaport/db' }, expect: /notaport|port/ },
  { name: 'a URL that is not a URL', argv: ['current'], env: { DATABASE_URL: 'just some text' }, expect: /just some text|URL/ },
  { name: 'an unreachable PostgreSQL server (password masked)', argv: ['upgrade', 'head'], env: { DATABASE_URL: PG_DOWN.replace('postgres@', 'postgres:s3cret@') }, expect: /127\.0\.0\.1:1/ },
  { name: 'a database that does not exist on the server', argv: ['upgrade', 'head'], env: { DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/no_such_db_here' }, expect: /no_such_db_here/ },
  { name: 'an unknown host', argv: ['current'], env: { DATABASE_URL: 'postgresql://postgres@no-such-host.invalid/db' }, expect: /no-such-host\.invalid/ },
  { name: 'a SQLite file that is not a database', files: { 'app.db': 'this is a text file, not SQLite\n'.repeat(200) }, argv: ['upgrade', 'head'], expect: /not a SQLite database/ },
  { name: 'a SQLite file in a folder that does not exist', argv: ['upgrade', 'head'], env: { DATABASE_URL: 'sqlite:////nonexistent/folder/app.db' }, expect: /nonexistent\/folder/ },
  { name: 'an in-memory SQLite URL for a write', argv: ['upgrade', 'head'], env: { DATABASE_URL: 'sqlite://' }, expect: /in-memory SQLite database/ },
  { name: 'a hot journal beside the SQLite file', setup: up('aaaa00000001'), files: { 'app.db-journal': Buffer.alloc(600, 1) }, argv: ['upgrade', 'head'], expect: /journal/ },
  // Migrations that cannot run
  { name: 'a migration with error handling', files: { 'alembic/versions/bbbb00000002_two.py': rev('bbbb00000002', 'aaaa00000001', "    try:\n        op.drop_table('a')\n    except Exception:\n        pass") }, argv: ['upgrade', 'head'], expect: /bbbb00000002_two\.py:13.*whether the database raises here is known only when its statements run/ },
  { name: 'a NameError in a migration', files: { 'alembic/versions/bbbb00000002_two.py': rev('bbbb00000002', 'aaaa00000001', "    for t in TABLES:\n        op.drop_table(t)") }, argv: ['upgrade', 'head'], expect: /bbbb00000002_two\.py:13: NameError: name 'TABLES' is not defined \(Python raises NameError here too; fix the migration\)/ },
  { name: 'a loop that never ends', files: { 'alembic/versions/bbbb00000002_two.py': rev('bbbb00000002', 'aaaa00000001', "    while True:\n        pass") }, argv: ['upgrade', 'head'], expect: /bbbb00000002_two\.py:1[34].*runs too long to be evaluated/ },
  { name: 'alter_column outside batch mode on SQLite', files: { 'alembic/versions/bbbb00000002_two.py': rev('bbbb00000002', 'aaaa00000001', "    op.alter_column('t_aaaa00000001', 'id', type_=sa.BigInteger())") }, argv: ['upgrade', 'head'], expect: /bbbb00000002_two\.py:13.*batch_alter_table/ },
  { name: 'invalid SQL in op.execute (rolled back)', setup: up('aaaa00000001'), files: { 'alembic/versions/bbbb00000002_two.py': rev('bbbb00000002', 'aaaa00000001', '    op.execute("CREATE TABLEX oops")') }, argv: ['upgrade', 'head'], expect: /syntax error[\s\S]*bbbb00000002_two\.py:13[\s\S]*rolled back/, code: 1 },
  { name: 'a revision without downgrade()', setup: up('bbbb00000002'), files: { 'alembic/versions/bbbb00000002_two.py': rev('bbbb00000002', 'aaaa00000001').replace(/\n\ndef downgrade[\s\S]*$/, '\n') }, argv: ['downgrade', '-1'], expect: /bbbb00000002_two\.py.*no downgrade\(\) function/ },
  { name: 'a Python syntax error in upgrade()', files: { 'alembic/versions/bbbb00000002_two.py': rev('bbbb00000002', 'aaaa00000001', "    op.create_table('x',\n    op.execute('y'") }, argv: ['upgrade', 'head'], expect: /bbbb00000002_two\.py:\d+.*syntax error/ },
  { name: 'bulk_insert of a value computed by Python', files: { 'alembic/versions/bbbb00000002_two.py': rev('bbbb00000002', 'aaaa00000001', "    op.bulk_insert(sa.table('t', sa.column('a')), [{'a': len('x')}])") }, argv: ['upgrade', 'head'], expect: /bbbb00000002_two\.py:13/ },
  { name: 'a PostgreSQL ENUM without a name', files: { 'alembic/versions/bbbb00000002_two.py': rev('bbbb00000002', 'aaaa00000001', "    op.add_column('t', sa.Column('k', sa.Enum('a', 'b')))") }, argv: ['upgrade', 'head', '--sql'], env: { DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/postgres' }, expect: /PostgreSQL ENUM type requires a name/ },
  { name: 'revision on a project with two heads', files: { 'alembic/versions/cccc_side.py': rev('cccc00000003', 'aaaa00000001') }, argv: ['revision', '-m', 'x'], expect: /Multiple heads are present; please specify the head revision/ },
];

function up(target: string) {
  return async (root: string) => {
    const [r] = await runOurs([{ cwd: root, argv: ['upgrade', target], env: { DATABASE_URL: `sqlite:///${root}/app.db` } }]);
    assert.equal(r.code, 0, `setup: ${r.stdout}${r.stderr}`);
  };
}

const STACK = /\n\s+at .+[(\s].+:\d+:\d+\)?/;

test(`the bad-input corpus (${CASES.length} cases): a clear message, no stack trace, the database untouched`, { timeout: 300_000 }, async () => {
  assert.ok(CASES.length >= 50);
  const failures: string[] = [];
  for (const c of CASES) {
    const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'bad-')));
    for (const [f, text] of Object.entries(BASE)) { fs.mkdirSync(path.dirname(path.join(root, f)), { recursive: true }); fs.writeFileSync(path.join(root, f), text); }
    await c.setup?.(root);
    for (const [f, text] of Object.entries(c.files ?? {})) {
      const p = path.join(root, f);
      if (text === null) fs.rmSync(p, { force: true });
      else { fs.mkdirSync(path.dirname(p), { recursive: true }); fs.writeFileSync(p, text); }
    }
    const db = path.join(root, 'app.db');
    const hash = () => (fs.existsSync(db) ? crypto.createHash('sha256').update(fs.readFileSync(db)).digest('hex') : 'absent');
    const before = hash();
    const [r] = await runOurs([{ cwd: root, argv: c.argv, env: { DATABASE_URL: `sqlite:///${db}`, ...c.env } }]);
    const out = r.stdout + r.stderr;
    const problems: string[] = [];
    if (r.code === 0 && c.code !== 0) problems.push('exit 0');
    if (c.code !== undefined && r.code !== c.code) problems.push(`exit ${r.code}, expected ${c.code}`);
    if (!c.expect.test(out)) problems.push(`message does not match ${c.expect}`);
    if (STACK.test(out) || /internal error/.test(out)) problems.push('a stack trace or an internal error');
    if (/s3cret/.test(out)) problems.push('the password was printed');
    if (hash() !== before) problems.push('the database changed');
    if (problems.length) failures.push(`${c.name}: ${problems.join('; ')}\n    ${out.trim().split('\n').slice(0, 4).join('\n    ')}`);
    fs.rmSync(root, { recursive: true, force: true });
  }
  assert.equal(failures.length, 0, `\n${failures.join('\n')}`);
});

test('a wrong password (a server with password authentication): says so, never prints it, changes nothing', { timeout: 120_000 }, async () => {
  const cluster = startCluster(15300 + (process.pid % 500), { password: 'right-Pw-1' });
  try {
    const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'bad-')));
    for (const [f, text] of Object.entries(BASE)) { fs.mkdirSync(path.dirname(path.join(root, f)), { recursive: true }); fs.writeFileSync(path.join(root, f), text); }
    // The password in the user part, or (as libpq also takes it) in the query string.
    const inUser = cluster.url.replace('postgres@', 'postgres:wrong-s3cret@');
    const inQuery = `${cluster.url}${cluster.url.includes('?') ? '&' : '?'}password=wrong-s3cret`;
    for (const [url, shown] of [[inUser, /postgresql:\/\/postgres:\*\*\*@127\.0\.0\.1/], [inQuery, /postgresql:\/\/postgres@127\.0\.0\.1\S*password=\*\*\*/]] as const) {
      for (const argv of [['upgrade', 'head'], ['current'], ['stamp', 'head']]) {
        const [r] = await runOurs([{ cwd: root, argv, env: { DATABASE_URL: url } }]);
        const out = r.stdout + r.stderr;
        assert.equal(r.code, 255, out);
        assert.match(out, /password authentication failed for user "postgres"[\s\S]*Wrong password: check the user and password/, out);
        assert.match(out, shown, out);
        assert.ok(!out.includes('wrong-s3cret'), 'the password is never printed');
        assert.doesNotMatch(out, STACK);
      }
    }
    const [ok] = await runOurs([{ cwd: root, argv: ['upgrade', 'head'], env: { DATABASE_URL: cluster.url.replace('postgres@', 'postgres:right-Pw-1@') } }]);
    assert.equal(ok.code, 0, 'the right password works');
    fs.rmSync(root, { recursive: true, force: true });
  } finally {
    cluster.stop();
  }
});
