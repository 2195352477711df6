import { test } from 'node:test';
import assert from 'node:assert/strict';
import { maskUrlText, parseDatabaseUrl, renderUrl, sqliteFile } from '../../../src/engine/config/url';
import { runPython } from '../pythonOracle';

const URLS = [
  'sqlite:///relative.db', 'sqlite:////abs/path/app.db', 'sqlite://', 'sqlite:///:memory:', 'sqlite+pysqlite:///./lexikon.db',
  'postgresql://user:secret@localhost/app', 'postgresql+psycopg2://user:p%40ss@db.example:6543/app?sslmode=require&application_name=x',
  'postgresql+asyncpg://app@127.0.0.1/app_dev', 'postgresql://u@[::1]:5432/db', 'postgresql:///db?host=/var/run/postgresql',
  'postgresql+psycopg://user@host/db?b=2&a=1',
];

const ORACLE = `
import json, sys
from sqlalchemy.engine.url import make_url
out = []
for u in json.load(sys.stdin):
    url = make_url(u)
    out.append({'drivername': url.drivername, 'username': url.username, 'password': url.password, 'host': url.host,
                'port': url.port, 'database': url.database, 'rendered': url.render_as_string(hide_password=True)})
print(json.dumps(out))
`;

test('URLs parse and render (password hidden) exactly as SQLAlchemy does', () => {
  const expected = runPython(ORACLE, URLS) as Record<string, unknown>[];
  URLS.forEach((u, i) => {
    const url = parseDatabaseUrl(u);
    const e = expected[i];
    assert.equal(url.drivername, e.drivername, u);
    assert.equal(url.username ?? null, e.username, u);
    assert.equal(url.password ?? null, e.password, u);
    assert.equal(url.host ?? null, e.host, u);
    assert.equal(url.port ?? null, e.port, u);
    assert.equal(url.database ?? null, e.database, u);
    assert.equal(renderUrl(url), e.rendered, u);
  });
});

test('SQLite paths resolve against the working directory; memory databases have no file', () => {
  assert.equal(sqliteFile(parseDatabaseUrl('sqlite:///rel/app.db'), '/proj'), '/proj/rel/app.db');
  assert.equal(sqliteFile(parseDatabaseUrl('sqlite:////abs/app.db'), '/proj'), '/abs/app.db');
  assert.equal(sqliteFile(parseDatabaseUrl('sqlite://'), '/proj'), undefined);
  assert.equal(sqliteFile(parseDatabaseUrl('sqlite:///:memory:'), '/proj'), undefined);
});

test('bad URLs are clear errors that never show the password', () => {
  assert.throws(() => parseDatabaseUrl('not a url'), /Could not parse SQLAlchemy URL/);
  assert.throws(() => parseDatabaseUrl('mysql://u:hunter2@h/db'), (e: Error) => /Can't load plugin: sqlalchemy.dialects:mysql/.test(e.message) && !e.message.includes('hunter2'));
  assert.throws(() => parseDatabaseUrl('driver://user:pass@localhost/dbname'), /Can't load plugin/);
  assert.throws(() => parseDatabaseUrl('postgresql://u@h:99999/db'), /Invalid port/);
  assert.equal(maskUrlText('failed for postgresql://app:hunter2@db/x today'), 'failed for postgresql://app:***@db/x today');
  assert.equal(maskUrlText('postgresql://app@db/x?sslmode=require&password=hunter2 refused'), 'postgresql://app@db/x?sslmode=require&password=*** refused');
  assert.equal(renderUrl(parseDatabaseUrl('postgresql://app@db/x?password=hunter2&sslpassword=s3cret&sslmode=require')), 'postgresql://app@db/x?password=***&sslmode=require&sslpassword=***');
  assert.equal(renderUrl(parseDatabaseUrl('postgresql://app@db/x?password=hunter2'), false), 'postgresql://app@db/x?password=hunter2', 'shown only when asked');
});
