/**
 * Classes as migration code defines them: mostly SQLAlchemy `TypeDecorator` subclasses used as
 * column types (`class GUID(TypeDecorator): impl = CHAR; def load_dialect_impl(...)`) and Python
 * enums given to `sa.Enum(...)`. A class is a namespace of attributes and functions; an instance
 * has its own attributes; methods are bound to it. A TypeDecorator instance becomes, for the DDL,
 * the type SQLAlchemy would render: `load_dialect_impl(dialect)` when defined, else its `impl`.
 */
import { Call, ListenedType, PyValue, Unsupported } from '../../values';
import { DialectProxy } from './context';
import { PythonError } from './errors';
import { pyStr } from './format';
import { Builtin, Kwargs, Namespace, PyFunction, RtObject, tuple, Value } from './runtime';

/** The SQLAlchemy base of a user type, by its canonical name. */
const TYPE_DECORATORS = new Set(['sa.TypeDecorator', 'sa.types.TypeDecorator']);
const ENUM_BASES = new Set(['enum.Enum', 'enum.IntEnum', 'enum.StrEnum', 'enum.ReprEnum']);
const VALUE_STR_ENUMS = new Set(['enum.IntEnum', 'enum.StrEnum', 'enum.ReprEnum']);

/** How classes of a modelled kind answer (the ORM's declarative models): undefined where they answer as plain classes. */
export interface ClassHooks {
  attr(cls: PyClass, name: string, line: number): Value | undefined;
  call(cls: PyClass, args: Value[], kwargs: Kwargs, line: number): Value | undefined;
}

/** A function registered by `event.listens_for(target, identifier)`, and where it is defined (file:line). */
export interface Listener { fn: Value; where: string }

/** Bases whose attributes the engine knows whole: a missing one is Python's AttributeError. */
const WHOLE_BASES = new Set(['object', 'Exception', 'BaseException', 'ValueError', 'TypeError', 'KeyError', 'RuntimeError', 'LookupError', 'IndexError', 'NotImplementedError', 'AssertionError']);

export class PyClass extends RtObject {
  readonly typeName = 'type';
  readonly attrs = new Map<string, Value>();
  /** SQLAlchemy event listeners on this class (events.ts), by identifier. */
  readonly listeners = new Map<string, Listener[]>();
  /** A listener registered on it that the engine does not model: its columns are refused. */
  listenerRefusal?: Unsupported;
  constructor(readonly name: string, readonly bases: Value[], private readonly dialect: () => DialectProxy, private readonly hooks?: ClassHooks) { super(); }

  /** The attribute, looked up through the bases (depth first, as Python's MRO for simple trees). */
  lookup(name: string): Value | undefined {
    if (this.attrs.has(name)) return this.attrs.get(name);
    for (const b of this.bases) if (b instanceof PyClass) { const v = b.lookup(name); if (v !== undefined) return v; }
    return undefined;
  }

  /** Whether a base (at any depth) is the given SQLAlchemy / stdlib class. */
  derives(names: Set<string>): boolean {
    return this.bases.some((b) => (b instanceof Namespace && names.has(b.name)) || (b instanceof PyClass && b.derives(names)));
  }

  get isTypeDecorator(): boolean { return this.derives(TYPE_DECORATORS); }

  /** Listeners for `identifier` on this class and its bases (SQLAlchemy propagates class events to instances). */
  listenersFor(identifier: string): Listener[] {
    const own = this.listeners.get(identifier) ?? [];
    return [...own, ...this.bases.flatMap((b) => (b instanceof PyClass ? b.listenersFor(identifier) : []))];
  }

  /** The first refused listener on the class or a base. */
  refusedListener(): Unsupported | undefined {
    return this.listenerRefusal ?? this.bases.map((b) => (b instanceof PyClass ? b.refusedListener() : undefined)).find((x) => x);
  }

  /** Where its first parent-attach listener is (file:line), when it has one: its columns attach constraints. */
  attachListener(): string | undefined {
    return [...this.listenersFor('before_parent_attach'), ...this.listenersFor('after_parent_attach')][0]?.where;
  }
  get isEnum(): boolean { return this.derives(ENUM_BASES); }

  /** An Enum class's members, in definition order: `(name, value)`. */
  members(): [string, Value][] {
    return [...this.attrs].filter(([k, v]) => !k.startsWith('_') && !(v instanceof PyFunction) && !(v instanceof Builtin));
  }

  override getAttr(name: string, line: number): Value {
    if (name === '__name__') return this.name;
    const hooked = this.hooks?.attr(this, name, line);
    if (hooked !== undefined) return hooked;
    if (this.isEnum && this.attrs.has(name) && !name.startsWith('_')) return new EnumMember(this, name, this.attrs.get(name)!);
    const v = this.lookup(name);
    if (v === undefined) this.missing(name, line, `type object '${this.name}' has no attribute '${name}'`);
    if (v instanceof PyFunction && v.kind === 'class') return new Builtin(`${this.name}.${name}`, (args, kwargs, at) => v.call([this, ...args], kwargs, at));
    return v;
  }

  override call(args: Value[], kwargs: Kwargs, line: number): Value {
    if (this.isEnum) {
      const hit = this.members().find(([, v]) => v === args[0]);
      if (!hit) throw new PythonError(line, 'ValueError', `${String(args[0])} is not a valid ${this.name}`);
      return new EnumMember(this, hit[0], hit[1]);
    }
    const hooked = this.hooks?.call(this, args, kwargs, line);
    if (hooked !== undefined) return hooked;
    const inst = new PyInstance(this);
    const init = this.lookup('__init__');
    if (init instanceof PyFunction) init.call([inst, ...args], kwargs, line);
    else inst.initArgs(args, kwargs);
    return inst;
  }

  override iter(): Iterable<Value> { return this.members().map(([k, v]) => new EnumMember(this, k, v)); }

  /** A TypeDecorator class given uncalled (`sa.Column('x', UTCDateTime)`): SQLAlchemy instantiates it. */
  override toData(): PyValue | undefined {
    if (!this.isTypeDecorator) return undefined;
    const inst = this.call([], new Map(), 0);
    return inst instanceof RtObject ? inst.toData() : undefined;
  }

  override describe(): string { return `class ${this.name}`; }

  /**
   * A name neither the class nor its bases define: Python's AttributeError where every base is one
   * the engine knows whole (classes of the migration or the project, `object`, exceptions); else the
   * name may come from a base it does not model (Flask-SQLAlchemy's SQLAlchemy subclassed), and it
   * is refused, never told as an error Python would raise.
   */
  missing(name: string, line: number, pythonMessage: string): never {
    const unknown = this.unmodelledBase();
    if (unknown !== undefined) throw new Unsupported(line, `${this.name}.${name}`, `an attribute ${this.name} may inherit from ${unknown}, which the embedded engine does not model`);
    throw new PythonError(line, 'AttributeError', pythonMessage);
  }

  private unmodelledBase(): string | undefined {
    for (const b of this.bases) {
      if (b instanceof PyClass) { const u = b.unmodelledBase(); if (u !== undefined) return u; continue; }
      if (b instanceof Builtin && WHOLE_BASES.has(b.name)) continue;
      return b instanceof Builtin ? b.name : b instanceof RtObject ? b.describe() : typeof b;
    }
    return undefined;
  }

  dialectProxy(): DialectProxy { return this.dialect(); }
}

export class PyInstance extends RtObject {
  readonly attrs = new Map<string, Value>();
  /** What the SQLAlchemy base's __init__ received (a TypeDecorator passes them to its impl). */
  args: Value[] = [];
  kwargs: Kwargs = new Map();
  constructor(readonly cls: PyClass) { super(); }
  get typeName(): string { return this.cls.name; }

  initArgs(args: Value[], kwargs: Kwargs): void { this.args = args; this.kwargs = kwargs; }

  override getAttr(name: string, line: number): Value {
    if (this.attrs.has(name)) return this.attrs.get(name)!;
    const v = this.cls.lookup(name);
    if (v instanceof PyFunction) {
      if (v.kind === 'static') return v;
      if (v.kind === 'property') return v.call([this], new Map(), line);
      const self = v.kind === 'class' ? this.cls : this;
      return new Builtin(`${this.cls.name}.${name}`, (args, kwargs, at) => v.call([self, ...args], kwargs, at));
    }
    if (v !== undefined) return v;
    if (name === '__class__') return this.cls;
    return this.cls.missing(name, line, `'${this.cls.name}' object has no attribute '${name}'`);
  }

  setAttr(name: string, value: Value): void { this.attrs.set(name, value); }

  /** For the DDL: the type SQLAlchemy renders for this TypeDecorator on the run's database. */
  override toData(): PyValue | undefined {
    if (!this.cls.isTypeDecorator) return undefined;
    const refused = this.cls.refusedListener();
    if (refused) throw new Unsupported(0, refused.construct, refused.why);
    const t = this.renderedType();
    const where = this.cls.attachListener();
    return where && t instanceof Call ? new ListenedType(t, where) : t;
  }

  private renderedType(): PyValue | undefined {
    const load = this.cls.lookup('load_dialect_impl');
    if (load instanceof PyFunction) {
      const t = load.call([this, this.cls.dialectProxy()], new Map(), 0);
      return asType(t, this.cls.name);
    }
    const impl = this.cls.lookup('impl');
    if (impl instanceof Namespace) return new Call(impl.name, this.args.map((a) => plain(a, this.cls.name)), new Map([...this.kwargs].map(([k, v]) => [k, plain(v, this.cls.name)])), 0);
    if (impl instanceof PyClass) {
      const inner = impl.call(this.args, this.kwargs, 0);
      return inner instanceof RtObject ? inner.toData() : plain(inner, this.cls.name);
    }
    return asType(impl ?? null, this.cls.name);
  }

  override describe(): string { return `${this.cls.name}()`; }
}

/** `super()` inside a method: the SQLAlchemy base's __init__ keeps the arguments. */
export class SuperProxy extends RtObject {
  readonly typeName = 'super';
  constructor(private readonly self: PyInstance, private readonly from: PyClass) { super(); }
  override getAttr(name: string, line: number): Value {
    for (const b of this.from.bases) {
      if (b instanceof PyClass) {
        const v = b.lookup(name);
        if (v instanceof PyFunction) return new Builtin(`super().${name}`, (args, kwargs, at) => v.call([this.self, ...args], kwargs, at));
      }
    }
    if (name === '__init__') return new Builtin('super().__init__', (args, kwargs) => { this.self.initArgs(args, kwargs); return null; });
    throw new Unsupported(line, `super().${name}`, 'a method of a SQLAlchemy base class the engine does not model');
  }
}

export class EnumMember extends RtObject {
  readonly typeName: string;
  constructor(readonly cls: PyClass, readonly name: string, readonly value: Value) { super(); this.typeName = cls.name; }
  override getAttr(name: string, line: number): Value {
    if (name === 'name') return this.name;
    if (name === 'value') return this.value;
    return super.getAttr(name, line);
  }
  // IntEnum, StrEnum and other ReprEnum members print as their value (Python 3.11; f-strings on every version).
  override str(): string { return this.cls.derives(VALUE_STR_ENUMS) ? pyStr(this.value) : `${this.cls.name}.${this.name}`; }
  override eq(other: Value): boolean { return other instanceof EnumMember && other.cls === this.cls && other.name === this.name; }
}

/** `sa.Enum(PyEnumClass, ...)`: the labels SQLAlchemy takes (member names, or `values_callable`'s list). */
export function enumLabels(cls: PyClass, valuesCallable: Value | undefined, call: (fn: Value, args: Value[]) => Value, line: number): Value[] {
  const members = cls.members().map(([k, v]) => new EnumMember(cls, k, v));
  if (valuesCallable === undefined || valuesCallable === null) return members.map((m) => m.name);
  const out = call(valuesCallable, [tuple(members as Value[])]);
  if (!Array.isArray(out)) throw new Unsupported(line, 'values_callable=...', 'expected a list of strings');
  return out;
}

function plain(v: Value, cls: string): PyValue {
  if (v instanceof RtObject) {
    const d = v.toData();
    if (d === undefined) throw new Unsupported(0, `${cls}(...)`, `an argument of the type (${v.describe()}) is not a value the engine can render`);
    return d;
  }
  if (Array.isArray(v)) return v.map((x) => plain(x, cls));
  return v as PyValue;
}

function asType(t: Value, cls: string): PyValue {
  if (t instanceof Namespace) return new Call(t.name, [], new Map(), 0);
  if (t instanceof Call) return t;
  if (t instanceof RtObject) {
    const d = t.toData();
    if (d instanceof Call) return d;
  }
  throw new Unsupported(0, `${cls}`, 'the type a TypeDecorator renders could not be worked out');
}
