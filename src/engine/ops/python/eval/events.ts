/**
 * SQLAlchemy's schema events as project types use them to add constraints (SchemaType-like): a
 * TypeDecorator subclass with `@event.listens_for(MyType, 'before_parent_attach')` whose listener
 * registers `@event.listens_for(column, 'after_parent_attach')`, which builds a CheckConstraint on
 * the column when the column joins a table. A Column built with such a type runs them as
 * SQLAlchemy does (Column.__init__ dispatches the type's events; the table attach, the column's);
 * the table is a stand-in (the op that adds the column knows it): a CheckConstraint over its
 * column attaches to it, and travels with the column's data (ColumnCall) to CREATE TABLE /
 * ADD COLUMN. Other events, targets and uses are refused where they are met, and a type whose
 * listener was refused refuses its columns: nothing a listener does is dropped silently.
 */
import path from 'node:path';
import { Call, ColumnCall, PyDict, PyValue, Unsupported, type AttachedConstraint } from '../../values';
import { PyClass, PyInstance, type Listener } from './classes';
import { ClauseElement, ColumnObj, columnsIn, TableObj } from './core';
import { AppliedDecorator, DecoratorRefusal, Kwargs, PyFunction, RtObject, typeName, Unit, Value } from './runtime';
import { line as lineOf } from './tree';
import { BudgetExceeded, PythonError } from './errors';

const PARENT_EVENTS = new Set(['before_parent_attach', 'after_parent_attach']);

/** The listener running (file:line), for messages about what it attached. */
let firing: string | undefined;

/** Listeners registered on a column while it attaches (the only column targets modelled). */
const columnListeners = new WeakMap<ColumnObj, Map<string, Listener[]>>();

/** `event.listens_for(target, identifier)`: a decorator registering the function it is given. */
export function listensFor(args: Value[], kwargs: Kwargs, line: number): Value {
  required('listens_for', ['target', 'identifier'], args, line);
  const [target, identifier] = args;
  return new AppliedDecorator('listens_for', ([fn]) => { register(target, identifier, fn, kwargs, line); return fn; });
}

/** `event.listen(target, identifier, fn)`. */
export function listen(args: Value[], kwargs: Kwargs, line: number): Value {
  required('listen', ['target', 'identifier', 'fn'], args, line);
  const [target, identifier, fn] = args;
  register(target, identifier, fn, kwargs, line);
  return null;
}

/** Python's TypeError for missing positional arguments. */
function required(fn: string, names: string[], args: Value[], line: number): void {
  const missing = names.slice(args.length).map((n) => `'${n}'`);
  if (missing.length) {
    throw new PythonError(line, 'TypeError', `${fn}() missing ${missing.length} required positional argument${missing.length > 1 ? 's' : ''}: ${missing.length > 1 ? `${missing.slice(0, -1).join(', ')} and ${missing[missing.length - 1]}` : missing[0]}`);
  }
}

function register(target: Value, identifier: Value, fn: Value, kwargs: Kwargs, line: number): void {
  const where = whereOf(fn);
  const ident = typeof identifier === 'string' ? JSON.stringify(identifier) : typeName(identifier);
  const construct = `event.listens_for(${target instanceof RtObject ? target.describe() : typeName(target)}, ${ident})${where ? ` at ${where}` : ''}`;
  const refuse = (why: string): never => {
    const e = new DecoratorRefusal(line, construct, why);
    // A type class keeps the refusal: its columns fail where they are used.
    if (target instanceof PyClass && target.isTypeDecorator) target.listenerRefusal ??= e;
    throw e;
  };
  if (typeof identifier !== 'string' || !PARENT_EVENTS.has(identifier)) refuse('only the before_parent_attach / after_parent_attach events of a column type and its columns are modelled');
  const extra = [...kwargs.keys()].filter((k) => k !== 'propagate');
  if (extra.length) refuse(`the listener option ${extra[0]}= is not modelled`);
  if (!(fn instanceof PyFunction)) refuse('the listener is not a function of the project');
  const entry = { fn, where };
  if (target instanceof PyClass && target.isTypeDecorator) {
    target.listeners.set(identifier as string, [...(target.listeners.get(identifier as string) ?? []), entry]);
  } else if (target instanceof ColumnObj && columnListeners.has(target)) {
    const own = columnListeners.get(target)!;
    own.set(identifier as string, [...(own.get(identifier as string) ?? []), entry]);
  } else {
    refuse('the target is not a TypeDecorator subclass of the project, nor a column while it attaches');
  }
}

/** file:line of a function's `def` (a project module by its path under the import root). */
function whereOf(fn: Value): string {
  if (!(fn instanceof PyFunction)) return '';
  const u = fn.unit as Unit & { moduleName?: string; isPackage?: boolean };
  const file = u.moduleName ? `${u.moduleName.replace(/\./g, '/')}${u.isPackage ? '/__init__' : ''}.py` : path.basename(u.file);
  return `${file}:${lineOf(fn.unit, fn.body)}`;
}

/**
 * `sa.Column(name, type, ...)` with a type whose class has parent-attach listeners: what SQLAlchemy
 * runs when the Column is built and when it joins its table. Returns the column's data with the
 * constraints attached on the way.
 */
export function attachColumn(type: PyInstance, column: Call, line: number): ColumnCall {
  const name = column.args[0] ?? column.kw('name');
  if (typeof name !== 'string') throw new Unsupported(line, 'sa.Column(...)', 'a column whose type has event listeners needs its name as a string');
  const col = new ColumnObj(name, column.args.find((a) => a instanceof Call && a !== column.args[0]) ?? column.kw('type_'));
  const table = new AttachTable(line);
  const own = new Map<string, Listener[]>();
  columnListeners.set(col, own);
  const fire = (ls: Listener[], args: Value[]) => {
    for (const l of ls) {
      const outer = firing;
      firing = l.where;
      try { (l.fn as PyFunction).call(args, new Map(), line); } catch (e) { throw inListener(e, l.where, line); } finally { firing = outer; }
    }
  };
  try {
    fire(type.cls.listenersFor('before_parent_attach'), [type, col]);
    fire(type.cls.listenersFor('after_parent_attach'), [type, col]);
    fire(own.get('before_parent_attach') ?? [], [col, table]);
    col.table = table;
    fire(own.get('after_parent_attach') ?? [], [col, table]);
  } finally { columnListeners.delete(col); }
  return new ColumnCall(column, table.constraints.map((k) => k.spec));
}

/** An error in a listener of a project module, reported at the column with the listener's file:line. */
function inListener(e: unknown, where: string, line: number): unknown {
  if (!(e instanceof Unsupported) || e instanceof BudgetExceeded || e.message.includes(' (in the event listener at ')) return e;
  const at = `${where.replace(/:\d+$/, '')}:${e.line}`;
  if (e instanceof PythonError) return new PythonError(line, e.pyType, `${e.detail} (in the event listener at ${at})`);
  return new Unsupported(line, `${e.construct} (in the event listener at ${at})`, e.why);
}

/** The table a column joins, while its listeners run: only `is` and the constraints attaching to it. */
export class AttachTable extends TableObj {
  readonly constraints: AttachedCheck[] = [];
  constructor(line: number) { super('', undefined, [], new Call('sa.table', [], new Map(), line)); }
  override getAttr(name: string, line: number): Value {
    throw new Unsupported(line, `table.${name}`, 'the table a column joins is known only to the op that adds the column; attach listeners may only attach constraints to it');
  }
}

/** The stand-in table every column of `expr` joins, if they all join one (SQLAlchemy then attaches the constraint). */
export function attachTableOf(expr: Value, line: number): AttachTable | undefined {
  if (!(expr instanceof ClauseElement)) return undefined;
  const cols = columnsIn(expr);
  const tables = new Set(cols.map((c) => c.table));
  const t = [...tables][0];
  if (!(t instanceof AttachTable)) return undefined;
  if (tables.size > 1) throw new Unsupported(line, 'sa.CheckConstraint(...)', 'a constraint over columns of several tables, built while a column attaches');
  return t;
}

/** A CheckConstraint attached to the column's table: `.table`, `.name` and `.info` answer as SQLAlchemy's. */
export class AttachedCheck extends RtObject {
  readonly typeName = 'CheckConstraint';
  private readonly info = new PyDict(new Map());
  constructor(readonly source: Call, readonly table: AttachTable, private readonly columns: string[], private readonly where: string) { super(); }
  get spec(): AttachedConstraint { return { constraint: this.source, columns: this.columns, where: this.where }; }
  override getAttr(name: string, line: number): Value {
    switch (name) {
      case 'table': return this.table;
      case 'info': return this.info;
      case 'name': return this.source.kw('name') ?? null;
    }
    throw new Unsupported(line, `CheckConstraint(...).${name}`, 'this attribute of a constraint built while a column attaches is not modelled');
  }
  override toData(): PyValue { return this.source; }
}

/** `sa.CheckConstraint(expr, name)` over the columns of an attaching column's table: attached to it. */
export function attachCheck(call: Call, expr: Value, line: number): AttachedCheck | undefined {
  const table = attachTableOf(expr, line);
  if (!table) return undefined;
  const cols = [...new Set(columnsIn(expr as ClauseElement).map((c) => c.name))];
  const k = new AttachedCheck(call, table, cols, firing ?? `line ${line}`);
  table.constraints.push(k);
  return k;
}

/** Other schema items over an attaching column (UniqueConstraint, Index...): refused (they would attach too). */
export function refuseAttachingItem(fn: string, args: Value[], kwargs: Kwargs, line: number): void {
  const attaching = (a: Value): boolean => (Array.isArray(a) ? a.some(attaching) : a instanceof ClauseElement && columnsIn(a).some((c) => c.table instanceof AttachTable));
  if (args.some(attaching) || [...kwargs.values()].some(attaching)) {
    throw new Unsupported(line, `${fn}(...)`, 'a schema item built over a column while it attaches to its table is not modelled (only CheckConstraint)');
  }
}
