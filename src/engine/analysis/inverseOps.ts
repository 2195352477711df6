/**
 * A downgrade written from an upgrade, where the inverse is certain (each op declares its own in
 * ops/registry/: create_table -> drop_table, add_column -> drop_column, create_index -> drop_index,
 * create_*_constraint / create_foreign_key -> drop_constraint, rename_table back); in reverse
 * order. What cannot be inverted from the call alone (drops, alter_column, execute, batch
 * blocks...) becomes a TODO naming the upgrade line.
 */
import { opSpec, SourceCall } from '../ops/registry';
import { isOp, Token, tokenize } from '../scripts/pyTokens';

export interface InverseResult { lines: string[]; complete: boolean }

/** Parses `op.name(a, b, k=v)` into its arguments' source text (and string values). */
export function parseOpCall(text: string): SourceCall | undefined {
  const t = tokenize(text, 0, text.length);
  if (!(t[0]?.kind === 'name' && t[0].text === 'op' && isOp(t[1], '.') && t[2]?.kind === 'name' && isOp(t[3], '('))) return undefined;
  const args: string[] = [];
  const kwargs = new Map<string, string>();
  const strings: (string | undefined)[] = [];
  let depth = 0;
  let startTok = 4;
  const flush = (endTok: number) => {
    const part = t.slice(startTok, endTok);
    if (!part.length) return;
    const src = text.slice(part[0].pos, part[part.length - 1].end).trim();
    if (part[0].kind === 'name' && isOp(part[1], '=')) kwargs.set(part[0].text, text.slice(part[2]?.pos ?? part[1].end, part[part.length - 1].end).trim());
    else { args.push(src); strings.push(part.length === 1 && part[0].kind === 'string' ? part[0].value : undefined); }
  };
  for (let i = 4; i < t.length; i++) {
    const tok: Token = t[i];
    if (tok.kind !== 'op') continue;
    if ('([{'.includes(tok.text)) depth++;
    else if (')]}'.includes(tok.text)) {
      if (depth === 0) {
        flush(i);
        const comments = t.slice(0, i + 1).some((x, k) => k > 0 && text.slice(t[k - 1].end, x.pos).includes('#'));
        return { name: t[2].text, args, kwargs, strings, end: tok.end, comments };
      }
      depth--;
    } else if (tok.text === ',' && depth === 0) { flush(i); startTok = i + 1; }
  }
  return undefined;
}

/** The name in `sa.Column('name', ...)`, evaluated; undefined unless it is one plain string. */
function columnName(column: string): string | undefined {
  const t = tokenize(column, 0, column.length);
  const name = t[4];
  if (name?.kind !== 'string' || name.bytes || name.formatted || !(isOp(t[5], ',') || isOp(t[5], ')'))) return undefined;
  return name.value;
}

/** A string literal in the quotes the call's first argument uses (the file's style). */
function quoter(first: string | undefined): (s: string) => string {
  const quote = first?.startsWith('"') ? '"' : "'";
  return (s) => `${quote}${s.replace(/\\/g, '\\\\').replaceAll(quote, `\\${quote}`)}${quote}`;
}

/** The inverse each op declares (registry/), written in the file's quoting style. */
function inverse(c: SourceCall): string | undefined {
  return opSpec(c.name)?.inverse?.(c, { quote: quoter(c.args[0]), columnName });
}

/** The downgrade body (unindented lines) for an upgrade body's statements. */
export function inverseOperations(statements: { text: string; line: number; indent: number }[]): InverseResult {
  const top = statements.length ? Math.min(...statements.map((s) => s.indent)) : 0;
  const out: string[] = [];
  let complete = true;
  for (const s of statements) {
    if (s.indent !== top) continue; // inside a with/for/if block: covered by the block's TODO
    const text = s.text.trim();
    if (/^(pass|\.\.\.)$/.test(text) || /^(["']).*\1$/s.test(text)) continue;
    const call = parseOpCall(text);
    const inv = call && inverse(call);
    if (inv) out.unshift(inv);
    else {
      complete = false;
      out.unshift(`# TODO: undo line ${s.line}: ${text.split('\n')[0].slice(0, 80)}`);
    }
  }
  if (!complete) out.push('raise NotImplementedError("finish this downgrade: see the TODO lines")');
  return { lines: out.length ? out : ['pass'], complete };
}
