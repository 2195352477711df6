/** Python's operators, iteration and indexing on the values the evaluator knows. */
import { Call, PyDict, TextClause, Unsupported } from '../../values';
import { BudgetExceeded, PythonError } from './errors';
import { DefaultDict } from './stdlib';
import { percentFormat, pyRepr } from './format';
import { isTuple, Opaque, refuseOpaque, RtObject, truthy, tuple, typeName, Value, work } from './runtime';

/** Objects that give operators a meaning of their own (SQLAlchemy column expressions). */
export interface OperatorHost {
  operator(op: string, l: Value, r: Value, line: number): Value | undefined;
}

/** Operands that may give an operator a meaning of their own: objects, and `sa.Column(...)` (a column expression). */
const special = (v: Value): boolean => v instanceof RtObject || (v instanceof Call && (v.fn === 'sa.Column' || v.fn.startsWith('sa.func.')));

const num = (v: Value): v is number | boolean => typeof v === 'number' || typeof v === 'boolean';
const n = (v: number | boolean) => Number(v);

export function binaryOp(op: string, l: Value, r: Value, line: number, inPlace = false, host?: OperatorHost): Value {
  const v = arith(op, l, r, line, inPlace, host);
  // Python's integers are unbounded; past 2**53 ours would be approximate: refuse rather than be wrong.
  if (typeof v === 'number' && Number.isInteger(v) && !Number.isSafeInteger(v) && num(l) && num(r) && Number.isInteger(n(l)) && Number.isInteger(n(r))) {
    throw new Unsupported(line, `${typeName(l)} ${op} ${typeName(r)}`, 'a number too large to carry exactly');
  }
  if (typeof v === 'number' && !Number.isFinite(v)) throw new Unsupported(line, `${op}`, 'a number too large to carry exactly');
  return v;
}

/** No value a migration builds comes near this; past it the evaluation stops instead of exhausting memory. */
const MAX_SIZE = 10_000_000;

function sized(n: number, line: number): number {
  if (n > MAX_SIZE) throw new BudgetExceeded(line, 'a value', `${n.toLocaleString('en')} items or characters are more than the embedded engine evaluates (${MAX_SIZE.toLocaleString('en')} at most): run this migration with Python (alembic)`);
  work.charge(n, line);
  return n;
}

/** `list * n`: the items repeated (a loop: `Array.from(...).flat()` is slow on large values). */
function repeated(l: Value[], times: number): Value[] {
  const out: Value[] = [];
  for (let i = 0; i < times; i++) for (const x of l) out.push(x);
  return out;
}

function arith(op: string, l: Value, r: Value, line: number, _inPlace: boolean, host?: OperatorHost): Value {
  // `X | Y` of types in annotations (`str | None`) stays unknown until used; any other use fails.
  if (op === '|' && (l instanceof Opaque || r instanceof Opaque)) return l instanceof Opaque ? l : r;
  refuseOpaque(line, l, r);
  if (host && (special(l) || special(r))) {
    const v = host.operator(op, l, r, line);
    if (v !== undefined) return v;
  }
  const bad = (): never => { throw new PythonError(line, 'TypeError', `unsupported operand type(s) for ${op}: '${typeName(l)}' and '${typeName(r)}'`); };
  switch (op) {
    case '+':
      if (num(l) && num(r)) return n(l) + n(r);
      if (typeof l === 'string' && typeof r === 'string') { sized(l.length + r.length, line); return l + r; }
      if (Array.isArray(l) && Array.isArray(r) && isTuple(l) === isTuple(r)) { sized(l.length + r.length, line); return isTuple(l) ? tuple([...l, ...r]) : [...l, ...r]; }
      if (typeof l === 'string' || typeof r === 'string') throw new PythonError(line, 'TypeError', `can only concatenate str (not "${typeName(typeof l === 'string' ? r : l)}") to str`);
      return bad();
    case '-': return num(l) && num(r) ? n(l) - n(r) : bad();
    case '*':
      if (num(l) && num(r)) return n(l) * n(r);
      if ((typeof l === 'string' || Array.isArray(l)) && typeof r === 'number' && !Number.isInteger(r)) throw new PythonError(line, 'TypeError', "can't multiply sequence by non-int of type 'float'");
      if ((typeof r === 'string' || Array.isArray(r)) && typeof l === 'number' && !Number.isInteger(l)) throw new PythonError(line, 'TypeError', "can't multiply sequence by non-int of type 'float'");
      if (typeof l === 'string' && typeof r === 'number') return l.repeat(sized(Math.max(0, r) * l.length, line) && Math.max(0, r));
      if (typeof r === 'string' && typeof l === 'number') return r.repeat(sized(Math.max(0, l) * r.length, line) && Math.max(0, l));
      if (Array.isArray(l) && typeof r === 'number') { sized(Math.max(0, r) * l.length, line); const out = repeated(l, r); return isTuple(l) ? tuple(out) : out; }
      if (Array.isArray(r) && typeof l === 'number') return arith(op, r, l, line, _inPlace, host);
      return bad();
    case '/':
      if (!(num(l) && num(r))) return bad();
      if (n(r) === 0) throw new PythonError(line, 'ZeroDivisionError', 'division by zero');
      return n(l) / n(r);
    case '//':
      if (!(num(l) && num(r))) return bad();
      if (n(r) === 0) throw new PythonError(line, 'ZeroDivisionError', 'integer division or modulo by zero');
      return Math.floor(n(l) / n(r));
    case '%':
      if (typeof l === 'string') return percentFormat(l, r, line);
      if (!(num(l) && num(r))) return bad();
      if (n(r) === 0) throw new PythonError(line, 'ZeroDivisionError', 'integer division or modulo by zero');
      return ((n(l) % n(r)) + n(r)) % n(r);
    case '**': return num(l) && num(r) ? n(l) ** n(r) : bad();
    case '&': case '|': case '^': case '<<': case '>>':
      if (typeof l === 'number' && typeof r === 'number' && Number.isInteger(l) && Number.isInteger(r)) {
        return op === '&' ? l & r : op === '|' ? l | r : op === '^' ? l ^ r : op === '<<' ? l << r : l >> r;
      }
      return bad();
  }
  throw new Unsupported(line, op, 'this operator is not evaluated');
}

export function unaryOp(op: string, v: Value, line: number, host?: OperatorHost): Value {
  refuseOpaque(line, v);
  if (op === 'not') return !truthy(v);
  if (host && v instanceof RtObject) {
    const r = host.operator(`unary${op}`, v, null, line);
    if (r !== undefined) return r;
  }
  if (!num(v)) throw new PythonError(line, 'TypeError', `bad operand type for unary ${op}: '${typeName(v)}'`);
  if (op === '-') return -n(v);
  if (op === '+') return n(v);
  if (op === '~' && Number.isInteger(n(v))) return ~n(v);
  throw new Unsupported(line, op, 'this operator is not evaluated');
}

export function equals(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (num(a) && num(b)) return n(a) === n(b);
  if (Array.isArray(a) && Array.isArray(b)) return isTuple(a) === isTuple(b) && a.length === b.length && a.every((x, i) => equals(x, b[i]));
  if (a instanceof PyDict && b instanceof PyDict) {
    if (a.entries.size !== b.entries.size) return false;
    for (const [k, v] of a.entries) if (!b.entries.has(k) || !equals(v as Value, b.entries.get(k) as Value)) return false;
    return true;
  }
  if (a instanceof RtObject) return a.eq(b);
  return false;
}

export function compare(op: string, l: Value, r: Value, line: number, host?: OperatorHost): Value {
  refuseOpaque(line, l, r);
  if (host && (special(l) || special(r))) {
    const v = host.operator(op, l, r, line);
    if (v !== undefined) return v;
  }
  if (op === '==') return equals(l, r);
  if (op === '!=' || op === '<>') return !equals(l, r);
  const c = order(l, r, line, op);
  switch (op) {
    case '<': return c < 0;
    case '<=': return c <= 0;
    case '>': return c > 0;
    case '>=': return c >= 0;
  }
  throw new Unsupported(line, op, 'this comparison is not evaluated');
}

function order(l: Value, r: Value, line: number, op: string): number {
  if (num(l) && num(r)) return n(l) - n(r);
  if (typeof l === 'string' && typeof r === 'string') return l < r ? -1 : l > r ? 1 : 0;
  if (Array.isArray(l) && Array.isArray(r)) {
    for (let i = 0; i < Math.min(l.length, r.length); i++) {
      if (!equals(l[i], r[i])) return order(l[i], r[i], line, op);
    }
    return l.length - r.length;
  }
  throw new PythonError(line, 'TypeError', `'${op}' not supported between instances of '${typeName(l)}' and '${typeName(r)}'`);
}

export const sortKey = order;

export function containsOp(container: Value, item: Value, line: number): boolean {
  refuseOpaque(line, container, item);
  if (typeof container === 'string') {
    if (typeof item !== 'string') throw new PythonError(line, 'TypeError', `'in <string>' requires string as left operand, not ${typeName(item)}`);
    return container.includes(item);
  }
  if (Array.isArray(container)) { work.charge(container.length, line); return container.some((x) => equals(x, item)); }
  if (container instanceof PyDict) return typeof item === 'string' || typeof item === 'number' ? container.entries.has(item) : false;
  throw new PythonError(line, 'TypeError', `argument of type '${typeName(container)}' is not iterable`);
}

export function* iterate(v: Value, line: number): Generator<Value> {
  if (typeof v === 'string' || Array.isArray(v)) work.charge(v.length, line);
  else if (v instanceof PyDict) work.charge(v.entries.size, line);
  if (typeof v === 'string') { yield* [...v]; return; }
  if (Array.isArray(v)) { yield* [...v]; return; }
  if (v instanceof PyDict) { yield* [...v.entries.keys()]; return; }
  if (v instanceof RtObject) { yield* v.iter(line); return; }
  throw new PythonError(line, 'TypeError', `'${typeName(v)}' object is not iterable`);
}

export function dictKey(k: Value, line: number): string | number {
  if (typeof k === 'string' || typeof k === 'number') return k;
  if (typeof k === 'boolean') return k ? 1 : 0;
  if (k === null || Array.isArray(k)) {
    if (Array.isArray(k) && !isTuple(k)) throw new PythonError(line, 'TypeError', "unhashable type: 'list'");
    return `\u0000${pyRepr(k)}`; // None and tuples as keys: kept apart from strings
  }
  const hashed = k instanceof RtObject ? k.hashKey() : undefined;
  if (hashed !== undefined) return hashed;
  throw new Unsupported(line, typeName(k), 'this value as a dictionary key is not evaluated');
}

export function subscript(obj: Value, key: Value, line: number, host?: { getItem(obj: RtObject, key: Value, line: number): Value }): Value {
  if (typeof obj === 'string' || Array.isArray(obj)) {
    if (typeof key !== 'number' && typeof key !== 'boolean') throw new PythonError(line, 'TypeError', `${typeName(obj)} indices must be integers or slices, not ${typeName(key)}`);
    const i = n(key) < 0 ? obj.length + n(key) : n(key);
    if (i < 0 || i >= obj.length) throw new PythonError(line, 'IndexError', `${typeName(obj)} index out of range`);
    return obj[i];
  }
  if (obj instanceof PyDict) {
    const k = dictKey(key, line);
    if (!obj.entries.has(k) && obj instanceof DefaultDict && obj.factory) obj.entries.set(k, obj.factory() as never);
    if (!obj.entries.has(k)) throw new PythonError(line, 'KeyError', pyRepr(key));
    return obj.entries.get(k) as Value;
  }
  if (obj instanceof RtObject && host) return host.getItem(obj, key, line);
  if (obj instanceof Call || obj instanceof TextClause) throw new Unsupported(line, `${typeName(obj)}[...]`, 'indexing a SQLAlchemy construct is not evaluated');
  throw new PythonError(line, 'TypeError', `'${typeName(obj)}' object is not subscriptable`);
}

export function sliceOf(obj: Value, bounds: (Value | undefined)[], line: number): Value {
  if (typeof obj !== 'string' && !Array.isArray(obj)) throw new PythonError(line, 'TypeError', `'${typeName(obj)}' object is not subscriptable`);
  const len = obj.length;
  const get = (v: Value | undefined) => (v === undefined || v === null ? undefined : Number(v));
  const step = get(bounds[2]) ?? 1;
  if (step === 0) throw new PythonError(line, 'ValueError', 'slice step cannot be zero');
  const norm = (v: number | undefined, dflt: number) => (v === undefined ? dflt : v < 0 ? Math.max(v + len, step < 0 ? -1 : 0) : Math.min(v, step < 0 ? len - 1 : len));
  const start = norm(get(bounds[0]), step > 0 ? 0 : len - 1);
  const stop = norm(get(bounds[1]), step > 0 ? len : -1);
  const idx: number[] = [];
  for (let i = start; step > 0 ? i < stop : i > stop; i += step) idx.push(i);
  if (typeof obj === 'string') return idx.map((i) => obj[i]).join('');
  const out = idx.map((i) => obj[i]);
  return isTuple(obj) ? tuple(out) : out;
}

export function setItem(obj: Value, key: Value, value: Value, line: number): void {
  if (obj instanceof PyDict) { (obj.entries as Map<string | number, Value>).set(dictKey(key, line), value); return; }
  if (Array.isArray(obj) && !isTuple(obj)) {
    if (typeof key !== 'number') throw new PythonError(line, 'TypeError', `list indices must be integers or slices, not ${typeName(key)}`);
    const i = key < 0 ? obj.length + key : key;
    if (i < 0 || i >= obj.length) throw new PythonError(line, 'IndexError', 'list assignment index out of range');
    obj[i] = value as never;
    return;
  }
  throw new PythonError(line, 'TypeError', `'${typeName(obj)}' object does not support item assignment`);
}
