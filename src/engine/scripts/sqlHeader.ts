/**
 * Header of a SQL revision file (format in docs/REVISION-FILES.md): a leading block of `--`
 * comments plays the part of Python's docstring and carries the same fields Alembic's template
 * writes there:
 *
 *   -- Add users table
 *   --
 *   -- Revision ID: ae1027a6acf
 *   -- Revises: 1975ea83b712          (comma-separated for a merge; empty for a base)
 *   -- Branch Labels: auth            (optional, comma-separated)
 *   -- Depends On: 27c6a30d7c24       (optional, comma-separated)
 *   -- Create Date: 2026-11-24 10:00:00
 *
 *   -- migrate:upgrade
 *   CREATE TABLE ...;
 *   -- migrate:downgrade
 *   DROP TABLE ...;
 */
import { PyHeader, PyLiteral } from './pyHeader';

const FIELDS: Record<string, string> = {
  'revision id': 'revision', revises: 'down_revision', 'branch labels': 'branch_labels', 'depends on': 'depends_on',
};

export function readSqlHeader(source: string): PyHeader {
  const lines = source.replace(/\r\n?/g, '\n').split('\n');
  const header: PyHeader = { values: new Map() };
  const doc: string[] = [];
  for (let n = 0; n < lines.length; n++) {
    const m = /^\s*--\s?(.*)$/.exec(lines[n]);
    if (!m) break;
    const text = m[1].trimEnd();
    if (/^migrate:(up|down)grade\b/i.test(text.trim())) break;
    doc.push(text);
    const field = /^([A-Za-z ]+?)\s*:\s*(.*)$/.exec(text.trim());
    const name = field && FIELDS[field[1].toLowerCase()];
    if (!name) continue;
    const items = field![2].split(',').map((s) => s.trim()).filter((s) => s && s !== '<base>' && s.toLowerCase() !== 'none');
    let value: PyLiteral;
    if (name === 'revision') value = items[0] ?? null;
    else if (name === 'down_revision') value = items.length === 0 ? null : items.length === 1 ? items[0] : items;
    else value = items.length ? items : null;
    header.values.set(name, { ok: true, value, line: n + 1 });
  }
  if (doc.length) header.docstring = doc.join('\n');
  return header;
}
