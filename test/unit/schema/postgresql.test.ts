/**
 * PostgreSQL introspection, the same checks on the real server (node-pg, a database of its own)
 * and on PGlite (PostgreSQL 18 in WASM): every kind of object read back exactly, a second schema,
 * the version table left out, and the changes a bad downgrade leaves told in words.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { POSTGRESQL } from '../../../src/engine/dialects';
import { AFTER_DOWNGRADE_WORDING, diffRowCounts, diffSnapshots } from '../../../src/engine/schema/diff';
import type { SchemaSnapshot } from '../../../src/engine/schema/snapshot';
import { pgliteDb, postgresDb, type TestDb } from './databases';
import { PG_SCHEMA } from './fixtures';
import { countRows } from './rows';

const snap = (db: TestDb) => POSTGRESQL.introspect(db, { exclude: [{ table: 'alembic_version' }] });

const EXPECTED: SchemaSnapshot = {
  dialect: 'postgresql',
  tables: {
    users: {
      name: 'users',
      comment: 'People who log in',
      columns: [
        { name: 'id', type: 'integer', nullable: false, identity: 'always' },
        { name: 'email', type: 'character varying(100)', nullable: false, comment: 'Where mail goes' },
        { name: 'name', type: 'character varying(50)', nullable: true },
        { name: 'mood', type: 'mood', nullable: true, default: "'ok'::mood" },
        { name: 'score', type: 'numeric(10,2)', nullable: true, default: '0' },
        { name: 'email_lower', type: 'text', nullable: true, generated: 'lower((email)::text)' },
        { name: 'created_at', type: 'timestamp with time zone', nullable: true, default: 'now()' },
      ],
      primaryKey: { name: 'pk_users', columns: ['id'] },
      foreignKeys: [],
      uniques: [{ name: 'uq_users_email', columns: ['email'] }, { name: 'users_name_created_at_key', columns: ['name', 'created_at'] }],
      checks: [{ name: 'ck_users_score', sql: '(score >= (0)::numeric)' }],
      indexes: [{ name: 'ux_users_lower_email', unique: true, columns: ['lower(email::text)'], definition: 'CREATE UNIQUE INDEX ux_users_lower_email ON public.users USING btree (lower((email)::text))' }],
    },
    orders: {
      name: 'orders',
      columns: [
        { name: 'id', type: 'integer', nullable: false, default: "nextval('orders_id_seq'::regclass)" },
        { name: 'user_id', type: 'integer', nullable: false },
        { name: 'parent_id', type: 'integer', nullable: true },
        { name: 'total', type: 'numeric(10,2)', nullable: false },
        { name: 'note', type: 'text', nullable: true },
        { name: 'ref', type: 'bigint', nullable: false, identity: 'by default' },
      ],
      primaryKey: { name: 'orders_pkey', columns: ['id'] },
      foreignKeys: [
        { name: 'fk_orders_user', columns: ['user_id'], referredTable: 'users', referredColumns: ['id'], onDelete: 'CASCADE', onUpdate: 'RESTRICT', deferrable: true, initiallyDeferred: true },
        { name: 'orders_parent_id_fkey', columns: ['parent_id'], referredTable: 'orders', referredColumns: ['id'], onDelete: 'SET NULL' },
      ],
      uniques: [],
      checks: [{ name: 'orders_total_check', sql: '(total > (0)::numeric)' }],
      indexes: [
        { name: 'ix_orders_open', unique: false, columns: ['note'], where: 'note IS NOT NULL AND total > 10::numeric', definition: 'CREATE INDEX ix_orders_open ON public.orders USING btree (note) WHERE ((note IS NOT NULL) AND (total > (10)::numeric))' },
        { name: 'ix_orders_user', unique: false, columns: ['user_id', 'total'], definition: 'CREATE INDEX ix_orders_user ON public.orders USING btree (user_id, total DESC)' },
      ],
    },
    'audit.events': {
      name: 'events',
      schema: 'audit',
      columns: [
        { name: 'id', type: 'bigint', nullable: false, default: "nextval('audit.events_id_seq'::regclass)" },
        { name: 'user_id', type: 'integer', nullable: true },
        { name: 'kind', type: 'mood', nullable: false },
      ],
      primaryKey: { name: 'events_pkey', columns: ['id'] },
      foreignKeys: [{ name: 'events_user_id_fkey', columns: ['user_id'], referredTable: 'users', referredColumns: ['id'] }],
      uniques: [],
      checks: [],
      indexes: [{ name: 'ix_events_kind', unique: false, columns: ['kind'], definition: 'CREATE INDEX ix_events_kind ON audit.events USING btree (kind)' }],
    },
  },
  enums: { mood: ['sad', 'ok', 'happy'] },
  // Only the free-standing sequence: SERIAL and identity sequences belong to their columns.
  sequences: { invoice_numbers: { start: '1000', increment: '10' } },
  views: {},
};

/** pg_get_viewdef qualifies column names on PostgreSQL 15 and not on 18: compared without that. */
const VIEW = 'SELECT id, total FROM orders WHERE total > 100::numeric;';
const viewText = (s: string) => s.replace(/\s+/g, ' ').trim().replace(/orders\./g, '');

async function fixture(open: () => Promise<TestDb>): Promise<TestDb> {
  const db = await open();
  await db.exec(PG_SCHEMA);
  await db.exec('CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))');
  await db.exec("INSERT INTO users (email, name) VALUES ('a@x', 'A'); INSERT INTO orders (user_id, total) SELECT id, 5 FROM users; INSERT INTO orders (user_id, total) SELECT id, 500 FROM users");
  return db;
}

for (const [label, open] of [['server', () => postgresDb()], ['PGlite', pgliteDb]] as const) {
  test(`PostgreSQL (${label}): every kind of object is read back, a snapshot taken twice is the same`, async () => {
    const db = await fixture(open);
    try {
      const s = await snap(db);
      const { big_orders: view, ...views } = s.views;
      assert.equal(viewText(view), VIEW);
      assert.deepEqual({ ...s, views }, EXPECTED);
      assert.deepEqual(diffSnapshots(s, await snap(db)), []);
      assert.deepEqual(await snap(db), s);
      // Excluded with its schema; without one, the table in the current schema.
      const all = await POSTGRESQL.introspect(db, { exclude: [{ table: 'events', schema: 'audit' }] });
      assert.deepEqual(Object.keys(all.tables).sort(), ['alembic_version', 'orders', 'users']);
    } finally { await db.close(); }
  });

  test(`PostgreSQL (${label}): what a bad downgrade leaves behind, in words`, async () => {
    const db = await fixture(open);
    try {
      const before = await countRows(db, await snap(db));
      await db.exec(`
        CREATE INDEX ix_users_name ON users (name);
        CREATE TYPE status AS ENUM ('new', 'paid');
        ALTER TYPE mood ADD VALUE 'angry';
        ALTER TABLE users ADD COLUMN is_verified boolean;
        ALTER TABLE users ALTER COLUMN name TYPE varchar(100);
        COMMENT ON COLUMN users.email IS NULL;
        ALTER TABLE users DROP CONSTRAINT ck_users_score, ADD CONSTRAINT ck_users_score CHECK (score >= 0 AND score < 1000);
        ALTER TABLE orders DROP CONSTRAINT fk_orders_user,
          ADD CONSTRAINT fk_orders_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE SET NULL ON UPDATE RESTRICT;
        DROP INDEX ix_orders_open;
        DROP VIEW big_orders;
        CREATE SEQUENCE leftover_seq;
        CREATE TABLE audit.archive (id int);
        DELETE FROM orders;`);
      const after = await countRows(db, await snap(db));
      assert.deepEqual(diffSnapshots(before, after, AFTER_DOWNGRADE_WORDING).map((d) => d.message), [
        'table audit.archive is still there',
        'foreign key fk_orders_user on orders: ON DELETE is SET NULL, expected CASCADE',
        'foreign key fk_orders_user on orders: deferrability is NOT DEFERRABLE, expected DEFERRABLE INITIALLY DEFERRED',
        'index ix_orders_open on orders is missing',
        "column users.email: comment is none, expected 'Where mail goes'",
        'column users.name: type is character varying(100), expected character varying(50)',
        'column users.is_verified is still there',
        'check constraint ck_users_score on users: condition is ((score >= (0)::numeric) AND (score < (1000)::numeric)), expected (score >= (0)::numeric)',
        'index ix_users_name on users is still there',
        "enum type mood: label list is ('sad', 'ok', 'happy', 'angry'), expected ('sad', 'ok', 'happy')",
        'enum type status is still there',
        'sequence leftover_seq is still there',
        'view big_orders is missing',
      ]);
      assert.deepEqual(diffRowCounts(before, after).map((d) => d.message), ['table orders lost its rows (2 before, 0 after)']);
    } finally { await db.close(); }
  });
}

test('PostgreSQL (server): objects an extension owns are left out', async () => {
  const db = await postgresDb('_ext');
  try {
    const empty = await snap(db);
    // pg_stat_statements brings views; hstore a type and functions; neither is the project's schema.
    await db.exec('CREATE EXTENSION pg_stat_statements; CREATE EXTENSION hstore; CREATE TABLE kv (id int PRIMARY KEY, h hstore)');
    const s = await snap(db);
    assert.deepEqual(s.views, {});
    assert.deepEqual(diffSnapshots(empty, s, AFTER_DOWNGRADE_WORDING).map((d) => d.message), ['table kv is still there']);
  } finally { await db.close(); }
});
