/** Python literals as the evaluator reads them: strings (prefixes, escapes), f-strings, numbers. */
import type { SyntaxNode } from '@lezer/common';
import { stringLiteralValue, stringPrefixLength, unescape } from '../../../scripts/pyTokens';
import { Unsupported } from '../../values';
import { formatSpec, pyRepr, pyStr } from './format';
import { line, snippet, text } from './tree';
import { Unit, Value } from './runtime';

export function stringLiteral(n: SyntaxNode, unit: Unit): string {
  const raw = text(unit, n);
  const value = stringLiteralValue(raw);
  if (value === undefined) throw new Unsupported(line(unit, n), raw.slice(0, 40), 'a bytes literal is not evaluated');
  return value;
}

/** An f-string (or a plain string): replacements evaluated by `evaluate`. */
export function formattedString(n: SyntaxNode, unit: Unit, evaluate: (e: SyntaxNode) => Value): string {
  const raw = text(unit, n);
  const p = stringPrefixLength(raw, 0);
  const prefix = raw.slice(0, p).toLowerCase();
  if (!prefix.includes('f')) return stringLiteral(n, unit);
  const q = raw.slice(p).startsWith('"""') || raw.slice(p).startsWith("'''") ? 3 : 1;
  const start = n.from + p + q;
  const end = n.to - q;
  const lit = (from: number, to: number) => {
    const s = unit.src.slice(from, to).replace(/\{\{/g, '{').replace(/\}\}/g, '}');
    return prefix.includes('r') ? s : unescape(s, false);
  };
  let out = '';
  let pos = start;
  for (let c = n.firstChild; c; c = c.nextSibling) {
    if (c.name !== 'FormatReplacement') continue;
    out += lit(pos, c.from);
    out += replacement(c, unit, evaluate);
    pos = c.to;
  }
  return out + lit(pos, end);
}

function replacement(r: SyntaxNode, unit: Unit, evaluate: (e: SyntaxNode) => Value): string {
  let value: Value = null;
  let conversion = '';
  let spec = '';
  for (let c = r.firstChild; c; c = c.nextSibling) {
    if (c.name === '{' || c.name === '}') continue;
    if (c.name === 'FormatConversion') conversion = text(unit, c).slice(1);
    else if (c.name === 'FormatSpec') {
      let s = '';
      let pos = c.from + 1;
      for (let d = c.firstChild; d; d = d.nextSibling) {
        if (d.name !== 'FormatReplacement') continue;
        s += unit.src.slice(pos, d.from) + replacement(d, unit, evaluate);
        pos = d.to;
      }
      spec = s + unit.src.slice(pos, c.to);
    } else if (c.name === 'AssignOp' || text(unit, c) === '=') {
      throw new Unsupported(line(unit, r), snippet(unit, r), 'the f-string `=` specifier is not evaluated');
    } else value = evaluate(c);
  }
  if (conversion === 'r') value = pyRepr(value);
  else if (conversion === 's') value = pyStr(value);
  return formatSpec(value, spec, line(unit, r));
}

export function numberLiteral(unit: Unit, n: SyntaxNode): number {
  const t = text(unit, n).replace(/_/g, '');
  if (/[jJ]$/.test(t)) throw new Unsupported(line(unit, n), t, 'a complex number is not evaluated');
  const v = /^0[xob]/i.test(t) ? Number(t) : /^[0-9]+$/.test(t) ? parseInt(t, 10) : parseFloat(t);
  if (!Number.isFinite(v) || (Number.isInteger(v) && !Number.isSafeInteger(v))) throw new Unsupported(line(unit, n), t, 'a number too large to carry exactly');
  return v;
}
