/**
 * Where a revision file defines `upgrade` and `downgrade`, and whether their bodies do anything:
 * the facts behind the "missing / empty downgrade" diagnostics. Python bodies are found with the
 * module-level scanner (no full parse); TypeScript/JavaScript by their exported functions; SQL by
 * its `-- migrate:upgrade` / `-- migrate:downgrade` sections.
 */
import { forEachLogicalLine, tokenize } from '../scripts/pyTokens';
import { RevisionFileKind } from '../scripts/revisionFile';

export interface MigrationFunction {
  name: 'upgrade' | 'downgrade';
  /** 1-based line of the definition (or section marker). */
  line: number;
  /** True when the body only holds `pass`, `...`, a docstring or comments. */
  empty: boolean;
  /** 1-based last line of the body (Python), for edits that replace it. */
  endLine?: number;
  /** The body's statements (Python): source text and 1-based line. */
  body?: { text: string; line: number; indent: number }[];
}

export function findMigrationFunctions(text: string, kind: RevisionFileKind): MigrationFunction[] {
  const src = text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
  if (kind === 'python') return pythonFunctions(src);
  if (kind === 'sql') return sqlSections(src);
  return jsFunctions(src);
}

function pythonFunctions(src: string): MigrationFunction[] {
  const out: MigrationFunction[] = [];
  let current: MigrationFunction | undefined;
  forEachLogicalLine(src, ({ start, end, line, indent }) => {
    if (indent === 0) {
      const m = /^(?:async\s+)?def\s+(upgrade|downgrade)\s*\(/.exec(src.slice(start, Math.min(end, start + 40)));
      current = m ? { name: m[1] as MigrationFunction['name'], line, empty: true, endLine: line, body: [] } : undefined;
      if (current) {
        out.push(current);
        // A one-line body after the colon: `def downgrade(): pass`
        const colon = src.slice(start, end).search(/\)\s*(->[^:]*)?:\s*\S/);
        if (colon >= 0 && !isInert(src.slice(start, end).replace(/^[^:]*\)\s*(->[^:]*)?:/, ''))) current.empty = false;
      }
      return;
    }
    if (!current) return;
    const text = src.slice(start, end);
    current.body!.push({ text, line, indent });
    current.endLine = line + (text.match(/\n/g)?.length ?? 0);
    if (current.empty && !isInert(text)) current.empty = false;
  });
  return out;
}

/** `pass`, `...`, a bare string (docstring) or `return` / `return None`. */
function isInert(statement: string): boolean {
  const tokens = tokenize(statement, 0, statement.length);
  if (!tokens.length) return true;
  if (tokens.every((t) => t.kind === 'string')) return true;
  const words = tokens.map((t) => t.kind === 'string' ? '<str>' : t.kind === 'op' || t.kind === 'name' || t.kind === 'number' ? t.text : '').join(' ');
  return ['pass', '. . .', '...', 'return', 'return None'].includes(words);
}

function sqlSections(src: string): MigrationFunction[] {
  const lines = src.split('\n');
  const out: MigrationFunction[] = [];
  let current: MigrationFunction | undefined;
  lines.forEach((l, i) => {
    const m = /^\s*--\s*migrate:(upgrade|downgrade)\b/i.exec(l);
    if (m) { current = { name: m[1].toLowerCase() as MigrationFunction['name'], line: i + 1, empty: true }; out.push(current); return; }
    if (current && l.trim() && !/^\s*--/.test(l)) current.empty = false;
  });
  return out;
}

function jsFunctions(src: string): MigrationFunction[] {
  const out: MigrationFunction[] = [];
  const re = /^export\s+(?:async\s+)?function\s+(upgrade|downgrade)\s*\([^)]*\)[^{]*\{/gm;
  for (const m of src.matchAll(re)) {
    const open = m.index! + m[0].length;
    let depth = 1;
    let i = open;
    while (i < src.length && depth > 0) {
      if (src[i] === '{') depth++;
      else if (src[i] === '}') depth--;
      i++;
    }
    const body = src.slice(open, i - 1).replace(/\/\/[^\n]*|\/\*[\s\S]*?\*\//g, '').trim();
    out.push({ name: m[1] as MigrationFunction['name'], line: src.slice(0, m.index).split('\n').length, empty: body === '' || /^return;?$/.test(body) });
  }
  return out;
}
