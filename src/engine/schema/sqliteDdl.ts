/**
 * What SQLite's PRAGMAs do not tell, read from the CREATE statements it keeps in sqlite_master:
 * constraint names, CHECK conditions, generated columns' expressions, deferrable foreign keys,
 * index expressions and partial-index conditions, view bodies. Conditions and expressions come
 * back in canonical text (sqlTokens.renderTokens), so a table rebuilt with other spacing or
 * quoting reads the same.
 */
import { group, isPunct, isWord, nameOf, renderTokens, splitTopLevel, tokenize, type Token } from './sqlTokens';

export interface ParsedForeignKey {
  name?: string;
  columns: string[];
  referredTable: string;
  referredColumns: string[];
  deferrable: boolean;
  initiallyDeferred: boolean;
}

export interface ParsedTable {
  primaryKeyName?: string;
  uniques: { name?: string; columns: string[] }[];
  checks: { name?: string; sql: string }[];
  foreignKeys: ParsedForeignKey[];
  /** Generated columns' expressions by column name. */
  generated: Map<string, string>;
}

const TABLE_CONSTRAINT = ['CONSTRAINT', 'PRIMARY', 'UNIQUE', 'CHECK', 'FOREIGN'];
const FK_ACTION_WORDS = ['ON', 'MATCH', 'NOT', 'DEFERRABLE', 'INITIALLY'];

/**
 * Parses once per distinct text: the stairway snapshots the same tables again and again, and the
 * results are only read. Emptied when it grows past a size no real schema reaches.
 */
function memo<T>(parse: (sql: string) => T): (sql: string) => T {
  const cache = new Map<string, T>();
  return (sql) => {
    let r = cache.get(sql);
    if (r === undefined) {
      if (cache.size >= 5000) cache.clear();
      cache.set(sql, (r = parse(sql)));
    }
    return r;
  };
}

/** The parts of `CREATE TABLE` the PRAGMAs leave out. */
export const parseCreateTable = memo((sql: string): ParsedTable => {
  const out: ParsedTable = { uniques: [], checks: [], foreignKeys: [], generated: new Map() };
  const tokens = tokenize(sql);
  const open = tokens.findIndex((t) => isPunct(t, '('));
  if (open < 0) return out;
  for (const item of splitTopLevel(group(tokens, open).inner)) {
    if (isWord(item[0], ...TABLE_CONSTRAINT)) readConstraints(item, 0, undefined, out);
    else readConstraints(item, 1, nameOf(item[0]), out);
  }
  return out;
});

/** Reads constraint clauses from `i` on; `column` is set for a column definition's own clauses. */
function readConstraints(ts: Token[], i: number, column: string | undefined, out: ParsedTable): void {
  let name: string | undefined;
  while (i < ts.length) {
    const t = ts[i];
    if (isWord(t, 'CONSTRAINT')) { name = nameOf(ts[i + 1]); i += 2; continue; }
    if (isWord(t, 'PRIMARY')) {
      out.primaryKeyName = name;
      name = undefined;
      i += 2;
      if (isPunct(ts[i], '(')) i = group(ts, i).next;
      continue;
    }
    if (isWord(t, 'UNIQUE')) {
      let columns = column !== undefined ? [column] : [];
      i++;
      if (isPunct(ts[i], '(')) { const g = group(ts, i); columns = names(g.inner); i = g.next; }
      out.uniques.push({ name, columns });
      name = undefined;
      continue;
    }
    if (isWord(t, 'CHECK') && isPunct(ts[i + 1], '(')) {
      const g = group(ts, i + 1);
      out.checks.push({ name, sql: renderTokens(g.inner) });
      name = undefined;
      i = g.next;
      continue;
    }
    if (isWord(t, 'FOREIGN') && isWord(ts[i + 1], 'KEY') && isPunct(ts[i + 2], '(')) {
      const g = group(ts, i + 2);
      i = readReferences(ts, g.next, names(g.inner), name, out);
      name = undefined;
      continue;
    }
    if (isWord(t, 'REFERENCES') && column !== undefined) {
      i = readReferences(ts, i, [column], name, out);
      name = undefined;
      continue;
    }
    if ((isWord(t, 'AS') && isPunct(ts[i + 1], '(')) && column !== undefined) {
      const g = group(ts, i + 1);
      out.generated.set(column, renderTokens(g.inner));
      i = g.next;
      continue;
    }
    // Anything else (types, DEFAULT (...), COLLATE, NOT NULL, ON CONFLICT): skip, groups whole.
    i = isPunct(t, '(') ? group(ts, i).next : i + 1;
  }
}

/** `REFERENCES t [(cols)] [ON DELETE/UPDATE ...] [MATCH x] [[NOT] DEFERRABLE [INITIALLY ...]]` at `i`. */
function readReferences(ts: Token[], i: number, columns: string[], name: string | undefined, out: ParsedTable): number {
  if (!isWord(ts[i], 'REFERENCES')) return i;
  const referredTable = nameOf(ts[i + 1]) ?? '';
  i += 2;
  let referredColumns: string[] = [];
  if (isPunct(ts[i], '(')) { const g = group(ts, i); referredColumns = names(g.inner); i = g.next; }
  let deferrable = false;
  let initiallyDeferred = false;
  while (isWord(ts[i], ...FK_ACTION_WORDS)) {
    if (isWord(ts[i], 'NOT') && isWord(ts[i + 1], 'DEFERRABLE')) { deferrable = false; i += 2; continue; }
    if (isWord(ts[i], 'NOT')) break; // NOT NULL after a column's REFERENCES clause
    if (isWord(ts[i], 'DEFERRABLE')) { deferrable = true; i++; continue; }
    if (isWord(ts[i], 'INITIALLY')) { initiallyDeferred = isWord(ts[i + 1], 'DEFERRED'); i += 2; continue; }
    if (isWord(ts[i], 'MATCH')) { i += 2; continue; }
    // ON DELETE|UPDATE <action>: the PRAGMA reports the actions; skip their words.
    i += 2;
    if (isWord(ts[i], 'SET', 'NO')) i += 2;
    else i++;
  }
  out.foreignKeys.push({ name, columns, referredTable, referredColumns, deferrable, initiallyDeferred });
  return i;
}

/** Column names from a list (`a, "b" DESC, c COLLATE x`): each item's first name. */
const names = (ts: Token[]): string[] => splitTopLevel(ts).map((p) => nameOf(p[0]) ?? renderTokens(p));

export interface ParsedIndex {
  /** Each key item's canonical text, without a trailing COLLATE / ASC / DESC. */
  items: string[];
  where?: string;
}

/** `CREATE [UNIQUE] INDEX name ON t (items) [WHERE cond]`. */
export const parseCreateIndex = memo((sql: string): ParsedIndex => {
  const ts = tokenize(sql);
  const on = ts.findIndex((t) => isWord(t, 'ON'));
  const open = ts.findIndex((t, i) => i > on && isPunct(t, '('));
  if (on < 0 || open < 0) return { items: [] };
  const g = group(ts, open);
  const items = splitTopLevel(g.inner).map((item) => {
    let end = item.length;
    if (isWord(item[end - 1], 'ASC', 'DESC')) end--;
    if (end >= 2 && isWord(item[end - 2], 'COLLATE')) end -= 2;
    return renderTokens(item.slice(0, end));
  });
  const where = isWord(ts[g.next], 'WHERE') ? renderTokens(ts.slice(g.next + 1).filter((t) => !isPunct(t, ';'))) : undefined;
  return { items, where };
});

/** A view's SELECT (after the first top-level AS), in canonical text. */
export const parseCreateView = memo((sql: string): string => {
  const ts = tokenize(sql);
  let depth = 0;
  for (let i = 0; i < ts.length; i++) {
    if (isPunct(ts[i], '(')) depth++;
    else if (isPunct(ts[i], ')')) depth--;
    else if (depth === 0 && isWord(ts[i], 'AS')) return renderTokens(ts.slice(i + 1).filter((t) => !isPunct(t, ';')));
  }
  return renderTokens(ts);
});
