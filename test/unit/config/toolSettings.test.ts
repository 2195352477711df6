import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withToolSetting } from '../../../src/engine/config/toolSettings';

test('withToolSetting: adds the table, or the key under it, or replaces the key; keeps the rest as written', () => {
  assert.equal(withToolSetting(undefined, 'sqlite-outside-batch', 'rebuild'), '[tool.alembic-migrations]\nsqlite-outside-batch = "rebuild"\n');
  assert.equal(withToolSetting('[project]\nname = "app"', 'sqlite-outside-batch', 'rebuild'), '[project]\nname = "app"\n\n[tool.alembic-migrations]\nsqlite-outside-batch = "rebuild"\n');
  assert.equal(withToolSetting('[tool.alembic-migrations]  # ours\nsqlalchemy = "1.4"\n\n[tool.ruff]\nx = 1\n', 'sqlite-outside-batch', 'rebuild'),
    '[tool.alembic-migrations]  # ours\nsqlite-outside-batch = "rebuild"\nsqlalchemy = "1.4"\n\n[tool.ruff]\nx = 1\n');
  assert.equal(withToolSetting('[tool.alembic-migrations]\nsqlite-outside-batch = "refuse"\n', 'sqlite-outside-batch', 'rebuild'), '[tool.alembic-migrations]\nsqlite-outside-batch = "rebuild"\n');
  assert.equal(withToolSetting('[tool.alembic-migrations]\nsqlite-outside-batch = "re#fuse"  # for dev\n', 'sqlite-outside-batch', 'rebuild'), '[tool.alembic-migrations]\nsqlite-outside-batch = "rebuild"  # for dev\n');
  assert.equal(withToolSetting('[project]\r\nname = "app"\r\n', 'sqlite-outside-batch', 'rebuild'), '[project]\r\nname = "app"\r\n\r\n[tool.alembic-migrations]\r\nsqlite-outside-batch = "rebuild"\r\n');
});

test('withToolSetting: nothing when the result would not read back (broken TOML, the table written another way)', () => {
  assert.equal(withToolSetting('[project\nname = ', 'sqlite-outside-batch', 'rebuild'), undefined);
  assert.equal(withToolSetting('[tool]\n"alembic-migrations" = { sqlalchemy = "1.4" }\n', 'sqlite-outside-batch', 'rebuild'), undefined);
});
