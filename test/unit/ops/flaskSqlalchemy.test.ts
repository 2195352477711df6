/**
 * Flask-SQLAlchemy's `db` object in migrations (CTFd's `from CTFd.models import db`, `db.Integer`):
 * SQLAlchemy's names, giving the same SQL as `sa.*`; what only the application has is refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readMigrationFunctions } from '../../../src/engine/ops/python/reader';
import { planOps } from '../../../src/engine/ops/plan';
import { dialectFor } from '../../../src/engine/ops/ddl/dialect';

test('Flask-SQLAlchemy\'s db = SQLAlchemy(): db.Integer, db.Column, db.Table(...) are SQLAlchemy\'s, the same SQL as sa.*; db.session refused', () => {
  const body = (p: string) => `from alembic import op\nimport sqlalchemy as sa\nfrom sqlalchemy.sql import column, table\nfrom flask_sqlalchemy import SQLAlchemy\ndb = SQLAlchemy()\n` +
    `configs = table("config", column("id", ${p}.Integer), column("key", ${p}.Text))\n` +
    `x = ${p === 'db' ? 'db.Table("x", ' : 'sa.Table("x", sa.MetaData(), '}${p}.Column("id", ${p}.Integer, primary_key=True), ${p}.Column("name", ${p}.String(20)))\n` +
    `def upgrade():\n    op.execute(configs.insert().values(id=1, key="a"))\n` +
    `    op.create_table("y", ${p}.Column("id", ${p}.Integer, primary_key=True), ${p}.Column("x_id", ${p}.Integer, ${p}.ForeignKey("x.id")))\n` +
    `    op.execute(x.update().values(name="n").where(x.c.id == 1))\n`;
  for (const d of ['postgresql', 'sqlite'] as const) {
    const sql = (p: string) => {
      const [f] = readMigrationFunctions(body(p), { dialect: d });
      assert.equal(f.unsupported, undefined, f.unsupported?.message);
      return JSON.stringify(planOps(f.ops!, dialectFor(d)));
    };
    assert.equal(sql('db'), sql('sa'));
    assert.match(sql('db'), /CREATE TABLE y/);
  }
  const [f] = readMigrationFunctions('from alembic import op\nfrom flask_sqlalchemy import SQLAlchemy\ndb = SQLAlchemy()\ndef upgrade():\n    db.session.execute("x")\n', { dialect: 'sqlite' });
  assert.match(f.unsupported!.message, /db\.session: Flask-SQLAlchemy gives it from the running application/);
});
