/**
 * SQLAlchemy Core as data migrations use it: `sa.table()` / `sa.column()` / `sa.Table(..., MetaData())`,
 * column expressions (`t.c.x == 1`, `.in_()`, `sa.and_()`...), and `insert()` / `update()` /
 * `delete()` / `select()` statements, compiled with their values written in (as Alembic does for
 * `op.execute(stmt)` in `--sql` mode; online the result is the same rows).
 */
import { Call, PyDict, PyValue, TextClause, Unsupported } from '../../values';
import { Dialect, dialectFor } from '../../ddl/dialect';
import { renderExpression } from '../../ddl/render';
import { pyJsonDumps } from '../../bulkInsert';
import { PythonError } from './errors';
import { Builtin, isTuple, Kwargs, RtObject, typeName, Value } from './runtime';
import type { DialectName } from './context';
import { DateTimeObj } from './stdlib';

type Render = { d: Dialect; name: DialectName; qualify: boolean };

/** The database the current evaluation compiles for (evaluations are synchronous: one at a time). */
let evaluating: DialectName | undefined;
export function setEvaluationDialect(d: DialectName | undefined): void { evaluating = d; }
/** The database the current evaluation is for (values that SQLAlchemy binds per dialect, e.g. a datetime). */
export const evaluationDialect = (): DialectName | undefined => evaluating;

export abstract class ClauseElement extends RtObject {
  abstract render(r: Render): string;
  /** Lower binds tighter; used to parenthesize nested AND/OR. */
  precedence = 0;
  /**
   * As DDL takes it (`CHECK (x > 5)`, `postgresql_where=t.c.deleted_at.is_(None)`): columns
   * unqualified, values written in.
   */
  override toData(): PyValue {
    const name = evaluating ?? 'sqlite';
    return new TextClause(this.render({ d: dialectFor(name), name, qualify: false }));
  }
}

export class ColumnObj extends ClauseElement {
  readonly typeName = 'ColumnClause';
  table?: TableObj;
  constructor(readonly name: string, readonly type?: PyValue, readonly source?: Call) { super(); }
  /** As a dict key (`query.update({Model.col: ...})`): the column of its table. */
  override hashKey(): string { return `\u0001column:${this.table?.schema ?? ''}.${this.table?.name ?? ''}.${this.name}`; }
  render(r: Render): string {
    const own = r.d.quote(this.name);
    return r.qualify && this.table ? `${this.table.qualifiedName(r.d)}.${own}` : own;
  }
  override getAttr(name: string, line: number): Value {
    const unary = (fn: (c: ColumnObj) => ClauseElement) => new Builtin(`${this.name}.${name}`, () => fn(this));
    const withArg = (fn: (v: Value, line: number) => ClauseElement) => new Builtin(`${this.name}.${name}`, ([v], _k, at) => fn(v, at));
    switch (name) {
      case 'name': case 'key': return this.name;
      case 'in_': return withArg((v, at) => new InClause(this, v, false, at));
      case 'notin_': case 'not_in': return withArg((v, at) => new InClause(this, v, true, at));
      case 'is_': return withArg((v) => new Binary(this, 'IS', v));
      case 'isnot': case 'is_not': return withArg((v) => new Binary(this, 'IS NOT', v));
      case 'like': return withArg((v) => new Binary(this, 'LIKE', v));
      case 'notlike': case 'not_like': return withArg((v) => new Binary(this, 'NOT LIKE', v));
      case 'ilike': return withArg((v) => new Binary(this, 'ILIKE', v));
      case 'desc': return unary((c) => new Suffix(c, 'DESC'));
      case 'asc': return unary((c) => new Suffix(c, 'ASC'));
      case 'label': return withArg((v) => new Label(this, String(v)));
    }
    return super.getAttr(name, line);
  }
}

/** The columns an expression refers to, in order (SQLAlchemy's traversal, for a constraint's columns). */
export function columnsIn(e: Value): ColumnObj[] {
  if (e instanceof ColumnObj) return [e];
  if (e instanceof Binary) return [...columnsIn(e.left), ...columnsIn(e.right)];
  if (e instanceof InClause) return [...columnsIn(e.col), ...(Array.isArray(e.values) ? e.values.flatMap(columnsIn) : [])];
  if (e instanceof BoolClause) return e.items.flatMap(columnsIn);
  if (e instanceof NotClause) return columnsIn(e.inner);
  if (e instanceof Suffix || e instanceof Label) return columnsIn(e.inner);
  return [];
}

export class TableObj extends RtObject {
  readonly typeName = 'TableClause';
  /** `sa.Index(name, t.c.x, ...)` calls made on this table after it was built (as they read in the Table's arguments). */
  readonly indexes: Call[] = [];
  /**
   * @param definition an `sa.Table(name, MetaData(), sa.Column(...), ...)` as written (what `copy_from=` needs);
   *   undefined for `sa.table()` and a table of `sa.column()`s.
   */
  constructor(readonly name: string, readonly schema: string | undefined, readonly columns: ColumnObj[], readonly source: Call, readonly definition?: Call) {
    super();
    for (const c of columns) c.table = this;
  }
  /** The full `sa.Table(...)` call with its later indexes, for batch mode's `copy_from=`. */
  fullDefinition(): Call | undefined {
    const d = this.definition;
    return d && new Call(d.fn, [...d.args, ...this.indexes], d.kwargs, d.line, d.skipped);
  }
  qualifiedName(d: Dialect): string { return d.qualified(this.name, this.schema); }
  column(name: string, line: number): ColumnObj {
    const c = this.columns.find((x) => x.name === name);
    if (!c) throw new PythonError(line, 'AttributeError', `${name} (table ${this.name} has no column of that name)`);
    return c;
  }
  override getAttr(name: string, line: number): Value {
    switch (name) {
      case 'c': case 'columns': return new ColumnCollection(this);
      case 'name': return this.name;
      case 'schema': return this.schema ?? null;
      case 'fullname': return this.schema ? `${this.schema}.${this.name}` : this.name;
      case 'insert': return new Builtin('insert', () => new Statement('insert', this));
      case 'update': return new Builtin('update', () => new Statement('update', this));
      case 'delete': return new Builtin('delete', () => new Statement('delete', this));
      case 'select': return new Builtin('select', () => new Statement('select', this, this.columns));
    }
    return super.getAttr(name, line);
  }
  override toData(): PyValue { return this.source; }
}

export class ColumnCollection extends RtObject {
  readonly typeName = 'ColumnCollection';
  constructor(readonly table: TableObj) { super(); }
  override getAttr(name: string, line: number): Value { return this.table.column(name, line); }
  override iter(): Iterable<Value> { return this.table.columns; }
}

class Binary extends ClauseElement {
  readonly typeName = 'BinaryExpression';
  constructor(readonly left: Value, readonly op: string, readonly right: Value) { super(); }
  render(r: Render): string {
    let op = this.op;
    // `== None` and `== null()` alike: SQLAlchemy compares with NULL by IS / IS NOT.
    const isNull = this.right === null || (this.right instanceof Call && this.right.fn === 'sa.null');
    if (isNull && (op === '=' || op === 'IS')) op = 'IS';
    else if (isNull && (op === '!=' || op === 'IS NOT')) op = 'IS NOT';
    if (op === 'ILIKE' && r.name !== 'postgresql') return `lower(${operand(this.left, r)}) LIKE lower(${operand(this.right, r)})`;
    return `${operand(this.left, r)} ${op} ${operand(this.right, r)}`;
  }
}

/** `sa.func.lower(col)` inside an expression (`sa.func.length(c) > 2`): rendered as the DDL compiler renders functions. */
export class FuncClause extends ClauseElement {
  readonly typeName = 'Function';
  constructor(readonly fn: Call) { super(); }
  render(r: Render): string { return renderExpression(this.fn, r.d); }
}

class InClause extends ClauseElement {
  readonly typeName = 'BinaryExpression';
  constructor(readonly col: ColumnObj, readonly values: Value, readonly negate: boolean, line: number) {
    super();
    if (!(values instanceof Statement) && !Array.isArray(values)) throw new PythonError(line, 'ArgumentError', `IN expression list, SELECT construct, or bound parameter object expected, got ${typeName(values)}`);
    if (Array.isArray(values) && values.length === 0) throw new Unsupported(line, 'in_([])', 'an empty IN list is not rendered by the embedded engine');
  }
  render(r: Render): string {
    const list = this.values instanceof Statement ? this.values.compile(r.name) : (this.values as Value[]).map((v) => operand(v, r)).join(', ');
    return `${this.col.render(r)} ${this.negate ? 'NOT IN' : 'IN'} (${list})`;
  }
}

class Suffix extends ClauseElement {
  readonly typeName = 'UnaryExpression';
  constructor(readonly inner: ClauseElement, readonly suffix: string) { super(); }
  render(r: Render): string { return `${this.inner.render(r)} ${this.suffix}`; }
}

class Label extends ClauseElement {
  readonly typeName = 'Label';
  constructor(readonly inner: ClauseElement, readonly label: string) { super(); }
  render(r: Render): string { return `${this.inner.render(r)} AS ${r.d.quote(this.label)}`; }
}

export class BoolClause extends ClauseElement {
  readonly typeName = 'BooleanClauseList';
  constructor(readonly op: 'AND' | 'OR', readonly items: Value[]) { super(); this.precedence = op === 'AND' ? 1 : 2; }
  render(r: Render): string {
    return this.items.map((i) => (i instanceof BoolClause && i.precedence > this.precedence ? `(${i.render(r)})` : operand(i, r))).join(` ${this.op} `);
  }
}

export class NotClause extends ClauseElement {
  readonly typeName = 'UnaryExpression';
  constructor(readonly inner: Value) { super(); }
  render(r: Render): string {
    const i = this.inner;
    if (i instanceof Binary && (i.op === '=' || i.op === '!=')) return new Binary(i.left, i.op === '=' ? '!=' : '=', i.right).render(r);
    if (i instanceof InClause) return new InClause(i.col, i.values, !i.negate, 0).render(r);
    return `NOT (${operand(i, r)})`;
  }
}

const COMPARE: Record<string, string> = { '==': '=', '!=': '!=', '<': '<', '<=': '<=', '>': '>', '>=': '>=' };

/** Python operators on column expressions build SQL expressions (`t.c.x == 1`). */
export function columnOperator(op: string, l: Value, r: Value): Value | undefined {
  if (!(l instanceof ClauseElement) && !(r instanceof ClauseElement)) return undefined;
  if (op in COMPARE) return l instanceof ClauseElement ? new Binary(l, COMPARE[op], r) : new Binary(r, flip(COMPARE[op]), l);
  if (op === '&') return new BoolClause('AND', [l, r]);
  if (op === '|') return new BoolClause('OR', [l, r]);
  if (op === 'unary~') return new NotClause(l);
  if (op === '+' || op === '-' || op === '*' || op === '/') {
    const sqlOp = op === '+' && (typeof r === 'string' || typeof l === 'string') ? '||' : op;
    return new Binary(l, sqlOp, r);
  }
  return undefined;
}

const flip = (op: string) => ({ '<': '>', '>': '<', '<=': '>=', '>=': '<=' } as Record<string, string>)[op] ?? op;

/** A value inside an SQL expression, written as a literal (SQLAlchemy's literal_binds). */
export function operand(v: Value, r: Render): string {
  if (v instanceof ClauseElement) return v.render(r);
  if (v instanceof Statement) return `(${v.compile(r.name)})`;
  return sqlLiteral(v, r.d, r.name);
}

export function sqlLiteral(v: Value, d: Dialect, name: DialectName): string {
  if (v === null) return 'NULL';
  if (typeof v === 'boolean') return name === 'postgresql' ? (v ? 'true' : 'false') : v ? '1' : '0';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(v);
  if (typeof v === 'string') return d.literal(v);
  if (v instanceof TextClause) return v.sql;
  if (v instanceof DateTimeObj) return d.literal(v.bindText(name));
  if (v instanceof Call && (v.fn.startsWith('sa.func.') || ['sa.true', 'sa.false', 'sa.null', 'sa.literal_column'].includes(v.fn))) return renderExpression(v, d);
  const why = v instanceof RtObject ? v.notSql() : undefined;
  throw new Unsupported(0, typeName(v), why ?? 'this value cannot be written into SQL by the embedded engine');
}

const JSON_TYPES = new Set(['sa.JSON', 'pg.JSON', 'pg.JSONB', 'sqlite.JSON']);

/** A value given to a column: a list or dict in a JSON column is serialized as SQLAlchemy's JSON type binds it (json.dumps). */
function columnValue(c: ColumnObj, v: Value, r: Render): string {
  if ((Array.isArray(v) || v instanceof PyDict) && c.type instanceof Call && JSON_TYPES.has(c.type.fn)) return r.d.literal(pyJsonDumps(v as PyValue, 0));
  return operand(v, r);
}

/** `insert()`, `update()`, `delete()`, `select()` with `.values()` and `.where()`. */
export class Statement extends RtObject {
  readonly typeName: string;
  private values: { cols: Map<string, Value> }[] = [];
  private wheres: Value[] = [];
  private orders: Value[] = [];
  private distinct = false;
  /** `.limit(n)` / `.offset(n)` of a SELECT. */
  private rowLimit?: number;
  private rowOffset?: number;
  private offsetLine = 0;
  constructor(readonly kind: 'insert' | 'update' | 'delete' | 'select', readonly table: TableObj | undefined, private selected: Value[] = []) {
    super();
    this.typeName = kind[0].toUpperCase() + kind.slice(1);
  }

  private copy(): Statement {
    const s = new Statement(this.kind, this.table, [...this.selected]);
    s.values = [...this.values];
    s.wheres = [...this.wheres];
    s.orders = [...this.orders];
    s.distinct = this.distinct;
    s.rowLimit = this.rowLimit;
    s.rowOffset = this.rowOffset;
    s.offsetLine = this.offsetLine;
    return s;
  }

  /** What a SELECT returns, column by column (a column expression, or another expression). */
  get columns(): readonly Value[] { return this.kind === 'select' ? this.selected : []; }

  /** The same statement with more WHERE criteria (for callers in TypeScript: the ORM). */
  withWhere(...criteria: Value[]): Statement { const s = this.copy(); s.wheres.push(...criteria); return s; }
  withOrder(...by: Value[]): Statement { const s = this.copy(); s.orders.push(...by); return s; }
  withDistinct(): Statement { const s = this.copy(); s.distinct = true; return s; }
  /** The same statement with one row of values, by column name. */
  withRow(cols: Map<string, Value>): Statement { const s = this.copy(); s.values.push({ cols }); return s; }

  override getAttr(name: string, line: number): Value {
    switch (name) {
      case 'values': return new Builtin('values', (args: Value[], kwargs: Kwargs, at: number) => {
        const s = this.copy();
        const rows = args.length === 1 && Array.isArray(args[0]) && !isTuple(args[0]) ? args[0] : args.length ? [args[0]] : [];
        if (kwargs.size) rows.push(new PyDict(new Map(kwargs) as Map<string, never>));
        for (const row of rows) {
          if (!(row instanceof PyDict)) throw new Unsupported(at, `${this.typeName.toLowerCase()}().values(...)`, 'values given by position are not evaluated; name the columns');
          // Keys may be the table's columns (`{t.c.x: ...}`), as SQLAlchemy takes them.
          const name = (k: string | number) => (typeof k === 'string' && k.startsWith('\u0001column:') ? this.table?.columns.find((c) => c.hashKey() === k)?.name ?? k.slice(8) : String(k));
          s.values.push({ cols: new Map([...row.entries].map(([k, v]) => [name(k), v as Value])) });
        }
        return s;
      });
      case 'where': case 'filter': return new Builtin('where', (args: Value[]) => {
        const s = this.copy();
        s.wheres.push(...args);
        return s;
      });
      case 'order_by': return new Builtin('order_by', (args: Value[]) => {
        if (this.kind !== 'select') throw new Unsupported(line, `${this.kind}().order_by(...)`, 'ORDER BY is rendered for SELECT only');
        const s = this.copy();
        s.orders.push(...args);
        return s;
      });
      case 'distinct': return new Builtin('distinct', (args: Value[]) => {
        if (this.kind !== 'select' || args.length) throw new Unsupported(line, `${this.kind}().distinct(...)`, 'DISTINCT is rendered for a whole SELECT only');
        return this.withDistinct();
      });
      case 'limit': case 'offset': return new Builtin(name, ([n]: Value[], _k: Kwargs, at: number) => {
        if (this.kind !== 'select') throw new Unsupported(at, `${this.kind}().${name}(...)`, `${name.toUpperCase()} is rendered for SELECT only`);
        if (typeof n !== 'number' || !Number.isInteger(n)) throw new Unsupported(at, `select().${name}(...)`, 'a whole number is rendered; an expression is not');
        const s = this.copy();
        if (name === 'limit') s.rowLimit = n; else { s.rowOffset = n; s.offsetLine = at; }
        return s;
      });
      case 'inline': case 'execution_options': return new Builtin(name, () => this);
      case 'select_from': return new Builtin(name, () => this);
      case 'returning': throw new Unsupported(line, `${this.kind}().returning(...)`, 'it reads rows back from the database, which the embedded engine does not do yet');
    }
    return super.getAttr(name, line);
  }

  /** The statement's SQL for the dialect, values written in. */
  compile(name: DialectName): string {
    const d = dialectFor(name);
    const r: Render = { d, name, qualify: true };
    const plain: Render = { d, name, qualify: false };
    const t = this.table;
    const where = () => (this.wheres.length ? ` WHERE ${new BoolClause('AND', this.wheres).render(r)}` : '');
    switch (this.kind) {
      case 'insert': {
        if (!t) throw new Unsupported(0, 'insert()', 'an INSERT without a table');
        if (!this.values.length) return `INSERT INTO ${t.qualifiedName(d)} DEFAULT VALUES`;
        const cols = this.ordered(t, this.values[0].cols);
        const rows = this.values.map((v) => `(${cols.map((c) => columnValue(c, v.cols.has(c.name) ? v.cols.get(c.name)! : null, plain)).join(', ')})`);
        return `INSERT INTO ${t.qualifiedName(d)} (${cols.map((c) => d.quote(c.name)).join(', ')}) VALUES ${rows.join(', ')}`;
      }
      case 'update': {
        if (!t) throw new Unsupported(0, 'update()', 'an UPDATE without a table');
        const v = this.values[this.values.length - 1]?.cols ?? new Map();
        const cols = this.ordered(t, v);
        // SQLAlchemy groups an expression given as a value: `SET n=(t.n + 1)`.
        const value = (c: ColumnObj, x: Value) => (x instanceof Binary ? `(${x.render(r)})` : columnValue(c, x, r));
        return `UPDATE ${t.qualifiedName(d)} SET ${cols.map((c) => `${d.quote(c.name)}=${value(c, v.get(c.name)!)}`).join(', ')}${where()}`;
      }
      case 'delete':
        if (!t) throw new Unsupported(0, 'delete()', 'a DELETE without a table');
        return `DELETE FROM ${t.qualifiedName(d)}${where()}`;
      case 'select': {
        const froms = new Set<TableObj>();
        for (const s of this.selected) if (s instanceof ColumnObj && s.table) froms.add(s.table);
        if (t) froms.add(t);
        const cols = this.selected.map((s) => operand(s, r)).join(', ');
        const from = froms.size ? ` \nFROM ${[...froms].map((f) => f.qualifiedName(d)).join(', ')}` : '';
        const order = this.orders.length ? ` ORDER BY ${this.orders.map((o) => operand(o, r)).join(', ')}` : '';
        return `SELECT ${this.distinct ? 'DISTINCT ' : ''}${cols}${from}${this.wheres.length ? ` \nWHERE ${new BoolClause('AND', this.wheres).render(r)}` : ''}${order}${this.limitClause(name)}`;
      }
    }
  }

  /** SQLAlchemy's `limit_clause` of each dialect (1.4 and 2.0 alike), with the values written in. */
  private limitClause(name: DialectName): string {
    const [l, o] = [this.rowLimit, this.rowOffset];
    if (l === undefined && o === undefined) return '';
    if (name === 'postgresql') return `${l !== undefined ? ` \n LIMIT ${l}` : ''}${o !== undefined ? `${l === undefined ? '\n LIMIT ALL' : ''} OFFSET ${o}` : ''}`;
    if (name === 'sqlite' && l === undefined) {
      // SQLAlchemy writes SQLite's `LIMIT -1` as a bound parameter even with literal binds (`LIMIT ?`).
      throw new Unsupported(this.offsetLine, 'select().offset(...)', 'an OFFSET without a LIMIT is written by SQLAlchemy with a bound parameter on SQLite (LIMIT ?); give it a .limit()');
    }
    if (name === 'sqlite') return `${l !== undefined ? `\n LIMIT ${l}` : ''}${o !== undefined ? `${l === undefined ? '\n LIMIT -1' : ''} OFFSET ${o}` : ' OFFSET 0'}`;
    return `${l !== undefined ? `\n LIMIT ${l}` : ''}${o !== undefined ? `${l === undefined ? '\n LIMIT -1' : ''} OFFSET ${o}` : ''}`;
  }

  /** Columns in the table's order (SQLAlchemy's), each named in the values once. */
  private ordered(t: TableObj, values: Map<string, Value>): ColumnObj[] {
    const unknown = [...values.keys()].filter((k) => !t.columns.some((c) => c.name === k));
    if (unknown.length) throw new Unsupported(0, `${this.kind}().values(...)`, `Unconsumed column names: ${unknown.join(', ')}`);
    return t.columns.filter((c) => values.has(c.name));
  }
}
