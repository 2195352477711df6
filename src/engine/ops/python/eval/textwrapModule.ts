/**
 * `import textwrap`: `textwrap.dedent` (and `indent`), as Python's module computes them, for
 * migrations that write their SQL in indented triple-quoted strings.
 */
import { Unsupported } from '../../values';
import { PythonError } from './errors';
import { Builtin, Kwargs, RtObject, typeName, Value } from './runtime';

/** Python's dedent: lines of blanks become empty, then the longest common leading blank run is removed. */
export function dedent(text: string): string {
  const lines = text.split('\n').map((l) => (/^[ \t]+$/.test(l) ? '' : l));
  let margin: string | undefined;
  for (const l of lines) {
    const indent = /^[ \t]*(?=[^ \t])/.exec(l)?.[0];
    if (indent === undefined) continue; // an empty line does not count
    if (margin === undefined || margin.startsWith(indent)) margin = indent;
    else if (!indent.startsWith(margin)) {
      let i = 0;
      while (i < margin.length && margin[i] === indent[i]) i++;
      margin = margin.slice(0, i);
    }
  }
  return margin ? lines.map((l) => (l.startsWith(margin!) ? l.slice(margin!.length) : l)).join('\n') : lines.join('\n');
}

/** Python's indent: the prefix before every line that is not only blanks (keeps the line ends). */
function indent(text: string, prefix: string): string {
  return (text.match(/[^\n]*\n|[^\n]+$/g) ?? []).map((l) => (l.trim() ? prefix + l : l)).join('');
}

const str = (v: Value | undefined, what: string, line: number): string => {
  if (typeof v !== 'string') throw new PythonError(line, 'TypeError', `${what}: expected str, not ${typeName(v ?? null)}`);
  return v;
};

export class TextwrapModule extends RtObject {
  readonly typeName = 'module';
  override getAttr(name: string, line: number): Value {
    switch (name) {
      case 'dedent': return new Builtin('textwrap.dedent', ([t]: Value[], _k: Kwargs, at: number) => dedent(str(t, 'dedent()', at)));
      case 'indent': return new Builtin('textwrap.indent', ([t, p, pred]: Value[], k: Kwargs, at: number) => {
        if ((pred ?? k.get('predicate')) !== undefined) throw new Unsupported(at, 'textwrap.indent(..., predicate)', 'a predicate is not evaluated by the embedded engine');
        return indent(str(t, 'indent()', at), str(p ?? k.get('prefix'), 'indent()', at));
      });
    }
    throw new Unsupported(line, `textwrap.${name}`, 'this part of Python\'s textwrap module is not evaluated by the embedded engine');
  }
}
