/**
 * `op.sync_enum_values(...)` of the alembic_postgresql_enum package (pip only, so not installable
 * here: the reference is the package's source). On real PostgreSQL: the statements `--sql` writes
 * are the ones the package's `sql_commands/` build, text for text (whitespace aside), and run
 * online they leave what the package leaves: the type's new values in order, rows and array
 * elements renamed, the default set again on the new type, no `_old` type or helper operator
 * left; with (table, column) pairs, each column's default read from the database first; down and up again. On SQLite the package does nothing, and neither does the engine.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { testDatabases } from '../support/pgDatabases';
import { REPO, runOurs } from './oracle';

const databases = testDatabases('enumvalues');

function project(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'enumvalues-'));
  fs.cpSync(path.join(REPO, 'test/fixtures/enumvalues'), dir, { recursive: true });
  fs.copyFileSync(path.join(REPO, 'test/fixtures/migrate/shop/alembic/env.py'), path.join(dir, 'alembic', 'env.py'));
  return dir;
}

/** The package's statements for b2's upgrade, as its f-strings build them (sql_commands/enum_type.py, comparison_operators.py, column_default.py). */
const PACKAGE_UPGRADE = [
  `ALTER TYPE "public"."status" RENAME TO status_old`,
  `CREATE TYPE "public"."status" AS ENUM('active', 'inactive', 'archived', 'banned')`,
  `CREATE FUNCTION new_old_not_equals(
       new_enum_val "public"."status", old_enum_val "public"."status_old"
   )
   RETURNS boolean AS $$
       SELECT new_enum_val::text != CASE
           WHEN old_enum_val::text = 'old' THEN 'archived'

           ELSE old_enum_val::text
       END;
   $$ LANGUAGE SQL IMMUTABLE`,
  `CREATE OPERATOR != (
       leftarg = "public"."status",
       rightarg = "public"."status_old",
       procedure = new_old_not_equals
   )`,
  `CREATE FUNCTION new_old_equals(
       new_enum_val "public"."status", old_enum_val "public"."status_old"
   )
   RETURNS boolean AS $$
       SELECT new_enum_val::text = CASE
           WHEN old_enum_val::text = 'old' THEN 'archived'

           ELSE old_enum_val::text
       END;
   $$ LANGUAGE SQL IMMUTABLE`,
  `CREATE OPERATOR = (
       leftarg = "public"."status",
       rightarg = "public"."status_old",
       procedure = new_old_equals
   )`,
  `ALTER TABLE "public"."accounts"
             ALTER COLUMN "status" DROP DEFAULT`,
  `ALTER TABLE "public"."accounts"
                ALTER COLUMN "status" TYPE "public"."status"
                USING CASE
                WHEN "status"::text = 'old' THEN 'archived'::"public"."status"

                ELSE "status"::text::"public"."status"
                END`,
  `ALTER TABLE "public"."accounts"
            ALTER COLUMN "status" SET DEFAULT 'active'::public.status`,
  `ALTER TABLE "public"."accounts"
            ALTER COLUMN "history" TYPE "public"."status"[]
            USING array_replace("history"::text[], 'old', 'archived')::"public"."status"[]`,
  `DROP FUNCTION new_old_not_equals(
            new_enum_val "public"."status", old_enum_val "public"."status_old"
        ) CASCADE`,
  `DROP FUNCTION new_old_equals(
            new_enum_val "public"."status", old_enum_val "public"."status_old"
        ) CASCADE`,
  `DROP TYPE "public"."status_old"`,
];

/** Whitespace aside: runs of it as one space, none inside parentheses' edges. */
const norm = (s: string) => s.replace(/\s+/g, ' ').replace(/\( /g, '(').replace(/ \)/g, ')').trim();

test('--sql writes the package\'s statements on PostgreSQL, and nothing on SQLite (the package skips other databases)', async () => {
  const dir = project();
  const [pg] = await runOurs([{ cwd: dir, argv: ['upgrade', 'a1:b2', '--sql'], env: { DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/unused' } }]);
  assert.equal(pg.code, 0, pg.stderr);
  const body = pg.stdout.split('-- Running upgrade a1 -> b2')[1].split('UPDATE alembic_version')[0];
  const ours = body.split(/;\n/).map(norm).filter(Boolean);
  assert.deepEqual(ours, PACKAGE_UPGRADE.map(norm));
  const [lite] = await runOurs([{ cwd: dir, argv: ['upgrade', 'a1:b2', '--sql'], env: { DATABASE_URL: 'sqlite:///unused.db' } }]);
  assert.equal(lite.code, 0, lite.stderr);
  assert.doesNotMatch(lite.stdout, /TYPE|FUNCTION|OPERATOR/);
  // (table, column) pairs: the package reads each column's default first, which --sql cannot (Alembic's offline mode fails there too).
  const [pairs] = await runOurs([{ cwd: dir, argv: ['upgrade', 'b2:c3', '--sql'], env: { DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/unused' } }]);
  assert.notEqual(pairs.code, 0);
  assert.match(pairs.stdout + pairs.stderr, /c3_pairs\.py:\d+ \(c3\): conn\.execute\(\.\.\.\)\.scalar: it reads from the database while the migration runs/);
});

async function facts(url: string): Promise<unknown> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    const q = async (sql: string) => (await c.query(sql)).rows;
    return {
      labels: (await q(`SELECT e.enumlabel FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid WHERE t.typname = 'status' ORDER BY e.enumsortorder`)).map((r) => r.enumlabel),
      leftovers: await q(`SELECT typname FROM pg_type WHERE typname LIKE 'status_old%' UNION ALL SELECT proname FROM pg_proc WHERE proname LIKE 'new_old_%' UNION ALL SELECT oprname FROM pg_operator o JOIN pg_type t ON t.oid = o.oprleft WHERE t.typname = 'status'`),
      columns: await q(`SELECT column_name, udt_name, column_default FROM information_schema.columns WHERE table_name = 'accounts' ORDER BY ordinal_position`),
      rows: await q(`SELECT id, status::text, history::text FROM accounts ORDER BY id`),
    };
  } finally { await c.end(); }
}

test('run online on PostgreSQL: values replaced and renamed in rows, arrays and the default; down and up again', async () => {
  const dir = project();
  const url = await databases.url('ours');
  const run = async (...argv: string[]) => {
    const [r] = await runOurs([{ cwd: dir, argv, env: { DATABASE_URL: url } }]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
  };
  await run('upgrade', 'a1');
  const before = await facts(url);
  await run('upgrade', 'b2');
  const up = facts(url);
  assert.deepEqual(await up, {
    labels: ['active', 'inactive', 'archived', 'banned'],
    leftovers: [],
    columns: [
      { column_name: 'id', udt_name: 'int4', column_default: "nextval('accounts_id_seq'::regclass)" },
      { column_name: 'status', udt_name: 'status', column_default: "'active'::status" },
      { column_name: 'history', udt_name: '_status', column_default: null },
    ],
    rows: [{ id: 1, status: 'active', history: '{active,archived}' }, { id: 2, status: 'archived', history: '{archived}' }, { id: 3, status: 'inactive', history: null }],
  });
  await run('upgrade', 'c3');
  const pairs = await facts(url) as { labels: string[]; columns: unknown[] };
  assert.deepEqual(pairs.labels, ['active', 'inactive', 'archived', 'banned', 'closed']);
  assert.deepEqual(pairs.columns, (await up as { columns: unknown[] }).columns, 'the default read from the database is set again on the new type');
  await run('downgrade', 'a1');
  assert.deepEqual(await facts(url), before, 'the downgrade restores the type, rows and default');
  await run('upgrade', 'b2');
  assert.deepEqual(await facts(url), await up);
});
