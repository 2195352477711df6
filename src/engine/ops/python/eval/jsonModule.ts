/**
 * `import json`: `json.dumps` and `json.loads` as Python's json module writes and reads (its
 * default separators `", "` / `": "`, `ensure_ascii`, `sort_keys`, `indent`), for migrations that
 * write JSON into their SQL or read it back from rows.
 */
import { PyDict, Unsupported } from '../../values';
import { PythonError } from './errors';
import { pyRepr } from './format';
import { Builtin, Kwargs, RtObject, typeName, Value } from './runtime';

function quote(s: string, ascii: boolean): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (c < 0x20 || (ascii && c > 0x7e)) {
      const units = c > 0xffff ? [0xd800 + ((c - 0x10000) >> 10), 0xdc00 + ((c - 0x10000) & 0x3ff)] : [c];
      out += units.map((u) => `\\u${u.toString(16).padStart(4, '0')}`).join('');
    } else out += ch;
  }
  return `${out}"`;
}

interface DumpOptions { ascii: boolean; sortKeys: boolean; indent?: string; item: string; key: string }

function dump(v: Value, o: DumpOptions, depth: number, line: number): string {
  if (depth > 100) throw new PythonError(line, 'RecursionError', 'maximum recursion depth exceeded while encoding a JSON object');
  if (v === null) return 'null';
  if (v === true) return 'true';
  if (v === false) return 'false';
  if (typeof v === 'number') return Number.isFinite(v) ? pyRepr(v) : Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
  if (typeof v === 'string') return quote(v, o.ascii);
  const nl = o.indent === undefined ? '' : `\n${o.indent.repeat(depth + 1)}`;
  const end = o.indent === undefined ? '' : `\n${o.indent.repeat(depth)}`;
  if (Array.isArray(v)) return v.length ? `[${nl}${v.map((x) => dump(x, o, depth + 1, line)).join(o.item + nl)}${end}]` : '[]';
  if (v instanceof PyDict) {
    let keys = [...v.entries.keys()];
    if (o.sortKeys) keys = keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    if (!keys.length) return '{}';
    return `{${nl}${keys.map((k) => `${quote(String(k), o.ascii)}${o.key}${dump(v.entries.get(k) as Value, o, depth + 1, line)}`).join(o.item + nl)}${end}}`;
  }
  if (v instanceof RtObject && v.toData() !== undefined && typeof v.toData() !== 'object') return dump(v.toData() as Value, o, depth, line);
  throw new PythonError(line, 'TypeError', `Object of type ${typeName(v)} is not JSON serializable`);
}

function load(x: unknown, line: number): Value {
  if (x === null || typeof x === 'string' || typeof x === 'boolean') return x;
  if (typeof x === 'number') {
    if (Number.isInteger(x) && !Number.isSafeInteger(x)) throw new Unsupported(line, 'json.loads', 'an integer past 2**53 would lose digits in the embedded engine');
    return x;
  }
  if (Array.isArray(x)) return x.map((y) => load(y, line));
  return new PyDict(new Map(Object.entries(x as Record<string, unknown>).map(([k, y]) => [k, load(y, line) as never])));
}

/** `json.dumps(v)` with Python's defaults. */
export function jsonDumps(v: Value, line: number): string {
  return dump(v, { ascii: true, sortKeys: false, item: ', ', key: ': ' }, 0, line);
}

export class JsonModule extends RtObject {
  readonly typeName = 'module';
  override getAttr(name: string, line: number): Value {
    switch (name) {
      case 'dumps': return new Builtin('json.dumps', ([v]: Value[], k: Kwargs, at: number) => {
        const indent = k.get('indent');
        const seps = k.get('separators');
        const [item, key] = Array.isArray(seps) && seps.length === 2 ? seps.map(String) : [indent === undefined || indent === null ? ', ' : ',', ': '];
        const o: DumpOptions = {
          ascii: k.get('ensure_ascii') !== false, sortKeys: k.get('sort_keys') === true, item, key,
          indent: indent === undefined || indent === null ? undefined : typeof indent === 'number' ? ' '.repeat(indent) : String(indent),
        };
        for (const x of k.keys()) if (!['indent', 'separators', 'ensure_ascii', 'sort_keys'].includes(x)) throw new Unsupported(at, `json.dumps(..., ${x}=...)`, 'this option is not evaluated by the embedded engine');
        return dump(v ?? null, o, 0, at);
      });
      case 'loads': return new Builtin('json.loads', ([s]: Value[], _k: Kwargs, at: number) => {
        if (typeof s !== 'string') throw new PythonError(at, 'TypeError', `the JSON object must be str, bytes or bytearray, not ${typeName(s ?? null)}`);
        let parsed: unknown;
        try { parsed = JSON.parse(s); } catch (e) { throw new PythonError(at, 'JSONDecodeError', (e as Error).message); }
        return load(parsed, at);
      });
    }
    throw new Unsupported(line, `json.${name}`, 'this part of Python\'s json module is not evaluated by the embedded engine');
  }
}
