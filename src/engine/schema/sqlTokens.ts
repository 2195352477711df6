/**
 * A small SQL tokenizer (SQLite's lexical rules: '' strings, "" `` [] quoted names, -- and /* *\/
 * comments) and what the SQLite introspection needs on top of it: groups in parentheses,
 * top-level comma splitting, and one canonical text for an expression, so that the same
 * definition written with other spacing or quoting reads the same.
 */

export type TokenKind = 'word' | 'quoted' | 'string' | 'number' | 'punct' | 'op';

export interface Token {
  kind: TokenKind;
  /** The source text. */
  text: string;
  /** A quoted name without its quotes; otherwise the text. */
  value: string;
}

const OPS = ['->>', '||', '<=', '>=', '<>', '!=', '==', '<<', '>>', '->'];
const CLOSE: Record<string, string> = { '"': '"', '`': '`', '[': ']' };

const WORD = /[A-Za-z_\u0080-\uffff][\w$\u0080-\uffff]*/y;
const NUMBER = /0x[0-9a-f]+|(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?/iy;
const SPACE = /\s+/y;

/** Sticky-regex matching at `i` (the schema of a big database is tokenized on every snapshot). */
function matchAt(re: RegExp, sql: string, i: number): number {
  re.lastIndex = i;
  return re.test(sql) ? re.lastIndex : i;
}

export function tokenize(sql: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i];
    const space = matchAt(SPACE, sql, i);
    if (space > i) { i = space; continue; }
    if (c === '-' && sql[i + 1] === '-') { const e = sql.indexOf('\n', i); i = e < 0 ? n : e + 1; continue; }
    if (c === '/' && sql[i + 1] === '*') { const e = sql.indexOf('*/', i + 2); i = e < 0 ? n : e + 2; continue; }
    const start = i;
    let kind: TokenKind;
    let value: string | undefined;
    if (c === "'" || ((c === 'x' || c === 'X') && sql[i + 1] === "'")) {
      kind = 'string';
      i = quotedEnd(sql, c === "'" ? i : i + 1, "'");
    } else if (c in CLOSE) {
      const close = CLOSE[c];
      kind = 'quoted';
      i = quotedEnd(sql, i, close);
      const inner = sql.slice(start + 1, i - 1);
      value = close === ']' ? inner : inner.split(close + close).join(close);
    } else if ((i = matchAt(WORD, sql, start)) > start) {
      kind = 'word';
    } else if ((i = matchAt(NUMBER, sql, start)) > start) {
      kind = 'number';
    } else if ('(),;.'.includes(c)) {
      kind = 'punct';
      i = start + 1;
    } else {
      kind = 'op';
      i = start + (OPS.find((o) => sql.startsWith(o, start)) ?? c).length;
    }
    const text = sql.slice(start, i);
    out.push({ kind, text, value: value ?? text });
  }
  return out;
}

/** The index just past a quoted run starting at `i`, where a doubled closing quote escapes it. */
function quotedEnd(sql: string, i: number, close: string): number {
  let j = i + 1;
  for (;;) {
    const e = sql.indexOf(close, j);
    if (e < 0) return sql.length;
    if (close !== ']' && sql[e + 1] === close) { j = e + 2; continue; }
    return e + 1;
  }
}

export const isWord = (t: Token | undefined, ...words: string[]): boolean =>
  t !== undefined && t.kind === 'word' && words.some((w) => w.length === t.text.length && w === t.text.toUpperCase());

export const isPunct = (t: Token | undefined, p: string): boolean => t !== undefined && t.kind === 'punct' && t.text === p;

/** The index of the `)` matching the `(` at `open`, or the end. */
export function closing(tokens: Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    if (isPunct(tokens[i], '(')) depth++;
    else if (isPunct(tokens[i], ')') && --depth === 0) return i;
  }
  return tokens.length;
}

/** The tokens inside the group opening at `open`, and the index after its `)`. */
export function group(tokens: Token[], open: number): { inner: Token[]; next: number } {
  const end = closing(tokens, open);
  return { inner: tokens.slice(open + 1, end), next: end + 1 };
}

/** Splits at commas outside parentheses. */
export function splitTopLevel(tokens: Token[]): Token[][] {
  const parts: Token[][] = [[]];
  let depth = 0;
  for (const t of tokens) {
    if (isPunct(t, '(')) depth++;
    else if (isPunct(t, ')')) depth--;
    if (depth === 0 && isPunct(t, ',')) parts.push([]);
    else parts[parts.length - 1].push(t);
  }
  return parts.filter((p) => p.length > 0);
}

/** A name token's value (quoted or bare). */
export const nameOf = (t: Token | undefined): string | undefined => (t && (t.kind === 'word' || t.kind === 'quoted' || t.kind === 'string') ? (t.kind === 'string' ? t.text.slice(1, -1) : t.value) : undefined);

/** Words after which `(` opens a group rather than a call's arguments. */
const SPACED = new Set(['AND', 'OR', 'NOT', 'IN', 'EXISTS', 'AS', 'ON', 'WHEN', 'THEN', 'ELSE', 'IS', 'BETWEEN', 'LIKE', 'GLOB',
  'SELECT', 'FROM', 'WHERE', 'CASE', 'VALUES', 'JOIN', 'USING', 'BY', 'HAVING', 'UNION', 'ALL', 'DISTINCT', 'END', 'WITH', 'CHECK']);
const BARE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * One canonical text for tokens: single spaces, none inside parentheses or before commas, calls
 * written `f(x)`, and quoted names bare where they can be (`"price" > 0` reads `price > 0`).
 */
export function renderTokens(tokens: Token[]): string {
  let s = '';
  let prev: Token | undefined;
  let prevUnary = false;
  for (const t of tokens) {
    const text = t.kind === 'quoted' ? (BARE.test(t.value) ? t.value : `"${t.value.replace(/"/g, '""')}"`) : t.text;
    const glued = !prev || prevUnary || isPunct(prev, '(') || isPunct(prev, '.') || isPunct(t, ')') || isPunct(t, ',') || isPunct(t, '.')
      || (isPunct(t, '(') && (prev.kind === 'quoted' || (prev.kind === 'word' && !SPACED.has(prev.value.toUpperCase()))));
    s += (glued ? '' : ' ') + text;
    prevUnary = t.kind === 'op' && (t.text === '-' || t.text === '+') && (!prev || prev.kind === 'op' || isPunct(prev, '(') || isPunct(prev, ',') || (prev.kind === 'word' && SPACED.has(prev.value.toUpperCase())));
    prev = t;
  }
  return s;
}

/** Canonical text of an SQL fragment. */
export const canonicalSql = (sql: string): string => renderTokens(tokenize(sql));
