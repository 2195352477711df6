/**
 * Statement-by-statement comparison of the engine's offline SQL with Alembic's, and a short cause for
 * the first difference so the census can group them.
 */
import { splitScript } from './engine';

export interface Difference { index: number; ours?: string; alembic?: string; cause: string }

/** Both sides cut the same way (Alembic's writes joined and split as the engine's script is). */
export function firstDifference(ours: string[], alembicWrites: string[]): Difference | undefined {
  const theirs = splitScript(alembicWrites.map((s) => `${s};\n\n`).join(''));
  const n = Math.max(ours.length, theirs.length);
  for (let i = 0; i < n; i++) {
    if (ours[i] === theirs[i]) continue;
    return { index: i, ours: ours[i], alembic: theirs[i], cause: cause(ours[i], theirs[i], ours.length, theirs.length) };
  }
  return undefined;
}

const tokens = (s: string) => s.match(/"(?:[^"]|"")*"|'(?:[^']|'')*'|%%|\w+|[^\s\w]/g) ?? [];

function cause(ours: string | undefined, alembic: string | undefined, nOurs: number, nAlembic: number): string {
  if (ours === undefined) return `the engine writes fewer statements (${nOurs} vs ${nAlembic})`;
  if (alembic === undefined) return `the engine writes more statements (${nOurs} vs ${nAlembic})`;
  if (ours.replace(/\s+/g, ' ') === alembic.replace(/\s+/g, ' ')) return 'whitespace only';
  if (alembic.includes('%%') && ours.replace(/%/g, '%%') === alembic) return '`%` not doubled (Alembic writes `%%` offline on PostgreSQL)';
  if (/ON UPDATE/.test(alembic) && !/ON UPDATE/.test(ours)) return '`onupdate=` of a foreign key dropped';
  if (/\bSERIAL\b/.test(ours) && !/\bSERIAL\b/.test(alembic)) return '`SERIAL` where SQLAlchemy keeps the integer type';
  if (/\bSERIAL\b/.test(alembic) && !/\bSERIAL\b/.test(ours)) return '`SERIAL` missing where SQLAlchemy writes it';
  const a = tokens(ours);
  const b = tokens(alembic);
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const ctx = (t: string[]) => t.slice(i, i + 3).join(' ') || '(end)';
  const before = a.slice(Math.max(0, i - 2), i).join(' ');
  if (/^CONSTRAINT$/i.test(b[i - 1] ?? '') || (/^CONSTRAINT$/i.test(b[i] ?? '') && !/^CONSTRAINT$/i.test(a[i] ?? ''))) return 'a constraint name differs or is missing (naming convention)';
  if (/^(INDEX|ON)$/i.test(before.split(' ').pop() ?? '') && /^(CREATE|DROP)/.test(alembic)) return 'an index name differs (naming convention)';
  return `\`${before} ${ctx(a)}\` where Alembic writes \`${before} ${ctx(b)}\``.replace(/` /g, '`');
}
