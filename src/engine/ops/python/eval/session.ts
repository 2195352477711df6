/**
 * `sqlalchemy.orm.Session(bind=op.get_bind())` and its `query(Model)`: see `orm.ts` for what is
 * modelled and why. Every statement goes through the migration's connection, in order.
 */
import { PyDict, TextClause, Unsupported } from '../../values';
import { ColumnObj, columnOperator, Statement, TableObj } from './core';
import { PyClass } from './classes';
import { PythonError } from './errors';
import { mapperOf, mapperOfColumn, ModelObject, OrmHost } from './orm';
import { Row } from './results';
import { Builtin, Kwargs, Opaque, RtObject, typeName, Value } from './runtime';

type Mapper = NonNullable<ReturnType<typeof mapperOf>>;
/** What a query selects: a model (objects), or columns of one model or one Core table (rows). */
type Entity = { table: TableObj; m?: Mapper; columns?: ColumnObj[] };

/** `Session(bind=...)` / `sessionmaker(bind=...)()` on the migration's connection. */
export function makeSession(host: OrmHost, args: Value[], kwargs: Kwargs, line: number, what: string): SessionObj {
  const bind = kwargs.get('bind') ?? args[0];
  if (!host.isBind(bind ?? null)) throw new Unsupported(line, `${what}(bind=${typeName(bind ?? null)})`, 'only a Session on the migration\'s connection (op.get_bind()) is run by the embedded engine');
  for (const k of kwargs.keys()) {
    if (!['bind', 'autoflush', 'expire_on_commit', 'future'].includes(k)) throw new Unsupported(line, `${what}(..., ${k}=...)`, 'a Session option the embedded engine does not apply');
  }
  return new SessionObj(host, kwargs.get('autoflush') !== false);
}

export class SessionObj extends RtObject {
  readonly typeName = 'Session';
  private readonly pending: ModelObject[] = [];
  private readonly deleted: ModelObject[] = [];
  /** Loaded objects by table and primary key (SQLAlchemy's identity map). */
  readonly identity = new Map<string, ModelObject>();
  constructor(readonly host: OrmHost, private readonly autoflush: boolean) { super(); }

  override getAttr(name: string, line: number): Value {
    const fn = (f: (args: Value[], kwargs: Kwargs, at: number) => Value) => new Builtin(`Session.${name}`, f);
    switch (name) {
      case 'query': return fn((args, _k, at) => new QueryObj(this, entity(args, at), [], []));
      case 'execute': return fn((args, kwargs, at) => {
        if (args[1] !== undefined || kwargs.has('params')) throw new Unsupported(at, 'session.execute(stmt, params)', 'parameters given apart from the statement are not evaluated');
        this.flushIf(at);
        return this.host.execute(args[0] ?? null, at, 'session.execute');
      });
      case 'add': return fn(([obj], _k, at) => { this.add(obj ?? null, at); return null; });
      case 'add_all': return fn(([objs], _k, at) => {
        if (!Array.isArray(objs)) throw new Unsupported(at, 'session.add_all(...)', 'expected a list of objects');
        for (const o of objs) this.add(o, at);
        return null;
      });
      case 'delete': return fn(([obj], _k, at) => {
        if (!(obj instanceof ModelObject) || obj.state !== 'persistent') throw new Unsupported(at, 'session.delete(obj)', 'only an object loaded by this session is deleted by the embedded engine');
        obj.state = 'deleted';
        this.deleted.push(obj);
        return null;
      });
      case 'flush': case 'commit': return fn((_a, _k, at) => { this.flush(at); return null; });
      case 'close': case 'expunge_all': return fn(() => { this.pending.length = 0; this.identity.clear(); return null; });
      case 'get': return fn(([cls, pk], _k, at) => new QueryObj(this, entity([cls ?? null], at), [], []).byPk(pk ?? null, at));
      case 'bind': return this.host.bind;
      case 'get_bind': return fn(() => this.host.bind);
    }
    throw new Unsupported(line, `session.${name}`, 'this part of the ORM Session is not run by the embedded engine');
  }

  private add(obj: Value, line: number): void {
    if (!(obj instanceof ModelObject)) throw new PythonError(line, 'UnmappedInstanceError', `Class '${typeName(obj)}' is not mapped`);
    if (obj.state === 'transient') { obj.state = 'pending'; this.pending.push(obj); }
  }

  flushIf(line: number): void { if (this.autoflush) this.flush(line); }

  /**
   * SQLAlchemy's unit of work for models without relationships: model by model (ordered by
   * `module.ClassName`, the mapper's sort key; foreign keys alone do not order them), the UPDATEs
   * of changed objects by primary key, then the INSERTs in `add()` order; then the DELETEs, model
   * by model, by primary key.
   */
  flush(line: number): void {
    const touched = new Set<Mapper>([...this.pending, ...this.identity.values(), ...this.deleted].map((o) => o.mapper));
    const order = [...touched].sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0));
    for (const m of order) {
      const dirty = [...this.identity.values()].filter((o) => o.mapper === m && o.state === 'persistent' && changed(o).length);
      dirty.sort((a, b) => comparePk(a.pkValues(line), b.pkValues(line)));
      for (const obj of dirty) this.update(obj, line);
      for (const obj of this.pending.filter((o) => o.mapper === m)) this.insert(obj, line);
    }
    for (const m of order) {
      const gone = this.deleted.filter((o) => o.mapper === m).sort((a, b) => comparePk(a.pkValues(line), b.pkValues(line)));
      for (const obj of gone) {
        this.host.execute(new Statement('delete', m.table).withWhere(pkClause(obj, line)), line, 'session.flush');
        this.identity.delete(identityKey(m, obj.pkValues(line)));
      }
    }
    this.pending.length = 0;
    this.deleted.length = 0;
  }

  private insert(obj: ModelObject, line: number): void {
    const m = obj.mapper;
    const values = new Map<string, Value>();
    for (const [key, col] of m.keys) {
      const v = obj.values.get(key);
      // None is left out (the column's server default applies), as SQLAlchemy's persistence does.
      if (v !== undefined && v !== null) { values.set(col.name, m.bound(col, v)); continue; }
      const dflt = m.pythonSide(col, 'default', line);
      if (dflt !== undefined && dflt !== null) { values.set(col.name, m.bound(col, dflt)); obj.values.set(key, dflt); }
    }
    this.host.execute(new Statement('insert', m.table).withRow(values), line, 'session.flush');
    obj.state = 'persistent';
    obj.committed = new Map(obj.values);
    if (m.pk.every((c) => obj.values.get(m.keyOf(c)) !== undefined)) this.identity.set(identityKey(m, obj.pkValues(line)), obj);
  }

  private update(obj: ModelObject, line: number): void {
    const m = obj.mapper;
    const values = new Map<string, Value>();
    for (const key of changed(obj)) values.set(m.keys.get(key)!.name, m.bound(m.keys.get(key)!, obj.values.get(key) ?? null));
    for (const [key, col] of m.keys) {
      if (values.has(col.name)) continue;
      const v = m.pythonSide(col, 'onupdate', line);
      if (v !== undefined) { values.set(col.name, m.bound(col, v)); obj.values.set(key, v); }
    }
    this.host.execute(new Statement('update', m.table).withWhere(pkClause(obj, line)).withRow(values), line, 'session.flush');
    obj.committed = new Map(obj.values);
  }
}

function changed(o: ModelObject): string[] {
  return [...o.values.keys()].filter((k) => !eqValue(o.values.get(k)!, o.committed.get(k)));
}

const eqValue = (a: Value, b: Value | undefined): boolean => a === b || (a instanceof RtObject && b !== undefined && a.eq(b));

const identityKey = (m: Mapper, pk: Value[]) => `${m.table.name}\u0000${JSON.stringify(pk)}`;

function comparePk(a: Value[], b: Value[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number | string;
    const y = b[i] as number | string;
    if (x < y) return -1;
    if (x > y) return 1;
  }
  return 0;
}

function pkClause(obj: ModelObject, line: number): Value {
  const pk = obj.pkValues(line);
  if (!obj.mapper.pk.length) throw new Unsupported(line, obj.typeName, 'a model without a primary key');
  const parts = obj.mapper.pk.map((c, i) => columnOperator('==', c, pk[i])!);
  return parts.length === 1 ? parts[0] : (columnOperator('&', parts[0], parts[1]) as Value);
}

/**
 * `query(Model)`, `query(Model.a, Model.b)` (columns of one model: rows, not objects), or a Core
 * table / its columns (`query(sa.Table(...))`, `query(t.c.a)`: rows, as OpenStack's data migrations use).
 */
function entity(args: Value[], line: number): Entity {
  const [first] = args;
  if (first instanceof Opaque) first.fail(line);
  if (args.length === 1 && first instanceof PyClass) {
    const m = mapperOf(first);
    if (m) return { m, table: m.table };
    throw new Unsupported(line, `session.query(${first.name})`, `${first.name} is not a declarative model of the migration (a declarative_base() subclass with __tablename__)`);
  }
  if (args.length === 1 && first instanceof TableObj) return { table: first, columns: first.columns };
  const cols = args.filter((a): a is ColumnObj => a instanceof ColumnObj);
  const all = cols.length === args.length && cols.length > 0;
  const m = all ? mapperOfColumn(cols[0]) : undefined;
  if (m && cols.every((c) => mapperOfColumn(c) === m)) return { m, table: m.table, columns: cols };
  const table = all && !m ? cols[0].table : undefined;
  if (table && cols.every((c) => c.table === table && !mapperOfColumn(c))) return { table, columns: cols };
  throw new Unsupported(line, 'session.query(...)', 'only session.query(Model), a table, or columns of one model or one table are run by the embedded engine');
}

/** `session.query(Model)` with its filters: each terminal method is one statement. */
class QueryObj extends RtObject {
  readonly typeName = 'Query';
  constructor(private readonly session: SessionObj, private readonly what: Entity, private readonly wheres: Value[], private readonly orders: Value[], private readonly distinct = false) {
    super();
  }

  /** The model queried, for what only objects of a model do (get by primary key, bulk update/delete). */
  private model(line: number, what: string): Mapper {
    if (!this.what.m || this.what.columns) throw new Unsupported(line, what, 'run on session.query(Model) only by the embedded engine');
    return this.what.m;
  }

  private with(more: { wheres?: Value[]; orders?: Value[]; distinct?: boolean }): QueryObj {
    return new QueryObj(this.session, this.what, [...this.wheres, ...more.wheres ?? []], [...this.orders, ...more.orders ?? []], more.distinct ?? this.distinct);
  }

  private statement(): Statement {
    let s = new Statement('select', undefined, this.what.columns ?? this.what.table.columns);
    if (this.wheres.length) s = s.withWhere(...this.wheres);
    if (this.orders.length) s = s.withOrder(...this.orders);
    return this.distinct ? s.withDistinct() : s;
  }

  override getAttr(name: string, line: number): Value {
    const fn = (f: (args: Value[], kwargs: Kwargs, at: number) => Value) => new Builtin(`Query.${name}`, f);
    switch (name) {
      case 'filter': case 'where': return fn((args) => this.with({ wheres: args }));
      case 'filter_by': return fn((_a, kwargs, at) => this.with({ wheres: [...kwargs].map(([k, v]) => {
        const col = this.what.m ? this.what.m.keys.get(k) : this.what.table.columns.find((c) => c.name === k);
        if (!col) throw new PythonError(at, 'InvalidRequestError', `Entity namespace for "${this.what.table.name}" has no property "${k}"`);
        return columnOperator('==', col, v)!;
      }) }));
      case 'order_by': return fn((args) => this.with({ orders: args }));
      case 'distinct': return fn((args, _k, at) => {
        if (args.length) throw new Unsupported(at, 'query.distinct(...)', 'DISTINCT ON is not rendered by the embedded engine');
        return this.with({ distinct: true });
      });
      case 'all': return fn((_a, _k, at) => this.load(at));
      case 'first': return fn((_a, _k, at) => this.load(at)[0] ?? null);
      case 'one': case 'one_or_none': return fn((_a, _k, at) => {
        const rows = this.load(at);
        if (rows.length > 1) throw new PythonError(at, 'MultipleResultsFound', 'Multiple rows were found when exactly one was required');
        if (!rows.length && name === 'one') throw new PythonError(at, 'NoResultFound', 'No row was found when one was required');
        return rows[0] ?? null;
      });
      case 'get': return fn(([pk], _k, at) => this.byPk(pk ?? null, at));
      case 'count': return fn((_a, _k, at) => {
        this.session.flushIf(at);
        const inner = this.statement().compile(this.session.host.dialect);
        const r = this.session.host.execute(new TextClause(`SELECT count(*) AS count_1 \nFROM (${inner}) AS anon_1`.replace(/:/g, '\\:')), at, 'query.count');
        return (r.getAttr('scalar', at) as Builtin).call([], new Map(), at);
      });
      case 'update': return fn(([values], _k, at) => this.bulk('update', values ?? null, at));
      case 'delete': return fn((_a, _k, at) => this.bulk('delete', null, at));
    }
    throw new Unsupported(line, `query.${name}`, 'this part of the ORM Query is not run by the embedded engine');
  }

  override iter(line: number): Iterable<Value> { return this.load(line); }

  byPk(pk: Value, line: number): Value {
    const m = this.model(line, 'query.get(...)');
    const pks = Array.isArray(pk) ? pk : [pk];
    const q = new QueryObj(this.session, { m, table: m.table }, m.pk.map((c, i) => columnOperator('==', c, pks[i] ?? null)!), []);
    return q.load(line)[0] ?? null;
  }

  /** Rows as objects, each primary key once per session (the identity map keeps objects already loaded). */
  private load(line: number): (ModelObject | Row)[] {
    this.session.flushIf(line);
    const result = this.session.host.execute(this.statement(), line, 'query.all');
    const rows = (result.getAttr('fetchall', line) as Builtin).call([], new Map(), line) as Row[];
    const { columns, m } = this.what;
    if (columns) return rows.map((r) => new Row(columns.map((c) => (m ? m.keyOf(c) : c.name)), r.values));
    if (!m) throw new Unsupported(line, 'session.query(...)', 'nothing to select'); // entity() gives a table its columns
    return rows.map((r) => {
      const obj = new ModelObject(m);
      [...m.keys.keys()].forEach((k, i) => obj.values.set(k, r.values[i]));
      const key = `${m.table.name}\u0000${JSON.stringify(m.pk.map((c) => obj.values.get(m.keyOf(c))))}`;
      const known = this.session.identity.get(key);
      if (known) return known;
      obj.state = 'persistent';
      obj.committed = new Map(obj.values);
      if (m.pk.length) this.session.identity.set(key, obj);
      return obj;
    });
  }

  /** `query.update({...})` / `query.delete()`: one UPDATE / DELETE; objects already loaded are not refreshed (refused if used). */
  private bulk(kind: 'update' | 'delete', values: Value, line: number): Value {
    const m = this.model(line, `query(...).${kind}(...)`);
    if (this.distinct) throw new Unsupported(line, `query(...).distinct().${kind}(...)`, `a bulk ${kind} is run on query(Model) only`);
    this.session.flushIf(line);
    let s = new Statement(kind, m.table);
    if (this.wheres.length) s = s.withWhere(...this.wheres);
    if (kind === 'update') {
      if (!(values instanceof PyDict)) throw new Unsupported(line, 'query.update(...)', 'expected a dict of values');
      const set = new Map<string, Value>();
      for (const [k, v] of values.entries) set.set(columnName(m, k as unknown as Value, line), v as Value);
      for (const col of m.keys.values()) if (!set.has(col.name)) { const v = m.pythonSide(col, 'onupdate', line); if (v !== undefined) set.set(col.name, m.bound(col, v)); }
      s = s.withRow(set);
    }
    for (const o of this.session.identity.values()) if (o.mapper === m) o.stale = true;
    const r = this.session.host.execute(s, line, `query.${kind}`);
    return r.getAttr('rowcount', line);
  }
}

function columnName(m: Mapper, k: Value, line: number): string {
  if (k instanceof ColumnObj && [...m.keys.values()].includes(k)) return k.name;
  if (typeof k === 'string' && m.keys.has(k)) return m.keys.get(k)!.name;
  const hashed = [...m.keys.values()].find((c) => c.hashKey() === k);
  if (hashed) return hashed.name;
  throw new Unsupported(line, 'query.update({...})', `${typeName(k)} is not a column of ${m.cls.name}`);
}
