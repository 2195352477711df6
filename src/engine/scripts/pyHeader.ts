/**
 * Reads what Alembic takes from a revision module when it imports it: the module docstring and
 * the module-level `revision`, `down_revision`, `branch_labels` and `depends_on` values, as
 * literals, without running Python. A value that is not a literal is reported, never guessed.
 */
import { forEachLogicalLine, isOp, Token, tokenize } from './pyTokens';

export type PyLiteral = null | boolean | string | number | PyLiteral[];

export type HeaderValue =
  | { ok: true; value: PyLiteral; line: number }
  | { ok: false; source: string; line: number };

export interface PyHeader {
  /** The module docstring as Python would evaluate it (`__doc__`), if there is one. */
  docstring?: string;
  /** Last module-level assignment of each header name (Python keeps the last one). */
  values: Map<string, HeaderValue>;
}

export const HEADER_NAMES = new Set(['revision', 'down_revision', 'branch_labels', 'depends_on']);

export function readPythonHeader(source: string): PyHeader {
  const src = source.includes('\r') ? source.replace(/\r\n?/g, '\n') : source;
  const header: PyHeader = { values: new Map() };
  let first = true;
  forEachLogicalLine(src, ({ start, end, line, indent }) => {
    const isFirst = first;
    first = false;
    if (indent !== 0) return;
    const c = src[start];
    if (isFirst && (c === '"' || c === "'" || /^[rRuUbBfF]{1,2}["']/.test(src.slice(start, start + 3)))) {
      header.docstring = readDocstring(tokenize(src, start, end));
      return;
    }
    // Cheap filter before tokenizing: only statements starting with a header name matter.
    if (!startsWithHeaderName(src, start)) return;
    for (const statement of splitStatements(tokenize(src, start, end))) {
      readAssignment(statement, src, line, header.values);
    }
  });
  return header;
}

function startsWithHeaderName(src: string, start: number): boolean {
  const c = src.charCodeAt(start);
  if (c !== 114 && c !== 100 && c !== 98) return false; // r, d, b
  let end = start;
  while (end < start + 14 && end < src.length && isWordChar(src.charCodeAt(end))) end++;
  return HEADER_NAMES.has(src.slice(start, end));
}

/** `\w` without a regex test per character (this runs on every module-level line of every file). */
function isWordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;
}

function readDocstring(tokens: Token[]): string | undefined {
  let doc = '';
  for (const t of tokens) {
    if (t.kind !== 'string' || t.bytes || t.formatted) return undefined;
    doc += t.value;
  }
  return doc;
}

function splitStatements(tokens: Token[]): Token[][] {
  const out: Token[][] = [[]];
  for (const t of tokens) {
    if (isOp(t, ';')) out.push([]);
    else out[out.length - 1].push(t);
  }
  return out.filter((s) => s.length > 0);
}

function readAssignment(tokens: Token[], src: string, line: number, values: Map<string, HeaderValue>): void {
  const name = tokens[0];
  if (name.kind !== 'name' || !HEADER_NAMES.has(name.text)) return;
  let i = 1;
  if (isOp(tokens[i], ':')) {
    // Annotated assignment: skip the annotation up to the top-level '='.
    let depth = 0;
    for (i++; i < tokens.length; i++) {
      const t = tokens[i];
      if (t.kind !== 'op') continue;
      if ('([{'.includes(t.text)) depth++;
      else if (')]}'.includes(t.text)) depth--;
      else if (t.text === '=' && depth === 0) break;
    }
    if (i >= tokens.length) return; // a bare annotation assigns nothing
  }
  if (!isOp(tokens[i], '=')) return; // e.g. `revision += ...` or a call
  const rhs = tokens.slice(i + 1);
  const lineOf = line + countNewlines(src, tokens[0].pos, rhs[0]?.pos ?? tokens[0].pos);
  const parsed = rhs.length ? parseLiteral(rhs) : undefined;
  if (parsed === undefined) {
    const from = rhs[0]?.pos ?? tokens[0].pos;
    const to = rhs[rhs.length - 1]?.end ?? tokens[tokens.length - 1].end;
    const text = src.slice(from, to).split('\n')[0];
    values.set(name.text, { ok: false, source: text.length > 60 ? text.slice(0, 57) + '...' : text, line: lineOf });
  } else {
    values.set(name.text, { ok: true, value: parsed, line: lineOf });
  }
}

function countNewlines(src: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) if (src.charCodeAt(i) === 10) n++;
  return n;
}

/** A literal expression: strings (implicitly concatenated), None/True/False, numbers, tuples, lists. */
export function parseLiteral(tokens: Token[]): PyLiteral | undefined {
  let i = 0;
  const atom = (): PyLiteral | undefined => {
    const t = tokens[i];
    if (!t) return undefined;
    if (t.kind === 'string') {
      let s = '';
      const bytes = t.bytes;
      while (tokens[i]?.kind === 'string') {
        const st = tokens[i] as Extract<Token, { kind: 'string' }>;
        if (st.bytes !== bytes || (st.formatted && /[{}]/.test(st.value))) return undefined;
        s += st.value;
        i++;
      }
      return bytes ? undefined : s;
    }
    if (t.kind === 'name') {
      i++;
      if (t.text === 'None') return null;
      if (t.text === 'True') return true;
      if (t.text === 'False') return false;
      return undefined;
    }
    if (t.kind === 'number') {
      i++;
      const v = Number(t.text.replace(/_/g, ''));
      return Number.isNaN(v) ? undefined : v;
    }
    if (isOp(t, '(') || isOp(t, '[')) {
      const close = isOp(t, '(') ? ')' : ']';
      i++;
      const items: PyLiteral[] = [];
      let sawComma = false;
      while (!isOp(tokens[i], close)) {
        const v = atom();
        if (v === undefined) return undefined;
        items.push(v);
        if (isOp(tokens[i], ',')) { i++; sawComma = true; continue; }
        if (!isOp(tokens[i], close)) return undefined;
      }
      i++;
      // `(x)` is just x; `(x,)`, `()` and lists are sequences.
      return close === ')' && items.length === 1 && !sawComma ? items[0] : items;
    }
    return undefined;
  };
  const first = atom();
  if (first === undefined) return undefined;
  if (i === tokens.length) return first;
  // A bare tuple: `down_revision = 'a', 'b'`.
  const items: PyLiteral[] = [first];
  while (isOp(tokens[i], ',')) {
    i++;
    if (i === tokens.length) break;
    const v = atom();
    if (v === undefined) return undefined;
    items.push(v);
  }
  return i === tokens.length ? items : undefined;
}
