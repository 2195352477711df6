/**
 * Renders a project's `script.py.mako` without Mako: the expressions Alembic's own templates and
 * most project templates use (`${message}`, `${repr(x)}`, `${x | comma,n}`, `${x if x else "pass"}`),
 * `<%! ... %>` blocks and `##` comment lines. Anything else is refused by name, never guessed.
 */
import { CommandError } from '../errors';

export type TemplateValue = string | readonly string[] | null;

/** Python's repr() of a str, a tuple of str, or None. */
export function pyRepr(v: TemplateValue): string {
  if (v === null) return 'None';
  if (typeof v === 'string') return pyStr(v);
  if (v.length === 1) return `(${pyStr(v[0])},)`;
  return `(${v.map(pyStr).join(', ')})`;
}

function pyStr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  const body = s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t')
    .replace(new RegExp(quote, 'g'), `\\${quote}`);
  return `${quote}${body}${quote}`;
}

/** Alembic's `format_as_comma`: `a, b`, or the empty string for None. */
export const asComma = (v: TemplateValue): string => (v === null ? '' : typeof v === 'string' ? v : v.join(', '));

export function renderTemplate(template: string, vars: Record<string, TemplateValue>, file: string): string {
  const text = template.replace(/\r\n?/g, '\n')
    .replace(/<%![\s\S]*?%>\n?/g, '') // module-level Python blocks (imports for the template)
    .replace(/^[ \t]*##(?!#).*\n/gm, ''); // Mako comment lines
  if (/<%(?!!)|%>|^\s*%\s*(if|for|endif|endfor)\b/m.test(text)) {
    throw new CommandError(`${file} uses Mako control blocks the embedded engine does not render`, file,
      'Create the revision with alembic, or simplify the template to ${...} expressions.');
  }
  return text.replace(/\$\{([^}]*)\}/g, (_, raw: string) => evaluate(raw.trim(), vars, file));
}

function evaluate(expr: string, vars: Record<string, TemplateValue>, file: string): string {
  const get = (name: string): TemplateValue => {
    if (!(name in vars)) throw new CommandError(`${file}: the template uses \${${expr}}, which the embedded engine does not know`, file, 'Create the revision with alembic.');
    return vars[name];
  };
  let m = /^repr\((\w+)\)$/.exec(expr);
  if (m) return pyRepr(get(m[1]));
  m = /^(\w+)\s*\|\s*comma\s*(,\s*n\s*)?$/.exec(expr);
  if (m) return asComma(get(m[1]));
  m = /^(\w+)\s+if\s+(\w+)\s+else\s+(["'])(.*)\3$/.exec(expr);
  if (m && m[1] === m[2]) { const v = get(m[1]); return v ? (typeof v === 'string' ? v : pyRepr(v)) : m[4]; }
  m = /^(\w+)(\s*\|\s*n)?$/.exec(expr);
  if (m) { const v = get(m[1]); return typeof v === 'string' ? v : pyRepr(v); }
  throw new CommandError(`${file}: the template uses \${${expr}}, which the embedded engine does not render`, file, 'Create the revision with alembic.');
}
