/**
 * The ORM as data migrations use it: models declared in the migration (or a project module) on
 * `declarative_base()`, and `Session(bind=op.get_bind())` with `query(Model).filter(...)` /
 * `filter_by(...)` and `.all()` / `.first()` / `.one()` / `.count()` / `.update({...})` /
 * `.delete()`, `session.execute(stmt)`, `session.add(Model(...))`, attribute changes on loaded
 * objects, `flush()` / `commit()`. Each becomes the Core statement SQLAlchemy emits, run on the
 * run's connection where the migration has it (its reads make the function run online, as
 * `conn.execute(...).fetchall()` does). SQLAlchemy 2.0's `Session(bind=connection)` joins the
 * connection's transaction (join_transaction_mode "conservative_savepoint"): `commit()` flushes
 * and leaves the run's transaction open, as here. The unit of work is SQLAlchemy's for one table
 * at a time: UPDATEs of changed columns by primary key, then pending INSERTs in `add()` order,
 * then DELETEs; models ordered by `module.ClassName` (SQLAlchemy's mapper sort key; foreign keys
 * order them only through relationships). What needs Python (a `default=` / `onupdate=`
 * function, relationships, a primary key the database generates and the migration then changes)
 * is refused where it is met.
 */
import { Call, PyDict, Unsupported } from '../../values';
import { ColumnObj, evaluationDialect, TableObj } from './core';
import { bindForColumn } from './uuidModule';
import { PyClass } from './classes';
import { PythonError } from './errors';
import { Builtin, Kwargs, PyFunction, pythonSideCallables, RtObject, Value } from './runtime';

/** The canonical names of a declarative base (`declarative_base()`'s class, SQLAlchemy 2.0's `DeclarativeBase`). */
export const DECLARATIVE = new Set(['sa.orm.DeclarativeBase']);

export interface OrmHost {
  readonly offline?: boolean;
  readonly dialect: 'sqlite' | 'postgresql';
  readonly bind: Value;
  /** The migration's connection (`op.get_bind()`). */
  isBind(v: Value): boolean;
  /** Runs a statement where the migration has it; returns its result. */
  execute(stmt: Value, line: number, what: string): RtObject;
}

class Mapper {
  readonly keys = new Map<string, ColumnObj>();
  readonly calls = new Map<ColumnObj, Call>();
  readonly relationships = new Set<string>();
  readonly table: TableObj;
  readonly pk: ColumnObj[];
  constructor(readonly cls: PyClass, tablename: string, schema: string | undefined) {
    const found = new Map<string, Call>();
    const walk = (c: PyClass) => {
      for (const b of [...c.bases].reverse()) if (b instanceof PyClass) walk(b);
      for (const [k, v] of c.attrs) {
        if (v instanceof Call && (v.fn === 'sa.Column' || v.fn === 'sa.orm.mapped_column')) { found.delete(k); found.set(k, v); }
        else if (v instanceof Call && v.fn === 'sa.orm.relationship') this.relationships.add(k);
      }
    };
    walk(cls);
    const cols: ColumnObj[] = [];
    for (const [key, call] of found) {
      const name = typeof call.args[0] === 'string' ? call.args[0] : key;
      const type = typeof call.args[0] === 'string' ? call.args[1] : call.args[0];
      const col = new ColumnObj(name, type instanceof Call ? type : undefined, new Call('sa.column', type instanceof Call ? [name, type] : [name], new Map(), call.line));
      cols.push(col);
      this.keys.set(key, col);
      this.calls.set(col, call);
    }
    this.table = new TableObj(tablename, schema, cols, new Call('sa.table', [tablename, ...cols.map((c) => c.source!)], new Map(schema ? [['schema', schema]] : []), 0));
    this.pk = cols.filter((c) => this.calls.get(c)!.kw('primary_key') === true);
  }
  /** SQLAlchemy's `Mapper._sort_key` is `module.ClassName`: between models of one migration file, the class name. */
  get sortKey(): string { return this.cls.name; }
  keyOf(col: ColumnObj): string { return [...this.keys].find(([, c]) => c === col)![0]; }
  /** A value as the column's type binds it when the ORM writes it (a uuid.UUID by its column's type). */
  bound(col: ColumnObj, v: Value): Value { return bindForColumn(v, col.type, evaluationDialect()); }
  /**
   * A Python-side `default=` / `onupdate=`: its value, or what its function returns, called as
   * SQLAlchemy calls one that takes no argument (once per row written).
   */
  pythonSide(col: ColumnObj, kw: 'default' | 'onupdate', line: number): Value | undefined {
    const call = this.calls.get(col)!;
    if (!call.has(kw)) return undefined;
    const v = call.kw(kw);
    const what = `${this.cls.name}.${this.keyOf(col)} (${kw}=...)`;
    const fn = v === undefined ? pythonSideCallables.get(call)?.get(kw) : undefined;
    if (fn) {
      // SQLAlchemy passes the execution context to a function with a positional parameter.
      if (fn instanceof PyFunction && fn.params.some((p) => p.kind === 'plain' && p.default === undefined)) {
        throw new Unsupported(line, what, `SQLAlchemy would call ${fn.name}() with the statement's execution context, which the embedded engine does not model`);
      }
      return fn.call([], new Map(), line);
    }
    if (v === undefined || v instanceof Call) throw new Unsupported(line, what, `SQLAlchemy would call the column's Python-side ${kw}= here, which needs Python`);
    return v as Value;
  }
}

const mappers = new WeakMap<PyClass, Mapper | null>();
const byTable = new WeakMap<TableObj, Mapper>();

/** The model a column expression (`Model.col`) belongs to. */
export const mapperOfColumn = (c: ColumnObj): Mapper | undefined => (c.table ? byTable.get(c.table) : undefined);

/** The mapper of a declarative model class (undefined for other classes, and for an abstract base without `__tablename__`). */
export function mapperOf(cls: PyClass): Mapper | undefined {
  let m = mappers.get(cls);
  if (m === undefined) {
    const tablename = cls.derives(DECLARATIVE) ? cls.lookup('__tablename__') : undefined;
    const args = cls.lookup('__table_args__');
    const schema = args instanceof PyDict ? args.entries.get('schema') : undefined;
    m = typeof tablename === 'string' ? new Mapper(cls, tablename, typeof schema === 'string' ? schema : undefined) : null;
    mappers.set(cls, m);
    if (m) byTable.set(m.table, m);
  }
  return m ?? undefined;
}

/** How a model class answers: `Model.column` is a column expression, `Model(...)` a new (transient) object. */
export const ormClassHooks = {
  attr(cls: PyClass, name: string, line: number): Value | undefined {
    const m = mapperOf(cls);
    if (!m) return undefined;
    if (name === '__table__') return m.table;
    if (m.relationships.has(name)) throw new Unsupported(line, `${cls.name}.${name}`, 'relationships are not loaded by the embedded engine');
    return m.keys.get(name);
  },
  call(cls: PyClass, args: Value[], kwargs: Kwargs, line: number): Value | undefined {
    const m = mapperOf(cls);
    if (!m || cls.lookup('__init__') instanceof PyFunction) return undefined;
    if (args.length) throw new PythonError(line, 'TypeError', `${cls.name}.__init__() takes 1 positional argument but ${args.length + 1} were given`);
    const obj = new ModelObject(m);
    for (const [k, v] of kwargs) {
      if (!m.keys.has(k) && !m.relationships.has(k) && cls.lookup(k) === undefined) throw new PythonError(line, 'TypeError', `'${k}' is an invalid keyword argument for ${cls.name}`);
      obj.set(k, v, line);
    }
    return obj;
  },
};

/** An instance of a model: its column attributes, and what the session knows of it. */
export class ModelObject extends RtObject {
  readonly values = new Map<string, Value>();
  /** The values as loaded (or last flushed): what an UPDATE compares with. */
  committed = new Map<string, Value>();
  state: 'transient' | 'pending' | 'persistent' | 'deleted' = 'transient';
  /** Loaded before a bulk update/delete that SQLAlchemy would have synchronized in Python. */
  stale = false;
  private readonly extra = new Map<string, Value>();
  constructor(readonly mapper: Mapper) { super(); }
  get typeName(): string { return this.mapper.cls.name; }

  override getAttr(name: string, line: number): Value {
    if (this.mapper.keys.has(name)) {
      if (this.stale) throw new Unsupported(line, `${this.typeName}.${name}`, 'an object loaded before a bulk update or delete: SQLAlchemy refreshes it in Python, the embedded engine does not');
      return this.values.get(name) ?? null;
    }
    if (this.mapper.relationships.has(name)) throw new Unsupported(line, `${this.typeName}.${name}`, 'relationships are not loaded by the embedded engine');
    if (this.extra.has(name)) return this.extra.get(name)!;
    const v = this.mapper.cls.lookup(name);
    if (v instanceof PyFunction && v.kind === 'method') return new Builtin(`${this.typeName}.${name}`, (a, k, at) => v.call([this, ...a], k, at));
    if (v instanceof PyFunction && v.kind === 'property') return v.call([this], new Map(), line);
    if (v !== undefined && !(v instanceof Call)) return v;
    throw new PythonError(line, 'AttributeError', `'${this.typeName}' object has no attribute '${name}'`);
  }

  set(name: string, value: Value, line: number): void {
    if (this.mapper.relationships.has(name)) throw new Unsupported(line, `${this.typeName}.${name} = ...`, 'relationships are not written by the embedded engine');
    if (!this.mapper.keys.has(name)) { this.extra.set(name, value); return; }
    if (this.state === 'persistent' && this.stale) throw new Unsupported(line, `${this.typeName}.${name} = ...`, 'an object loaded before a bulk update or delete is not refreshed by the embedded engine');
    this.values.set(name, value);
  }

  pkValues(line: number): Value[] {
    return this.mapper.pk.map((c) => {
      const v = this.committed.get(this.mapper.keyOf(c)) ?? this.values.get(this.mapper.keyOf(c));
      if (v === undefined || v === null) throw new Unsupported(line, `${this.typeName}`, 'its primary key is generated by the database, which the embedded engine does not read back after an INSERT');
      return v;
    });
  }
}
