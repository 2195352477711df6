// The SQL highlighting of our injection grammars, tokenized as VS Code does it: vscode-textmate and
// vscode-oniguruma, and the Python, SQL and TypeScript grammars, all from the provisioned code-server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { provision } from '../../scripts/vscode/provision.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const pkg = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8'));

async function registry() {
  const entry = provision().codeServerEntry; // <code-server>/out/node/entry.js
  const vscodeDir = path.join(entry.slice(0, entry.lastIndexOf(`${path.sep}out${path.sep}`)), 'lib', 'vscode');
  const require = createRequire(path.join(vscodeDir, 'package.json'));
  const textmate = require('vscode-textmate');
  const onig = require('vscode-oniguruma');
  await onig.loadWASM(fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm')).buffer);
  const files = {
    'source.python': path.join(vscodeDir, 'extensions/python/syntaxes/MagicPython.tmLanguage.json'),
    'source.sql': path.join(vscodeDir, 'extensions/sql/syntaxes/sql.tmLanguage.json'),
    'source.ts': path.join(vscodeDir, 'extensions/typescript-basics/syntaxes/TypeScript.tmLanguage.json'),
  };
  for (const g of pkg.contributes.grammars) files[g.scopeName] = path.join(repo, g.path);
  return new textmate.Registry({
    onigLib: Promise.resolve({ createOnigScanner: (p) => new onig.OnigScanner(p), createOnigString: (s) => new onig.OnigString(s) }),
    loadGrammar: async (scope) => (files[scope] ? textmate.parseRawGrammar(fs.readFileSync(files[scope], 'utf8'), files[scope]) : null),
    getInjections: (scope) => pkg.contributes.grammars.filter((g) => g.injectTo?.includes(scope)).map((g) => g.scopeName),
  });
}

/** The scopes of the token that is `word` on `line` (or, in a plain string, holds it). */
async function scopesOf(reg, language, line, word) {
  const grammar = await reg.loadGrammar(language);
  const { tokens } = grammar.tokenizeLine(line, null);
  const text = (x) => line.slice(x.startIndex, x.endIndex);
  const t = tokens.find((x) => text(x).trim() === word) ?? tokens.find((x) => text(x).includes(word));
  assert.ok(t, `no token ${word} in ${line}: ${tokens.map(text).join('|')}`);
  return t.scopes.join(' ');
}

test('SQL inside op.execute / sa.text / knex.raw is tokenized as SQL, and only there', { timeout: 300_000 }, async () => {
  const reg = await registry();
  const sql = /meta\.embedded\.(line|block)\.sql.*keyword/;
  const cases = [
    ['source.python', '    op.execute("UPDATE users SET active = 1")', 'UPDATE', true],
    ['source.python', '    op.execute(f"DELETE FROM {table}")', 'DELETE', true],
    ['source.python', '    op.execute(rb"SELECT 1")', 'SELECT', true],
    ['source.python', '    op.execute("SELECT \\"name\\" FROM users")', 'FROM', true],
    ['source.python', '    op.execute(sa.text("INSERT INTO t VALUES (1)"))', 'VALUES', true],
    ['source.python', '    conn.execute(text("DROP TABLE t"))', 'DROP', true],
    ['source.python', '    conn.execute(sqlalchemy.text("DELETE FROM t"))', 'DELETE', true],
    ['source.python', '    value = row.text("SELECT 1")', 'SELECT', false],
    ['source.python', '    print("SELECT 1")', 'SELECT', false],
    ['source.ts', "  await knex.raw('CREATE INDEX ix_a ON a (b)');", 'CREATE', true],
    ['source.ts', "  await knex.schema.raw('ALTER TABLE a ADD c int');", 'ALTER', true],
    ['source.ts', "  await other.raw('SELECT 1');", 'SELECT', false],
  ];
  for (const [language, line, word, embedded] of cases) {
    const scopes = await scopesOf(reg, language, line, word);
    assert.equal(sql.test(scopes), embedded, `${line}\n  ${word}: ${scopes}`);
  }
  // SQL revision files: the header fields and section markers.
  assert.match(await scopesOf(reg, 'source.sql', '-- Revision ID: 1a2b3c4d5e6f', 'Revision ID'), /keyword\.other\.migration-field\.sql/);
  assert.match(await scopesOf(reg, 'source.sql', '-- migrate:upgrade', 'migrate:upgrade'), /keyword\.control\.migration-section\.sql/);
});
