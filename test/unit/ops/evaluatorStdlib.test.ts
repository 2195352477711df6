/**
 * `datetime`, `collections` and `json` in migration code: dates built from numbers, their text forms and
 * `defaultdict` grouping give what /usr/bin/python3 gives; the clock is the run's, read once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readMigrationFunctions } from '../../../src/engine/ops/python/reader';
import { Call, TextClause } from '../../../src/engine/ops/values';
import { bindForColumn, UuidObj } from '../../../src/engine/ops/python/eval/uuidModule';

const EXPRESSIONS = [
  'str(datetime.datetime(2016, 6, 20))', 'datetime.datetime(2016, 6, 20).toordinal()', 'datetime.date(2024, 2, 29).isoformat()',
  'datetime.datetime(2024, 1, 2, 3, 4, 5, 600).isoformat()', 'datetime.datetime(2024, 1, 2, 3, 4, 5).isoformat(" ")',
  'datetime.datetime(2024, 1, 2, 3, 4, 5).strftime("%Y%m%d-%H%M%S %%")', 'str(datetime.datetime(2024, 1, 2, 3, 4).replace(year=2020, microsecond=7))',
  'str(datetime.datetime.utcfromtimestamp(736135))', 'str(datetime.datetime(2024, 5, 6, tzinfo=datetime.timezone.utc))',
  'datetime.datetime(2020, 1, 1) == datetime.datetime(2020, 1, 1)', 'str(datetime.datetime(2024, 5, 6, 7, 8).date())',
  'f"{datetime.datetime(2024, 5, 6, 7, 8, 9)}"', '[datetime.datetime(2024, 5, 6).year, datetime.datetime(2024, 5, 6).month]',
  'sorted(group_by_first(["apple", "avocado", "banana"]).items())', 'list(collections.OrderedDict([("b", 1), ("a", 2)]).items())',
  'collections.defaultdict(int, {"x": 1})["y"]',
  'json.dumps({"b": [1, 2.5, None, True], "a": "é\\"q\\n"})', 'json.dumps({"b": 1, "a": {}}, sort_keys=True, indent=2)', 'json.dumps(["x"], separators=(",", ":"))',
  'str(uuid.UUID("{12345678-1234-5678-1234-567812345678}"))', 'uuid.UUID("12345678123456781234567812345678").hex',
  'uuid.UUID("urn:uuid:12345678-1234-5678-1234-567812345678") == uuid.UUID("12345678-1234-5678-1234-567812345678")',
  'uuid.UUID("12345678-1234-4678-9234-567812345678").version', 'uuid.uuid4().version', 'len(str(uuid.uuid4()))', 'uuid.uuid4() == uuid.uuid4()',
  'f"{uuid.UUID(\'12345678-1234-5678-1234-567812345678\')}"', 'time.time() > 1e9',
  'json.dumps("é", ensure_ascii=False)', 'json.loads(\'{"k": [1, "two", null, false]}\')["k"]', 'json.dumps(json.loads("[]"))',
];

const PRELUDE = 'import datetime\nimport collections\nimport json\nimport time\nimport uuid\nfrom collections import defaultdict\n\ndef group_by_first(words):\n    out = defaultdict(list)\n    for w in words:\n        out[w[0]].append(w)\n    return out\n';

function run(body: string, ctx: Parameters<typeof readMigrationFunctions>[1] = { dialect: 'postgresql' }): string[] {
  const f = readMigrationFunctions(`from alembic import op\n${PRELUDE}\ndef upgrade():\n${body.replace(/^/gm, '    ')}\n\ndef downgrade():\n    pass\n`, ctx).find((x) => x.name === 'upgrade')!;
  assert.equal(f.unsupported, undefined, f.unsupported?.message);
  return f.ops!.map((o) => { const a = (o as { call: Call }).call.args[0]; return a instanceof TextClause ? a.sql : String(a); });
}

test('datetime and collections: each expression gives what Python gives (repr compared with /usr/bin/python3, TZ=UTC)', () => {
  const python = execFileSync('/usr/bin/python3', ['-c', `import json,sys\n${PRELUDE}\nfor e in json.load(sys.stdin): print(json.dumps(repr(eval(e))))`],
    { input: JSON.stringify(EXPRESSIONS), encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } }).trim().split('\n').map((l) => JSON.parse(l) as string);
  const ours = run(EXPRESSIONS.map((e) => `op.execute(repr(${e}))`).join('\n'));
  EXPRESSIONS.forEach((e, i) => assert.equal(ours[i], python[i], e));
});

test('the clock: now()/utcnow()/today() are the run\'s time, the same for every call of one evaluation', () => {
  const now = new Date(Date.UTC(2026, 11, 3, 7, 50, 1, 250));
  const [a, b, c, d] = run('op.execute(str(datetime.datetime.utcnow()))\nop.execute(datetime.datetime.now(datetime.timezone.utc).isoformat())\nop.execute(str(datetime.datetime.utcnow()))\nop.execute(str(datetime.date.today()))', { dialect: 'sqlite', now });
  assert.equal(a, '2026-12-03 07:50:01.250000');
  assert.equal(b, '2026-12-03T07:50:01.250000+00:00');
  assert.equal(c, a);
  assert.match(d, /^2026-12-0[23]$/);
  const live = run('op.execute(str(datetime.datetime.utcnow()))')[0];
  assert.ok(Math.abs(Date.parse(live.replace(' ', 'T') + 'Z') - Date.now()) < 60_000, live);
});

test('a datetime as a value of a statement is written as SQLAlchemy binds it (its ISO text)', () => {
  // As SQLAlchemy 2.0 compiles it with literal_binds: PostgreSQL its text, SQLite always with microseconds.
  const body = 'import sqlalchemy as sa\nt = sa.table("events", sa.column("at", sa.DateTime))\nop.execute(t.insert().values(at=datetime.datetime(2024, 5, 6, 7, 8, 9)))';
  assert.equal(run(body)[0].replace(/\\:/g, ':'), "INSERT INTO events (at) VALUES ('2024-05-06 07:08:09')");
  assert.equal(run(body, { dialect: 'sqlite' })[0].replace(/\\:/g, ':'), "INSERT INTO events (at) VALUES ('2024-05-06 07:08:09.000000')");
});

test('uuid.uuid4(): version-4 ids, distinct, drawn from the run\'s seed (the same again when the revision is evaluated again)', () => {
  const body = 'op.execute(str(uuid.uuid4()))\nop.execute(uuid.uuid4().hex)\nop.execute(f"{uuid.uuid4()}")';
  const a = run(body, { dialect: 'sqlite', seed: 'run-1' });
  assert.match(a[0], /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.match(a[1], /^[0-9a-f]{12}4[0-9a-f]{3}[89ab][0-9a-f]{15}$/);
  assert.equal(new Set(a.map((u) => u.replace(/-/g, ''))).size, 3);
  assert.deepEqual(run(body, { dialect: 'sqlite', seed: 'run-1' }), a);
  assert.notDeepEqual(run(body, { dialect: 'sqlite', seed: 'run-2' }), a);
  assert.notDeepEqual(run(body), run(body), 'without a seed, each evaluation draws its own');
});

test('time.time() is the run\'s clock in seconds; uuid and time parts not modelled are refused by name', () => {
  const now = new Date(Date.UTC(2026, 11, 3, 7, 50, 1, 250));
  assert.deepEqual(run('op.execute(str(time.time()))', { dialect: 'sqlite', now }), [String(now.getTime() / 1000)]);
  for (const [body, message] of [['uuid.uuid1()', /uuid\.uuid1: this part of Python's uuid module is not evaluated/], ['time.sleep(1)', /time\.sleep: this part of Python's time module/], ['uuid.UUID("nope")', /ValueError: badly formed hexadecimal UUID string/], ['uuid.UUID()', /TypeError: one of the hex, bytes, bytes_le, fields, or int arguments must be given/],
    ['uuid.UUID(int=1)', /uuid\.UUID\(int=\.\.\.\): only a UUID given as text is evaluated/],
    ['sa.table("t", sa.column("id")).insert().values(id=uuid.uuid4())', /UUID: SQLAlchemy writes a uuid\.UUID as its column's type binds it/]] as const) {
    const f = readMigrationFunctions(`from alembic import op\nimport sqlalchemy as sa\nimport time\nimport uuid\n\ndef upgrade():\n    op.execute(${body.startsWith('sa.') ? body : `str(${body})`})\n\ndef downgrade():\n    pass\n`, { dialect: 'sqlite' }).find((x) => x.name === 'upgrade')!;
    assert.match(f.unsupported?.message ?? '', message, body);
    assert.match(f.unsupported?.message ?? '', /^line 7: /, body);
  }
});

test('a uuid.UUID written by the ORM is bound as its column type binds it: text on PostgreSQL, hex for sa.Uuid on SQLite; other types leave it (refused when written)', () => {
  const u = new UuidObj('12345678123456781234567812345678');
  const type = (fn: string, kw: [string, boolean][] = []) => new Call(fn, [], new Map(kw), 1);
  assert.equal(bindForColumn(u, type('sa.Uuid'), 'postgresql'), '12345678-1234-5678-1234-567812345678');
  assert.equal(bindForColumn(u, type('sa.Uuid'), 'sqlite'), '12345678123456781234567812345678');
  assert.equal(bindForColumn(u, type('pg.UUID'), 'postgresql'), '12345678-1234-5678-1234-567812345678');
  assert.equal(bindForColumn(u, type('pg.UUID', [['as_uuid', false]]), 'postgresql'), u);
  assert.equal(bindForColumn(u, type('sa.String'), 'postgresql'), u);
});
