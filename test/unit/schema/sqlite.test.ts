/**
 * SQLite introspection through sql.js: every kind of object the snapshot holds, read back exactly;
 * a table rebuilt the way batch mode does (other quoting, spacing, case) reads the same; and the
 * changes a bad downgrade leaves are told in the words a user sees.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SQLITE } from '../../../src/engine/dialects';
import { recreateStatements } from '../../../src/engine/ops/sqliteBatch';
import { AFTER_DOWNGRADE_WORDING, describeTable, diffRowCounts, diffSnapshots, SECOND_UPGRADE_WORDING } from '../../../src/engine/schema/diff';
import type { SchemaSnapshot } from '../../../src/engine/schema/snapshot';
import { sqliteDb, type TestDb } from './databases';
import { SQLITE_SCHEMA } from './fixtures';
import { countRows } from './rows';

const snap = (db: TestDb) => SQLITE.introspect(db, { exclude: [{ table: 'alembic_version' }] });

async function fixture(): Promise<TestDb> {
  const db = await sqliteDb();
  await db.exec(SQLITE_SCHEMA);
  await db.exec("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)); INSERT INTO alembic_version VALUES ('1a2b3c4d5e6f')");
  await db.exec("INSERT INTO users (id, email, name) VALUES (1, 'a@x', 'A'); INSERT INTO orders (user_id, total) VALUES (1, 5), (1, 500)");
  return db;
}

const EXPECTED: SchemaSnapshot = {
  dialect: 'sqlite',
  tables: {
    users: {
      name: 'users',
      columns: [
        { name: 'id', type: 'INTEGER', nullable: false },
        { name: 'email', type: 'VARCHAR(100)', nullable: false },
        { name: 'name', type: 'VARCHAR(50)', nullable: true },
        { name: 'status', type: 'VARCHAR(8)', nullable: true, default: "'active'" },
        { name: 'score', type: 'NUMERIC(10, 2)', nullable: true, default: '0' },
        { name: 'email_lower', type: 'TEXT', nullable: true, generated: 'lower(email)' },
        { name: 'created_at', type: 'DATETIME', nullable: true, default: 'CURRENT_TIMESTAMP' },
      ],
      primaryKey: { name: 'pk_users', columns: ['id'] },
      foreignKeys: [],
      uniques: [{ name: 'uq_users_email', columns: ['email'] }, { columns: ['name', 'created_at'] }],
      checks: [{ name: 'ck_users_score', sql: 'score >= 0' }, { sql: "status IN ('active', 'gone')" }],
      indexes: [{ name: 'ux_users_lower_email', unique: true, columns: ['lower(email)'] }],
    },
    orders: {
      name: 'orders',
      columns: [
        { name: 'id', type: 'INTEGER', nullable: false },
        { name: 'user_id', type: 'INTEGER', nullable: false },
        { name: 'parent_id', type: 'INTEGER', nullable: true },
        { name: 'total', type: 'NUMERIC(10, 2)', nullable: false },
        { name: 'note', type: 'TEXT', nullable: true },
      ],
      primaryKey: { columns: ['id'] },
      foreignKeys: [
        { name: 'fk_orders_user', columns: ['user_id'], referredTable: 'users', referredColumns: ['id'], onDelete: 'CASCADE', onUpdate: 'RESTRICT', deferrable: true, initiallyDeferred: true },
        // `REFERENCES orders` without columns: the referred table's primary key.
        { columns: ['parent_id'], referredTable: 'orders', referredColumns: ['id'], onDelete: 'SET NULL' },
      ],
      uniques: [],
      checks: [{ sql: 'total > 0' }],
      indexes: [
        { name: 'ix_orders_open', unique: false, columns: ['note COLLATE NOCASE'], where: 'note IS NOT NULL AND total > 10' },
        { name: 'ix_orders_user', unique: false, columns: ['user_id', 'total DESC'] },
      ],
    },
  },
  enums: {},
  sequences: {},
  views: { big_orders: 'SELECT id, total FROM orders WHERE total > 100' },
};

test('SQLite: every kind of object is read back, internal tables and the version table left out', async () => {
  const db = await fixture();
  try {
    assert.deepEqual(await snap(db), EXPECTED);
    const all = await SQLITE.introspect(db, {});
    assert.deepEqual(Object.keys(all.tables).sort(), ['alembic_version', 'orders', 'users'], 'sqlite_sequence is internal');
    assert.deepEqual(all.tables.alembic_version.primaryKey, { name: 'alembic_version_pkc', columns: ['version_num'] });
  } finally { await db.close(); }
});

test('SQLite: a snapshot taken twice is the same', async () => {
  const db = await fixture();
  try {
    const a = await snap(db);
    const b = await snap(db);
    assert.deepEqual(b, a);
    assert.deepEqual(diffSnapshots(a, b), []);
  } finally { await db.close(); }
});

test('SQLite: a table rebuilt batch-style with other quoting, spacing and case reads the same', async () => {
  const db = await fixture();
  try {
    const before = await snap(db);
    await db.exec(`
      CREATE TABLE "_alembic_tmp_users" (
        "id" INTEGER NOT NULL,  "email" varchar( 100 ) NOT NULL, [name] VARCHAR(50),
        "status" VARCHAR(8) DEFAULT ('active'),
        "score" NUMERIC(10,2) DEFAULT (0),
        "email_lower" TEXT GENERATED ALWAYS AS (lower("email")) VIRTUAL,
        "created_at" DATETIME DEFAULT (CURRENT_TIMESTAMP),
        CONSTRAINT "pk_users" PRIMARY KEY ("id"),
        CONSTRAINT "uq_users_email" UNIQUE ("email"),
        UNIQUE ("name", "created_at"),
        CONSTRAINT "ck_users_score" CHECK ("score">=0),
        CHECK ( "status" IN ( 'active','gone' ) )
      );
      INSERT INTO "_alembic_tmp_users" (id, email, name) SELECT id, email, name FROM users;
      DROP TABLE users;
      ALTER TABLE "_alembic_tmp_users" RENAME TO users;
      CREATE UNIQUE INDEX "ux_users_lower_email" ON "users" ( lower( "email" ) );
      DROP VIEW big_orders;
      CREATE TABLE "_alembic_tmp_orders" (
        "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, "user_id" INTEGER NOT NULL, "parent_id" INTEGER,
        "total" NUMERIC(10, 2) NOT NULL, "note" TEXT,
        CHECK ("total" > 0),
        CONSTRAINT "fk_orders_user" FOREIGN KEY("user_id") REFERENCES "users" ("id") ON UPDATE RESTRICT ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
        FOREIGN KEY("parent_id") REFERENCES "orders" ("id") ON DELETE SET NULL);
      INSERT INTO "_alembic_tmp_orders" SELECT * FROM orders;
      DROP TABLE orders;
      ALTER TABLE "_alembic_tmp_orders" RENAME TO orders;
      CREATE INDEX ix_orders_user ON orders ("user_id", "total" DESC);
      CREATE INDEX "ix_orders_open" ON "orders" ("note" COLLATE nocase) WHERE "note" IS NOT NULL AND "total">10;
      CREATE VIEW "big_orders" AS SELECT "id", "total" FROM "orders" WHERE "total" > 100;`);
    const after = await snap(db);
    assert.deepEqual(diffSnapshots(before, after, AFTER_DOWNGRADE_WORDING), []);
    assert.notEqual(after.tables.users.columns[1].type, before.tables.users.columns[1].type, 'the declared text did change');
    assert.equal(describeTable('orders', after.tables.orders), 'orders(id INTEGER NOT NULL, user_id INTEGER NOT NULL, parent_id INTEGER, total NUMERIC(10, 2) NOT NULL, note TEXT, PRIMARY KEY (id))');
  } finally { await db.close(); }
});

test("SQLite: the engine's batch-mode rebuild of a table (no change asked) reads the same", async () => {
  const db = await sqliteDb();
  try {
    // As SQLAlchemy's create_table writes it, and by hand with the short type names (INT, BOOL) that
    // a rebuild writes back as SQLAlchemy reflects them (INTEGER, BOOLEAN).
    await db.exec(`CREATE TABLE accounts (
\tid INTEGER NOT NULL, 
\tcode VARCHAR(20) NOT NULL, 
\tbalance NUMERIC(12, 2) DEFAULT '0' NOT NULL, 
\tactive BOOLEAN DEFAULT (1) NOT NULL, 
\tcreated_at DATETIME DEFAULT (CURRENT_TIMESTAMP), 
\tparent_id INTEGER, 
\tCONSTRAINT pk_accounts PRIMARY KEY (id), 
\tCONSTRAINT uq_accounts_code UNIQUE (code), 
\tCONSTRAINT ck_accounts_balance CHECK (balance >= 0), 
\tCONSTRAINT fk_accounts_parent FOREIGN KEY(parent_id) REFERENCES accounts (id) ON DELETE SET NULL
);
      CREATE INDEX ix_accounts_code ON accounts (code);
      CREATE TABLE simple (id INTEGER PRIMARY KEY, n INT DEFAULT 10, flag BOOL, label VARCHAR(30));`);
    for (const table of ['accounts', 'simple']) {
      const before = await snap(db);
      for (const st of await recreateStatements(db, SQLITE, table, [])) await db.exec(st.sql);
      const after = await snap(db);
      assert.deepEqual(diffSnapshots(before, after, AFTER_DOWNGRADE_WORDING), [], table);
    }
    const types = (await snap(db)).tables.simple.columns.map((c) => c.type);
    assert.deepEqual(types, ['INTEGER', 'INTEGER', 'BOOLEAN', 'VARCHAR(30)'], 'the rebuild did write other type names');
  } finally { await db.close(); }
});

test('SQLite: what a bad downgrade leaves behind, in words', async () => {
  const db = await fixture();
  try {
    const before = await countRows(db, await snap(db));
    // A downgrade that rebuilt orders (batch mode) without its rows, with a changed FK action,
    // a changed unnamed CHECK, another type, and one index not recreated; plus leftovers on users.
    await db.exec(`
      DROP VIEW big_orders;
      CREATE TABLE "_alembic_tmp_orders" (
        id INTEGER PRIMARY KEY AUTOINCREMENT, user_id INTEGER NOT NULL,
        parent_id INTEGER REFERENCES orders ON DELETE CASCADE, total NUMERIC(10, 2) NOT NULL, note VARCHAR(20),
        CONSTRAINT fk_orders_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE SET NULL ON UPDATE RESTRICT DEFERRABLE INITIALLY DEFERRED,
        CHECK (total >= 0));
      DROP TABLE orders;
      ALTER TABLE "_alembic_tmp_orders" RENAME TO orders;
      CREATE INDEX ix_orders_user ON orders (user_id, total DESC);
      CREATE VIEW big_orders AS SELECT id, total FROM orders WHERE total > 100;
      ALTER TABLE users ADD COLUMN is_verified BOOLEAN;
      CREATE INDEX ix_users_email ON users (email);`);
    const after = await countRows(db, await snap(db));
    assert.deepEqual(diffSnapshots(before, after, AFTER_DOWNGRADE_WORDING).map((d) => d.message), [
      'column orders.note: type is VARCHAR(20), expected TEXT',
      'foreign key fk_orders_user on orders: ON DELETE is SET NULL, expected CASCADE',
      'foreign key on orders(parent_id) referencing orders(id): ON DELETE is CASCADE, expected SET NULL',
      'check constraint (total > 0) on orders is missing',
      'check constraint (total >= 0) on orders is still there',
      'index ix_orders_open on orders is missing',
      'column users.is_verified is still there',
      'index ix_users_email on users is still there',
    ]);
    assert.deepEqual(diffRowCounts(before, after).map((d) => d.message), ['table orders lost its rows (2 before, 0 after)']);
    // The same two schemas, told as a second upgrade against the first.
    const kinds = diffSnapshots(before, after, SECOND_UPGRADE_WORDING);
    assert.equal(kinds.find((d) => d.object === 'column users.is_verified')?.message, 'column users.is_verified is there now but was not after the first upgrade');
    assert.equal(kinds.find((d) => d.object === 'index ix_orders_open on orders')?.message, 'index ix_orders_open on orders was there after the first upgrade but is not now');
    assert.deepEqual(kinds.map((d) => d.kind), ['changed', 'changed', 'changed', 'missing', 'extra', 'missing', 'extra', 'extra']);
  } finally { await db.close(); }
});

test('SQLite: a dropped table, a left-over table and a changed view', async () => {
  const db = await fixture();
  try {
    const before = await snap(db);
    await db.exec('DROP VIEW big_orders; CREATE VIEW big_orders AS SELECT id FROM orders; CREATE TABLE "tags" (id INTEGER PRIMARY KEY); DROP TABLE users');
    assert.deepEqual(diffSnapshots(before, await snap(db), AFTER_DOWNGRADE_WORDING).map((d) => d.message), [
      'table tags is still there',
      'table users is missing',
      'view big_orders: definition is SELECT id FROM orders, expected SELECT id, total FROM orders WHERE total > 100',
    ]);
  } finally { await db.close(); }
});
