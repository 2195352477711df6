/** @lezer/python, loaded on first use (it is bundled apart: activation never pays for it). */
import type { Tree } from '@lezer/common';

let lezer: typeof import('@lezer/python') | undefined;

export function parsePython(src: string): Tree {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  lezer ??= require('@lezer/python') as typeof import('@lezer/python');
  return lezer.parser.parse(src);
}

/** Where the parser had to recover from a syntax error (Python would not load the file), if anywhere. */
export function syntaxErrorAt(tree: Tree): number | undefined {
  let at: number | undefined;
  tree.iterate({ enter: (n) => { if (at === undefined && n.type.isError) at = n.from; return at === undefined; } });
  return at;
}
