/** Python's repr() of the values autogenerate writes: strings (Python's choice of quotes), lists. */

/** `repr(str)`: single quotes unless the text holds a single quote and no double quote. */
export function pyStr(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = '';
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === q) out += `\\${q}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${q}${out}${q}`;
}

/** `repr(list_of_str)`: `['a', 'b']`. */
export const pyList = (xs: string[]): string => `[${xs.map(pyStr).join(', ')}]`;

/** `sa.text('...')`. */
export const saText = (sql: string): string => `sa.text(${pyStr(sql)})`;
