/**
 * What every autogenerate step shares: the style asked for, the two snapshots, the imports the
 * text needs, and the op record the planner makes and the renderer writes.
 */
import type { ColumnSnapshot, SchemaSnapshot, TableSnapshot } from '../schema/snapshot';
import { dialectFor } from '../dialects';
import { parenthesizeDefault } from '../ops/sqliteReflect';
import { pyStr, saText } from './pyRepr';
import { pythonType } from './sqlTypes';

export interface AutogenStyle {
  dialect: 'sqlite' | 'postgresql';
  /** The project has a naming convention: names are written `op.f('name')`, as Alembic does for convention names. */
  useOpF: boolean;
  /** SQLite: table changes inside `with op.batch_alter_table(...)`, as Alembic's render_as_batch. */
  batch: boolean;
}

export type OpKind = 'create_table' | 'drop_table' | 'add_column' | 'drop_column' | 'alter_column' | 'create_index' | 'drop_index'
  | 'create_foreign_key' | 'create_unique_constraint' | 'create_check_constraint' | 'create_primary_key' | 'drop_constraint'
  | 'create_table_comment' | 'drop_table_comment' | 'create_enum' | 'drop_enum' | 'execute';

export interface AutoOp {
  kind: OpKind;
  /** The table it changes, when it goes inside that table's batch block (batch style). */
  batchTable?: { name: string; schema?: string };
  /** What it acts on, for tests and messages: `users`, `users.email`, `ix_users_email`. */
  object: string;
  /** `# review:` notes written above it, one a line. */
  review?: string;
  /** The call; `batch` when written on `batch_op` (without the table's name). */
  render(batch: boolean): string;
}

/** Which snapshot a value comes from: `from` (before the change) or `to` (after). */
export type Side = 'from' | 'to';

export class Ctx {
  readonly imports = new Set<string>();
  readonly reviews: string[] = [];
  readonly dialect: SchemaSnapshot['dialect'];
  constructor(readonly style: AutogenStyle, readonly from: SchemaSnapshot, readonly to: SchemaSnapshot) {
    this.dialect = style.dialect;
  }

  snapshot(side: Side): SchemaSnapshot { return side === 'from' ? this.from : this.to; }

  /** A name as Alembic writes it: `op.f('ix_t_x')` under a naming convention, else `'ix_t_x'`; None when unnamed. */
  name(n: string | undefined, batch: boolean): string {
    if (n === undefined) return 'None';
    return this.style.useOpF ? `${batch ? 'batch_op' : 'op'}.f(${pyStr(n)})` : pyStr(n);
  }

  /** A column type; an unknown one is written as sa.NullType() with a note. */
  type(text: string, side: Side, where: string, enumCreateTypeFalse = true): string {
    const t = pythonType(text, this.dialect, { enums: this.snapshot(side).enums, enumCreateTypeFalse });
    for (const i of t.imports) this.imports.add(i);
    if (!t.known) this.note(`${where}: the type ${text} is not one SQLAlchemy reflects; written as sa.NullType(), replace it with the right type`);
    return t.expr;
  }

  /** A server default as Alembic renders a reflected one (SQLite's expressions parenthesized, as its reflection hook does). */
  serverDefault(sql: string): string {
    return saText(this.dialect === 'sqlite' ? parenthesizeDefault(sql) : sql);
  }

  /** A name (or `schema.name` snapshot key) quoted where the database needs it. */
  quote(key: string): string {
    const d = dialectFor(this.dialect);
    return key.split('.').map((p) => d.quote(p)).join('.');
  }

  /** Records a review note once (the op carries its own copy). */
  note(text: string): string {
    if (!this.noted.has(text)) { this.noted.add(text); this.reviews.push(text); }
    return text;
  }

  private readonly noted = new Set<string>();
}

/** `, schema='x'` when the table is outside the default schema. */
export const schemaKw = (t: { schema?: string }): string => (t.schema ? `, schema=${pyStr(t.schema)}` : '');

/** PostgreSQL: the column's default is the sequence of a SERIAL (`nextval('t_id_seq'::regclass)`). */
export function isSerialDefault(c: ColumnSnapshot): boolean {
  return c.default !== undefined && /^nextval\('[^']+'::regclass\)$/.test(c.default) && /^(integer|bigint|smallint)$/.test(c.type);
}

/** A column SQLAlchemy creates as SERIAL: the table's only primary key column, an integer with its sequence's default. */
export function isSerialKey(t: TableSnapshot, c: ColumnSnapshot): boolean {
  return isSerialDefault(c) && t.primaryKey?.columns.length === 1 && t.primaryKey.columns[0] === c.name && !c.default!.includes('"');
}

export const qualifiedName = (t: { name: string; schema?: string }): string => (t.schema ? `${t.schema}.${t.name}` : t.name);

/** `op.execute('...')`: what Alembic has no op for (enum labels, views, sequences). */
export const execute = (object: string, sql: string, review?: string): AutoOp => ({
  kind: 'execute', object, review, render: () => `op.execute(${pyStr(sql)})`,
});
