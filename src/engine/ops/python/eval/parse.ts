/** @lezer/python, loaded on first use (it is bundled apart: activation never pays for it). */
import type { Tree, TreeBuffer } from '@lezer/common';

let lezer: typeof import('@lezer/python') | undefined;

export function parsePython(src: string): Tree {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  lezer ??= require('@lezer/python') as typeof import('@lezer/python');
  return lezer.parser.parse(src);
}

/** Where the parser had to recover from a syntax error (Python would not load the file), if anywhere. */
export function syntaxErrorAt(tree: Tree, offset = 0): number | undefined {
  // The tree's own arrays, not a cursor: this runs over every node of every file a run compiles.
  if (tree.type.isError) return offset;
  for (let i = 0; i < tree.children.length; i++) {
    const c = tree.children[i];
    const from = offset + tree.positions[i];
    if ('buffer' in c) { // a TreeBuffer: nodes as (type, from, to, end) in document order (@lezer/common is the vendor bundle's: no instanceof)
      const b = (c as TreeBuffer).buffer;
      const types = (c as TreeBuffer).set.types;
      for (let j = 0; j < b.length; j += 4) if (types[b[j]].isError) return from + b[j + 1];
    } else {
      const at = syntaxErrorAt(c, from);
      if (at !== undefined) return at;
    }
  }
  return undefined;
}

/**
 * A module's text parsed; where the parser fails, parsed again in the form `repairForParser` gives,
 * kept when that parses. `errorAt`: where the text (as returned) has a syntax error, if it has one.
 */
export function parseModule(text: string): { src: string; tree: Tree; errorAt?: number } {
  const tree = parsePython(text);
  const errorAt = syntaxErrorAt(tree);
  if (errorAt === undefined) return { src: text, tree };
  const repaired = repairForParser(text);
  if (repaired !== undefined) {
    const again = parsePython(repaired);
    if (syntaxErrorAt(again) === undefined) return { src: repaired, tree: again };
  }
  return { src: text, tree, errorAt };
}

/**
 * What the parser mis-reads, rewritten in a form it reads, every line kept in its place: Python
 * 3.10's parenthesized `with` (below) and a bare `yield` statement, which @lezer/python ends with an
 * error node when a dedent follows (`yield` is `yield None`). Undefined when there is neither.
 */
export function repairForParser(src: string): string | undefined {
  const joined = joinParenthesizedWith(src) ?? src;
  const out = joined.replace(/^([ \t]*yield)([ \t]*(?:#[^\n]*)?)$/gm, '$1 None$2');
  return out === src ? undefined : out;
}

/**
 * Python 3.10's parenthesized context managers (`with (op.batch_alter_table("t") as b):`, as code
 * formatters write long `with` lines), which @lezer/python does not parse: written on one line without
 * the parentheses, the line breaks they held moved after the colon, so that every line after the
 * header keeps its number. Returns undefined when there is nothing of the kind.
 */
export function joinParenthesizedWith(src: string): string | undefined {
  let out = '';
  let last = 0;
  for (const m of src.matchAll(/^[ \t]*(?:async[ \t]+)?with[ \t]*\(/gm)) {
    const open = m.index! + m[0].length - 1;
    const group = scanGroup(src, open);
    if (!group) continue;
    const after = /^[ \t]*:[ \t]*(#[^\n]*)?(?=\n|$)/.exec(src.slice(group.close + 1));
    if (!after || !group.topLevelAs) continue;
    const breaks = group.inner.split('\n').length - 1;
    out += `${src.slice(last, open)} ${group.inner.replace(/\n/g, ' ')} ${after[0]}${'\n'.repeat(breaks)}`;
    last = group.close + 1 + after[0].length;
  }
  return last ? out + src.slice(last) : undefined;
}

/** The bracketed group opening at `open`: its text (comments blanked), where it closes, and whether `as` appears at its top level. */
function scanGroup(src: string, open: number): { inner: string; close: number; topLevelAs: boolean } | undefined {
  let depth = 0;
  let inner = '';
  let topLevelAs = false;
  for (let i = open; i < src.length; i++) {
    const ch = src[i];
    if (ch === '#') { const end = src.indexOf('\n', i); const stop = end < 0 ? src.length : end; inner += ' '.repeat(stop - i); i = stop - 1; continue; }
    if (ch === '"' || ch === "'") {
      const q = src.startsWith(ch.repeat(3), i) ? ch.repeat(3) : ch;
      let j = i + q.length;
      while (j < src.length && !src.startsWith(q, j)) { if (src[j] === '\\') j++; if (q.length === 1 && src[j] === '\n') return undefined; j++; }
      if (j >= src.length) return undefined;
      inner += src.slice(i, j + q.length);
      i = j + q.length - 1;
      continue;
    }
    if ('([{'.includes(ch)) depth++;
    else if (')]}'.includes(ch) && --depth === 0) return { inner: inner.slice(1), close: i, topLevelAs };
    if (depth === 1 && /\sas\s/.test(src.slice(i - 1, i + 3)) && ch === 'a') topLevelAs = true;
    inner += ch;
  }
  return undefined;
}
