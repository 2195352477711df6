/**
 * TypeScript, JavaScript and SQL revisions run by the embedded engine (migrations/typescript-example:
 * a TypeScript revision with knex, an SQL one, a TypeScript one knex runs as a SQLite table rebuild,
 * then a Python one), on a SQLite file and on PostgreSQL: in one transaction with the Python steps,
 * rolled back as a whole when a TypeScript migration throws.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { REPO, runOurs } from './oracle';

const PGURL = process.env.PGURL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
let admin: Client;
const dbs: string[] = [];
before(async () => { admin = new Client({ connectionString: PGURL }); await admin.connect(); });
after(async () => { for (const d of dbs) await admin.query(`DROP DATABASE IF EXISTS "${d}" WITH (FORCE)`); await admin.end(); });

async function database(kind: 'sqlite' | 'postgresql', root: string, tag: string): Promise<{ url: string; query: (sql: string) => Promise<unknown[][]> }> {
  if (kind === 'sqlite') {
    const url = `sqlite:///${root}/app.db`;
    return {
      url,
      query: async (sql) => {
        const { default: initSqlJs } = await import('sql.js');
        const SQL = await initSqlJs();
        const db = new SQL.Database(fs.readFileSync(`${root}/app.db`));
        const r = db.exec(sql)[0]?.values ?? [];
        db.close();
        return r;
      },
    };
  }
  const name = `migrations_knex_${tag}_${process.pid}`;
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.query(`CREATE DATABASE "${name}"`);
  dbs.push(name);
  const u = new URL(PGURL); u.pathname = `/${name}`;
  return {
    url: u.toString(),
    query: async (sql) => {
      const c = new Client({ connectionString: u.toString() });
      await c.connect();
      const r = await c.query({ text: sql, rowMode: 'array' });
      await c.end();
      return r.rows as unknown[][];
    },
  };
}

function project(): string {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'knex-')));
  fs.cpSync(path.join(REPO, 'migrations/typescript-example'), root, { recursive: true });
  fs.rmSync(path.join(root, 'app.db'), { force: true });
  return root;
}

const TABLES = {
  sqlite: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
  postgresql: "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
};

for (const kind of ['sqlite', 'postgresql'] as const) {
  test(`${kind}: TypeScript (knex), SQL and Python revisions in one graph and one transaction`, { timeout: 60_000 }, async () => {
    const root = project();
    const db = await database(kind, root, 'ok');
    const env = { DATABASE_URL: db.url };
    const [up] = await runOurs([{ cwd: root, argv: ['upgrade', 'head'], env }]);
    assert.equal(up.code, 0, up.stderr);
    assert.match(up.stderr, /Running upgrade {2}-> a1b2c3d4e5f6, create authors and books\n.*Running upgrade a1b2c3d4e5f6 -> b2c3d4e5f6a7, books: publication year\n.*-> c3d4e5f6a7b8, authors: drop country\n.*-> d4e5f6a7b8c9, reviews/);
    assert.deepEqual((await db.query(TABLES[kind])).map((r) => r[0]), ['alembic_version', 'authors', 'books', 'reviews']);
    // knex rebuilt authors on SQLite (dropColumn): the books pointing at them are all still there.
    assert.deepEqual(await db.query('SELECT b.title, b.published, a.name FROM books b JOIN authors a ON a.id = b.author_id ORDER BY b.id'),
      [['The Dispossessed', 1974, 'Ursula K. Le Guin'], ['Solaris', 1961, 'Stanisław Lem']]);
    assert.deepEqual(await db.query('SELECT version_num FROM alembic_version'), [['d4e5f6a7b8c9']]);
    const [down] = await runOurs([{ cwd: root, argv: ['downgrade', 'base'], env }]);
    assert.equal(down.code, 0, down.stderr);
    assert.deepEqual((await db.query(TABLES[kind])).map((r) => r[0]), ['alembic_version']);
    fs.rmSync(root, { recursive: true, force: true });
  });

  test(`${kind}: a TypeScript migration that throws rolls the whole run back, Python and SQL steps included`, { timeout: 60_000 }, async () => {
    const root = project();
    const db = await database(kind, root, 'fail');
    const env = { DATABASE_URL: db.url };
    await runOurs([{ cwd: root, argv: ['upgrade', 'a1b2c3d4e5f6'], env }]);
    const loaded = path.join(root, 'module-loaded');
    fs.writeFileSync(path.join(root, 'versions/e5f6a7b8c9d0_broken.ts'), `/** broken */\nimport * as fs from 'node:fs';\nfs.writeFileSync(${JSON.stringify(loaded)}, 'yes');\nexport const revision = 'e5f6a7b8c9d0';\nexport const downRevision = 'd4e5f6a7b8c9';\n` +
      "export async function upgrade(knex: any): Promise<void> {\n  await knex.schema.createTable('tmp_x', (t: any) => { t.increments('id'); });\n  throw new Error('data check failed: 3 orphan rows');\n}\nexport async function downgrade(): Promise<void> {}\n");
    const snapshot = async () => (kind === 'sqlite' ? crypto.createHash('sha256').update(fs.readFileSync(`${root}/app.db`)).digest('hex') : JSON.stringify(await db.query(TABLES.postgresql)) + JSON.stringify(await db.query('SELECT * FROM alembic_version')));
    const before = await snapshot();
    const [r] = await runOurs([{ cwd: root, argv: ['upgrade', 'head'], env }]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /error: data check failed: 3 orphan rows\n {2}in versions\/e5f6a7b8c9d0_broken\.ts:1\n.*rolled back/s);
    assert.ok(fs.existsSync(loaded), 'a run loads the module');
    fs.rmSync(loaded);
    assert.equal(await snapshot(), before, 'the four steps before it are not kept either');
    const [sql] = await runOurs([{ cwd: root, argv: ['upgrade', 'head', '--sql'], env }]);
    assert.equal(sql.code, 255);
    assert.match(sql.stdout, /TypeScript\/JavaScript migration runs its queries through knex against a live database; --sql cannot write them out/);
    assert.ok(!fs.existsSync(loaded), '--sql refuses it without running its code');
    fs.rmSync(root, { recursive: true, force: true });
  });
}
