/**
 * Statement-by-statement comparison of the engine's offline SQL with Alembic's, and a short cause for
 * the first difference so the census can group them.
 */
import { splitScript } from './engine';

export interface Difference { index: number; ours?: string; alembic?: string; cause: string }

/**
 * The indexes Alembic creates after a CREATE TABLE come from a set (`table.indexes`): their order
 * varies from run to run, so each run of consecutive CREATE INDEX statements is compared sorted.
 */
function sortIndexRuns(list: string[]): string[] {
  const out = [...list];
  const isIx = (s: string) => /^CREATE (UNIQUE )?INDEX /.test(s);
  for (let i = 0; i < out.length;) {
    if (!isIx(out[i])) { i++; continue; }
    let j = i;
    while (j < out.length && isIx(out[j])) j++;
    out.splice(i, j - i, ...out.slice(i, j).sort());
    i = j;
  }
  return out;
}

/** Both sides cut the same way (Alembic's writes joined and split as the engine's script is). */
export function firstDifference(oursIn: string[], alembicWrites: string[]): Difference | undefined {
  const ours = sortIndexRuns(uuidFree(oursIn.map(clockFree)));
  const theirs = sortIndexRuns(uuidFree(splitScript(alembicWrites.map((s) => `${s};\n\n`).join('')).map(clockFree)));
  const n = Math.max(ours.length, theirs.length);
  for (let i = 0; i < n; i++) {
    if (ours[i] === theirs[i]) continue;
    return { index: i, ours: ours[i], alembic: theirs[i], cause: cause(ours[i], theirs[i], ours.length, theirs.length) };
  }
  return undefined;
}

/**
 * A migration that writes `datetime.now()` into its SQL: each tool writes the time it ran (a few
 * seconds apart), so a timestamp within a day of now is compared as "the clock".
 */
function clockFree(sql: string): string {
  return sql.replace(/'(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)(\.\d+)?([+-]\d\d:\d\d)?'/g, (m, d: string, t: string) =>
    (Math.abs(Date.parse(`${d}T${t}Z`) - Date.now()) < 86_400_000 * 1.1 ? "'<the clock>'" : m));
}

/**
 * A migration that writes `uuid.uuid4()` into its SQL: each tool draws its own. Each distinct
 * version-4 UUID becomes `<uuid k>` by first appearance, so one used twice must still match.
 */
function uuidFree(statements: string[]): string[] {
  const seen = new Map<string, number>();
  return statements.map((sql) => sql.replace(/\b[0-9a-f]{8}-?[0-9a-f]{4}-?4[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}\b/g, (u) => {
    const key = u.replace(/-/g, '');
    if (!seen.has(key)) seen.set(key, seen.size + 1);
    return `<uuid ${seen.get(key)}>`;
  }));
}

const tokens = (s: string) => s.match(/"(?:[^"]|"")*"|'(?:[^']|'')*'|%%|\w+|[^\s\w]/g) ?? [];

/** `DEFAULT (x)` -> `DEFAULT x`: whether the two differ only in SQLite's parentheses around defaults. */
function unwrapDefaults(s: string): string {
  let out = '';
  let i = 0;
  for (;;) {
    const j = s.indexOf('DEFAULT (', i);
    if (j < 0) return out + s.slice(i);
    let depth = 0;
    let k = j + 8;
    for (; k < s.length; k++) {
      if (s[k] === '(') depth++;
      else if (s[k] === ')' && --depth === 0) break;
    }
    out += s.slice(i, j) + 'DEFAULT ' + s.slice(j + 9, k);
    i = k + 1;
  }
}

/** SQL keywords are upper case in SQLAlchemy's output; names and literals are replaced so causes group. */
const shape = (t: string[]) => t.map((x) => (/^[A-Z]+$/.test(x) || /^[^\w'"]$/.test(x) ? x : /^['"]/.test(x) ? "'…'" : /^\d+$/.test(x) ? x : 'x')).join(' ');

function cause(ours: string | undefined, alembic: string | undefined, nOurs: number, nAlembic: number): string {
  if (ours === undefined) return `the engine writes fewer statements: ${shape(tokens(alembic ?? '').slice(0, 4))} … missing`;
  if (alembic === undefined) return `the engine writes more statements: ${shape(tokens(ours).slice(0, 4))} … extra`;
  void nOurs; void nAlembic;
  if (ours.replace(/\s+/g, ' ') === alembic.replace(/\s+/g, ' ')) return 'whitespace only';
  if (alembic.includes('%%') && ours.replace(/%/g, '%%') === alembic) return '`%` not doubled (Alembic writes `%%` offline on PostgreSQL)';
  if (/ON UPDATE/.test(alembic) && !/ON UPDATE/.test(ours)) return '`onupdate=` of a foreign key dropped';
  if (/\bSERIAL\b/.test(ours) && !/\bSERIAL\b/.test(alembic)) return '`SERIAL` where SQLAlchemy keeps the integer type';
  if (/\bSERIAL\b/.test(alembic) && !/\bSERIAL\b/.test(ours)) return '`SERIAL` missing where SQLAlchemy writes it';
  if (unwrapDefaults(ours) === unwrapDefaults(alembic)) return 'SQLite `DEFAULT` parentheses (SQLAlchemy 2.0: `DEFAULT 0`, `DEFAULT (now())`: only expressions are wrapped)';
  if (/REFERENCES \w+\./.test(ours) && !/REFERENCES \w+\./.test(alembic) && /^CREATE TABLE/.test(ours)) return 'SQLite: a foreign key to a schema-qualified table (SQLAlchemy drops it across schemas, and names the table without its schema)';
  if (/ RENAME (?!COLUMN|TO)/.test(ours) && / RENAME COLUMN /.test(alembic)) return 'SQLite column rename: `RENAME c TO x` where Alembic 1.19 writes `RENAME COLUMN c TO x`';
  const ix = /^(CREATE (?:UNIQUE )?INDEX|DROP INDEX) (\S+)(.*)$/s;
  const [mo, ma] = [ix.exec(ours), ix.exec(alembic)];
  if (mo && ma && mo[1] === ma[1] && mo[3] === ma[3] && mo[2] !== ma[2]) {
    return ma[2].length === 63 || /_[0-9a-f]{4}$/.test(ma[2]) ? 'an index name over 63 characters (SQLAlchemy truncates it with a hash suffix)' : 'an index name differs (`index=True`: SQLAlchemy\'s `ix_%(column_0_label)s` includes the schema)';
  }
  const a = tokens(ours);
  const b = tokens(alembic);
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (/^CONSTRAINT$/i.test(b[i - 1] ?? '') || (/^CONSTRAINT$/i.test(b[i] ?? '') && !/^CONSTRAINT$/i.test(a[i] ?? ''))) return 'a constraint name differs or is missing (naming convention)';
  const head = shape(tokens(alembic).slice(0, 2));
  const around = (t: string[]) => shape(t.slice(Math.max(0, i - 1), i + 3)) || '(end)';
  return `${head} …: the engine writes \`${around(a)}\` where Alembic writes \`${around(b)}\``;
}
