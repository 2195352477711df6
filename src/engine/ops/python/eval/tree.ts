/** Small helpers over the syntax tree of a unit (a revision file or a project module). */
import type { SyntaxNode } from '@lezer/common';
import { Unit } from './runtime';

export function text(unit: Unit, n: { from: number; to: number }): string { return unit.src.slice(n.from, n.to); }

export function line(unit: Unit, n: { from: number }): number {
  const starts = unit.lineStarts;
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= n.from) lo = mid; else hi = mid - 1;
  }
  return lo + 1;
}

export function snippet(unit: Unit, n: { from: number; to: number }): string {
  const t = text(unit, n).split('\n')[0].trim();
  return t.length > 60 ? t.slice(0, 57) + '...' : t;
}

export function children(n: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = n.firstChild; c; c = c.nextSibling) if (c.name !== 'Comment') out.push(c);
  return out;
}

/** The items of a bracketed node, without brackets and commas. */
export function inner(n: SyntaxNode): SyntaxNode[] {
  return children(n).filter((c) => !['(', ')', '[', ']', '{', '}', ','].includes(c.name));
}

/** Names a top-level statement binds (for a statement that failed: its names then say why). */
export function assignedNames(s: SyntaxNode, unit: Unit): string[] {
  const out: string[] = [];
  const walk = (n: SyntaxNode) => {
    if (n.name === 'VariableName') out.push(text(unit, n));
    else if (['TupleExpression', 'ArrayExpression', 'ParenthesizedExpression'].includes(n.name)) for (let c = n.firstChild; c; c = c.nextSibling) walk(c);
  };
  if (s.name === 'AssignStatement') {
    const segs: SyntaxNode[] = [];
    for (let c = s.firstChild; c; c = c.nextSibling) if (c.name !== 'TypeDef') segs.push(c);
    const lastOp = segs.map((c) => c.name).lastIndexOf('AssignOp');
    segs.slice(0, lastOp).forEach((c) => { if (c.name !== 'AssignOp' && c.name !== ',') walk(c); });
  } else if (s.name === 'FunctionDefinition' || s.name === 'ClassDefinition') {
    const v = s.getChild('VariableName');
    if (v) out.push(text(unit, v));
  } else if (s.name === 'DecoratedStatement') {
    const d = s.getChild('FunctionDefinition') ?? s.getChild('ClassDefinition');
    const v = d?.getChild('VariableName');
    if (v) out.push(text(unit, v));
  } else if (s.name === 'ImportStatement') {
    // An import that failed: its local names say why.
    const t = text(unit, s).replace(/[()\\\n]/g, ' ');
    const m = /\bimport\s+(.+)$/.exec(t);
    if (m) for (const part of m[1].split(',')) { const [n0, alias] = part.trim().split(/\s+as\s+/); if (n0) out.push((alias ?? n0).split('.')[0].trim()); }
  } else if (s.name === 'ForStatement' || s.name === 'IfStatement' || s.name === 'WithStatement' || s.name === 'TryStatement') {
    s.cursor().iterate((c) => { if (c.name === 'AssignStatement') out.push(...assignedNames(c.node, unit)); });
  }
  return out;
}
