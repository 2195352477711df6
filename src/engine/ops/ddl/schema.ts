/**
 * Tables, columns, constraints and indexes read from SQLAlchemy constructor calls
 * (`sa.Column`, `sa.ForeignKey`, `sa.UniqueConstraint`, `sa.Index`...), with SQLAlchemy's
 * defaults applied (a primary key is NOT NULL) and the names the naming convention gives
 * (`index=True` is `ix_<table>_<column>` under SQLAlchemy's default one).
 */
import type { NameRequest } from '../../naming/convention';
import { givenName, OpNamer } from '../../naming/opNames';
import { asString, asStringList, Call, ColumnCall, isCall, optString, PyValue, TextClause, Unsupported } from '../values';
import { readType, TypeSpec } from './types';
import { isOtherDialectKeyword } from '../args';

export type DefaultSpec =
  | { kind: 'literal'; value: string }
  | { kind: 'text'; sql: string }
  /** An SQL expression: rendered per dialect, in parentheses on SQLite. */
  | { kind: 'expr'; call: Call };

export interface ForeignKeySpec {
  name?: string;
  /** The name was given as `op.f()` / `conv()` (never rewritten by the naming convention). */
  conv?: boolean;
  columns: string[];
  refTable: string;
  refSchema?: string;
  refColumns: string[];
  onDelete?: string;
  onUpdate?: string;
  deferrable?: boolean;
  initially?: string;
  match?: string;
  /** `use_alter=True`: SQLAlchemy leaves it out of CREATE TABLE where the database can ALTER (Dialect.supportsAlter). */
  useAlter?: boolean;
}

/** `deferrable=` / `initially=` (SQLAlchemy's `define_constraint_deferrability`). */
export interface Deferrability { deferrable?: boolean; initially?: string }

export type ConstraintSpec =
  | ({ kind: 'primary'; name?: string; conv?: boolean; columns: string[] } & Deferrability)
  | ({ kind: 'unique'; name?: string; conv?: boolean; columns: string[]; nullsNotDistinct?: boolean } & Deferrability)
  /**
   * columns: those its expression refers to (a constraint a column's type attaches; else none known);
   * type: the CHECK a column's Boolean / Enum `create_constraint=True` brings (rendered only where the database needs it).
   */
  | ({ kind: 'check'; name?: string; conv?: boolean; sql: string; columns?: string[]; type?: { column: string; spec: TypeSpec } } & Deferrability)
  | ({ kind: 'foreign' } & ForeignKeySpec);

/** `sa.Identity(...)`: GENERATED { ALWAYS | BY DEFAULT } AS IDENTITY, with its sequence options. */
export interface IdentitySpec {
  always: boolean;
  /** start, increment, minvalue, maxvalue, nominvalue, nomaxvalue, cache, order, cycle (as given). */
  options: Record<string, number | boolean>;
}

/** `sa.Computed(sqltext, persisted=...)`: GENERATED ALWAYS AS (sqltext). */
export interface ComputedSpec { sql: string; persisted?: boolean }

export const IDENTITY_OPTIONS = ['start', 'increment', 'minvalue', 'maxvalue', 'nominvalue', 'nomaxvalue', 'cache', 'order', 'cycle'];

export function readIdentity(c: Call): IdentitySpec {
  checkKeywords(c, ['always', 'on_null', ...IDENTITY_OPTIONS], 'sa.Identity');
  if (c.args.length) throw new Unsupported(c.line, 'sa.Identity(...)', 'takes keyword arguments only here');
  const options: Record<string, number | boolean> = {};
  for (const k of IDENTITY_OPTIONS) {
    const v = c.kw(k);
    if (v === undefined || v === null) continue;
    if (typeof v !== 'number' && typeof v !== 'boolean') throw new Unsupported(c.line, `sa.Identity(${k}=...)`, 'expected a number or a boolean');
    options[k] = v;
  }
  return { always: c.kw('always') === true, options };
}

export function readComputed(c: Call): ComputedSpec {
  checkKeywords(c, ['sqltext', 'persisted'], 'sa.Computed');
  const text = c.args[0] ?? c.kw('sqltext');
  const persisted = c.args[1] ?? c.kw('persisted');
  return {
    sql: text instanceof TextClause ? text.sql : asString(text, c.line, 'the computed expression'),
    persisted: persisted === undefined || persisted === null ? undefined : persisted === true,
  };
}

export interface ColumnSpec {
  name: string;
  type: TypeSpec;
  nullable: boolean;
  primaryKey: boolean;
  serverDefault?: DefaultSpec;
  unique: boolean;
  index: boolean;
  foreignKeys: ForeignKeySpec[];
  autoincrement: boolean | 'auto' | 'ignore_fk';
  /** `nullable=` was written (SQLAlchemy only derives it from the primary key when it was not). */
  nullableGiven: boolean;
  /** A Python-side `default=` was given (it turns PostgreSQL's SERIAL off). */
  pythonDefault: boolean;
  comment?: string;
  identity?: IdentitySpec;
  computed?: ComputedSpec;
  /** CHECK constraints given to the column itself (`sa.Column('x', sa.Integer, sa.CheckConstraint('x > 0'))`). */
  checks: (ConstraintSpec & { kind: 'check' })[];
  /** CHECK constraints the column's type attaches to its table (a project's event listener), and where that listener is. */
  attached: (ConstraintSpec & { kind: 'check' })[];
  attachedBy?: string;
  /** SQLite: `NOT NULL ON CONFLICT <this>`. */
  onConflictNotNull?: string;
  line: number;
}

export interface IndexSpec {
  name: string;
  table: string;
  schema?: string;
  /** Column names, or SQL expressions (from `sa.text`). */
  columns: (string | TextClause)[];
  unique: boolean;
  kw: Map<string, PyValue>;
  line: number;
}

export interface TableSpec {
  name: string;
  schema?: string;
  columns: ColumnSpec[];
  /** Constraints given to the table, in order, then those the columns imply (SQLAlchemy's order). */
  constraints: ConstraintSpec[];
  indexes: IndexSpec[];
  comment?: string;
  /** `CREATE TABLE IF NOT EXISTS` (Alembic 1.13+). */
  ifNotExists?: boolean;
  /** `sqlite_autoincrement=True`: SQLite's integer primary key written inline, `PRIMARY KEY AUTOINCREMENT`. */
  sqliteAutoincrement?: boolean;
  line: number;
}

const bool = (v: PyValue | undefined, dflt: boolean): boolean => (v === undefined || v === null ? dflt : v === true);

export function readDefault(v: PyValue | undefined, line: number): DefaultSpec | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return { kind: 'literal', value: v };
  if (v instanceof TextClause) return { kind: 'text', sql: v.sql };
  if (isCall(v) && (v.fn.startsWith('sa.func.') || ['sa.true', 'sa.false', 'sa.null', 'sa.literal_column'].includes(v.fn))) return { kind: 'expr', call: v };
  throw new Unsupported(line, 'server_default=...', 'expected a string, sa.text(...), sa.func.<name>() or sa.true()/sa.false()');
}

/** `ForeignKey('schema.table.column', ondelete=...)` */
export function readForeignKey(fk: Call, column: string): ForeignKeySpec {
  const target = asString(fk.args[0] ?? fk.kw('column'), fk.line, 'sa.ForeignKey(...)');
  const parts = target.split('.');
  if (parts.length < 2) throw new Unsupported(fk.line, `sa.ForeignKey(${JSON.stringify(target)})`, "expected 'table.column'");
  return {
    ...givenName(fk.kw('name'), fk.line, 'name='),
    columns: [column],
    refColumns: [parts[parts.length - 1]],
    refTable: parts[parts.length - 2],
    refSchema: parts.length > 2 ? parts.slice(0, -2).join('.') : undefined,
    ...fkOptions(fk),
  };
}

export function fkOptions(c: Call): Pick<ForeignKeySpec, 'onDelete' | 'onUpdate' | 'deferrable' | 'initially' | 'match' | 'useAlter'> {
  return {
    onDelete: optString(c.kw('ondelete'), c.line, 'ondelete='),
    onUpdate: optString(c.kw('onupdate'), c.line, 'onupdate='),
    deferrable: c.kw('deferrable') === undefined || c.kw('deferrable') === null ? undefined : c.kw('deferrable') === true,
    initially: optString(c.kw('initially'), c.line, 'initially='),
    match: optString(c.kw('match'), c.line, 'match='),
    ...(c.kw('use_alter') === true && { useAlter: true }),
  };
}

const COLUMN_ITEMS_UNSUPPORTED: Record<string, string> = {
  'sa.Sequence': 'a Sequence',
  'sa.FetchedValue': 'a FetchedValue',
};

/** Column keywords that change no DDL (Python-side defaults, ORM keys, documentation). */
const COLUMN_KEYWORDS = [
  'name', 'type_', 'primary_key', 'nullable', 'server_default', 'unique', 'index', 'autoincrement', 'comment',
  'default', 'insert_default', 'onupdate', 'server_onupdate', 'key', 'doc', 'info', 'sqlite_on_conflict_not_null',
];

export function readColumn(v: PyValue, line: number): ColumnSpec {
  if (!isCall(v, 'sa.Column')) throw new Unsupported(isCall(v) ? v.line : line, isCall(v) ? `${v.fn}(...)` : String(v), 'expected sa.Column(...)');
  for (const k of [...v.kwargs.keys(), ...v.skipped]) {
    if (!COLUMN_KEYWORDS.includes(k) && !isOtherDialectKeyword(k)) throw new Unsupported(v.line, `sa.Column(..., ${k}=...)`, 'an argument the embedded engine does not know or apply');
  }
  const [nameArg, ...rest] = v.args;
  const name = asString(nameArg ?? v.kw('name'), v.line, 'the column name');
  let type: TypeSpec | undefined;
  const fks: Call[] = [];
  const checks: (ConstraintSpec & { kind: 'check' })[] = [];
  let identity: IdentitySpec | undefined;
  let computed: ComputedSpec | undefined;
  // server_default= may hold them too (SQLAlchemy treats them as column arguments).
  const sd = v.kw('server_default');
  for (const item of [...rest, ...(isCall(sd, 'sa.Identity', 'sa.Computed') ? [sd] : [])]) {
    if (isCall(item, 'sa.ForeignKey')) fks.push(item);
    else if (isCall(item, 'sa.Identity')) identity = readIdentity(item);
    else if (isCall(item, 'sa.Computed')) computed = readComputed(item);
    else if (isCall(item, 'sa.CheckConstraint')) checks.push(readConstraint(item, '') as ConstraintSpec & { kind: 'check' });
    else if (isCall(item) && item.fn in COLUMN_ITEMS_UNSUPPORTED) throw new Unsupported(item.line, `${item.fn}(...)`, `${COLUMN_ITEMS_UNSUPPORTED[item.fn]} is not supported by the embedded engine yet`);
    else if (!type) type = readType(item, v.line);
    else throw new Unsupported(v.line, `sa.Column(${JSON.stringify(name)}, ...)`, 'an argument the embedded engine does not understand');
  }
  if (!type && v.kw('type_')) type = readType(v.kw('type_'), v.line);
  if (!type) throw new Unsupported(v.line, `sa.Column(${JSON.stringify(name)}, ...)`, 'a column without a type (SQLAlchemy would copy it from a table it cannot see here)');
  const primaryKey = bool(v.kw('primary_key'), false);
  const auto = v.kw('autoincrement');
  const comment = v.kw('comment');
  return {
    name,
    type,
    primaryKey,
    // An Identity column is NOT NULL unless nullable= says otherwise.
    nullable: bool(v.kw('nullable'), !primaryKey && !identity),
    serverDefault: isCall(sd, 'sa.Identity', 'sa.Computed') ? undefined : readDefault(sd, v.line),
    identity,
    computed,
    unique: bool(v.kw('unique'), false),
    index: bool(v.kw('index'), false),
    foreignKeys: fks.map((fk) => readForeignKey(fk, name)),
    autoincrement: auto === true ? true : auto === false ? false : auto === 'ignore_fk' ? 'ignore_fk' : 'auto',
    nullableGiven: v.kw('nullable') !== undefined,
    pythonDefault: v.has('default'),
    comment: typeof comment === 'string' ? comment : undefined,
    checks,
    attached: v instanceof ColumnCall ? v.attached.map((k) => ({ ...(readConstraint(k.constraint, '') as ConstraintSpec & { kind: 'check' }), columns: k.columns })) : [],
    attachedBy: v instanceof ColumnCall ? v.attached[0]?.where : undefined,
    onConflictNotNull: optString(v.kw('sqlite_on_conflict_not_null'), v.line, 'sqlite_on_conflict_not_null='),
    line: v.line,
  };
}

/** `postgresql_nulls_not_distinct=True/False` (SQLAlchemy 2.0); other values leave PostgreSQL's default unsaid. */
export function nullsNotDistinct(kw: ReadonlyMap<string, PyValue>): boolean | undefined {
  const v = kw.get('postgresql_nulls_not_distinct');
  return typeof v === 'boolean' ? v : undefined;
}

/** The keyword arguments each constraint takes here (another database's options are let through, as SQLAlchemy ignores them). */
const CONSTRAINT_KEYWORDS: Record<string, string[]> = {
  'sa.PrimaryKeyConstraint': ['name', 'info', 'deferrable', 'initially', 'postgresql_include'],
  'sa.UniqueConstraint': ['name', 'info', 'deferrable', 'initially', 'postgresql_nulls_not_distinct', 'postgresql_include'],
  'sa.CheckConstraint': ['name', 'sqltext', 'info', 'deferrable', 'initially'],
  'sa.ForeignKeyConstraint': ['name', 'columns', 'refcolumns', 'info', 'onupdate', 'ondelete', 'deferrable', 'initially', 'match', 'use_alter', 'link_to_name'],
};

function deferrability(c: Call): Deferrability {
  const { deferrable, initially } = fkOptions(c);
  return { ...(deferrable !== undefined && { deferrable }), ...(initially !== undefined && { initially }) };
}

export function readConstraint(c: Call, table: string): ConstraintSpec {
  if (CONSTRAINT_KEYWORDS[c.fn]) checkKeywords(c, CONSTRAINT_KEYWORDS[c.fn], c.fn);
  // postgresql_include=[] (as autogenerate writes it) adds nothing; columns there would add INCLUDE (...), not written yet.
  const include = c.kw('postgresql_include');
  if (include !== undefined && include !== null && !(Array.isArray(include) && include.length === 0)) {
    throw new Unsupported(c.line, `${c.fn}(..., postgresql_include=...)`, 'INCLUDE columns of a constraint are not written by the embedded engine yet');
  }
  // CheckConstraint(sqltext, name, ...) takes its name by position too.
  const { name, conv } = givenName(c.kw('name') ?? (c.fn === 'sa.CheckConstraint' ? c.args[1] : undefined), c.line, 'name=');
  switch (c.fn) {
    case 'sa.PrimaryKeyConstraint': return { kind: 'primary', name, conv, columns: c.args.map((a) => asString(a, c.line, 'a column name')), ...deferrability(c) };
    case 'sa.UniqueConstraint': return { kind: 'unique', name, conv, columns: c.args.map((a) => asString(a, c.line, 'a column name')), nullsNotDistinct: nullsNotDistinct(c.kwargs), ...deferrability(c) };
    case 'sa.CheckConstraint': {
      const cond = c.args[0] ?? c.kw('sqltext');
      const sql = cond instanceof TextClause ? cond.sql : asString(cond, c.line, 'the CHECK condition');
      return { kind: 'check', name, conv, sql, ...deferrability(c) };
    }
    case 'sa.ForeignKeyConstraint': {
      const cols = asStringList(c.args[0] ?? c.kw('columns'), c.line, 'the local columns');
      const refs = asStringList(c.args[1] ?? c.kw('refcolumns'), c.line, 'the referenced columns');
      const parsed = refs.map((r) => r.split('.'));
      if (parsed.some((p) => p.length < 2)) throw new Unsupported(c.line, 'sa.ForeignKeyConstraint(...)', "expected 'table.column' references");
      const first = parsed[0];
      return {
        kind: 'foreign', name, conv, columns: cols,
        refTable: first[first.length - 2], refSchema: first.length > 2 ? first.slice(0, -2).join('.') : undefined,
        refColumns: parsed.map((p) => p[p.length - 1]), ...fkOptions(c),
      };
    }
  }
  throw new Unsupported(c.line, `${c.fn}(...)`, `not a constraint the embedded engine knows (table ${table})`);
}

/** The keyword arguments an index takes, each dialect's options included (SQLAlchemy refuses others). */
export const INDEX_KEYWORDS = [
  'unique', 'if_not_exists', 'quote', 'info', 'sqlite_where', 'postgresql_where', 'postgresql_using',
  'postgresql_include', 'postgresql_ops', 'postgresql_with', 'postgresql_concurrently', 'postgresql_tablespace',
  'postgresql_nulls_not_distinct',
];

/** Refuses a keyword argument that is not in `known` nor another database's option. */
export function checkKeywords(c: Call, known: readonly string[], what: string): void {
  for (const k of c.kwargs.keys()) {
    if (!known.includes(k) && !isOtherDialectKeyword(k)) throw new Unsupported(c.line, `${what}(..., ${k}=...)`, 'an argument the embedded engine does not know or apply');
  }
}

/** `sa.Index(name, *columns)`; its name is decided by `readTable` (the naming convention). */
/** An index must have a name (SQLAlchemy's compiler raises otherwise). */
function indexName(n: string | undefined, line: number): string {
  if (n === undefined) throw new Unsupported(line, 'an index without a name', 'the naming convention gives it none (no "ix" template): SQLAlchemy cannot compile CREATE INDEX without a name');
  return n;
}

export function readIndex(c: Call): Omit<IndexSpec, 'name'> & { given: { name?: string; conv?: boolean } } {
  checkKeywords(c, INDEX_KEYWORDS, 'sa.Index');
  return {
    given: givenName(c.args[0], c.line, 'the index name'), table: '', columns: c.args.slice(1).map((a) => (a instanceof TextClause ? a : asString(a, c.line, 'an index column'))),
    unique: c.kw('unique') === true, kw: c.kwargs, line: c.line,
  };
}

/** Table keywords only reflection reads: CREATE TABLE is the same with or without them. */
const TABLE_REFLECTION_ONLY = ['postgresql_ignore_search_path'];

/**
 * `op.create_table(name, *columns_and_constraints, schema=..., comment=...)`, every constraint and
 * index named as SQLAlchemy names them when the Table is built (`names`: the naming convention).
 */
export function readTable(call: Call, names: OpNamer): TableSpec {
  const name = asString(call.args[0], call.line, 'the table name');
  const schema = optString(call.kw('schema'), call.line, 'schema=');
  const columns: ColumnSpec[] = [];
  const explicit: ConstraintSpec[] = [];
  const indexes: IndexSpec[] = [];
  const construct = `op.create_table(${JSON.stringify(name)}, ...)`;
  const nameOf = (req: Omit<NameRequest, 'table' | 'schema'>, line: number) => names.name({ ...req, table: name, schema }, line, construct);
  names.checkTable(name, schema, call.line, construct);
  for (const a of call.args.slice(1)) {
    if (isCall(a, 'sa.Column')) columns.push(readColumn(a, call.line));
    else if (isCall(a, 'sa.Index')) {
      const { given, ...ix } = readIndex(a);
      indexes.push({ ...ix, name: indexName(nameOf({ kind: 'ix', ...given, columns: ix.columns.map((x) => (x instanceof TextClause ? x.sql : x)) }, a.line), a.line), table: name, schema });
    }
    else if (isCall(a)) explicit.push(readConstraint(a, name));
    else throw new Unsupported(call.line, `op.create_table(${JSON.stringify(name)}, ...)`, 'an argument that is not a Column, a constraint or an Index');
  }
  for (const [k] of call.kwargs) {
    if (!['schema', 'comment', 'info', 'prefixes', 'sqlite_autoincrement', 'keep_existing', 'extend_existing', 'if_not_exists', ...TABLE_REFLECTION_ONLY].includes(k) && !isOtherDialectKeyword(k)) {
      throw new Unsupported(call.line, `op.create_table(..., ${k}=...)`, 'a table option the embedded engine does not know or apply');
    }
  }
  if (call.kw('prefixes') !== undefined) {
    throw new Unsupported(call.line, 'op.create_table(..., prefixes=...)', 'a table option the embedded engine does not apply yet');
  }
  // SQLAlchemy's order: the primary key, then the constraints given to the table, then those the
  // columns bring when attached (per column: UNIQUE, its Boolean / Enum type's CHECK, those its type's
  // listeners attach, then its FOREIGN KEYs, whose listeners the column registers after its type's).
  const constraints: ConstraintSpec[] = [];
  const explicitPk = explicit.find((c): c is ConstraintSpec & { kind: 'primary' } => c.kind === 'primary');
  const flagged = columns.filter((c) => c.primaryKey).map((c) => c.name);
  let pk: ConstraintSpec | undefined;
  if (explicitPk) {
    // Columns named by a PrimaryKeyConstraint become NOT NULL unless nullable= was given; columns
    // flagged primary_key=True join it.
    for (const c of columns) {
      if (!explicitPk.columns.includes(c.name)) continue;
      c.primaryKey = true;
      if (!c.nullableGiven) c.nullable = false;
    }
    for (const n of flagged) if (!explicitPk.columns.includes(n)) explicitPk.columns.push(n);
    pk = explicitPk;
  } else if (flagged.length) {
    pk = { kind: 'primary', columns: flagged };
  }
  if (pk) constraints.push(pk);
  constraints.push(...explicit.filter((c) => c !== explicitPk));
  for (const col of columns) {
    if (col.unique && !col.index) constraints.push({ kind: 'unique', columns: [col.name] });
    if (col.type.constraint?.create) constraints.push({ kind: 'check', name: col.type.constraint.name, sql: '', type: { column: col.name, spec: col.type } });
    constraints.push(...col.attached);
    for (const fk of col.foreignKeys) constraints.push({ kind: 'foreign', ...fk });
    if (col.index) indexes.push({ name: indexName(nameOf({ kind: 'ix', columns: [col.name] }, col.line), col.line), table: name, schema, columns: [col.name], unique: col.unique, kw: new Map(), line: col.line });
  }
  // The naming convention, as SQLAlchemy applies it when each constraint joins the Table. A foreign
  // key's referred table is not in Alembic's throwaway MetaData unless it is this one.
  const KINDS = { primary: 'pk', unique: 'uq', check: 'ck', foreign: 'fk' } as const;
  for (const k of constraints) {
    const fk = k.kind === 'foreign'
      ? { referredTable: k.refTable, referredSchema: k.refSchema, referredColumns: k.refColumns, referredTableKnown: k.refTable === name && (k.refSchema ?? undefined) === (schema ?? undefined) }
      : {};
    k.name = nameOf({ kind: KINDS[k.kind], name: k.name, conv: k.conv, columns: k.kind === 'check' ? (k.type ? [k.type.column] : k.columns ?? []) : k.columns, ...fk }, call.line);
  }
  // A column's own CHECKs join the table too (named by the convention, rendered with the column).
  for (const col of columns) for (const k of col.checks) k.name = nameOf({ kind: 'ck', name: k.name, conv: k.conv, columns: [] }, call.line);
  const comment = call.kw('comment');
  return {
    name, schema, columns, constraints, indexes, comment: typeof comment === 'string' ? comment : undefined, ifNotExists: call.kw('if_not_exists') === true,
    sqliteAutoincrement: call.kw('sqlite_autoincrement') === true, line: call.line,
  };
}
