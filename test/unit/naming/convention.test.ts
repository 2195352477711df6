/**
 * Naming conventions against the real SQLAlchemy 1.4 + Alembic: random tables, columns, names and
 * templates, built with Alembic's own schema-object factory and compiled for PostgreSQL and SQLite
 * in one Python process; every name (or the error Python raises) must be ours.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import {
  applyConvention, conventionFromRecord, DEFAULT_CONVENTION, NameKind, nameFor, NameRequest, NamingConvention,
  NamingConventionError, NamingDialect, pyPercentFormat, renderName, templateFor, tryNameFor,
} from '../../../src/engine/naming/convention';
import { runPython } from '../pythonOracle';

const REPO = path.resolve(__dirname, '../../../..');
const ORACLE = fs.readFileSync(path.join(REPO, 'test/fixtures/naming/conventionOracle.py'), 'utf8');

function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = rng(12);
const pick = <T>(xs: readonly T[] | string): T => xs[Math.floor(rand() * xs.length)] as T;
const ALPHA = 'abcdefghijklmnopqrstuvwxyz_0123456789';
function ident(dots = false): string {
  const r = rand();
  const len = r < 0.5 ? 1 + Math.floor(rand() * 12) : r < 0.8 ? 20 + Math.floor(rand() * 40) : 55 + Math.floor(rand() * 40);
  let s = pick<string>('abcdefghijklmnopqrstuvwxyz');
  const extra = ['A', 'Z', ' ', '%', '(', ')', 'é', '漢', '"', '-', '😀', ...(dots ? ['.'] : [])];
  while (Array.from(s).length < len) s += rand() < 0.1 ? pick<string>(extra) : pick<string>(ALPHA);
  return s;
}

const TOKENS = [
  'table_name', 'table_name', 'column_0_name', 'column_0_name', 'column_1_name', 'column_2_name', 'column_0N_name',
  'column_0_N_name', 'column_0_label', 'column_0N_label', 'column_0_N_label', 'column_0_key', 'column_1_key',
  'column_0N_key', 'referred_table_name', 'referred_column_0_name', 'referred_column_1_name', 'referred_column_0N_name',
  'referred_column_0_N_name', 'constraint_name', 'constraint_name', 'column_1N_name', 'nonsense', 'column_X_name',
];
function template(): string {
  const parts = [pick(['ix', 'uq', 'ck', 'fk', 'pk', 'my', ''])];
  const n = 1 + Math.floor(rand() * 3);
  for (let i = 0; i < n; i++) {
    const tok = pick(TOKENS);
    const fmt = rand() < 0.1 ? pick(['.10s', '-70s', '5.3s', '30s']) : 's';
    parts.push(`%(${tok})${fmt}`);
  }
  if (rand() < 0.05) parts.push('100%%');
  return parts.filter(Boolean).join('_');
}

const KINDS: NameKind[] = ['ix', 'uq', 'ck', 'fk', 'pk'];
const CLASS: Record<string, string> = { ix: 'Index', uq: 'UniqueConstraint', ck: 'CheckConstraint', fk: 'ForeignKeyConstraint', pk: 'PrimaryKeyConstraint' };

interface Case extends NameRequest { dialect: NamingDialect; convention: NamingConvention }

function randomConvention(kind: NameKind): NamingConvention {
  const r = rand();
  const keys: Record<string, string | null> = {};
  const classes: Record<string, string | null> = {};
  if (r < 0.55) keys[kind] = template();
  else if (r < 0.65) classes[CLASS[kind]] = template();
  else if (r < 0.7) { keys[kind] = template(); classes[CLASS[kind]] = 'class_loses_%(table_name)s'; }
  else if (r < 0.75 && kind !== 'ix') classes[pick(['Constraint', 'ColumnCollectionConstraint'])] = template();
  else if (r < 0.78) classes.SchemaItem = template();
  else if (r < 0.82) keys[kind] = null;
  else if (r < 0.86) keys[pick(KINDS.filter((k) => k !== kind))] = template();
  // else: {} -> MetaData's default convention (ix only)
  if (rand() < 0.3) keys[pick(KINDS)] ??= template();
  return Object.keys(keys).length + Object.keys(classes).length === 0 ? DEFAULT_CONVENTION : { keys, classes, callables: [] };
}

function randomCase(): Case {
  const kind = pick(KINDS);
  const ncols = kind === 'ck' ? Math.floor(rand() * 3) : 1 + Math.floor(rand() * 3);
  const columns = Array.from({ length: ncols }, () => ident());
  if (new Set(columns).size !== columns.length) columns.splice(1);
  const r = rand();
  const c: Case = {
    kind, dialect: pick(['postgresql', 'sqlite'] as const), convention: randomConvention(kind),
    table: ident(), columns,
    name: r < 0.6 ? null : ident(), conv: r > 0.85,
  };
  if (rand() < 0.2) c.schema = ident(kind !== 'fk');
  if (kind === 'fk') {
    c.referredTable = rand() < 0.2 ? c.table : ident();
    c.referredColumns = columns.map(() => ident());
    if (new Set(c.referredColumns).size !== columns.length || c.referredColumns.some((x) => columns.includes(x))) {
      c.referredColumns = columns.map((x) => x + '_ref');
    }
    if (c.referredTable === c.table) c.schema = undefined;
    else if (rand() < 0.2) c.referredSchema = ident();
  }
  return c;
}

const cases: Case[] = Array.from({ length: 3000 }, randomCase);
// Hand-picked: the documented conventions and each edge SQLAlchemy has.
const DOCS = conventionFromRecord({
  ix: 'ix_%(column_0_label)s', uq: 'uq_%(table_name)s_%(column_0_name)s', ck: 'ck_%(table_name)s_%(constraint_name)s',
  fk: 'fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s', pk: 'pk_%(table_name)s',
});
const long = 'a_very_long_table_name_that_goes_on_and_on_for_quite_a_while_indeed';
cases.push(
  { kind: 'ck', dialect: 'postgresql', convention: DOCS, table: 't', columns: [], name: null },
  { kind: 'ck', dialect: 'postgresql', convention: DOCS, table: 't', columns: [], name: 'positive' },
  { kind: 'ck', dialect: 'postgresql', convention: DOCS, table: 't', columns: [], name: 'ck_t_positive', conv: true },
  { kind: 'fk', dialect: 'postgresql', convention: DOCS, table: long, columns: ['owner_id'], referredTable: long, referredColumns: ['id'] },
  { kind: 'uq', dialect: 'postgresql', convention: DOCS, table: long, columns: ['email'] },
  { kind: 'uq', dialect: 'sqlite', convention: DOCS, table: long, columns: ['email'] },
  { kind: 'uq', dialect: 'postgresql', convention: DOCS, table: 't', columns: ['email'], name: long + '_explicit' },
  { kind: 'uq', dialect: 'postgresql', convention: DOCS, table: 't', columns: ['email'], name: long + '_f', conv: true },
  { kind: 'ix', dialect: 'postgresql', convention: DEFAULT_CONVENTION, table: 't', columns: ['a', 'b'], schema: 'my.schema' },
  { kind: 'ix', dialect: 'postgresql', convention: DEFAULT_CONVENTION, table: 't', columns: ['lower(name)'] },
  { kind: 'uq', dialect: 'postgresql', convention: DEFAULT_CONVENTION, table: 't', columns: ['a'] },
  { kind: 'fk', dialect: 'postgresql', convention: conventionFromRecord({ fk: 'fk_%(referred_table_name)s_%(referred_column_0N_name)s' }),
    table: 'child', columns: ['a', 'b'], referredTable: 'parent', referredSchema: 'other', referredColumns: ['x', 'y'] },
);

const results = runPython(ORACLE, cases.map((c) => ({ ...c, name: c.name ?? null }))) as Array<{ name?: string | null; ddl?: string | null; error?: string; message?: string }>;

function quoted(name: string): string {
  return '"' + name.replace(/"/g, '""') + '"';
}

test('convention names match SQLAlchemy 1.4 on PostgreSQL and SQLite, for 3000 random cases', () => {
  let named = 0, truncated = 0, errors = 0;
  const kinds = new Set<string>();
  for (const [i, c] of cases.entries()) {
    const py = results[i];
    // The oracle builds CHECK conditions from sa.column('x'): columns bound to no table.
    const ours = tryNameFor(c.convention, c.kind === 'ck' ? { ...c, columns: c.columns?.map((x) => ({ name: x as string, unbound: true })) } : c);
    const label = `case ${i}: ${JSON.stringify(c)}`;
    if (py.error !== undefined) {
      assert.ok('error' in ours, `${label}\nPython raised ${py.error}: ${py.message}\nwe named it ${JSON.stringify(ours)}`);
      assert.equal(ours.error.python, py.error, `${label}\nPython: ${py.message}\nours: ${ours.error.message}`);
      if (py.error === 'InvalidRequestError' || py.error === 'IdentifierError') assert.equal(ours.error.message, py.message, label);
      errors++;
      kinds.add(py.error);
      continue;
    }
    assert.ok('name' in ours, `${label}\nPython named it ${py.name}, we raised ${'error' in ours ? ours.error.message : ''}`);
    assert.equal(ours.name ?? null, py.name ?? null, label);
    if (ours.name !== undefined) {
      named++;
      if (Array.from(ours.name).length === 60 && /_[0-9a-f]{4}$/.test(ours.name)) truncated++;
      // The DDL carries the name, bare or quoted as the dialect quotes it.
      // SQLite's CREATE TABLE leaves out a foreign key to another schema.
      if (c.dialect === 'sqlite' && c.kind === 'fk' && (c.referredSchema ?? null) !== (c.schema ?? null)) continue;
      // (psycopg2's pyformat doubles '%' in the DDL text).
      const inDdl = c.dialect === 'postgresql' ? ours.name.replace(/%/g, '%%') : ours.name;
      assert.ok([` ${inDdl} `, `.${inDdl} `, quoted(inDdl)].some((x) => py.ddl!.includes(x)), `${label}\n${py.ddl}`);
    }
  }
  // The generator must exercise what it claims to.
  assert.ok(named > 1000, `named ${named}`);
  assert.ok(truncated > 100, `truncated ${truncated}`);
  assert.ok(errors > 100, `errors ${errors}`);
  for (const k of ['KeyError', 'InvalidRequestError', 'AttributeError', 'IndexError', 'IdentifierError', 'TypeError']) assert.ok(kinds.has(k), k);
});

test('the documented convention: what a user sees', () => {
  const pg = (r: NameRequest) => nameFor(DOCS, { ...r, dialect: 'postgresql' });
  assert.equal(pg({ kind: 'uq', table: 'user', columns: ['email'] }), 'uq_user_email');
  assert.equal(pg({ kind: 'ck', table: 'user', name: 'positive' }), 'ck_user_positive');
  assert.equal(pg({ kind: 'ck', table: 'user', name: 'ck_user_positive', conv: true }), 'ck_user_positive');
  assert.equal(pg({ kind: 'ix', table: 'user', columns: ['email'] }), 'ix_user_email');
  assert.equal(pg({ kind: 'pk', table: 'user', columns: ['id'] }), 'pk_user');
  assert.equal(pg({ kind: 'uq', table: 'user', columns: ['email'], name: 'explicit' }), 'explicit');
  assert.throws(() => pg({ kind: 'ck', table: 'user' }), (e: NamingConventionError) =>
    e.python === 'InvalidRequestError' && /requires that constraint is explicitly named/.test(e.message));
  // 60 characters: 55 kept, '_' and the last 4 hex digits of the md5 of the whole name.
  const full = `uq_${long}_email`;
  const short = pg({ kind: 'uq', table: long, columns: ['email'] })!;
  assert.equal(short.length, 60);
  assert.equal(short, `${full.slice(0, 55)}_${createHash('md5').update(full).digest('hex').slice(-4)}`);
  assert.equal(nameFor(DOCS, { kind: 'uq', table: long, columns: ['email'], dialect: 'sqlite' }), `uq_${long}_email`);
});

test('templates: class keys lose to the prefix key, None stops the search, string class names are not classes', () => {
  const c: NamingConvention = { keys: { uq: 'p_%(table_name)s' }, classes: { UniqueConstraint: 'c_%(table_name)s', Constraint: 'any_%(table_name)s' }, callables: [] };
  assert.equal(templateFor(c, 'uq'), 'p_%(table_name)s');
  assert.equal(templateFor(c, 'ck'), 'any_%(table_name)s');
  assert.equal(templateFor(c, 'ix'), undefined);
  assert.equal(templateFor({ keys: { pk: null }, classes: { Constraint: 'x' }, callables: [] }, 'pk'), null);
  assert.equal(templateFor({ keys: { UniqueConstraint: 'x' }, classes: {}, callables: [] }, 'uq'), undefined);
  assert.equal(applyConvention({ keys: { pk: null }, classes: {}, callables: [] }, { kind: 'pk', table: 't', name: 'given' }).name, 'given');
});

test('a custom token computed by a Python function is refused, never guessed', () => {
  const c: NamingConvention = { keys: { uq: 'uq_%(my_token)s' }, classes: {}, callables: ['my_token'] };
  assert.throws(() => nameFor(c, { kind: 'uq', table: 't', columns: ['a'], dialect: 'sqlite' }),
    (e: NamingConventionError) => e.python === 'Unsupported' && /my_token/.test(e.message));
});

test('create_table with a ForeignKey to another table: referred_column needs the table (NoReferencedTableError)', () => {
  const c = conventionFromRecord({ fk: 'fk_%(table_name)s_%(referred_column_0_name)s' });
  const r = tryNameFor(c, { kind: 'fk', dialect: 'postgresql', table: 't5', columns: ['id'], referredTable: 't4', referredColumns: ['id'], referredTableKnown: false });
  assert.ok('error' in r);
  // The message SQLAlchemy prints for the same op (seen with Alembic 1.8.1 offline).
  assert.equal(r.error.message, "Foreign key associated with column 't5.id' could not find table 't4' with which to generate a foreign key to target column 'id'");
  const byTable = nameFor(conventionFromRecord({ fk: 'fk_%(table_name)s_%(referred_table_name)s' }),
    { kind: 'fk', dialect: 'postgresql', table: 't5', columns: ['id'], referredTable: 't4', referredColumns: ['id'], referredTableKnown: false });
  assert.equal(byTable, 'fk_t5_t4');
});

test('Python % formatting of templates', () => {
  const get = (k: string) => ({ a: 'hello', b: 'x' } as Record<string, string>)[k];
  assert.equal(pyPercentFormat('%(a)s-%(b)s 100%%', get), 'hello-x 100%');
  assert.equal(pyPercentFormat('%(a).2s|%(b)3s|%(b)-3s|', get), 'he|  x|x  |');
  assert.throws(() => pyPercentFormat('%(a)d', get), NamingConventionError);
  assert.throws(() => pyPercentFormat('ix_%', get), /incomplete format/);
  assert.equal(renderName({ name: 'x'.repeat(64), truncatable: true }, 'postgresql')!.length, 60);
  assert.equal(renderName({ name: 'x'.repeat(63), truncatable: true }, 'postgresql'), 'x'.repeat(63));
  assert.throws(() => renderName({ name: 'x'.repeat(64), truncatable: false }, 'postgresql'), /exceeds maximum length of 63/);
});
