/** Python's built-in functions that migration code uses, on the evaluator's values. */
import { PyDict, Unsupported } from '../../values';
import { BudgetExceeded, PythonError } from './errors';
import { pyRepr, pyStr } from './format';
import { dictKey, equals, iterate, sortKey } from './operators';
import { pythonMethods } from './attributes';
import { Builtin, isTuple, Kwargs, RtObject, truthy, tuple, typeName, Value, work } from './runtime';

type Caller = (fn: Value, args: Value[], kwargs: Kwargs, line: number) => Value;

/** A built-in type: callable, and usable with isinstance(). */
class BuiltinType extends Builtin {
  constructor(name: string, fn: (args: Value[], kwargs: Kwargs, line: number) => Value, readonly test: (v: Value) => boolean) { super(name, fn); }
}

/** What `iter(x)` returns: consumed by `next()` and by loops, as Python's iterators are. */
class PyIterator extends RtObject {
  readonly typeName = 'iterator';
  private i = 0;
  constructor(private readonly items: Value[]) { super(); }
  next(): Value | undefined { return this.i < this.items.length ? this.items[this.i++] : undefined; }
  override iter(): Iterable<Value> { const rest = this.items.slice(this.i); this.i = this.items.length; return rest; }
}

/** Python's built-ins (3.12): one the engine lacks is refused as such, never a NameError Python would not raise. */
export const PYTHON_BUILTINS = new Set(('abs aiter all anext any ascii bin bool breakpoint bytearray bytes callable chr classmethod compile complex '
  + 'delattr dict dir divmod enumerate eval exec exit filter float format frozenset getattr globals hasattr hash help hex id input int '
  + 'isinstance issubclass iter len list locals map max memoryview min next object oct open ord pow print property quit range repr '
  + 'reversed round set setattr slice sorted staticmethod str sum super tuple type vars zip __import__').split(' '));

/** Those the engine refuses by design: they reach files, the terminal, or run code given as text. */
export const UNSAFE_BUILTINS = new Set(['open', 'input', 'eval', 'exec', 'compile', '__import__', 'breakpoint', 'globals', 'locals', 'vars',
  'getattr', 'setattr', 'delattr', 'exit', 'quit', 'help']);

export function makeBuiltins(call: Caller, makeSet: (items: Value[]) => Value[]): Map<string, Value> {
  const b = new Map<string, Value>();
  const def = (name: string, fn: (args: Value[], kwargs: Kwargs, line: number) => Value) => b.set(name, new Builtin(name, fn));
  const type = (name: string, fn: (args: Value[], kwargs: Kwargs, line: number) => Value, test: (v: Value) => boolean) => b.set(name, new BuiltinType(name, fn, test));
  const list = (v: Value, line: number) => [...iterate(v, line)];

  // A base class only (`class Mixin(object):`); an instance of it is nothing a migration needs.
  type('object', (_a, _k, line) => { throw new Unsupported(line, 'object()', 'a bare object() is not evaluated by the embedded engine'); }, () => true);
  type('str', ([v]) => (v === undefined ? '' : pyStr(v)), (v) => typeof v === 'string');
  type('int', ([v, base], _k, line) => {
    if (v === undefined) return 0;
    if (typeof v === 'boolean') return v ? 1 : 0;
    if (typeof v === 'number') return Math.trunc(v);
    if (typeof v === 'string') {
      const s = v.trim().replace(/_/g, '');
      const radix = base === undefined ? 10 : Number(base);
      if (!(radix === 10 ? /^[+-]?\d+$/ : /^[+-]?[0-9a-z]+$/i).test(s)) throw new PythonError(line, 'ValueError', `invalid literal for int() with base ${radix}: ${pyRepr(v)}`);
      return parseInt(s, radix);
    }
    throw new PythonError(line, 'TypeError', `int() argument must be a string or a number, not '${typeName(v)}'`);
  }, (v) => typeof v === 'number' && Number.isInteger(v) || typeof v === 'boolean');
  type('float', ([v], _k, line) => {
    const n = typeof v === 'string' ? Number(v.trim()) : Number(v ?? 0);
    if (Number.isNaN(n) && !/nan/i.test(String(v))) throw new PythonError(line, 'ValueError', `could not convert string to float: ${pyRepr(v ?? '')}`);
    return n;
  }, (v) => typeof v === 'number');
  type('bool', ([v]) => (v === undefined ? false : truthy(v)), (v) => typeof v === 'boolean');
  type('list', ([v], _k, line) => (v === undefined ? [] : list(v, line)), (v) => Array.isArray(v) && !isTuple(v));
  type('tuple', ([v], _k, line) => tuple(v === undefined ? [] : list(v, line)), (v) => isTuple(v));
  type('set', ([v], _k, line) => makeSet(v === undefined ? [] : list(v, line)), () => false);
  type('frozenset', ([v], _k, line) => makeSet(v === undefined ? [] : list(v, line)), () => false);
  type('dict', ([v], kwargs, line) => {
    const m = new Map<string | number, Value>();
    if (v instanceof PyDict) for (const [k, x] of v.entries) m.set(k, x as Value);
    else if (v !== undefined) for (const pair of iterate(v, line)) { const [k, x] = list(pair, line); m.set(dictKey(k, line), x); }
    for (const [k, x] of kwargs) m.set(k, x);
    return new PyDict(m as Map<string | number, never>);
  }, (v) => v instanceof PyDict);

  def('len', ([v], _k, line) => {
    if (typeof v === 'string' || Array.isArray(v)) return v.length;
    if (v instanceof PyDict) return v.entries.size;
    throw new PythonError(line, 'TypeError', `object of type '${typeName(v)}' has no len()`);
  });
  def('range', (args, _k, line) => {
    const nums = args.map((a) => { if (typeof a !== 'number' || !Number.isInteger(a)) throw new PythonError(line, 'TypeError', `'${typeName(a)}' object cannot be interpreted as an integer`); return a; });
    const [start, stop, step] = nums.length === 1 ? [0, nums[0], 1] : [nums[0], nums[1], nums[2] ?? 1];
    if (step === 0) throw new PythonError(line, 'ValueError', 'range() arg 3 must not be zero');
    const count = Math.max(0, Math.ceil((stop - start) / step));
    // Python makes such a range lazily and would run the loop: the engine does not, and says so (not a Python error).
    if (count > 1_000_000) throw new BudgetExceeded(line, 'range(...)', `a range of ${count.toLocaleString('en')} numbers is more than the embedded engine evaluates (1,000,000 at most): run this migration with Python (alembic)`);
    work.charge(count, line);
    const out: number[] = [];
    for (let i = start; step > 0 ? i < stop : i > stop; i += step) out.push(i);
    return out;
  });
  def('enumerate', ([v, start], kwargs, line) => list(v, line).map((x, i) => tuple([i + Number(start ?? kwargs.get('start') ?? 0), x])));
  def('zip', (args, _k, line) => {
    const lists = args.map((a) => list(a, line));
    const n = lists.length ? Math.min(...lists.map((l) => l.length)) : 0;
    return Array.from({ length: n }, (_x, i) => tuple(lists.map((l) => l[i])));
  });
  def('reversed', ([v], _k, line) => list(v, line).reverse());
  def('sorted', ([v], kwargs, line) => {
    const key = kwargs.get('key');
    const items = list(v, line).map((x) => ({ x, k: key === undefined || key === null ? x : call(key, [x], new Map(), line) }));
    items.sort((a, c) => sortKey(a.k, c.k, line, '<'));
    if (truthy(kwargs.get('reverse') ?? false)) items.reverse();
    return items.map((e) => e.x);
  });
  const extreme = (name: string, sign: number) => def(name, (args, kwargs, line) => {
    const items = args.length === 1 ? list(args[0], line) : args;
    if (!items.length) {
      if (kwargs.has('default')) return kwargs.get('default')!;
      throw new PythonError(line, 'ValueError', `${name}() arg is an empty sequence`);
    }
    const key = kwargs.get('key');
    const k = (x: Value) => (key === undefined ? x : call(key, [x], new Map(), line));
    return items.reduce((a, c) => (sortKey(k(c), k(a), line, '<') * sign < 0 ? c : a));
  });
  extreme('min', 1);
  extreme('max', -1);
  def('sum', ([v, start], _k, line) => list(v, line).reduce<number>((a, x) => a + Number(x), Number(start ?? 0)));
  def('any', ([v], _k, line) => list(v, line).some(truthy));
  def('all', ([v], _k, line) => list(v, line).every(truthy));
  def('abs', ([v]) => Math.abs(Number(v)));
  def('round', ([v, nd]) => {
    const f = 10 ** Number(nd ?? 0);
    const x = Number(v) * f;
    const r = Math.round(x);
    return (Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r) / f; // banker's rounding, as Python
  });
  def('repr', ([v]) => pyRepr(v));
  def('map', ([fn, ...its], _k, line) => {
    const lists = its.map((a) => list(a, line));
    const n = lists.length ? Math.min(...lists.map((l) => l.length)) : 0;
    return Array.from({ length: n }, (_x, i) => call(fn, lists.map((l) => l[i]), new Map(), line));
  });
  def('filter', ([fn, it], _k, line) => list(it, line).filter((x) => truthy(fn === null ? x : call(fn, [x], new Map(), line))));
  def('isinstance', ([v, t], _k, line) => {
    const types = Array.isArray(t) ? t : [t];
    return types.some((x) => {
      if (x instanceof BuiltinType) return x.test(v);
      throw new PythonError(line, 'TypeError', 'isinstance() arg 2 must be a type or tuple of types');
    });
  });
  def('print', () => null); // output only
  def('iter', ([v], _k, line) => (v instanceof PyIterator ? v : new PyIterator(list(v, line))));
  def('next', ([it, fallback], _k, line) => {
    // A result (`next(iter(conn.execute(...)))` or the result itself, an iterator in SQLAlchemy) gives its next row.
    const v = it instanceof PyIterator ? it.next()
      : it instanceof RtObject && it.typeName === 'CursorResult' ? (call(it.getAttr('fetchone', line), [], new Map(), line) ?? undefined)
        : (() => { throw new PythonError(line, 'TypeError', `'${typeName(it)}' object is not an iterator`); })();
    if (v !== undefined) return v;
    if (fallback !== undefined) return fallback;
    throw new PythonError(line, 'StopIteration', '');
  });
  def('hasattr', ([v, name], _k, line) => {
    if (typeof name !== 'string') throw new PythonError(line, 'TypeError', 'attribute name must be string');
    if (v instanceof RtObject) {
      // Python's answer where the engine knows it (AttributeError: False); a part it does not model is refused.
      try { v.getAttr(name, line); return true; } catch (e) {
        if (e instanceof PythonError && e.pyType === 'AttributeError') return false;
        throw e;
      }
    }
    const methods = pythonMethods(v);
    if (!methods) throw new Unsupported(line, `hasattr(${typeName(v)}, ...)`, 'not evaluated by the embedded engine for this kind of value');
    return methods.has(name);
  });
  b.set('None', null);
  b.set('True', true);
  b.set('False', false);
  for (const name of ['BaseException', 'Exception', 'ValueError', 'RuntimeError', 'NotImplementedError', 'KeyError', 'TypeError', 'AssertionError',
    'IndexError', 'LookupError', 'AttributeError', 'NameError', 'ImportError', 'ModuleNotFoundError', 'ZeroDivisionError', 'ArithmeticError',
    'OverflowError', 'RecursionError', 'StopIteration', 'OSError']) {
    def(name, (args) => new RaisedError(name, args.length ? pyStr(args[0]) : ''));
  }
  void equals;
  return b;
}

/** An exception object (`NotImplementedError("...")`), raised by `raise`. */
export class RaisedError extends RtObject {
  readonly typeName: string;
  constructor(readonly kind: string, readonly message: string) { super(); this.typeName = kind; }
  override str(): string { return this.message; }
}
