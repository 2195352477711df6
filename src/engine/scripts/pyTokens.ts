/**
 * A small tokenizer for the module level of a Python file: enough to find statements at column
 * 0 without being fooled by strings, comments, brackets or continuation lines. Revision headers
 * are read on every refresh of large projects, so this avoids building a full syntax tree (see
 * engine-facts.md: a full parse of 10,000 files takes seconds).
 */

/** `pos`/`end`: the token's source span. */
export type Token =
  | { kind: 'name'; text: string; pos: number; end: number }
  | { kind: 'string'; value: string; bytes: boolean; formatted: boolean; pos: number; end: number }
  | { kind: 'number'; text: string; pos: number; end: number }
  | { kind: 'op'; text: string; pos: number; end: number };

export const isOp = (t: Token | undefined, text: string): boolean => t?.kind === 'op' && t.text === text;

const isSpace = (c: number) => c === 32 || c === 9 || c === 12;
const isIdentStart = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c > 127;
const isIdentPart = (c: number) => isIdentStart(c) || (c >= 48 && c <= 57);

/** True when the character at `i` is escaped by an odd run of backslashes before it. */
function escaped(src: string, i: number): boolean {
  let k = i - 1;
  while (k >= 0 && src.charCodeAt(k) === 92) k--;
  return (i - 1 - k) % 2 === 1;
}

/** Index just past the string literal whose opening quote is at `q` (prefix already consumed). */
export function skipString(src: string, q: number): number {
  const quote = src[q];
  const triple = src[q + 1] === quote && src[q + 2] === quote;
  if (triple) {
    const close = quote + quote + quote;
    let from = q + 3;
    for (;;) {
      const k = src.indexOf(close, from);
      if (k < 0) return src.length;
      if (!escaped(src, k)) return k + 3;
      from = k + 1;
    }
  }
  let from = q + 1;
  for (;;) {
    const k = src.indexOf(quote, from);
    const nl = src.indexOf('\n', from);
    if (nl >= 0 && (k < 0 || nl < k) && !escaped(src, nl)) return nl; // unterminated: stop at the line end
    if (k < 0) return src.length;
    if (!escaped(src, k)) return k + 1;
    from = k + 1;
  }
}

/** Length of a string prefix (r, b, u, f, rb, br, ... in any case) followed by a quote at `i`, or -1. */
export function stringPrefixLength(src: string, i: number): number {
  for (let len = 0; len <= 2; len++) {
    const c = src.charCodeAt(i + len);
    if (c === 39 || c === 34) {
      if (len === 0) return 0;
      const prefix = src.slice(i, i + len).toLowerCase();
      return ['r', 'u', 'b', 'f', 'br', 'rb', 'fr', 'rf'].includes(prefix) ? len : -1;
    }
    if (!isIdentStart(c)) return -1;
  }
  return -1;
}

/** ASCII characters that matter inside a logical line; everything else is stepped over. */
const INTERESTING = new Uint8Array(128);
for (const c of '\n#\'"\\()[]{}') INTERESTING[c.charCodeAt(0)] = 1;

/** A logical line at module level: its source span and starting line number. */
export interface LogicalLine { start: number; end: number; line: number; indent: number }

/**
 * Splits Python source into logical lines (brackets and backslashes join physical lines,
 * strings and comments are skipped over). Calls `visit` for each; stops when it returns false.
 */
export function forEachLogicalLine(src: string, visit: (l: LogicalLine) => boolean | void): void {
  const n = src.length;
  let i = 0;
  let line = 1;
  while (i < n) {
    let j = i;
    while (j < n && isSpace(src.charCodeAt(j))) j++;
    const c = src.charCodeAt(j);
    if (j >= n) return;
    if (c === 10) { i = j + 1; line++; continue; }
    if (c === 35) { // comment-only line
      const nl = src.indexOf('\n', j);
      if (nl < 0) return;
      i = nl + 1; line++; continue;
    }
    const start = j;
    const startLine = line;
    let depth = 0;
    let end = n;
    while (j < n) {
      const ch = src.charCodeAt(j);
      if (ch > 127 || !INTERESTING[ch]) { j++; continue; }
      if (ch === 10) {
        line++;
        if (depth === 0) { end = j; j++; break; }
        j++;
      } else if (ch === 35) {
        const nl = src.indexOf('\n', j);
        j = nl < 0 ? n : nl;
      } else if (ch === 39 || ch === 34) {
        const k = skipString(src, j);
        for (let p = j; p < k; p++) if (src.charCodeAt(p) === 10) line++;
        j = k;
      } else if (ch === 92) {
        if (src.charCodeAt(j + 1) === 10) line++;
        j += 2;
      } else if (ch === 40 || ch === 91 || ch === 123) { depth++; j++; }
      else if (ch === 41 || ch === 93 || ch === 125) { if (depth > 0) depth--; j++; }
      else j++;
    }
    if (j >= n && end === n) end = n;
    if (visit({ start, end, line: startLine, indent: start - i }) === false) return;
    i = j;
  }
}

/** Tokenizes one logical line (comments dropped, string literals evaluated). */
export function tokenize(src: string, start: number, end: number): Token[] {
  const out: Token[] = [];
  let i = start;
  while (i < end) {
    const c = src.charCodeAt(i);
    if (isSpace(c) || c === 10 || c === 13) { i++; continue; }
    if (c === 92 && src.charCodeAt(i + 1) === 10) { i += 2; continue; }
    if (c === 35) { const nl = src.indexOf('\n', i); i = nl < 0 || nl > end ? end : nl; continue; }
    const prefixLen = isIdentStart(c) || c === 39 || c === 34 ? stringPrefixLength(src, i) : -1;
    if (prefixLen >= 0) {
      const prefix = src.slice(i, i + prefixLen).toLowerCase();
      const q = i + prefixLen;
      const stop = skipString(src, q);
      const quote = src[q];
      const triple = src[q + 1] === quote && src[q + 2] === quote;
      const bodyStart = q + (triple ? 3 : 1);
      const bodyEnd = Math.max(bodyStart, stop - (triple ? 3 : 1));
      const raw = src.slice(bodyStart, bodyEnd);
      out.push({
        kind: 'string',
        value: prefix.includes('r') ? raw : unescape(raw, prefix.includes('b')),
        bytes: prefix.includes('b'),
        formatted: prefix.includes('f'),
        pos: i,
        end: stop,
      });
      i = stop;
      continue;
    }
    if (isIdentStart(c)) {
      let j = i + 1;
      while (j < end && isIdentPart(src.charCodeAt(j))) j++;
      out.push({ kind: 'name', text: src.slice(i, j), pos: i, end: j });
      i = j;
      continue;
    }
    if ((c >= 48 && c <= 57) || (c === 46 && /[0-9]/.test(src[i + 1] ?? ''))) {
      const m = /^[0-9a-zA-Z_.]+(?:[eE][+-]?[0-9_]+)?/.exec(src.slice(i, Math.min(end, i + 64)))!;
      out.push({ kind: 'number', text: m[0], pos: i, end: i + m[0].length });
      i += m[0].length;
      continue;
    }
    const next = src.charCodeAt(i + 1);
    // Two-character operators: ==, !=, <=, >=, :=, +=, ..., ->, **, //
    const op = next === 61 || (c === 45 && next === 62) || ((c === 42 || c === 47) && next === c) ? src.slice(i, i + 2) : src[i];
    out.push({ kind: 'op', text: op, pos: i, end: i + op.length });
    i += op.length;
  }
  return out;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  '\n': '', '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v',
};

/** Python's escape sequences in a non-raw string literal; unknown escapes stay as written. */
export function unescape(raw: string, bytes: boolean): string {
  if (!raw.includes('\\')) return raw;
  return raw.replace(/\\(N\{[^}]*\}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|x[0-9a-fA-F]{2}|[0-7]{1,3}|[\s\S])/g, (all, esc: string) => {
    if (esc in SIMPLE_ESCAPES) return SIMPLE_ESCAPES[esc];
    const head = esc[0];
    if (head === 'x') return String.fromCharCode(parseInt(esc.slice(1), 16));
    if (/[0-7]/.test(head)) return String.fromCharCode(parseInt(esc, 8));
    if (!bytes && (head === 'u' || head === 'U') && esc.length > 1) return String.fromCodePoint(parseInt(esc.slice(1), 16));
    return all; // \N{...} names and unknown escapes are kept verbatim
  });
}

/** A string literal's value from its source text (prefix, quotes, escapes; not an f-string); undefined for bytes. */
export function stringLiteralValue(raw: string): string | undefined {
  const p = stringPrefixLength(raw, 0);
  const prefix = raw.slice(0, p).toLowerCase();
  const body = raw.slice(p);
  const q = body.startsWith('"""') || body.startsWith("'''") ? 3 : 1;
  const inner = body.slice(q, body.length - q);
  if (prefix.includes('b')) return undefined;
  return prefix.includes('r') ? inner : unescape(inner, false);
}
