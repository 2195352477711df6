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
