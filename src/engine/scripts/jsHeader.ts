/**
 * Header of a TypeScript/JavaScript revision file (format in docs/REVISION-FILES.md):
 *
 *   /** Add users table
 *    *
 *    * Longer description.
 *    *\/
 *   export const revision = 'ae1027a6acf';
 *   export const downRevision: string | null = '1975ea83b712';
 *   export const branchLabels = ['auth'];   // optional
 *   export const dependsOn = null;           // optional
 *
 * The leading doc comment plays the part of Python's module docstring.
 */
import { HeaderValue, PyHeader, PyLiteral } from './pyHeader';

const NAME_MAP: Record<string, string> = {
  revision: 'revision', downRevision: 'down_revision', down_revision: 'down_revision',
  branchLabels: 'branch_labels', branch_labels: 'branch_labels', dependsOn: 'depends_on', depends_on: 'depends_on',
};

const EXPORT = /^export\s+const\s+([A-Za-z_]\w*)\s*(?::[^=]*)?=\s*/gm;

export function readJsHeader(source: string): PyHeader {
  const src = source.includes('\r') ? source.replace(/\r\n?/g, '\n') : source;
  const header: PyHeader = { values: new Map() };
  const doc = /^\s*(?:#![^\n]*\n\s*)?\/\*\*([\s\S]*?)\*\//.exec(src);
  if (doc) {
    header.docstring = doc[1].split('\n').map((l) => l.replace(/^\s*\* ?/, '')).join('\n');
  }
  for (const m of src.matchAll(EXPORT)) {
    const name = NAME_MAP[m[1]];
    if (!name) continue;
    const start = m.index! + m[0].length;
    const line = src.slice(0, m.index).split('\n').length;
    const parsed = parseJsLiteral(src, start);
    const value: HeaderValue = parsed
      ? { ok: true, value: parsed.value, line }
      : { ok: false, source: src.slice(start, src.indexOf('\n', start) >>> 0).replace(/;\s*$/, '').slice(0, 60), line };
    header.values.set(name, value);
  }
  return header;
}

/** Parses a JS literal (string without interpolation, null, undefined, array) at `pos`. */
function parseJsLiteral(src: string, pos: number): { value: PyLiteral } | undefined {
  let i = pos;
  const ws = () => { while (i < src.length && /\s/.test(src[i])) i++; };
  const value = (): PyLiteral | undefined => {
    ws();
    const c = src[i];
    if (c === "'" || c === '"' || c === '`') {
      let out = '';
      for (i++; i < src.length && src[i] !== c; i++) {
        if (src[i] === '\\') { i++; out += src[i] === 'n' ? '\n' : src[i] === 't' ? '\t' : src[i]; continue; }
        if (c === '`' && src[i] === '$' && src[i + 1] === '{') return undefined;
        if (src[i] === '\n' && c !== '`') return undefined;
        out += src[i];
      }
      if (src[i] !== c) return undefined;
      i++;
      return out;
    }
    if (c === '[') {
      i++;
      const items: PyLiteral[] = [];
      for (;;) {
        ws();
        if (src[i] === ']') { i++; return items; }
        const v = value();
        if (v === undefined) return undefined;
        items.push(v);
        ws();
        if (src[i] === ',') { i++; continue; }
        if (src[i] !== ']') return undefined;
      }
    }
    const word = /^(null|undefined|true|false)\b/.exec(src.slice(i, i + 10));
    if (word) {
      i += word[0].length;
      return word[1] === 'true' ? true : word[1] === 'false' ? false : null;
    }
    return undefined;
  };
  const v = value();
  if (v === undefined) return undefined;
  // Allow `as const` / `satisfies T` and the statement end; anything else means an expression.
  const rest = /^\s*(?:(?:as\s+const|satisfies\s+[\w<>[\]|, ]+)\s*)?(?:;|\n|$)/.exec(src.slice(i, i + 80));
  return rest ? { value: v } : undefined;
}
