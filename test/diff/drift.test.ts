/**
 * `drift` on real databases: the fixture project upgraded with our engine on a SQLite file and on
 * PostgreSQL databases (127.0.0.1:5432), then changed by hand (columns added, dropped, retyped,
 * made nullable, a default dropped; an index, FK, unique, CHECK and enum value added; an index, FK
 * and unique dropped; a table added, one dropped). Asserted: the differences drift finds, word for word; and, against the real
 * Alembic (compare_metadata on the same live database, the migrations upgraded by `alembic upgrade`
 * on a scratch database), the same set for everything compare_metadata looks at.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { testDatabases, PGURL } from '../support/pgDatabases';
import {
  ALEMBIC_LOOKS_AT, alembicCompare, editPostgres, editSqlite, HEAD, keyOf, project, runDrift, setUrl, sortKeys, upgradeOurs,
} from './driftSupport';

const dbs = testDatabases('drift_test');

const SQLITE_CHANGES = `
  ALTER TABLE users ADD COLUMN nick VARCHAR(20);
  ALTER TABLE posts DROP COLUMN body;
  CREATE TABLE orgs (id INTEGER NOT NULL, PRIMARY KEY (id));
  CREATE TABLE users_new (
    id INTEGER NOT NULL, email VARCHAR(200), name VARCHAR(100), created_at DATETIME NOT NULL, nick VARCHAR(20), org_id INTEGER,
    PRIMARY KEY (id), CONSTRAINT uq_users_email UNIQUE (email), CONSTRAINT uq_users_name UNIQUE (name),
    CONSTRAINT ck_users_email CHECK (email LIKE '%@%'), CONSTRAINT fk_users_org_id_orgs FOREIGN KEY(org_id) REFERENCES orgs (id));
  INSERT INTO users_new (id, email, name, created_at, nick) SELECT id, email, name, created_at, nick FROM users;
  DROP TABLE users;
  ALTER TABLE users_new RENAME TO users;
  CREATE INDEX ix_users_name ON users (name);
  DROP TABLE post_tags;
  CREATE TABLE celery_taskmeta (id INTEGER PRIMARY KEY, status VARCHAR(50));
  CREATE VIEW v_posts AS SELECT id, title FROM posts;
  DROP INDEX ix_posts_title;`;

const POSTGRES_CHANGES = `
  ALTER TABLE users ADD COLUMN nick VARCHAR(20);
  ALTER TABLE posts DROP COLUMN body;
  CREATE TABLE orgs (id SERIAL PRIMARY KEY);
  ALTER TABLE users ADD COLUMN org_id INTEGER, ADD CONSTRAINT fk_users_org_id_orgs FOREIGN KEY (org_id) REFERENCES orgs (id);
  ALTER TABLE users ALTER COLUMN email DROP NOT NULL, ALTER COLUMN name TYPE VARCHAR(100), ALTER COLUMN created_at DROP DEFAULT;
  ALTER TABLE users ADD CONSTRAINT uq_users_name UNIQUE (name), ADD CONSTRAINT ck_users_email CHECK (email LIKE '%@%');
  CREATE INDEX ix_users_name ON users (name);
  DROP TABLE post_tags;
  ALTER TYPE post_status ADD VALUE 'archived';
  DROP INDEX ix_posts_title;
  ALTER TABLE tags DROP CONSTRAINT uq_tags_name;
  ALTER TABLE posts DROP CONSTRAINT fk_posts_user_id_users;
  CREATE TABLE celery_taskmeta (id INTEGER PRIMARY KEY, status VARCHAR(50));
  CREATE VIEW v_posts AS SELECT id, title FROM posts;`;

/** What both dialects report for the changes above (types in each database's spelling). */
function expectedMessages(varchar: (n: number) => string, nowDefault: string, more: string[] = []): string[] {
  const extra = 'is in the database but not in the migrations';
  const missing = 'is in the migrations but not in the database';
  return [
    `table celery_taskmeta ${extra}`,
    `table orgs ${extra}`,
    `table post_tags ${missing}`,
    `column posts.body ${missing}`,
    `column users.email: nullability is nullable in the database, NOT NULL in the migrations`,
    `column users.name: type is ${varchar(100)} in the database, ${varchar(50)} in the migrations`,
    `column users.created_at: default is none in the database, ${nowDefault} in the migrations`,
    `column users.nick ${extra}`,
    `column users.org_id ${extra}`,
    `foreign key fk_users_org_id_orgs on users ${extra}`,
    `unique constraint uq_users_name on users ${extra}`,
    `check constraint ck_users_email on users ${extra}`,
    `index ix_users_name on users ${extra}`,
    `index ix_posts_title on posts ${missing}`,
    ...more.map((m) => m.replace('MISSING', missing)),
  ].sort();
}

const sha = (f: string) => createHash('sha256').update(fs.readFileSync(f)).digest('hex');

test('SQLite: hand changes are found, word for word, the file is left byte for byte as it was, and Alembic finds the same', async () => {
  const dir = project('sqlite:///app.db');
  const file = path.join(dir, 'app.db');
  setUrl(dir, `sqlite:///${file}`);
  await upgradeOurs(dir);
  const clean = await runDrift(dir);
  assert.deepEqual(clean.differences, [], 'no drift right after the upgrade');
  assert.deepEqual(clean.heads, [HEAD]);

  await editSqlite(file, SQLITE_CHANGES);
  const before = sha(file);
  const r = await runDrift(dir);
  assert.equal(sha(file), before, 'drift never writes to the live database');
  assert.deepEqual(r.differences.map((d) => d.message).sort(), expectedMessages((n) => `VARCHAR(${n})`, 'CURRENT_TIMESTAMP'));
  assert.deepEqual(r.differences.filter((d) => d.table === 'users').length, 9);
  assert.ok(r.notes.some((n) => n.startsWith('Views are not compared (v_posts)')), r.notes.join('\n'));

  const ref = alembicCompare(dir, `sqlite:///${file}`, `sqlite:///${path.join(dir, 'scratch.db')}`);
  assert.deepEqual(ref.heads, [HEAD]);
  assert.equal(ref.diffs.length, 12, JSON.stringify(ref.diffs));
  assert.deepEqual(sortKeys(r.differences.map(keyOf).filter(ALEMBIC_LOOKS_AT)), sortKeys(ref.diffs));
});

for (const [label, postgres] of [['PGlite', { mode: 'pglite' }], ['a temporary database on the server', { mode: 'server', url: PGURL }]] as const) {
  test(`PostgreSQL (migrations built on ${label}): hand changes found word for word; Alembic finds the same`, async () => {
    const url = await dbs.url(postgres.mode);
    const dir = project(url);
    await upgradeOurs(dir);
    assert.deepEqual((await runDrift(dir, { postgres })).differences, [], 'no drift right after the upgrade');

    await editPostgres(url, POSTGRES_CHANGES);
    const r = await runDrift(dir, { postgres });
    const messages = r.differences.map((d) => d.message);
    assert.deepEqual(messages.filter((m) => !m.startsWith('enum type')).sort(),
      expectedMessages((n) => `character varying(${n})`, 'now()', ['unique constraint uq_tags_name on tags MISSING', 'foreign key fk_posts_user_id_users on posts MISSING']));
    assert.ok(messages.includes("enum type post_status: label list is ('draft', 'published', 'archived') in the database, ('draft', 'published') in the migrations"), messages.join('\n'));
    assert.equal(r.database, url);
    // Each difference in parts, for code that writes a revision from it.
    const parts = (m: string) => { const { kind, table, objectType, name, property } = r.differences.find((d) => d.message.startsWith(m))!; return { kind, table, objectType, name, property }; };
    assert.deepEqual(parts('column users.name:'), { kind: 'changed', table: 'users', objectType: 'column', name: 'name', property: 'type' });
    assert.deepEqual(parts('check constraint ck_users_email'), { kind: 'extra', table: 'users', objectType: 'check constraint', name: 'ck_users_email', property: undefined });
    assert.deepEqual(parts('table post_tags'), { kind: 'missing', table: 'post_tags', objectType: 'table', name: 'post_tags', property: undefined });
    assert.deepEqual(parts('enum type post_status'), { kind: 'changed', table: undefined, objectType: 'enum type', name: 'post_status', property: 'label list' });

    const ref = alembicCompare(dir, url, await dbs.url(`${postgres.mode}_ref`));
    assert.equal(ref.diffs.length, 14, JSON.stringify(ref.diffs));
    assert.deepEqual(sortKeys(r.differences.map(keyOf).filter(ALEMBIC_LOOKS_AT)), sortKeys(ref.diffs));
  });
}

const alembicUpgrade = (dir: string) =>
  execFileSync(process.env.ORACLE_PYTHON ?? '/usr/bin/python3', ['-m', 'alembic', 'upgrade', 'head'], { cwd: dir, env: { ...process.env, DATABASE_URL: '' } });

test('SQLite built by the real Alembic: no drift', async () => {
  const dir = project('sqlite:///app.db');
  setUrl(dir, `sqlite:///${path.join(dir, 'app.db')}`);
  alembicUpgrade(dir);
  const r = await runDrift(dir);
  assert.deepEqual([r.heads, r.differences], [[HEAD], []]);
  assert.equal(Object.keys(r.expected.tables).length, 4);
});

test('PostgreSQL built by the real Alembic: no drift, whether the migrations are built on PGlite (PostgreSQL 18) or on the server (15)', async () => {
  const url = await dbs.url('alembic_built');
  const dir = project(url);
  alembicUpgrade(dir);
  for (const postgres of [{ mode: 'pglite' as const }, { mode: 'server' as const, url: PGURL }]) {
    const r = await runDrift(dir, { postgres });
    assert.deepEqual(r.heads, [HEAD]);
    assert.deepEqual(r.differences, [], `${postgres.mode}: ${r.differences.map((d) => d.message).join('\n')}`);
    assert.equal(Object.keys(r.expected.tables).length, 4);
    assert.deepEqual(r.expected.enums, { post_status: ['draft', 'published'] });
  }
});
