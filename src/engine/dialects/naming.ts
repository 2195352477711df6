/** Name quoting and string literals as SQLAlchemy's identifier preparer writes them. */

const LEGAL = /^[a-z0-9_$]+$/i;

/** SQLAlchemy's `requires_quotes`: reserved, odd characters, a leading digit or `$`, or not lower case. */
export function makeQuote(reserved: ReadonlySet<string>): (name: string) => string {
  return (n) => {
    const lc = n.toLowerCase();
    const bare = !reserved.has(lc) && LEGAL.test(n) && !/^[0-9$]/.test(n) && lc === n;
    return bare ? n : `"${n.replace(/"/g, '""')}"`;
  };
}

export const sqlLiteral = (v: string): string => `'${v.replace(/'/g, "''")}'`;

export const words = (s: string): ReadonlySet<string> => new Set(s.trim().split(/\s+/));

/** Quoted names and string literals, which placeholders never sit in (`"a?"` is a name). */
const QUOTED = `"(?:[^"]|"")*"|'(?:[^']|'')*'`;

/** Replaces each placeholder outside quotes with `render(placeholder text, index in order)`. */
export function replacePlaceholders(sql: string, placeholder: string, render: (m: string, i: number) => string): string {
  let i = 0;
  return sql.replace(new RegExp(`${QUOTED}|${placeholder}`, 'g'), (m) => (/^["']/.test(m) ? m : render(m, i++)));
}
