/**
 * Column ops as Alembic's autogenerate writes them: `sa.Column(...)` for create_table and
 * add_column, drop_column, and alter_column with its `existing_*` arguments, one per line.
 */
import { sameDefault, sameType } from '../schema/diff';
import type { ColumnSnapshot, TableSnapshot } from '../schema/snapshot';
import { pyStr } from './pyRepr';
import { AutoOp, Ctx, isSerialDefault, isSerialKey, qualifiedName, schemaKw, Side } from './context';
import { enumKey } from './sqlTypes';

/** `sa.Column('x', sa.VARCHAR(length=50), server_default=sa.text("'a'"), nullable=True)`. */
export function columnExpr(ctx: Ctx, t: TableSnapshot, c: ColumnSnapshot, side: Side, inCreateTable: boolean): string {
  const where = `column ${qualifiedName(t)}.${c.name}`;
  const args = [pyStr(c.name), ctx.type(c.type, side, where)];
  if (c.identity) args.push(`sa.Identity(always=${c.identity === 'always' ? 'True' : 'False'})`);
  if (c.generated !== undefined) args.push(`sa.Computed(${pyStr(c.generated)}${ctx.dialect === 'postgresql' ? ', persisted=True' : ''})`);
  const serial = ctx.dialect === 'postgresql' && isSerialDefault(c);
  if (serial && inCreateTable && isSerialKey(t, c)) {
    // SQLAlchemy makes it SERIAL again, with its own sequence.
    args.push('autoincrement=True');
  } else if (c.default !== undefined) {
    if (serial) ctx.note(`${where}: its default reads a sequence (${c.default}); the sequence must exist before this column is added`);
    args.push(`server_default=${ctx.serverDefault(c.default)}`);
  }
  // An integer key that is not SERIAL in the database must say so, or SQLAlchemy makes it SERIAL.
  if (ctx.dialect === 'postgresql' && inCreateTable && !c.identity && !(serial && isSerialKey(t, c)) && isLoneIntegerKey(t, c)) args.push('autoincrement=False');
  args.push(`nullable=${c.nullable ? 'True' : 'False'}`);
  if (c.comment !== undefined) args.push(`comment=${pyStr(c.comment)}`);
  return `sa.Column(${args.join(', ')})`;
}

const isLoneIntegerKey = (t: TableSnapshot, c: ColumnSnapshot) =>
  t.primaryKey?.columns.length === 1 && t.primaryKey.columns[0] === c.name && /^(integer|bigint|smallint)$/.test(c.type);

export function addColumn(ctx: Ctx, t: TableSnapshot, c: ColumnSnapshot): AutoOp {
  const expr = columnExpr(ctx, t, c, 'to', false);
  const review = !c.nullable && c.default === undefined && c.generated === undefined && !c.identity
    ? ctx.note(`column ${qualifiedName(t)}.${c.name} is added NOT NULL without a default: this fails if the table has rows (add it nullable, fill it, then alter it)`)
    : undefined;
  return {
    kind: 'add_column', batchTable: t, object: `${qualifiedName(t)}.${c.name}`, review,
    render: (batch) => (batch ? `batch_op.add_column(${expr})` : `op.add_column(${pyStr(t.name)}, ${expr}${schemaKw(t)})`),
  };
}

export function dropColumn(t: TableSnapshot, c: ColumnSnapshot, review?: string): AutoOp {
  return {
    kind: 'drop_column', batchTable: t, object: `${qualifiedName(t)}.${c.name}`, review,
    render: (batch) => (batch ? `batch_op.drop_column(${pyStr(c.name)})` : `op.drop_column(${pyStr(t.name)}, ${pyStr(c.name)}${schemaKw(t)})`),
  };
}

const INDENT = ' '.repeat(11);

/** The alter_column that turns column `a` (from) into `b` (to), or nothing when they are the same. */
export function alterColumn(ctx: Ctx, tFrom: TableSnapshot, a: ColumnSnapshot, b: ColumnSnapshot): AutoOp | undefined {
  const where = `column ${qualifiedName(tFrom)}.${a.name}`;
  const typeChanged = !sameType(ctx.dialect)(a.type, b.type);
  const nullChanged = a.nullable !== b.nullable;
  const defaultChanged = !sameDefault(a.default ?? 'none', b.default ?? 'none');
  const commentChanged = (a.comment ?? null) !== (b.comment ?? null);
  if (!typeChanged && !nullChanged && !defaultChanged && !commentChanged) return undefined;
  const kw: string[] = [`existing_type=${ctx.type(a.type, 'from', where)}`];
  if (defaultChanged) kw.push(`server_default=${b.default === undefined ? 'None' : ctx.serverDefault(b.default)}`);
  if (typeChanged) kw.push(`type_=${ctx.type(b.type, 'to', where)}`);
  if (nullChanged) kw.push(`nullable=${b.nullable ? 'True' : 'False'}`);
  if (commentChanged) kw.push(`comment=${b.comment === undefined ? 'None' : pyStr(b.comment)}`);
  if (a.comment !== undefined && !commentChanged) kw.push(`existing_comment=${pyStr(a.comment)}`);
  if (!nullChanged) kw.push(`existing_nullable=${a.nullable ? 'True' : 'False'}`);
  if (!defaultChanged && a.default !== undefined) kw.push(`existing_server_default=${ctx.serverDefault(a.default)}`);
  const notes: string[] = [];
  if (typeChanged) {
    const using = ctx.dialect === 'postgresql' ? castNeeded(ctx, a.type, b.type) : undefined;
    if (using) kw.push(`postgresql_using=${pyStr(`${ctx.quote(a.name)}::${using}`)}`);
    if (!widens(ctx, a.type, b.type)) notes.push(`${where} changes type from ${a.type} to ${b.type}: existing values may not convert, or may lose data`);
  }
  if (nullChanged && !b.nullable) notes.push(`${where} becomes NOT NULL: this fails if a row holds NULL there (fill it first)`);
  const review = notes.length ? notes.map((n) => ctx.note(n)).join('\n') : undefined;
  return {
    kind: 'alter_column', batchTable: tFrom, object: `${qualifiedName(tFrom)}.${a.name}`, review,
    render: (batch) => {
      const head = batch ? `batch_op.alter_column(${pyStr(a.name)}` : `op.alter_column(${pyStr(tFrom.name)}, ${pyStr(a.name)}`;
      const all = [...kw, ...(!batch && tFrom.schema ? [`schema=${pyStr(tFrom.schema)}`] : [])];
      return `${head},\n${all.map((k) => `${INDENT}${k}`).join(',\n')})`;
    },
  };
}


const INTEGERS = ['smallint', 'integer', 'bigint'];
/** A change that keeps every value: a longer string, a wider integer, a string to text, more precision. */
function widens(ctx: Ctx, from: string, to: string): boolean {
  const f = from.toLowerCase().replace(/\s+/g, ' ');
  const t = to.toLowerCase().replace(/\s+/g, ' ');
  const len = (s: string) => /^(?:character varying|varchar|nvarchar|character|char)\((\d+)\)$/.exec(s);
  const lf = len(f);
  const lt = len(t);
  if (lf && lt && f.replace(/\(.*/, '') === t.replace(/\(.*/, '')) return Number(lt[1]) >= Number(lf[1]);
  // Every value has a text form (binary data aside).
  if ((t === 'text' || t === 'character varying' || t === 'varchar') && !/^(bytea|blob)$/.test(f)) return true;
  const ints = ctx.dialect === 'sqlite' ? ['smallint', 'integer', 'bigint'] : INTEGERS;
  if (ints.includes(f) && ints.includes(t)) return ints.indexOf(t) >= ints.indexOf(f);
  const num = (s: string) => /^(?:numeric|decimal)\((\d+), ?(\d+)\)$/.exec(s);
  const nf = num(f);
  const nt = num(t);
  if (nf && nt) return Number(nt[2]) >= Number(nf[2]) && Number(nt[1]) - Number(nt[2]) >= Number(nf[1]) - Number(nf[2]);
  return false;
}

const TEXTUAL = /^(text|character varying|character|"char"|varchar)/;
/** PostgreSQL: the USING cast an ALTER COLUMN TYPE needs (no assignment cast from a string, to an enum, ...). */
function castNeeded(ctx: Ctx, from: string, to: string): string | undefined {
  const fromEnum = enumKey(from, ctx.from.enums) !== undefined;
  const toEnum = enumKey(to, ctx.to.enums) !== undefined;
  if (toEnum) return fromEnum ? `text::${to}` : to;
  if (TEXTUAL.test(from) && !TEXTUAL.test(to)) return to;
  if (INTEGERS.includes(from) && to === 'boolean') return to;
  if (from === 'boolean' && INTEGERS.includes(to)) return to;
  if ((from === 'json' && to === 'jsonb') || (from === 'jsonb' && to === 'json')) return to;
  return undefined;
}

