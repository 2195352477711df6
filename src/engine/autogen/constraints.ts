/**
 * Index and constraint ops as Alembic's autogenerate writes them, standalone (op.create_index,
 * op.create_foreign_key, ...) or inside create_table (sa.ForeignKeyConstraint, ...).
 */
import type { CheckSnapshot, ForeignKeySnapshot, IndexSnapshot, TableSnapshot, UniqueSnapshot } from '../schema/snapshot';
import { pyList, pyStr, saText } from './pyRepr';
import { AutoOp, Ctx, qualifiedName, schemaKw } from './context';

type Table = TableSnapshot;

/** The referred table as `schema.table` / `table`, and its parts. */
const referred = (f: ForeignKeySnapshot) => {
  const i = f.referredTable.indexOf('.');
  return i < 0 ? { name: f.referredTable } : { schema: f.referredTable.slice(0, i), name: f.referredTable.slice(i + 1) };
};

const fkOptions = (f: ForeignKeySnapshot): string[] => [
  ...(f.onUpdate ? [`onupdate=${pyStr(f.onUpdate)}`] : []),
  ...(f.onDelete ? [`ondelete=${pyStr(f.onDelete)}`] : []),
  ...(f.deferrable ? [`initially=${pyStr(f.initiallyDeferred ? 'DEFERRED' : 'IMMEDIATE')}`, 'deferrable=True'] : []),
];

/** A CHECK's condition without the one pair of parentheses PostgreSQL's pg_get_expr puts around it. */
export function checkCondition(sql: string): string {
  const s = sql.trim();
  if (!s.startsWith('(') || !s.endsWith(')')) return s;
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === "'") { i = s.indexOf("'", i + 1); if (i < 0) return s; continue; }
    if (s[i] === '(') depth++;
    else if (s[i] === ')' && --depth === 0 && i < s.length - 1) return s;
  }
  return s.slice(1, -1);
}

/** The constraints of a create_table, each as Alembic writes them there (sorted by their text, as Alembic does). */
export function tableConstraints(ctx: Ctx, t: Table, exclude: Set<ForeignKeySnapshot>): string[] {
  const out: string[] = [];
  const nameKw = (n: string | undefined) => (n !== undefined ? [`name=${ctx.name(n, false)}`] : []);
  for (const c of t.checks) out.push(`sa.CheckConstraint(${[pyStr(checkCondition(c.sql)), ...nameKw(c.name)].join(', ')})`);
  for (const f of t.foreignKeys) {
    if (exclude.has(f)) continue;
    const r = referred(f);
    const targets = f.referredColumns.map((c) => `${r.schema ? `${r.schema}.` : ''}${r.name}.${c}`);
    out.push(`sa.ForeignKeyConstraint(${[pyList(f.columns), pyList(targets), ...nameKw(f.name), ...fkOptions(f)].join(', ')})`);
  }
  if (t.primaryKey) out.push(`sa.PrimaryKeyConstraint(${[...t.primaryKey.columns.map(pyStr), ...nameKw(t.primaryKey.name)].join(', ')})`);
  for (const u of t.uniques) out.push(`sa.UniqueConstraint(${[...u.columns.map(pyStr), ...nameKw(u.name)].join(', ')})`);
  return out.sort();
}

export function createForeignKey(ctx: Ctx, t: Table, f: ForeignKeySnapshot): AutoOp {
  const r = referred(f);
  const rest = [pyStr(r.name), pyList(f.columns), pyList(f.referredColumns)];
  const kw = [...(r.schema ? [`referent_schema=${pyStr(r.schema)}`] : []), ...fkOptions(f)];
  const review = f.name === undefined && ctx.dialect === 'sqlite'
    ? ctx.note(`the foreign key on ${qualifiedName(t)}(${f.columns.join(', ')}) has no name: it cannot be dropped by name later (name it)`) : undefined;
  return {
    kind: 'create_foreign_key', batchTable: t, object: `${qualifiedName(t)}(${f.columns.join(', ')}) -> ${f.referredTable}`, review,
    render: (batch) => (batch
      ? `batch_op.create_foreign_key(${[ctx.name(f.name, true), ...rest, ...kw].join(', ')})`
      : `op.create_foreign_key(${[ctx.name(f.name, false), pyStr(t.name), ...rest, ...(t.schema ? [`source_schema=${pyStr(t.schema)}`] : []), ...kw].join(', ')})`),
  };
}

export function createUnique(ctx: Ctx, t: Table, u: UniqueSnapshot): AutoOp {
  return {
    kind: 'create_unique_constraint', batchTable: t, object: u.name ?? `${qualifiedName(t)}(${u.columns.join(', ')})`,
    render: (batch) => (batch
      ? `batch_op.create_unique_constraint(${ctx.name(u.name, true)}, ${pyList(u.columns)})`
      : `op.create_unique_constraint(${ctx.name(u.name, false)}, ${pyStr(t.name)}, ${pyList(u.columns)}${schemaKw(t)})`),
  };
}

export function createCheck(ctx: Ctx, t: Table, c: CheckSnapshot): AutoOp {
  const cond = pyStr(checkCondition(c.sql));
  return {
    kind: 'create_check_constraint', batchTable: t, object: c.name ?? `${qualifiedName(t)} CHECK (${c.sql})`,
    render: (batch) => (batch
      ? `batch_op.create_check_constraint(${ctx.name(c.name, true)}, ${cond})`
      : `op.create_check_constraint(${ctx.name(c.name, false)}, ${pyStr(t.name)}, ${cond}${schemaKw(t)})`),
  };
}

export function createPrimaryKey(ctx: Ctx, t: Table, pk: NonNullable<Table['primaryKey']>): AutoOp {
  return {
    kind: 'create_primary_key', batchTable: t, object: pk.name ?? `${qualifiedName(t)} primary key`,
    render: (batch) => (batch
      ? `batch_op.create_primary_key(${ctx.name(pk.name, true)}, ${pyList(pk.columns)})`
      : `op.create_primary_key(${ctx.name(pk.name, false)}, ${pyStr(t.name)}, ${pyList(pk.columns)}${schemaKw(t)})`),
  };
}

const TYPE_: Record<string, string> = { foreignkey: 'foreignkey', unique: 'unique', check: 'check', primary: 'primary' };

/** drop_constraint; an unnamed one (SQLite) cannot be named, which the note says. */
export function dropConstraint(ctx: Ctx, t: Table, name: string | undefined, type: keyof typeof TYPE_, what: string): AutoOp {
  const review = name === undefined
    ? ctx.note(`the ${what} on ${qualifiedName(t)} has no name, so it cannot be dropped by name: name it in the database, or rebuild the table`)
    : undefined;
  return {
    kind: 'drop_constraint', batchTable: t, object: name ?? `${qualifiedName(t)} ${what}`, review,
    render: (batch) => (batch
      ? `batch_op.drop_constraint(${ctx.name(name, true)}, type_=${pyStr(TYPE_[type])})`
      : `op.drop_constraint(${ctx.name(name, false)}, ${pyStr(t.name)}${schemaKw(t)}, type_=${pyStr(TYPE_[type])})`),
  };
}

/** An index's items: column names, or `sa.text('...')` for expressions, ordering and operator classes. */
function indexItems(ctx: Ctx, t: Table, ix: IndexSnapshot): string[] {
  const names = new Set(t.columns.map((c) => c.name));
  let items = ix.columns;
  if (ctx.dialect === 'postgresql' && ix.definition) {
    const m = /\bUSING \w+ \((.*?)\)(?: INCLUDE \(.*\))?(?: WHERE .*)?$/s.exec(ix.definition);
    if (m) items = splitItems(m[1]).map((p) => (/^"(?:[^"]|"")+"$/.test(p) ? p.slice(1, -1).replace(/""/g, '"') : p));
  }
  return items.map((i) => (names.has(i) ? pyStr(i) : saText(i)));
}

/** Splits `a, lower((b)::text), c DESC` at its top-level commas (quotes and parentheses respected). */
function splitItems(list: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote = '';
  let cur = '';
  for (const ch of list) {
    if (quote) { if (ch === quote) quote = ''; }
    else if (ch === "'" || ch === '"') quote = ch;
    else if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === ',' && depth === 0) { out.push(cur.trim()); cur = ''; continue; }
    cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

function indexKw(ctx: Ctx, ix: IndexSnapshot): string[] {
  const kw: string[] = [];
  const using = ix.definition && /\bUSING (\w+) \(/.exec(ix.definition)?.[1];
  if (ctx.dialect === 'postgresql' && using && using !== 'btree') kw.push(`postgresql_using=${pyStr(using)}`);
  const include = ix.definition && / INCLUDE \(([^)]*)\)/.exec(ix.definition)?.[1];
  if (ctx.dialect === 'postgresql' && include) kw.push(`postgresql_include=${pyList(include.split(',').map((s) => s.trim().replace(/^"|"$/g, '')))}`);
  if (ix.where !== undefined) kw.push(`${ctx.dialect}_where=${saText(ix.where)}`);
  return kw;
}

export function createIndex(ctx: Ctx, t: Table, ix: IndexSnapshot): AutoOp {
  const items = `[${indexItems(ctx, t, ix).join(', ')}]`;
  const kw = [`unique=${ix.unique ? 'True' : 'False'}`, ...indexKw(ctx, ix)];
  return {
    kind: 'create_index', batchTable: t, object: ix.name,
    render: (batch) => (batch
      ? `batch_op.create_index(${[ctx.name(ix.name, true), items, ...kw].join(', ')})`
      : `op.create_index(${[ctx.name(ix.name, false), pyStr(t.name), items, ...kw.slice(0, 1), ...(t.schema ? [`schema=${pyStr(t.schema)}`] : []), ...kw.slice(1)].join(', ')})`),
  };
}

export function dropIndex(ctx: Ctx, t: Table, ix: IndexSnapshot): AutoOp {
  const kw = indexKw(ctx, ix).filter((k) => k.includes('_where='));
  return {
    kind: 'drop_index', batchTable: t, object: ix.name,
    render: (batch) => (batch
      ? `batch_op.drop_index(${[ctx.name(ix.name, true), ...kw].join(', ')})`
      : `op.drop_index(${[ctx.name(ix.name, false), `table_name=${pyStr(t.name)}`, ...(t.schema ? [`schema=${pyStr(t.schema)}`] : []), ...kw].join(', ')})`),
  };
}
