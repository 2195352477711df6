/** Attribute access: the methods of str, list, tuple and dict, and objects' own attributes. */
import { Call, PyDict, TableRef, TextClause, Unsupported } from '../../values';
import { PythonError } from './errors';
import { pyRepr, pyStr, strFormat } from './format';
import { dictKey, equals, iterate, sortKey, subscript } from './operators';
import { Builtin, isTuple, Kwargs, RtObject, truthy, tuple, typeName, Value } from './runtime';

/** What the SQLAlchemy model answers for attributes of its constructs. */
export interface AttributeHost {
  constructAttr(obj: Call | TextClause | TableRef, name: string, line: number): Value;
  callValue(fn: Value, args: Value[], kwargs: Kwargs, line: number): Value;
  getItem(obj: RtObject, key: Value, line: number): Value;
}

export function attribute(obj: Value, name: string, line: number, host: AttributeHost): Value {
  if (obj instanceof RtObject) return obj.getAttr(name, line);
  if (obj instanceof Call || obj instanceof TextClause || obj instanceof TableRef) return host.constructAttr(obj, name, line);
  const m = typeof obj === 'string' ? strMethod(obj, name, host)
    : Array.isArray(obj) ? listMethod(obj, name, host)
      : obj instanceof PyDict ? dictMethod(obj, name)
        : undefined;
  if (m) return new Builtin(`${typeName(obj)}.${name}`, m);
  // A method Python has but the engine lacks is the engine's limit, not the migration's error.
  if (PYTHON_METHODS[typeName(obj)]?.has(name)) throw new Unsupported(line, `${typeName(obj)}.${name}()`, 'a method the embedded engine does not evaluate: run this migration with alembic');
  throw new PythonError(line, 'AttributeError', `'${typeName(obj)}' object has no attribute '${name}'`);
}

/** Python's public methods of a str, list, tuple or dict (undefined for other values). */
export function pythonMethods(v: Value): Set<string> | undefined {
  return typeof v === 'string' || Array.isArray(v) || v instanceof PyDict ? PYTHON_METHODS[typeName(v)] : undefined;
}

/** The public methods of these types in Python 3.11 (`dir()`). */
const PYTHON_METHODS: Record<string, Set<string> | undefined> = {
  str: new Set(('capitalize casefold center count encode endswith expandtabs find format format_map index isalnum isalpha isascii isdecimal isdigit '
    + 'isidentifier islower isnumeric isprintable isspace istitle isupper join ljust lower lstrip maketrans partition removeprefix removesuffix '
    + 'replace rfind rindex rjust rpartition rsplit rstrip split splitlines startswith strip swapcase title translate upper zfill').split(' ')),
  list: new Set('append clear copy count extend index insert pop remove reverse sort'.split(' ')),
  tuple: new Set(['count', 'index']),
  dict: new Set('clear copy fromkeys get items keys pop popitem setdefault update values'.split(' ')),
};

type Fn = (args: Value[], kwargs: Kwargs, line: number) => Value;

const str = (v: Value, line: number, what: string): string => {
  if (typeof v !== 'string') throw new PythonError(line, 'TypeError', `${what} must be str, not ${typeName(v)}`);
  return v;
};

function strMethod(s: string, name: string, host: AttributeHost): Fn | undefined {
  const strip = (chars: Value, line: number, left: boolean, right: boolean) => {
    const set = chars === undefined || chars === null ? ' \t\n\r\x0b\x0c' : str(chars, line, 'strip arg');
    let a = 0;
    let b = s.length;
    if (left) while (a < b && set.includes(s[a])) a++;
    if (right) while (b > a && set.includes(s[b - 1])) b--;
    return s.slice(a, b);
  };
  switch (name) {
    case 'format': return (args, kwargs, line) => strFormat(s, args, kwargs, line,
      (v, attr) => attribute(v, attr, line, host), (v, k) => subscript(v, k, line, host));
    case 'join': return ([items], _k, line) => [...iterate(items, line)].map((x) => str(x, line, 'sequence item')).join(s);
    case 'split': case 'rsplit': return ([sep, max], _k, line) => {
      const limit = max === undefined || max === null ? -1 : Number(max);
      if (sep === undefined || sep === null) {
        const parts = s.trim().split(/\s+/).filter(Boolean);
        return limit < 0 || parts.length <= limit + 1 ? parts : name === 'split' ? [...parts.slice(0, limit), parts.slice(limit).join(' ')] : [parts.slice(0, parts.length - limit).join(' '), ...parts.slice(parts.length - limit)];
      }
      const parts = s.split(str(sep, line, 'separator'));
      if (limit < 0 || parts.length <= limit + 1) return parts;
      return name === 'split' ? [...parts.slice(0, limit), parts.slice(limit).join(sep as string)] : [parts.slice(0, parts.length - limit).join(sep as string), ...parts.slice(parts.length - limit)];
    };
    case 'strip': return ([c], _k, line) => strip(c, line, true, true);
    case 'lstrip': return ([c], _k, line) => strip(c, line, true, false);
    case 'rstrip': return ([c], _k, line) => strip(c, line, false, true);
    case 'lower': return () => s.toLowerCase();
    case 'upper': return () => s.toUpperCase();
    case 'title': return () => s.toLowerCase().replace(/(^|[^a-zA-Z])([a-z])/g, (_m, a: string, b: string) => a + b.toUpperCase());
    case 'capitalize': return () => s.charAt(0).toUpperCase() + s.slice(1).toLowerCase();
    case 'replace': return ([a, b, count], _k, line) => {
      const from = str(a, line, 'replace() argument 1');
      const to = str(b, line, 'replace() argument 2');
      if (count === undefined || Number(count) < 0) return s.split(from).join(to);
      let out = s;
      let pos = 0;
      for (let i = 0; i < Number(count); i++) { const at = out.indexOf(from, pos); if (at < 0) break; out = out.slice(0, at) + to + out.slice(at + from.length); pos = at + to.length; }
      return out;
    };
    case 'startswith': case 'endswith': return ([p], _k, line) => {
      const prefixes = Array.isArray(p) ? p.map((x) => str(x, line, 'prefix')) : [str(p, line, `${name} first arg`)];
      return prefixes.some((x) => (name === 'startswith' ? s.startsWith(x) : s.endsWith(x)));
    };
    case 'find': return ([x]) => s.indexOf(String(x));
    case 'rfind': return ([x]) => s.lastIndexOf(String(x));
    case 'index': return ([x], _k, line) => { const i = s.indexOf(String(x)); if (i < 0) throw new PythonError(line, 'ValueError', 'substring not found'); return i; };
    case 'count': return ([x], _k, line) => s.split(str(x, line, 'count arg')).length - 1;
    case 'splitlines': return () => s.split(/\r\n|\r|\n/).filter((_x, i, a) => i < a.length - 1 || a[i] !== '');
    case 'isdigit': case 'isnumeric': case 'isdecimal': return () => /^[0-9]+$/.test(s);
    case 'isalpha': return () => /^[A-Za-z]+$/.test(s);
    case 'isidentifier': return () => /^[A-Za-z_][A-Za-z0-9_]*$/.test(s);
    case 'islower': return () => s.toLowerCase() === s && /[a-z]/.test(s);
    case 'isupper': return () => s.toUpperCase() === s && /[A-Z]/.test(s);
    case 'zfill': return ([w]) => s.padStart(Number(w), '0');
    case 'ljust': return ([w, f]) => s.padEnd(Number(w), (f as string) ?? ' ');
    case 'rjust': return ([w, f]) => s.padStart(Number(w), (f as string) ?? ' ');
    case 'center': return ([w, f]) => { const n = Math.max(0, Number(w) - s.length); const fill = (f as string) ?? ' '; return fill.repeat(Math.floor(n / 2)) + s + fill.repeat(Math.ceil(n / 2)); };
    case 'removeprefix': return ([p]) => (s.startsWith(String(p)) ? s.slice(String(p).length) : s);
    case 'removesuffix': return ([p]) => (p && s.endsWith(String(p)) ? s.slice(0, -String(p).length) : s);
    case 'partition': return ([sep]) => { const i = s.indexOf(String(sep)); return tuple(i < 0 ? [s, '', ''] : [s.slice(0, i), String(sep), s.slice(i + String(sep).length)]); };
    case 'encode': case 'decode': return undefined;
  }
  return undefined;
}

function listMethod(l: Value[], name: string, host: AttributeHost): Fn | undefined {
  const mutable = !isTuple(l);
  const readonly: Record<string, Fn> = {
    count: ([x]) => l.filter((y) => equals(x, y)).length,
    index: ([x], _k, line) => { const i = l.findIndex((y) => equals(x, y)); if (i < 0) throw new PythonError(line, 'ValueError', `${pyRepr(x)} is not in ${typeName(l)}`); return i; },
  };
  if (name in readonly) return readonly[name];
  if (!mutable) return undefined;
  switch (name) {
    case 'append': return ([x]) => { l.push(x); return null; };
    case 'extend': return ([xs], _k, line) => { l.push(...iterate(xs, line)); return null; };
    case 'insert': return ([i, x]) => { const k = Number(i); l.splice(k < 0 ? Math.max(0, l.length + k) : k, 0, x); return null; };
    case 'pop': return ([i], _k, line) => {
      if (!l.length) throw new PythonError(line, 'IndexError', 'pop from empty list');
      const k = i === undefined ? l.length - 1 : Number(i) < 0 ? l.length + Number(i) : Number(i);
      if (k < 0 || k >= l.length) throw new PythonError(line, 'IndexError', 'pop index out of range');
      return l.splice(k, 1)[0];
    };
    case 'remove': return ([x], _k, line) => { const i = l.findIndex((y) => equals(x, y)); if (i < 0) throw new PythonError(line, 'ValueError', 'list.remove(x): x not in list'); l.splice(i, 1); return null; };
    case 'reverse': return () => { l.reverse(); return null; };
    case 'clear': return () => { l.length = 0; return null; };
    case 'copy': return () => [...l];
    case 'sort': return (_a, kwargs, line) => {
      const key = kwargs.get('key');
      const keyed = l.map((x) => ({ x, k: key === undefined || key === null ? x : host.callValue(key, [x], new Map(), line) }));
      keyed.sort((a, b) => sortKey(a.k, b.k, line, '<'));
      if (truthy(kwargs.get('reverse') ?? false)) keyed.reverse();
      keyed.forEach((e, i) => { l[i] = e.x; });
      return null;
    };
  }
  return undefined;
}

function dictMethod(d: PyDict, name: string): Fn | undefined {
  const m = d.entries as Map<string | number, Value>;
  switch (name) {
    case 'get': return ([k, dflt], _k, line) => { const key = dictKey(k, line); return m.has(key) ? m.get(key)! : dflt ?? null; };
    case 'keys': return () => [...m.keys()];
    case 'values': return () => [...m.values()];
    case 'items': return () => [...m].map(([k, v]) => tuple([k, v]));
    case 'update': return ([other], kwargs) => {
      if (other instanceof PyDict) for (const [k, v] of other.entries) m.set(k, v);
      for (const [k, v] of kwargs) m.set(k, v);
      return null;
    };
    case 'setdefault': return ([k, dflt], _k, line) => { const key = dictKey(k, line); if (!m.has(key)) m.set(key, dflt ?? null); return m.get(key)!; };
    case 'pop': return ([k, dflt], _k, line) => {
      const key = dictKey(k, line);
      if (m.has(key)) { const v = m.get(key)!; m.delete(key); return v; }
      if (dflt === undefined) throw new PythonError(line, 'KeyError', pyRepr(k));
      return dflt;
    };
    case 'copy': return () => new PyDict(new Map(m) as Map<string | number, never>);
    case 'clear': return () => { m.clear(); return null; };
  }
  return undefined;
}

export { pyStr };
