/**
 * The values the evaluator works with beyond plain data (`PyValue`): namespaces (`sa`, `pg`),
 * functions defined in a file, built-ins, bound methods, and objects that stand for something
 * Python would have at run time (the connection, the migration context, a Core table). Objects
 * answer attribute access and calls themselves, so the interpreter stays small.
 */
import type { SyntaxNode } from '@lezer/common';
import { Call, PyDict, PyValue, TableRef, TextClause, Unsupported } from '../../values';
import { PythonError } from './errors';

export type Value = PyValue | RtObject | Value[];

/**
 * Work done inside one step (items an operator or a built-in copies, compares or iterates): charged
 * to the running evaluation's step budget (interpreter.ts), so that a few steps over huge values
 * cannot run for minutes or fill memory. Evaluations are synchronous: one meter at a time.
 */
export const work = { charge(_items: number, _line: number): void { /* no evaluation running */ } };

/** Keyword arguments as Python passes them: ordered. */
export type Kwargs = Map<string, Value>;

export abstract class RtObject {
  /** What Python's `type(x).__name__` would say, for messages. */
  abstract readonly typeName: string;
  /** Objects of libraries the engine models in part: an attribute it lacks may well exist in Python. */
  getAttr(name: string, line: number): Value {
    throw new Unsupported(line, `${this.typeName}.${name}`, 'an attribute the embedded engine does not model: run this migration with alembic');
  }
  call(_args: Value[], _kwargs: Kwargs, line: number, _skipped?: Set<string>): Value {
    throw new PythonError(line, 'TypeError', `'${this.typeName}' object is not callable`);
  }
  /** Its value as data for an op call's argument; undefined when it is not data. */
  toData(): PyValue | undefined { return undefined; }
  /** Why it is not written as a value in SQL, where more can be said than that it is not. */
  notSql(): string | undefined { return undefined; }
  describe(): string { return this.typeName; }
  /** `str(x)`: objects whose text SQLAlchemy decides at run time have none here. */
  str(): string { throw new Unsupported(0, this.describe(), 'its text form is decided by Python at run time'); }
  iter(line: number): Iterable<Value> { throw new PythonError(line, 'TypeError', `'${this.typeName}' object is not iterable`); }
  /** Its key when used as a dict key (undefined: not usable as one here). */
  hashKey(): string | undefined { return undefined; }
  /** `x == y` between objects: identity. */
  eq(other: Value): boolean { return this === other; }
}

/** A module or class we know by its canonical name (`sa`, `sa.func`, `pg`, `sa.Integer`). */
export class Namespace extends RtObject {
  readonly typeName = 'module';
  /** `path`: the dotted path as written (`sa.sql.expression`), for its attributes; `name` is it normalized (`sa`). */
  constructor(readonly name: string, private readonly host: NamespaceHost, readonly path = name) { super(); }
  override getAttr(attr: string, line: number): Value { return this.host.attr(this, attr, line); }
  override call(args: Value[], kwargs: Kwargs, line: number, skipped?: Set<string>): Value { return this.host.call(this, args, kwargs, line, skipped); }
  override describe(): string { return this.name; }
}

/** What gives a namespace its attributes and makes its calls (the SQLAlchemy / Alembic model). */
export interface NamespaceHost {
  attr(ns: Namespace, attr: string, line: number): Value;
  call(ns: Namespace, args: Value[], kwargs: Kwargs, line: number, skipped?: Set<string>): Value;
}

/** A name that stands for something the engine cannot follow (an import from outside the project, ...). */
export class Opaque extends RtObject {
  readonly typeName = 'object';
  constructor(readonly what: string, readonly why: string, readonly notFound = false) { super(); }
  fail(line: number): never { throw new Unsupported(line, this.what, this.why); }
  /** `uuid.UUID` in an annotation or a base's subscript stays unknown; it fails only when used. */
  override getAttr(name: string): Value { return new Opaque(`${this.what.replace(/ \(imported\)$/, '')}.${name}`, this.why); }
  override call(_a: Value[], _k: Kwargs, line: number): Value { return this.fail(line); }
  override describe(): string { return this.what; }
  // Used in any other way, it fails with its own reason: never a TypeError Python would not raise.
  override iter(line: number): Iterable<Value> { return this.fail(line); }
  override str(): string { return this.fail(0); }
  override eq(): boolean { return this.fail(0); }
}

/** Any operand the engine could not compute stops the evaluation with its reason (see Opaque). */
export function refuseOpaque(line: number, ...operands: Value[]): void {
  for (const v of operands) if (v instanceof Opaque) v.fail(line);
}

export interface Param { name: string; kind: 'plain' | 'star' | 'kwstar' | 'kwonly'; default?: Value }

/**
 * The Python-side callables (`default=fn`, `onupdate=fn`) of a column built by the evaluator: the
 * DDL never sees them (the call's `skipped`); the ORM calls them when it writes a row (orm.ts).
 */
export const pythonSideCallables = new WeakMap<Call, Map<string, PyFunction | Builtin>>();

/** A function defined with `def` (or a lambda) in a revision file or a project module. */
export class PyFunction extends RtObject {
  readonly typeName = 'function';
  /** The class whose body defined it (for `super()`). */
  owner?: RtObject;
  /** How a class's instances see it. */
  kind: 'method' | 'static' | 'class' | 'property' = 'method';
  constructor(
    readonly name: string,
    readonly params: Param[],
    /** The Body node, or for a lambda the expression. */
    readonly body: SyntaxNode,
    readonly isLambda: boolean,
    /** The enclosing scopes, innermost first (module scope last). */
    readonly closure: Scope[],
    readonly unit: Unit,
    readonly invoke: (f: PyFunction, args: Value[], kwargs: Kwargs, line: number) => Value,
  ) { super(); }
  override call(args: Value[], kwargs: Kwargs, line: number): Value { return this.invoke(this, args, kwargs, line); }
  override getAttr(name: string, line: number): Value {
    if (name === '__name__') return this.name;
    return super.getAttr(name, line);
  }
  override describe(): string { return `${this.name}()`; }
}

/** A built-in function or a method of a built-in value. */
export class Builtin extends RtObject {
  readonly typeName = 'builtin_function_or_method';
  constructor(readonly name: string, readonly fn: (args: Value[], kwargs: Kwargs, line: number) => Value) { super(); }
  override call(args: Value[], kwargs: Kwargs, line: number): Value { return this.fn(args, kwargs, line); }
  override describe(): string { return `${this.name}()`; }
}

/** A decorator the evaluator applies (`@event.listens_for(...)`): called with the function, its result binds the name. */
export class AppliedDecorator extends Builtin {}

/** Raised by a decorator the evaluator knows, for a use it does not model: its own reason stands. */
export class DecoratorRefusal extends Unsupported {}

/** A source file being evaluated: its text (for lines and snippets) and its module scope. */
export interface Unit {
  readonly file: string;
  readonly src: string;
  readonly lineStarts: number[];
  readonly scope: Scope;
}

export class Scope {
  readonly vars = new Map<string, Value>();
  /** Names a function declared `global` or `nonlocal`. */
  declared?: Map<string, 'global' | 'nonlocal'>;
  constructor(readonly kind: 'module' | 'function') {}
}

/** Tuples are JS arrays too; this marks them (for `repr`, `+` and hashing as dict keys). */
const TUPLES = new WeakSet<object>();
export function tuple<T extends Value>(items: T[]): T[] { TUPLES.add(items); return items; }
export const isTuple = (v: unknown): boolean => Array.isArray(v) && TUPLES.has(v);

export const isData = (v: Value): v is PyValue => !(v instanceof RtObject);

/** The Python type name of a value, for messages (`TypeError: can only concatenate str (not "int")`). */
export function typeName(v: Value): string {
  if (v === null) return 'NoneType';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'string') return 'str';
  if (Array.isArray(v)) return isTuple(v) ? 'tuple' : 'list';
  if (v instanceof PyDict) return 'dict';
  if (v instanceof RtObject) return v.typeName;
  if (v instanceof TextClause) return 'TextClause';
  if (v instanceof TableRef) return 'Table';
  if (v instanceof Call) return v.fn.split('.').pop()!;
  return 'object';
}

/** Python truthiness. */
export function truthy(v: Value): boolean {
  if (v instanceof Opaque) v.fail(0);
  if (v === null || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof PyDict) return v.entries.size > 0;
  return true;
}
