/**
 * Python's `str()`, `repr()`, format specs (f-strings, `str.format`) and `%` formatting, for the
 * values a migration formats: strings, numbers, booleans, None, lists, tuples and dicts.
 */
import { Call, PyDict, TextClause, Unsupported } from '../../values';
import { PythonError } from './errors';
import { isTuple, RtObject, typeName, Value } from './runtime';

export function pyRepr(v: Value): string {
  if (typeof v === 'string') return reprString(v);
  if (Array.isArray(v)) {
    const items = v.map(pyRepr);
    if (isTuple(v)) return `(${items.join(', ')}${items.length === 1 ? ',' : ''})`;
    return `[${items.join(', ')}]`;
  }
  if (v instanceof PyDict) return `{${[...v.entries].map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x as Value)}`).join(', ')}}`;
  return pyStr(v);
}

export function pyStr(v: Value): string {
  if (v === null) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number') return pyNumber(v);
  if (typeof v === 'string') return v;
  if (Array.isArray(v) || v instanceof PyDict) return pyRepr(v);
  if (v instanceof TextClause) return v.sql;
  if (v instanceof RtObject) return v.str();
  if (v instanceof Call && v.fn === 'op.f' && typeof v.args[0] === 'string') return v.args[0];
  throw new Unsupported(0, typeName(v), 'its text form is decided by SQLAlchemy at run time');
}

function pyNumber(n: number): string {
  if (Number.isInteger(n) && !Object.is(n, -0) && !FLOATS.has(n)) return String(n);
  if (!Number.isFinite(n)) return Number.isNaN(n) ? 'nan' : n > 0 ? 'inf' : '-inf';
  const s = String(n);
  if (/e/.test(s)) {
    const [m, e] = s.split('e');
    return `${m}e${Number(e) < 0 ? '-' : '+'}${String(Math.abs(Number(e))).padStart(2, '0')}`;
  }
  return s.includes('.') ? s : `${s}.0`;
}

/** Floats with an integral value are rare here; they are not tracked apart from ints (see README). */
const FLOATS = new Set<number>();

function reprString(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === q) out += '\\' + q;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += '\\x' + c.toString(16).padStart(2, '0');
    else out += ch;
  }
  return q + out + q;
}

/** A format spec: `[[fill]align][sign][#][0][width][,][.precision][type]`. */
export function formatSpec(v: Value, spec: string, line: number): string {
  if (!spec) return pyStr(v);
  const m = /^(?:(.)?([<>^=]))?([+\- ])?(#)?(0)?(\d+)?([,_])?(?:\.(\d+))?([bcdeEfFgGnosxX%])?$/.exec(spec);
  if (!m) throw new Unsupported(line, `format spec '${spec}'`, 'this format spec is not evaluated');
  const [, fillCh, alignCh, sign, , zero, widthS, group, precS, type] = m;
  const precision = precS === undefined ? undefined : Number(precS);
  let body: string;
  if (typeof v === 'number' && typeof v !== 'boolean') {
    const neg = v < 0;
    const a = Math.abs(v);
    switch (type) {
      case 'd': case 'n': case undefined:
        if (type === 'd' && !Number.isInteger(v)) throw new PythonError(line, 'ValueError', `Unknown format code 'd' for object of type 'float'`);
        body = precision !== undefined && !Number.isInteger(v) ? a.toFixed(precision) : pyNumber(a); break;
      case 'f': case 'F': body = a.toFixed(precision ?? 6); break;
      case 'e': case 'E': body = a.toExponential(precision ?? 6).replace(/e([+-])(\d)$/, 'e$10$2'); if (type === 'E') body = body.toUpperCase(); break;
      case 'x': body = Math.trunc(a).toString(16); break;
      case 'X': body = Math.trunc(a).toString(16).toUpperCase(); break;
      case 'o': body = Math.trunc(a).toString(8); break;
      case 'b': body = Math.trunc(a).toString(2); break;
      case '%': body = (a * 100).toFixed(precision ?? 6) + '%'; break;
      default: throw new Unsupported(line, `format spec '${spec}'`, 'this format spec is not evaluated');
    }
    if (group) { const [i, f] = body.split('.'); body = i.replace(/\B(?=(\d{3})+(?!\d))/g, group) + (f !== undefined ? '.' + f : ''); }
    const signStr = neg ? '-' : sign === '+' ? '+' : sign === ' ' ? ' ' : '';
    const width = widthS ? Number(widthS) : 0;
    if (zero && !alignCh && body.length + signStr.length < width) body = body.padStart(width - signStr.length, '0');
    return pad(signStr + body, width, fillCh ?? ' ', alignCh ?? '>');
  }
  if (type && type !== 's') throw new PythonError(line, 'ValueError', `Unknown format code '${type}' for object of type '${typeName(v)}'`);
  body = pyStr(v);
  if (precision !== undefined) body = body.slice(0, precision);
  return pad(body, widthS ? Number(widthS) : 0, fillCh ?? ' ', alignCh ?? '<');
}

function pad(s: string, width: number, fill: string, align: string): string {
  if (s.length >= width) return s;
  const n = width - s.length;
  if (align === '<') return s + fill.repeat(n);
  if (align === '^') return fill.repeat(Math.floor(n / 2)) + s + fill.repeat(Math.ceil(n / 2));
  return fill.repeat(n) + s;
}

/** `"..." % args`: printf-style formatting, with a tuple, a single value or a dict. */
export function percentFormat(fmt: string, args: Value, line: number): string {
  const list = Array.isArray(args) && isTuple(args) ? args : [args];
  let i = 0;
  const out = fmt.replace(/%(?:\(([^)]*)\))?([-+ #0]*)(\d+|\*)?(?:\.(\d+))?([diouxXeEfFgGcrsa%])/g, (all, key: string | undefined, flags: string, width: string | undefined, prec: string | undefined, conv: string) => {
    if (conv === '%') return '%';
    let v: Value;
    if (key !== undefined) {
      if (!(args instanceof PyDict)) throw new PythonError(line, 'TypeError', 'format requires a mapping');
      if (!args.entries.has(key)) throw new PythonError(line, 'KeyError', pyRepr(key));
      v = args.entries.get(key) as Value;
    } else {
      if (i >= list.length) throw new PythonError(line, 'TypeError', 'not enough arguments for format string');
      v = list[i++];
    }
    let s: string;
    if (conv === 's') s = pyStr(v);
    else if (conv === 'r' || conv === 'a') s = pyRepr(v);
    else {
      if (typeof v !== 'number' && typeof v !== 'boolean') throw new PythonError(line, 'TypeError', `%${conv} format: a real number is required, not ${typeName(v)}`);
      const n = Number(v);
      const spec = `${flags.includes('-') ? '<' : ''}${flags.includes('+') ? '+' : ''}${flags.includes('0') && !flags.includes('-') ? '0' : ''}${width ?? ''}${prec !== undefined ? '.' + prec : ''}${'di'.includes(conv) || conv === 'u' ? 'd' : conv}`;
      return formatSpec('diu'.includes(conv) ? Math.trunc(n) : n, spec, line);
    }
    if (prec !== undefined) s = s.slice(0, Number(prec));
    const w = width ? Number(width) : 0;
    void all;
    return flags.includes('-') ? s.padEnd(w) : s.padStart(w);
  });
  if (key(args) === 'tuple' && i < list.length) throw new PythonError(line, 'TypeError', 'not all arguments converted during string formatting');
  return out;
}

const key = (v: Value) => (Array.isArray(v) && isTuple(v) ? 'tuple' : 'other');

/** `"...".format(*args, **kwargs)`. */
export function strFormat(fmt: string, args: Value[], kwargs: Map<string, Value>, line: number, getAttr: (v: Value, name: string) => Value, getItem: (v: Value, k: Value) => Value): string {
  let auto = 0;
  let out = '';
  let i = 0;
  while (i < fmt.length) {
    const ch = fmt[i];
    if (ch === '{' && fmt[i + 1] === '{') { out += '{'; i += 2; continue; }
    if (ch === '}' && fmt[i + 1] === '}') { out += '}'; i += 2; continue; }
    if (ch === '}') throw new PythonError(line, 'ValueError', "Single '}' encountered in format string");
    if (ch !== '{') { out += ch; i++; continue; }
    let depth = 1;
    let j = i + 1;
    while (j < fmt.length && depth) { if (fmt[j] === '{') depth++; else if (fmt[j] === '}') depth--; j++; }
    if (depth) throw new PythonError(line, 'ValueError', "Single '{' encountered in format string");
    const field = fmt.slice(i + 1, j - 1);
    const m = /^([^!:]*)(?:!([rsa]))?(?::(.*))?$/s.exec(field)!;
    const [, ref, conv, rawSpec] = m;
    const path = ref.match(/^[^.[]*|\.[^.[]+|\[[^\]]*\]/g) ?? [''];
    const head = path[0];
    let v: Value;
    if (head === '') {
      if (auto >= args.length) throw new PythonError(line, 'IndexError', 'Replacement index out of range for positional args tuple');
      v = args[auto++];
    } else if (/^\d+$/.test(head)) {
      if (Number(head) >= args.length) throw new PythonError(line, 'IndexError', 'Replacement index out of range for positional args tuple');
      v = args[Number(head)];
    } else {
      if (!kwargs.has(head)) throw new PythonError(line, 'KeyError', pyRepr(head));
      v = kwargs.get(head)!;
    }
    for (const p of path.slice(1)) {
      if (p.startsWith('.')) v = getAttr(v, p.slice(1));
      else { const k = p.slice(1, -1); v = getItem(v, /^\d+$/.test(k) ? Number(k) : k); }
    }
    if (conv === 'r' || conv === 'a') v = pyRepr(v);
    else if (conv === 's') v = pyStr(v);
    const spec = rawSpec ? strFormat(rawSpec, args, kwargs, line, getAttr, getItem) : '';
    out += formatSpec(v, spec, line);
    i = j;
  }
  return out;
}
