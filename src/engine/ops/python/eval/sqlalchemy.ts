/**
 * SQLAlchemy's names as the evaluator models them. Constructors of schema items and types stay
 * data (`Call`: `sa.Column('id', sa.Integer())`) for the DDL compiler; a few return objects with
 * behaviour (`sa.text`, `sa.table`, `insert()`...); methods migrations call on constructs are
 * answered here (`.with_variant()`, `.copy()`, `Enum(...).create(bind)`, `text().bindparams()`).
 */
import { Call, ExpressionText, PyDict, PyValue, TableRef, TextClause, Unsupported } from '../../values';
import { renderExpression } from '../../ddl/render';
import { normalize } from '../names';
import { dialectFor } from '../../ddl/dialect';
import { readType } from '../../ddl/types';
import { enumLabels, PyClass, PyInstance } from './classes';
import { attachCheck, attachColumn, listen, listensFor, refuseAttachingItem } from './events';
import { BoolClause, ClauseElement, ColumnObj, NotClause, sqlLiteral, Statement, TableObj } from './core';
import type { DialectName } from './context';
import { PythonError } from './errors';
import { MetaDataObj, tableOnMetadata } from './reflect';
import { Builtin, isData, Kwargs, Namespace, NamespaceHost, RtObject, typeName, Value } from './runtime';

export interface ConstructSink {
  readonly dialect?: DialectName;
  /** Calls a Python callable (`values_callable=`). */
  call(fn: Value, args: Value[], line: number): Value;
  /** Records a statement that runs where the call is (`Enum.create(bind)`). */
  execute(sql: TextClause, line: number): void;
  /** `sa.inspect(bind)`: an Inspector reading the live schema. */
  inspect(target: Value, line: number): Value;
  /** `sqlalchemy.orm.Session(bind=...)`. */
  session(args: Value[], kwargs: Kwargs, line: number, what: string): Value;
}

export class SqlAlchemyHost implements NamespaceHost {
  constructor(private readonly sink: ConstructSink) {}

  attr(ns: Namespace, attr: string): Value {
    // Normalized from the path as written: `sa.sql` alone is `sa`, but `sa.sql.expression.false` is `sa.false`.
    const path = `${ns.path}.${attr}`;
    return new Namespace(normalize(path), this, path);
  }

  call(ns: Namespace, args: Value[], kwargs: Kwargs, line: number, skipped?: Set<string>): Value {
    const fn = ns.name;
    switch (fn) {
      case 'sa.text': {
        if (typeof args[0] !== 'string') throw new Unsupported(line, 'sa.text(...)', 'expected an SQL string');
        return new TextClause(args[0]);
      }
      case 'sa.MetaData': {
        const schema = kwargs.get('schema') ?? args[0];
        const meta = new MetaDataObj(new Call(fn, [], new Map(), line), typeof schema === 'string' ? schema : undefined, this.sink);
        const nc = kwargs.get('naming_convention');
        if (nc instanceof PyDict && nc.entries.size) meta.namingConvention = nc; // an empty one: SQLAlchemy's default
        return meta;
      }
      case 'sa.inspect': case 'sa.engine.reflection.Inspector.from_engine': case 'sa.engine.Inspector.from_engine': case 'sa.Inspector.from_engine':
        return this.sink.inspect(args[0] ?? kwargs.get('subject') ?? kwargs.get('bind') ?? null, line);
      case 'sa.table': case 'sa.Table': {
        const [name, ...rest] = args;
        if (typeof name !== 'string') throw new Unsupported(line, `${fn}(...)`, 'expected the table name as a string');
        const meta = rest.find((a): a is MetaDataObj => a instanceof MetaDataObj);
        if (meta) return tableOnMetadata(meta, name, (schema) => this.call(ns, [name, ...rest.filter((a) => a !== meta)], new Map(schema ? [['schema', schema]] : []), line) as TableObj, rest.length > 1, kwargs, line);
        const cols: ColumnObj[] = [];
        const dataArgs: PyValue[] = [name];
        for (const a of rest) {
          if (a instanceof MetaDataObj) continue;
          if (a instanceof ColumnObj) { cols.push(a); dataArgs.push(a.source!); continue; }
          if (a instanceof Call && a.fn === 'sa.Column') {
            const cname = a.args[0];
            if (typeof cname !== 'string') throw new Unsupported(line, 'sa.Column(...)', 'expected the column name as a string');
            cols.push(new ColumnObj(cname, a.args[1], new Call('sa.column', [cname, ...(a.args[1] !== undefined ? [a.args[1]] : [])], new Map(), a.line)));
            dataArgs.push(new Call('sa.column', [cname, ...(a.args[1] !== undefined ? [a.args[1]] : [])], new Map(), a.line));
            continue;
          }
          if (a instanceof Call) continue; // constraints: no effect on DML
          throw new Unsupported(line, `${fn}(...)`, `a ${typeName(a)} argument is not evaluated`);
        }
        const schema = kwargs.get('schema');
        const source = new Call('sa.table', dataArgs, new Map(typeof schema === 'string' ? [['schema', schema]] : []), line);
        // sa.Table(...) of sa.Column(...)s and constraints: kept whole for batch mode's copy_from=.
        const full = fn === 'sa.Table' && rest.every((a) => a instanceof MetaDataObj || (a instanceof Call && !(a instanceof ColumnObj)));
        const definition = full ? new Call(fn, [name, ...rest.filter((a) => !(a instanceof MetaDataObj)).map((a) => data(a, line, `an argument of ${fn}()`))], new Map([...kwargs].map(([k, v]) => [k, data(v, line, `${k}=`)])), line) : undefined;
        return new TableObj(name, typeof schema === 'string' ? schema : undefined, cols, source, definition);
      }
      case 'sa.Index': {
        refuseAttachingItem(fn, args, kwargs, line);
        // An index on a Table's columns (`sa.Index('ix', t.c.x)`) joins that Table, as in SQLAlchemy.
        const table = args.find((a): a is ColumnObj => a instanceof ColumnObj && a.table !== undefined)?.table;
        if (!table) break;
        const ix = new Call(fn, args.map((a) => (a instanceof ColumnObj ? a.name : data(a, line, 'an argument of sa.Index()'))), new Map([...kwargs].map(([k, v]) => [k, data(v, line, `${k}=`)])), line);
        table.indexes.push(ix);
        return ix;
      }
      case 'sa.column': {
        const [name, type] = args;
        if (typeof name !== 'string') throw new Unsupported(line, 'sa.column(...)', 'expected the column name as a string');
        const t = type ?? kwargs.get('type_');
        return new ColumnObj(name, t === undefined ? undefined : data(t, line, 'a column type'), new Call('sa.column', t === undefined ? [name] : [name, data(t, line, 'a column type')], new Map(), line));
      }
      case 'sa.insert': case 'sa.update': case 'sa.delete': {
        if (!(args[0] instanceof TableObj)) throw new Unsupported(line, `${fn}(...)`, 'expected a table from sa.table(...) or sa.Table(...)');
        return new Statement(fn.slice(3) as 'insert' | 'update' | 'delete', args[0]);
      }
      case 'sa.select': {
        const cols = args.length === 1 && Array.isArray(args[0]) ? args[0] : args;
        return new Statement('select', undefined, cols as Value[]);
      }
      case 'sa.orm.declarative_base': return new Namespace('sa.orm.DeclarativeBase', this);
      case 'sa.orm.Session': return this.sink.session(args, kwargs, line, 'sqlalchemy.orm.Session');
      case 'sa.orm.sessionmaker': {
        const bound = new Map(kwargs);
        return new Builtin('sessionmaker()', (a: Value[], k: Kwargs, at: number) => this.sink.session(a, new Map([...bound, ...k]), at, 'sqlalchemy.orm.sessionmaker()'));
      }
      case 'sa.and_': return new BoolClause('AND', args);
      case 'sa.or_': return new BoolClause('OR', args);
      case 'sa.not_': return new NotClause(args[0] ?? null);
      case 'sa.literal': return args[0] ?? null;
      case 'sa.event.listens_for': return listensFor(args, kwargs, line);
      case 'sa.event.listen': return listen(args, kwargs, line);
      case 'sa.type_coerce': {
        // No CAST in SQL: the expression, with the type SQLAlchemy binds its values by.
        const [expr, type] = args;
        if (expr instanceof ColumnObj) {
          const c = new ColumnObj(expr.name, type === undefined ? expr.type : data(type, line, 'a column type'), expr.source);
          c.table = expr.table;
          return c;
        }
        if (expr instanceof ClauseElement) return expr;
        throw new Unsupported(line, 'sa.type_coerce(...)', 'expected a column expression');
      }
      case 'sa.Column': {
        // A type whose class has parent-attach listeners (events.ts): SQLAlchemy runs them now.
        const at = [0, 1].find((i) => listened(args[i])) ?? (listened(kwargs.get('type_')) ? 'type_' : undefined);
        if (at === undefined) break;
        const given = at === 'type_' ? kwargs.get('type_')! : args[at];
        const inst = given instanceof PyClass ? given.call([], new Map(), line) as PyInstance : given as PyInstance;
        const refused = inst.cls.refusedListener();
        if (refused) throw new Unsupported(line, refused.construct, refused.why);
        const a = at === 'type_' ? args : args.map((x, i) => (i === at ? inst : x));
        const k = at === 'type_' ? new Map([...kwargs, ['type_', inst]]) : kwargs;
        const plain = new Call(fn, a.map((x) => data(x, line, `an argument of ${fn}()`)), new Map([...k].map(([n, v]) => [n, data(v, line, `${n}=`)])), line, skipped);
        return attachColumn(inst, plain, line);
      }
      case 'sa.CheckConstraint': {
        const plain = this.plainCall(fn, args, kwargs, line, skipped);
        return attachCheck(plain, args[0] ?? kwargs.get('sqltext') ?? null, line) ?? plain;
      }
      case 'sa.UniqueConstraint': case 'sa.PrimaryKeyConstraint': case 'sa.ForeignKeyConstraint': case 'sa.ForeignKey':
        refuseAttachingItem(fn, args, kwargs, line);
        break;
      case 'sa.Enum': case 'sa.ENUM': case 'pg.ENUM':
        if (args[0] instanceof PyClass && args[0].isEnum) {
          // A Python enum class: its member names are the labels; the type is named after the class.
          const cls = args[0];
          const labels = enumLabels(cls, kwargs.get('values_callable'), (f, a) => this.sink.call(f, a, line), line);
          const kw = new Map(kwargs);
          kw.delete('values_callable');
          if (!kw.has('name')) kw.set('name', cls.name.toLowerCase());
          return this.call(ns, [...labels, ...args.slice(1)], kw, line, skipped);
        }
        break;
    }
    return this.plainCall(fn, args, kwargs, line, skipped);
  }

  private plainCall(fn: string, args: Value[], kwargs: Kwargs, line: number, skipped?: Set<string>): Call {
    const what = `an argument of ${fn}()`;
    return new Call(fn, args.map((a) => data(a, line, what)), dataKwargs(kwargs, line), line, skipped);
  }

  /** Methods and attributes of constructs kept as data. */
  constructAttr(obj: Call | TextClause | TableRef, name: string, line: number): Value {
    if (obj instanceof TextClause) {
      switch (name) {
        case 'bindparams': return new Builtin('bindparams', (_a, kwargs: Kwargs, at: number) => new TextClause(bindParams(obj.sql, kwargs, this.sink.dialect, at)));
        case 'columns': case 'execution_options': return new Builtin(name, () => obj);
        case 'text': return obj.sql;
      }
      throw new Unsupported(line, `text(...).${name}`, 'this method is not evaluated');
    }
    if (obj instanceof TableRef) {
      // `t = op.create_table(...)`: usable as a Core table afterwards.
      const table = this.call(new Namespace('sa.Table', this), [obj.call.args[0] ?? null, ...obj.call.args.slice(1)], new Map([...obj.call.kwargs].filter(([k]) => k === 'schema')), line) as TableObj;
      return table.getAttr(name, line);
    }
    const c = obj;
    switch (name) {
      case 'with_variant': return new Builtin('with_variant', ([type, ...dialects]: Value[], _k: Kwargs, at: number) => {
        const names = dialects.flatMap((d) => (Array.isArray(d) ? d : [d]));
        if (!(type instanceof Call)) throw new Unsupported(at, '.with_variant(...)', 'expected a SQLAlchemy type');
        if (this.sink.dialect === undefined) return c; // which applies is decided per database
        return names.includes(this.sink.dialect) ? type : c;
      });
      case 'copy': case 'evaluates_none': case 'execution_options': return new Builtin(name, () => c);
      case 'create': case 'drop': return new Builtin(`${c.fn}.${name}`, (args: Value[], kwargs: Kwargs, at: number) => {
        this.enumDdl(c, name, args, kwargs, at);
        return null;
      });
      case 'name': {
        const v = c.kw('name') ?? (c.fn === 'sa.Column' ? c.args[0] : undefined);
        if (v !== undefined) return v;
        break;
      }
      case 'desc': case 'asc': {
        if (c.fn === 'sa.Column' && typeof c.args[0] === 'string') {
          const col = c.args[0];
          return new Builtin(name, () => new TextClause(`${dialectFor(this.sink.dialect ?? 'sqlite').quote(col)} ${name.toUpperCase()}`));
        }
        // An SQL function ordered (`sa.func.coalesce(a, b).desc()` as an index element): an expression, not a column.
        if (c.fn.startsWith('sa.func.')) return new Builtin(name, () => new ExpressionText(`${renderExpression(c, dialectFor(this.sink.dialect ?? 'sqlite'))} ${name.toUpperCase()}`));
        break;
      }
    }
    throw new Unsupported(line, `${c.fn}(...).${name}`, 'this SQLAlchemy method is not evaluated by the embedded engine');
  }

  /** `Enum(...).create(bind, checkfirst=...)` / `.drop(...)`: a PostgreSQL type; nothing elsewhere. */
  private enumDdl(c: Call, verb: 'create' | 'drop', args: Value[], kwargs: Kwargs, line: number): void {
    if (!['sa.Enum', 'pg.ENUM', 'sa.ENUM'].includes(c.fn)) throw new Unsupported(line, `${c.fn}(...).${verb}()`, 'only an Enum type can be created or dropped this way');
    const d = this.sink.dialect;
    if (!d) throw new Unsupported(line, `${c.fn}(...).${verb}()`, 'what it does depends on the database, known only when the migration runs');
    const t = readType(c, line);
    if (d !== 'postgresql' || t.native === false) return;
    if (!t.enumName) throw new PythonError(line, 'CompileError', 'PostgreSQL ENUM type requires a name.');
    const checkfirst = kwargs.get('checkfirst') ?? args[1] ?? (verb === 'create' ? true : true);
    const pg = dialectFor('postgresql');
    const name = pg.quote(t.enumName);
    const sql = verb === 'create'
      ? `CREATE TYPE ${name} AS ENUM (${(t.values ?? []).map((v) => pg.literal(v)).join(', ')})`
      : `DROP TYPE ${name}`;
    this.sink.execute(checkfirst === true ? checked(sql, verb, t.enumName) : new TextClause(sql), line);
  }
}

/**
 * `checkfirst=True`: SQLAlchemy asks the catalog first. Offline it cannot (its mock connection
 * skips the check); online the check and the statement run together on the server.
 */
function checked(sql: string, verb: 'create' | 'drop', typeName: string): TextClause {
  const exists = `EXISTS (SELECT 1 FROM pg_catalog.pg_type t WHERE t.typname = ${dialectFor('postgresql').literal(typeName)} AND pg_catalog.pg_type_is_visible(t.oid))`;
  return new CheckedStatement(sql, `DO $$ BEGIN IF ${verb === 'create' ? 'NOT ' : ''}${exists} THEN ${sql}; END IF; END $$`);
}

/** A statement whose online form differs from what `--sql` writes (a catalog check around it). */
export class CheckedStatement extends TextClause {
  constructor(readonly offlineSql: string, onlineSql: string) { super(onlineSql); }
}

/** `text("... :name ...").bindparams(name=value)`: the values written in as literals. */
function bindParams(sql: string, kwargs: Kwargs, dialect: DialectName | undefined, line: number): string {
  const d = dialect ?? 'sqlite';
  return sql.replace(/(?<![:\w\\]):(\w+)(?!:)/g, (all, key: string) => {
    if (!kwargs.has(key)) return all;
    const v = kwargs.get(key)!;
    if (v instanceof Call && v.fn === 'sa.bindparam') throw new Unsupported(line, 'bindparam(...)', 'a bind parameter without a value is not evaluated');
    return sqlLiteral(v, dialectFor(d), d).replace(/:/g, '\\:');
  });
}

/** A value as an op call's argument: data only. */
export function data(v: Value, line: number, what: string): PyValue {
  if (Array.isArray(v)) return v.map((x) => data(x, line, what));
  if (v instanceof PyDict) return new PyDict(new Map([...v.entries].map(([k, x]) => [k, data(x as Value, line, what)])));
  if (isData(v)) return v;
  const d = v.toData();
  if (d !== undefined) return d;
  if (v instanceof Namespace) return new Call(v.name, [], new Map(), line); // a type given as a class: `sa.Integer`
  if (v instanceof RtObject && 'fail' in v && typeof (v as { fail: unknown }).fail === 'function') (v as unknown as { fail(l: number): never }).fail(line);
  throw new Unsupported(line, v.describe(), `${what}: not a value the embedded engine can pass to SQLAlchemy`);
}

/** Keyword arguments as data (most calls have none or few: no copy through arrays). */
export function dataKwargs(kwargs: Kwargs, line: number): Map<string, PyValue> {
  const out = new Map<string, PyValue>();
  for (const [k, v] of kwargs) out.set(k, data(v, line, `${k}=`));
  return out;
}

/** A column type whose class has parent-attach listeners, or a refused one (events.ts). */
function listened(v: Value | undefined): boolean {
  const cls = v instanceof PyInstance ? v.cls : v instanceof PyClass && v.isTypeDecorator ? v : undefined;
  return !!cls && (cls.attachListener() !== undefined || cls.refusedListener() !== undefined);
}
