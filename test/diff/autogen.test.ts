/**
 * Autogenerate without Python, on real databases: a base schema built by the fixture's migrations
 * (our engine's upgrade), a copy changed by hand (columns added, dropped and altered, an index, a
 * foreign key, a unique and a check constraint, an enum label, a table created and one dropped),
 * both introspected, the revision written from the difference into the project; then our upgrade
 * of the base gives the changed schema, `downgrade -1` gives the base back, and the stairway check
 * passes on the new revision. The real Alembic's autogenerate, on the same two databases, finds the
 * same changes (what it does not compare, and where its text differs from ours, is printed).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO } from './oracle';
import { autogenerate } from '../../src/engine/autogen';
import { revisionFromDifference } from '../../src/engine/autogen/revisionFromDifference';
import { downgrade, upgrade } from '../../src/engine/commands/migrate';
import { loadProjectConfig } from '../../src/engine/config/project';
import { diffSnapshots } from '../../src/engine/schema/diff';
import { emptySnapshot, type SchemaSnapshot } from '../../src/engine/schema/snapshot';
import { loadScriptDirectory } from '../../src/engine/scripts/scriptDirectory';
import { verify } from '../../src/engine/verify';
import { PGURL, testDatabases } from '../support/pgDatabases';
import { postgresDatabase, SchemaDatabase, sqliteDatabase } from '../support/schemaDatabases';
import { TYPE_TABLES } from '../support/typeTables';

const FIXTURE = path.join(REPO, 'test/fixtures/autogen/project');
const PYTHON = process.env.ORACLE_PYTHON ?? '/usr/bin/python3';
const NEW_REV = 'a7c0de9e4f12';
const pg = testDatabases('migrations_autogen');

const CHANGES: Record<'sqlite' | 'postgresql', string> = {
  // SQLite alters a column only by rebuilding its table: done by hand, as SQLAlchemy writes DDL.
  sqlite: `
    ALTER TABLE users ADD COLUMN bio TEXT;
    CREATE TABLE users_new (
\tid INTEGER NOT NULL, 
\temail VARCHAR(50) NOT NULL, 
\tname VARCHAR(100), 
\tscore INTEGER DEFAULT '10', 
\tbio TEXT, 
\tCONSTRAINT pk_users PRIMARY KEY (id), 
\tCONSTRAINT uq_users_email UNIQUE (email)
);
    INSERT INTO users_new SELECT id, email, name, score, bio FROM users;
    DROP TABLE users;
    ALTER TABLE users_new RENAME TO users;
    DROP INDEX ix_posts_title;
    CREATE TABLE posts_new (
\tid INTEGER NOT NULL, 
\tuser_id INTEGER, 
\ttitle VARCHAR(100) NOT NULL, 
\tstatus VARCHAR(9) DEFAULT 'draft' NOT NULL, 
\tsummary TEXT, 
\tCONSTRAINT pk_posts PRIMARY KEY (id), 
\tCONSTRAINT fk_posts_user_id_users FOREIGN KEY(user_id) REFERENCES users (id) ON DELETE CASCADE, 
\tCONSTRAINT ck_posts_title_len CHECK (length(title) > 0), 
\tCONSTRAINT uq_posts_title UNIQUE (title), 
\tCONSTRAINT ck_posts_id_pos CHECK (id > 0)
);
    INSERT INTO posts_new (id, user_id, title, status) SELECT id, user_id, title, status FROM posts;
    DROP TABLE posts;
    ALTER TABLE posts_new RENAME TO posts;
    CREATE INDEX ix_posts_user_title ON posts (user_id, title) WHERE user_id IS NOT NULL;
    CREATE TABLE tags (
\tid INTEGER NOT NULL, 
\tpost_id INTEGER NOT NULL, 
\tname VARCHAR(30) NOT NULL, 
\tCONSTRAINT pk_tags PRIMARY KEY (id), 
\tCONSTRAINT fk_tags_post_id_posts FOREIGN KEY(post_id) REFERENCES posts (id), 
\tCONSTRAINT uq_tags_name UNIQUE (name)
);
    CREATE INDEX ix_tags_name_lower ON tags (lower(name));
    DROP TABLE audit;`,
  postgresql: `
    ALTER TABLE users ADD COLUMN bio text;
    COMMENT ON COLUMN users.bio IS 'about them';
    COMMENT ON TABLE users IS 'people';
    ALTER TABLE users ALTER COLUMN name TYPE varchar(100);
    ALTER TABLE users ALTER COLUMN score SET DEFAULT 10;
    CREATE TYPE mood AS ENUM ('happy', 'sad');
    ALTER TABLE users ADD COLUMN mood mood;
    ALTER TABLE posts DROP COLUMN legacy;
    ALTER TABLE posts ADD COLUMN summary text;
    DROP INDEX ix_posts_title;
    CREATE INDEX ix_posts_user_title ON posts (user_id, title) WHERE user_id IS NOT NULL;
    ALTER TABLE posts DROP CONSTRAINT fk_posts_user_id_users;
    ALTER TABLE posts ADD CONSTRAINT fk_posts_user_id_users FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE;
    ALTER TABLE posts ADD CONSTRAINT uq_posts_title UNIQUE (title);
    ALTER TABLE posts ADD CONSTRAINT ck_posts_id_pos CHECK (id > 0);
    ALTER TYPE post_status ADD VALUE 'archived';
    ALTER TYPE post_status ADD VALUE 'review' BEFORE 'published';
    CREATE TABLE tags (id serial, post_id integer NOT NULL, name varchar(30) NOT NULL, CONSTRAINT pk_tags PRIMARY KEY (id),
      CONSTRAINT fk_tags_post_id_posts FOREIGN KEY (post_id) REFERENCES posts (id), CONSTRAINT uq_tags_name UNIQUE (name));
    CREATE INDEX ix_tags_name_lower ON tags (lower(name));
    DROP TABLE audit;`,
};

function copyFixture(): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'autogen-')));
  fs.cpSync(FIXTURE, dir, { recursive: true });
  return dir;
}

const scripts = (dir: string, url: string) => loadScriptDirectory(loadProjectConfig({ iniPath: path.join(dir, 'alembic.ini'), env: { DATABASE_URL: url } }));
const messages = (e: SchemaSnapshot, a: SchemaSnapshot) => diffSnapshots(e, a).map((d) => d.message);

interface Reference { upgrade: string; downgrade: string; upgradeOps: [string, string][]; downgradeOps: [string, string][] }
function alembicAutogenerate(base: string, changed: string, batch: boolean): Reference {
  const out = execFileSync(PYTHON, [path.join(REPO, 'test/diff/autogen_alembic.py'), base, changed, batch ? '1' : '0'],
    { encoding: 'utf8', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', PYTHONWARNINGS: 'ignore' } });
  return JSON.parse(out) as Reference;
}

/** The kinds of change Alembic's autogenerate compares (not CHECK constraints, enum labels, views). */
const ALEMBIC_KINDS = new Set(['create_table_comment', 'drop_table_comment', 'create_table', 'drop_table', 'add_column', 'drop_column', 'alter_column', 'create_index', 'drop_index', 'create_foreign_key', 'create_unique_constraint', 'drop_constraint']);
const key = ([k, o]: [string, string]) => `${k} ${o}`;

async function roundTrip(kind: 'sqlite' | 'postgresql', base: SchemaDatabase, changed: SchemaDatabase, departures: { ours: string[]; alembic: string[] }) {
  const dir = copyFixture();
  await upgrade(scripts(dir, base.url), 'head', { backups: 0 });
  await upgrade(scripts(dir, changed.url), 'head', { backups: 0 });
  await changed.exec(CHANGES[kind]);
  const before = await base.snapshot();
  const after = await changed.snapshot();
  assert.ok(messages(before, after).length >= 10, 'the hand-made changes show in the diff');

  // The real Alembic on the same two databases: the same changes, apart from what it does not compare.
  const batch = kind === 'sqlite';
  const ref = alembicAutogenerate(base.url, changed.url, batch);
  const ours = autogenerate(before, after, { dialect: kind, useOpF: false, batch });
  const oursSet = ours.upgradeOps.filter((o) => ALEMBIC_KINDS.has(o.kind) && !/^ck_/.test(o.object)).map((o) => `${o.kind} ${o.object}`).sort();
  const refSet = ref.upgradeOps.map(key).sort();
  const onlyOurs = oursSet.filter((x) => !refSet.includes(x));
  const onlyAlembic = refSet.filter((x) => !oursSet.includes(x));
  if (onlyOurs.length || onlyAlembic.length || ref.upgrade !== ours.upgrades) {
    console.log(`--- ${kind}: Alembic's autogenerate wrote\n${ref.upgrade}\n--- ours\n${ours.upgrades}\n--- only ours: ${JSON.stringify(onlyOurs)}\n--- only Alembic's: ${JSON.stringify(onlyAlembic)}`);
  }
  assert.deepEqual(onlyOurs, departures.ours, 'changes we write that Alembic does not (each explained in the test)');
  assert.deepEqual(onlyAlembic, departures.alembic, 'changes Alembic writes that we do not');

  // The revision, written into the project with its template.
  const written = revisionFromDifference(scripts(dir, base.url), before, after, 'from database', { revId: NEW_REV });
  assert.ok(written.path && fs.existsSync(written.path));
  const text = fs.readFileSync(written.path, 'utf8');
  assert.match(text, /# ### commands auto generated by Alembic - please adjust! ###/);
  for (const r of written.reviews) assert.ok(text.includes(`# review: ${r.replace(/^downgrade: /, '')}`), `the note is in the file: ${r}`);

  // Our upgrade of the base builds the changed schema; downgrade -1 gives the base back.
  await upgrade(scripts(dir, base.url), 'head', { backups: 0 });
  assert.deepEqual(messages(after, await base.snapshot()), [], 'after the upgrade, the base is the changed database');
  await downgrade(scripts(dir, base.url), '-1', { backups: 0 });
  assert.deepEqual(messages(before, await base.snapshot()), [], 'after downgrade -1, the base is as it was');

  // The stairway check on the new revision: it passes but for the rows of the dropped table, which
  // its downgrade brings back empty (the review note says so); without rows it passes.
  const stairway = (rows: boolean) => verify(scripts(dir, base.url), { databases: [kind], revisions: [NEW_REV], rows, postgres: { mode: 'server', url: PGURL } })
    .then((report) => report.results.map((r) => [r.revision, r.status, r.failures.map((f) => `${f.check}: ${f.message}`)]));
  assert.deepEqual(await stairway(true), [[NEW_REV, 'failed', [`rows-kept: after downgrade of ${NEW_REV}: table audit lost its rows (1 before, 0 after)`]]]);
  assert.ok(written.reviews.includes('table audit is dropped with its rows (the other way, it comes back empty)'));
  assert.deepEqual(await stairway(false), [[NEW_REV, 'passed', []]]);
  return { text, written, ref };
}

test('SQLite: the revision written from the difference upgrades the base to the changed file and back; Alembic finds the same changes', async () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'autogen-db-'));
  const { text, written } = await roundTrip('sqlite', sqliteDatabase(path.join(work, 'base.db')), sqliteDatabase(path.join(work, 'changed.db')), {
    // SQLAlchemy 1.4 does not reflect expression indexes on SQLite ("Skipped unsupported reflection").
    ours: ['create_index ix_tags_name_lower'],
    alembic: [],
  });
  assert.match(text, /with op\.batch_alter_table\('posts', schema=None\) as batch_op:/);
  assert.ok(written.reviews.some((r) => /column\(s\) legacy dropped and summary added/.test(r)), 'a drop and an add on one table may be a rename');
});

test('PostgreSQL: the revision written from the difference upgrades the base database to the changed one and back; Alembic finds the same changes', async () => {
  const { text, written } = await roundTrip('postgresql', postgresDatabase(await pg.url('base')), postgresDatabase(await pg.url('changed')), {
    // Alembic 1.8 fails comparing a reflected enum default on PostgreSQL, so the reference runs with
    // compare_server_default off (the new default of users.score); SQLAlchemy 1.4 does not reflect
    // expression indexes on PostgreSQL either.
    ours: ['alter_column users.score', 'create_index ix_tags_name_lower'],
    alembic: [],
  });
  assert.match(text, /op\.execute\("ALTER TYPE post_status ADD VALUE 'review' BEFORE 'published'"\)\n {4}op\.execute\("ALTER TYPE post_status ADD VALUE 'archived'"\)/);
  assert.match(text, /from sqlalchemy\.dialects import postgresql/);
  assert.ok(written.reviews.some((r) => /post_status gets the label\(s\) 'review', 'archived'/.test(r)));
  assert.ok(written.reviews.some((r) => /^downgrade: enum type post_status is rebuilt/.test(r)));
});

test('no difference: nothing is written, and the message says so', async () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'autogen-db-'));
  const dir = copyFixture();
  const db = sqliteDatabase(path.join(work, 'same.db'));
  await upgrade(scripts(dir, db.url), 'head', { backups: 0 });
  const s = await db.snapshot();
  const before = fs.readdirSync(path.join(dir, 'alembic/versions'));
  const r = revisionFromDifference(scripts(dir, db.url), s, s, 'nothing');
  assert.equal(r.path, undefined);
  assert.match(r.message, /No changes in schema detected/);
  assert.deepEqual(fs.readdirSync(path.join(dir, 'alembic/versions')), before);
  assert.throws(() => revisionFromDifference(scripts(dir, db.url), s, emptySnapshot('postgresql'), 'mixed'), /Cannot compare a sqlite schema with a postgresql one/);
  assert.deepEqual(fs.readdirSync(path.join(dir, 'alembic/versions')), before);
});

const CONVENTION_ENV = 'from sqlalchemy import MetaData\n\ntarget_metadata = MetaData(naming_convention={"ix": "ix_%(column_0_label)s", "uq": "uq_%(table_name)s_%(column_0_name)s"})\n';

for (const kind of ['sqlite', 'postgresql'] as const) {
  test(`${kind}: a table with a column of every type, defaults and indexes, in a project with a naming convention: written with op.f(), built again column for column, and dropped again`, async () => {
    const dir = copyFixture();
    fs.rmSync(path.join(dir, 'alembic/versions'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'alembic/versions'));
    fs.writeFileSync(path.join(dir, 'alembic/env.py'), CONVENTION_ENV);
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'autogen-db-'));
    const [base, changed] = kind === 'sqlite'
      ? [sqliteDatabase(path.join(work, 'base.db')), sqliteDatabase(path.join(work, 'changed.db'))]
      : [postgresDatabase(await pg.url('types_base')), postgresDatabase(await pg.url('types_changed'))];
    await changed.exec(`${TYPE_TABLES[kind]};
      CREATE TABLE d (id integer PRIMARY KEY, n integer DEFAULT 7 NOT NULL, s varchar(10) DEFAULT 'x', flag boolean DEFAULT ${kind === 'sqlite' ? '0' : 'false'});
      CREATE INDEX ix_t_c_int ON t (c_int);
      CREATE UNIQUE INDEX ix_d_s ON d (s);`);
    const before = await base.snapshot();
    const after = await changed.snapshot();
    const written = revisionFromDifference(scripts(dir, base.url), before, after, 'every type', { revId: NEW_REV });
    const text = fs.readFileSync(written.path!, 'utf8');
    assert.match(text, kind === 'sqlite' ? /batch_op\.create_index\(batch_op\.f\('ix_t_c_int'\), \['c_int'\], unique=False\)/ : /op\.create_index\(op\.f\('ix_t_c_int'\), 't', \['c_int'\], unique=False\)/);
    assert.match(text, /sa\.PrimaryKeyConstraint\('id'(, name=op\.f\('d_pkey'\))?\)/);
    await upgrade(scripts(dir, base.url), 'head', { backups: 0 });
    assert.deepEqual(messages(after, await base.snapshot()), []);
    await downgrade(scripts(dir, base.url), 'base', { backups: 0 });
    assert.deepEqual(messages(before, await base.snapshot()), []);
  });
}

const RISKY: Record<'sqlite' | 'postgresql', string> = {
  sqlite: `
    CREATE TABLE users_new (
\tid INTEGER NOT NULL, 
\temail VARCHAR(50) NOT NULL, 
\tname VARCHAR(20) NOT NULL, 
\tscore INTEGER DEFAULT '0', 
\tcode VARCHAR(5) NOT NULL, 
\tCONSTRAINT pk_users PRIMARY KEY (id)
);
    DROP TABLE users;
    ALTER TABLE users_new RENAME TO users;
    CREATE TABLE posts_new (
\tid INTEGER NOT NULL, 
\tuser_id INTEGER, 
\ttitle VARCHAR(100) NOT NULL, 
\tlegacy INTEGER, 
\tstatus VARCHAR(9) DEFAULT 'draft' NOT NULL, 
\tCONSTRAINT pk_posts PRIMARY KEY (id), 
\tCONSTRAINT fk_posts_user_id_users FOREIGN KEY(user_id) REFERENCES users (id)
);
    DROP TABLE posts;
    ALTER TABLE posts_new RENAME TO posts;
    CREATE INDEX ix_posts_title ON posts (title);`,
  postgresql: `
    ALTER TABLE users ALTER COLUMN name TYPE varchar(20), ALTER COLUMN name SET NOT NULL;
    ALTER TABLE users ADD COLUMN code varchar(5) NOT NULL;
    ALTER TABLE users DROP CONSTRAINT uq_users_email;
    ALTER TABLE posts ALTER COLUMN legacy TYPE integer USING legacy::integer;
    ALTER TABLE posts DROP CONSTRAINT ck_posts_title_len;
    ALTER TYPE post_status RENAME VALUE 'published' TO 'public';`,
};

for (const kind of ['sqlite', 'postgresql'] as const) {
  test(`${kind}: changes that may lose data or fail on rows are written with their review notes, and still run both ways`, async () => {
    const dir = copyFixture();
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'autogen-db-'));
    const [base, changed] = kind === 'sqlite'
      ? [sqliteDatabase(path.join(work, 'base.db')), sqliteDatabase(path.join(work, 'changed.db'))]
      : [postgresDatabase(await pg.url('risky_base')), postgresDatabase(await pg.url('risky_changed'))];
    await upgrade(scripts(dir, base.url), 'head', { backups: 0 });
    await upgrade(scripts(dir, changed.url), 'head', { backups: 0 });
    await changed.exec(RISKY[kind]);
    const before = await base.snapshot();
    const after = await changed.snapshot();
    const written = revisionFromDifference(scripts(dir, base.url), before, after, 'risky', { revId: NEW_REV });
    const text = fs.readFileSync(written.path!, 'utf8');
    const notes = [
      /^column posts\.legacy changes type from text to integer: existing values may not convert/i,
      /^column users\.name changes type from (VARCHAR|character varying)\(50\) to (VARCHAR|character varying)\(20\)/,
      /^column users\.name becomes NOT NULL: this fails if a row holds NULL there/,
      /^column users\.code is added NOT NULL without a default: this fails if the table has rows/,
      ...(kind === 'postgresql' ? [/^enum type post_status is rebuilt \(labels 'published' removed\)/, /^downgrade: enum type post_status is rebuilt \(labels 'public' removed\)/] : []),
    ];
    assert.deepEqual(notes.filter((n) => !written.reviews.some((r) => n.test(r))), [], 'every risky change has its note');
    assert.ok(!written.reviews.some((r) => /^downgrade: column (posts\.legacy|users\.name) changes type/.test(r)), 'widening back (to text, to a longer string) is safe');
    assert.equal(text.match(/# review: /g)?.length, written.reviews.length);
    if (kind === 'postgresql') assert.match(text, /postgresql_using='legacy::integer'/);

    await upgrade(scripts(dir, base.url), 'head', { backups: 0 });
    assert.deepEqual(messages(after, await base.snapshot()), []);
    await downgrade(scripts(dir, base.url), '-1', { backups: 0 });
    assert.deepEqual(messages(before, await base.snapshot()), []);
    // The stairway with a row in every table fails where a note said it would (a NOT NULL column
    // without a value for the row); without rows it passes.
    const stairway = (rows: boolean) => verify(scripts(dir, base.url), { databases: [kind], revisions: [NEW_REV], rows, postgres: { mode: 'server', url: PGURL } });
    const [withRows] = (await stairway(true)).results;
    assert.deepEqual(withRows.failures.map((f) => f.check), ['upgrade-with-rows']);
    assert.match(withRows.failures[0].message, kind === 'sqlite' ? /NOT NULL constraint failed: _alembic_tmp_users\.name/ : /column "code" of relation "users" contains null values/);
    assert.deepEqual((await stairway(false)).results.map((r) => [r.status, r.failures]), [['passed', []]]);
  });
}

const LINKED: Record<'sqlite' | 'postgresql', string> = {
  sqlite: `
    CREATE TABLE z_parent (id INTEGER NOT NULL, note TEXT, CONSTRAINT pk_z_parent PRIMARY KEY (id));
    CREATE TABLE a_child (id INTEGER NOT NULL, parent_id INTEGER, CONSTRAINT pk_a_child PRIMARY KEY (id),
      CONSTRAINT fk_a_child_parent FOREIGN KEY(parent_id) REFERENCES z_parent (id) ON DELETE SET NULL ON UPDATE CASCADE);
    CREATE TABLE c1 (id INTEGER NOT NULL, c2_id INTEGER, CONSTRAINT pk_c1 PRIMARY KEY (id), CONSTRAINT fk_c1_c2 FOREIGN KEY(c2_id) REFERENCES c2 (id));
    CREATE TABLE c2 (id INTEGER NOT NULL, c1_id INTEGER, CONSTRAINT pk_c2 PRIMARY KEY (id), CONSTRAINT fk_c2_c1 FOREIGN KEY(c1_id) REFERENCES c1 (id));`,
  postgresql: `
    CREATE TABLE z_parent (id integer PRIMARY KEY, note text);
    COMMENT ON TABLE z_parent IS 'parents';
    CREATE TABLE a_child (id integer PRIMARY KEY, parent_id integer,
      CONSTRAINT fk_a_child_parent FOREIGN KEY (parent_id) REFERENCES z_parent (id) ON DELETE SET NULL ON UPDATE CASCADE DEFERRABLE INITIALLY DEFERRED);
    CREATE TABLE c1 (id integer PRIMARY KEY, c2_id integer);
    CREATE TABLE c2 (id integer PRIMARY KEY, c1_id integer CONSTRAINT fk_c2_c1 REFERENCES c1 (id));
    ALTER TABLE c1 ADD CONSTRAINT fk_c1_c2 FOREIGN KEY (c2_id) REFERENCES c2 (id);
    CREATE VIEW parent_notes AS SELECT id, note FROM z_parent;
    CREATE SEQUENCE invoice_numbers INCREMENT BY 5 START WITH 100;
    CREATE TYPE grade AS ENUM ('low', 'high');
    CREATE TABLE other.items (id integer PRIMARY KEY, parent_id integer REFERENCES z_parent (id), grade grade);
    CREATE INDEX ix_items_parent ON other.items (parent_id);
    ALTER TABLE a_child ADD COLUMN item_id integer CONSTRAINT fk_a_child_item REFERENCES other.items (id);`,
};

for (const kind of ['sqlite', 'postgresql'] as const) {
  test(`${kind}: tables that refer to each other (in name order, in a cycle, across schemas), a view and a sequence are created in an order that runs, and dropped in the reverse`, async () => {
    const dir = copyFixture();
    fs.rmSync(path.join(dir, 'alembic/versions'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'alembic/versions'));
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'autogen-db-'));
    const [base, changed] = kind === 'sqlite'
      ? [sqliteDatabase(path.join(work, 'base.db')), sqliteDatabase(path.join(work, 'changed.db'))]
      : [postgresDatabase(await pg.url('linked_base')), postgresDatabase(await pg.url('linked_changed'))];
    // Schemas are the database's, not the revision's (Alembic does not create them either).
    if (kind === 'postgresql') for (const db of [base, changed]) await db.exec('CREATE SCHEMA other');
    await changed.exec(LINKED[kind]);
    const before = await base.snapshot();
    const after = await changed.snapshot();
    const r = autogenerate(before, after, { dialect: kind, useOpF: false, batch: true });
    const created = r.upgradeOps.filter((o) => o.kind === 'create_table').map((o) => o.object);
    assert.ok(created.indexOf('z_parent') < created.indexOf('a_child'), 'a table after the one it refers to');
    if (kind === 'postgresql') {
      // The cycle is cut: one of its keys is created after both tables (and dropped before them).
      assert.deepEqual(r.upgradeOps.filter((o) => o.kind === 'create_foreign_key').map((o) => o.object), ['c2(c1_id) -> c1']);
      assert.deepEqual(r.downgradeOps.filter((o) => o.kind === 'drop_constraint').map((o) => o.object), ['fk_c2_c1']);
    }
    revisionFromDifference(scripts(dir, base.url), before, after, 'linked', { revId: NEW_REV });
    await upgrade(scripts(dir, base.url), 'head', { backups: 0 });
    assert.deepEqual(messages(after, await base.snapshot()), []);
    await downgrade(scripts(dir, base.url), 'base', { backups: 0 });
    assert.deepEqual(messages(before, await base.snapshot()), []);
  });
}
