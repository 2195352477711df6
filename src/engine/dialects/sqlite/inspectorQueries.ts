/**
 * SQLAlchemy's Inspector on SQLite (its sqlite/base.py reflection, 2.0): what the PRAGMAs say,
 * and the names SQLAlchemy finds in the stored CREATE TABLE with its own patterns (constraint
 * names it cannot find stay None, as there). One query per method, answered as one JSON text.
 */
import {
  fkOptions, firstColumn, InspectorArgs, InspectorError, InspectorQueries, InspectorQuery, jsonCell, noSuchTable, Reflected, ReflectedType,
} from '../inspector';
import { sqlLiteral as lit } from '../naming';

const quoteName = (n: string) => `"${n.replace(/"/g, '""')}"`;
const schemaOf = (a: InspectorArgs) => a.schema ?? 'main';
const master = (a: InspectorArgs) => (a.schema ? `${quoteName(a.schema)}.sqlite_master` : 'sqlite_master');
const pragma = (fn: string, arg: string, a: InspectorArgs) => `pragma_${fn}(${lit(arg)}, ${lit(schemaOf(a))})`;

interface ColumnRow { name: string; type: string; notnull: number; dflt: string | null; pk: number; hidden: number }
interface FkRow { id: number; table: string; from: string; to: string | null; onUpdate: string; onDelete: string }
interface IndexRow { name: string; unique: number; partial: number; sql: string | null; cols: (string | null)[] }
interface TableParts { exists: number; sql: string | null; columns?: ColumnRow[]; fks?: FkRow[]; indexes?: IndexRow[]; refpks?: { table: string; name: string; pk: number }[] }

type Part = 'columns' | 'fks' | 'indexes' | 'refpks';

/** One row, one JSON text: whether the table exists, its CREATE TABLE, and the PRAGMA rows asked for. */
function tableQuery(a: InspectorArgs, parts: Part[]): string {
  const t = a.name ?? '';
  const json = (q: string) => `json((SELECT ${q}))`;
  const sel: Record<Part, string> = {
    columns: json(`json_group_array(json_object('name', name, 'type', type, 'notnull', "notnull", 'dflt', dflt_value, 'pk', pk, 'hidden', hidden)) FROM ${pragma('table_xinfo', t, a)}`),
    fks: json(`json_group_array(json_object('id', id, 'table', "table", 'from', "from", 'to', "to", 'onUpdate', on_update, 'onDelete', on_delete)) FROM ${pragma('foreign_key_list', t, a)}`),
    indexes: json(`json_group_array(json_object('name', l.name, 'unique', l."unique", 'partial', l.partial, 'sql', m.sql,
      'cols', json((SELECT json_group_array(x.name) FROM pragma_index_info(l.name, ${lit(schemaOf(a))}) x)))) FROM ${pragma('index_list', t, a)} l
      LEFT JOIN ${master(a)} m ON m.type = 'index' AND m.name = l.name`),
    // `REFERENCES parent` without columns refers to the parent's primary key.
    refpks: json(`json_group_array(json_object('table', f."table", 'name', p.name, 'pk', p.pk)) FROM
      (SELECT DISTINCT "table" FROM ${pragma('foreign_key_list', t, a)} WHERE "to" IS NULL) f, pragma_table_info(f."table", ${lit(schemaOf(a))}) p WHERE p.pk > 0`),
  };
  return `SELECT json_object('exists', EXISTS (SELECT 1 FROM ${pragma('table_info', t, a)}), ` +
    `'sql', (SELECT sql FROM ${master(a)} WHERE type = 'table' AND name = ${lit(t)})${parts.map((p) => `, '${p}', ${sel[p]}`).join('')})`;
}

function tableMethod(parts: Part[], shape: (p: TableParts, a: InspectorArgs) => Reflected): (a: InspectorArgs) => InspectorQuery {
  return (a) => ({ sql: tableQuery(a, parts), shape: (r) => shape(jsonCell<TableParts>(r), a) });
}

// SQLAlchemy's affinity rules for a declared type (sqlite/base.py `_resolve_type_affinity`).
const TYPE_NAMES: Record<string, string> = {
  BIGINT: 'sa.BIGINT', BLOB: 'sa.BLOB', BOOL: 'sa.BOOLEAN', BOOLEAN: 'sa.BOOLEAN', CHAR: 'sa.CHAR', DATE: 'sa.DATE', DATE_CHAR: 'sa.DATE',
  DATETIME: 'sa.DATETIME', DATETIME_CHAR: 'sa.DATETIME', DOUBLE: 'sa.DOUBLE', DECIMAL: 'sa.DECIMAL', FLOAT: 'sa.FLOAT', INT: 'sa.INTEGER',
  INTEGER: 'sa.INTEGER', JSON: 'sqlite.JSON', NUMERIC: 'sa.NUMERIC', REAL: 'sa.REAL', SMALLINT: 'sa.SMALLINT', TEXT: 'sa.TEXT', TIME: 'sa.TIME',
  TIME_CHAR: 'sa.TIME', TIMESTAMP: 'sa.TIMESTAMP', VARCHAR: 'sa.VARCHAR', NVARCHAR: 'sa.NVARCHAR', NCHAR: 'sa.NCHAR',
};

export function sqliteColumnType(declared: string): ReflectedType {
  const m = /^([\w ]+)(\(.*?\))?/.exec(declared);
  const base = m?.[1] ?? '';
  let fn = TYPE_NAMES[base];
  if (!fn) {
    fn = base.includes('INT') ? 'sa.INTEGER'
      : /CHAR|CLOB|TEXT/.test(base) ? 'sa.TEXT'
        : base.includes('BLOB') || !base ? 'sa.NullType'
          : /REAL|FLOA|DOUB/.test(base) ? 'sa.REAL' : 'sa.NUMERIC';
  }
  const args = m?.[2] ? (m[2].match(/\d+/g) ?? []).map(Number) : [];
  if (fn === 'sa.NullType') return new ReflectedType(undefined, [], {}, declared || '(no type)');
  // Types that take no arguments are built without them (SQLAlchemy warns and does so).
  const takes = ['sa.CHAR', 'sa.VARCHAR', 'sa.NVARCHAR', 'sa.NCHAR', 'sa.TEXT', 'sa.NUMERIC', 'sa.DECIMAL', 'sa.FLOAT', 'sa.DOUBLE', 'sa.REAL'].includes(fn);
  return new ReflectedType(fn, takes ? args.slice(0, fn.endsWith('CHAR') || fn === 'sa.TEXT' ? 1 : 2) : [], {}, declared);
}

function columns(p: TableParts, a: InspectorArgs): { [k: string]: Reflected }[] {
  if (!p.exists) throw noSuchTable(a);
  return (p.columns ?? []).filter((c) => c.hidden !== 1).map((c) => {
    const generated = c.hidden === 2 || c.hidden === 3;
    const declared = generated ? c.type.toUpperCase().replace(/generated/gi, '').replace(/always/gi, '').trim() : c.type.toUpperCase();
    const col: { [k: string]: Reflected } = {
      name: c.name, type: sqliteColumnType(declared), nullable: !c.notnull, default: c.dflt === null ? null : String(c.dflt), primary_key: c.pk,
    };
    if (generated) {
      const body = /create table .*?\((.*)\)(?:\s*,?\s*(?:WITHOUT\s+ROWID|STRICT))*$/is.exec((p.sql ?? '').trim())?.[1].trim() ?? '';
      const sqltext = new RegExp(`${escapeRegExp(c.name)}[^,]*\\s+GENERATED\\s+ALWAYS\\s+AS\\s+\\((.*)\\)\\s*(?:virtual|stored)?`, 'i').exec(body)?.[1] ?? '';
      col.computed = { sqltext, persisted: c.hidden === 3 };
    }
    return col;
  });
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Column names in a constraint's parenthesis, as SQLAlchemy picks them out (`_find_cols_in_sig`). */
const colsInSig = (sig: string) => [...sig.matchAll(/(?:"(.+?)")|([a-z0-9_]+)/gi)].map((m) => m[1] ?? m[2]);

function pkConstraint(p: TableParts, a: InspectorArgs): Reflected {
  const cols = columns(p, a);
  const m = /CONSTRAINT +(?:"(.+?)"|(\w+)) +PRIMARY KEY/i.exec(p.sql ?? '');
  const keys = cols.filter((c) => (c.primary_key as number) > 0).sort((x, y) => (x.primary_key as number) - (y.primary_key as number)).map((c) => c.name);
  return keys.length ? { constrained_columns: keys, name: m ? m[1] ?? m[2] : null } : { name: null, constrained_columns: [] };
}

const FK_PATTERN = new RegExp('(?:CONSTRAINT +(?:"(.+?)"|(\\w+)) +)?FOREIGN KEY *\\( *(.+?) *\\) +'
  + 'REFERENCES +(?:(?:"(.+?)")|([a-z0-9_]+)) *\\( *((?:(?:"[^"]+"|[a-z0-9_]+) *(?:, *)?)+)\\) *'
  + '((?:ON (?:DELETE|UPDATE) (?:SET NULL|SET DEFAULT|CASCADE|RESTRICT|NO ACTION) *)*)'
  + '((?:NOT +)?DEFERRABLE)?(?: +INITIALLY +(DEFERRED|IMMEDIATE))?', 'gi');

function foreignKeys(p: TableParts, a: InspectorArgs): Reflected {
  const byId = new Map<number, { [k: string]: Reflected }>();
  for (const r of p.fks ?? []) {
    let fk = byId.get(r.id);
    if (!fk) {
      const referred = r.to ? [] : (p.refpks ?? []).filter((x) => x.table === r.table).sort((x, y) => x.pk - y.pk).map((x) => x.name);
      fk = { name: null, constrained_columns: [], referred_schema: a.schema ?? null, referred_table: r.table, referred_columns: referred, options: {} };
      byId.set(r.id, fk);
    }
    (fk.constrained_columns as string[]).push(r.from);
    if (r.to) (fk.referred_columns as string[]).push(r.to);
  }
  const sig = (cols: Reflected, table: Reflected, ref: Reflected) => JSON.stringify([cols, table, ref]);
  const bySig = new Map([...byId.values()].map((fk) => [sig(fk.constrained_columns, fk.referred_table, fk.referred_columns), fk]));
  const named: Reflected[] = [];
  if (p.sql === null) return [];
  for (const m of p.sql.matchAll(FK_PATTERN)) {
    const constrained = colsInSig(m[3]);
    const referred = m[6] ? colsInSig(m[6]) : constrained;
    const key = sig(constrained, m[4] ?? m[5], referred);
    const fk = bySig.get(key);
    if (!fk) continue;
    bySig.delete(key);
    const options: { ondelete?: string; onupdate?: string; deferrable?: boolean; initially?: string } = {};
    for (const token of (m[7] ?? '').toUpperCase().split(/ *\bON\b */)) {
      const v = token.slice(6).trim();
      if (token.startsWith('DELETE') && v && v !== 'NO ACTION') options.ondelete = v;
      else if (token.startsWith('UPDATE') && v && v !== 'NO ACTION') options.onupdate = v;
    }
    if (m[8]) options.deferrable = !m[8].toUpperCase().includes('NOT');
    if (m[9]) options.initially = m[9].toUpperCase();
    fk.name = m[1] ?? m[2] ?? null;
    fk.options = fkOptions(options);
    named.push(fk);
  }
  return [...named, ...bySig.values()];
}

interface Index { name: string; column_names: string[]; unique: number; dialect_options: { [k: string]: Reflected } }

function indexes(p: TableParts, a: InspectorArgs, includeAuto = false): Index[] {
  const out: Index[] = [];
  for (const r of p.indexes ?? []) {
    if (!includeAuto && r.name.startsWith('sqlite_autoindex')) continue;
    // SQLAlchemy skips an index on expressions (with a warning).
    if (r.cols.some((c) => c === null)) continue;
    const ix: Index = { name: r.name, column_names: r.cols as string[], unique: r.unique, dialect_options: {} };
    const where = r.partial ? /\)\s+where\s+(.+)/is.exec(r.sql ?? '')?.[1] : undefined;
    if (where !== undefined) ix.dialect_options.sqlite_where = new ReflectedType('sa.text', [where]);
    out.push(ix);
  }
  out.sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  if (!out.length && !p.exists && !includeAuto) throw noSuchTable(a);
  return out;
}

function uniqueConstraints(p: TableParts, a: InspectorArgs): Reflected {
  const auto = new Map<string, Index>();
  for (const ix of indexes(p, a, true)) if (ix.name.startsWith('sqlite_autoindex')) auto.set(JSON.stringify(ix.column_names), ix);
  const out: Reflected[] = [];
  const found: [string | null, string[]][] = [];
  const sql = p.sql ?? '';
  for (const m of sql.matchAll(/(?:CONSTRAINT +(?:"(.+?)"|(\w+)) +)?UNIQUE *\((.+?)\)/gi)) found.push([m[1] ?? m[2] ?? null, colsInSig(m[3])]);
  for (const m of sql.matchAll(/(?:(".+?")|(?:[[`])?([a-z0-9_]+)(?:[\]`])?)[\t ]+[a-z0-9_]+(?:[\t ]+[a-z0-9_]+)*?[\t ]+UNIQUE/gi)) found.push([null, colsInSig(m[1] ?? m[2])]);
  for (const [name, cols] of found) {
    const key = JSON.stringify(cols);
    if (!auto.has(key)) continue;
    auto.delete(key);
    out.push({ name, column_names: cols });
  }
  return out;
}

/** The text between the parenthesis at `open` and its match, quotes respected; undefined when unbalanced. */
function closingParen(s: string, open: number): number | undefined {
  let depth = 0;
  let quote = '';
  for (let i = open; i < s.length; i++) {
    const ch = s[i];
    if (quote) { if (ch === quote) quote = ''; continue; }
    if (ch === "'" || ch === '"' || ch === '`') quote = ch;
    else if (ch === '[') quote = ']';
    else if (ch === '(') depth++;
    else if (ch === ')' && --depth === 0) return i;
  }
  return undefined;
}

function checkConstraints(p: TableParts): Reflected {
  const sql = p.sql ?? '';
  const out: { sqltext: string; name: string | null }[] = [];
  const re = /(?<![A-Za-z0-9_])(?:CONSTRAINT\s+("(?:[^"]|"")+"|'(?:[^']|'')+'|\[(?:[^\]]|\]\])+\]|`(?:[^`]|``)+`|\S+)\s+)?CHECK\s*\(/gi;
  for (const m of sql.matchAll(re)) {
    const open = m.index! + m[0].length - 1;
    const close = closingParen(sql, open);
    if (close === undefined) continue;
    const name = m[1] ? m[1].replace(/^(["'`])(.+)\1$|^\[(.+)\]$/s, (_x, _q, a: string | undefined, b: string | undefined) => a ?? b ?? '') : null;
    out.push({ sqltext: sql.slice(open + 1, close).trim(), name });
  }
  return out.sort((x, y) => ((x.name ?? '~') < (y.name ?? '~') ? -1 : (x.name ?? '~') > (y.name ?? '~') ? 1 : 0));
}

const NOT_INTERNAL = "name NOT LIKE 'sqlite~_%' ESCAPE '~'";

export const SQLITE_INSPECTOR: InspectorQueries = {
  get_table_names: (a) => ({ sql: `SELECT name FROM ${master(a)} WHERE type = 'table' AND ${NOT_INTERNAL} ORDER BY name`, shape: firstColumn }),
  get_view_names: (a) => ({ sql: `SELECT name FROM ${master(a)} WHERE type = 'view' AND ${NOT_INTERNAL} ORDER BY name`, shape: firstColumn }),
  has_table: (a) => ({ sql: `SELECT EXISTS (SELECT 1 FROM ${pragma('table_info', a.name ?? '', a)})`, shape: (r) => !!r.rows[0]?.[0] }),
  get_schema_names: () => ({ sql: "SELECT name FROM pragma_database_list WHERE name <> 'temp' ORDER BY seq", shape: firstColumn }),
  has_schema: (a) => ({ sql: `SELECT EXISTS (SELECT 1 FROM pragma_database_list WHERE name = ${lit(a.name ?? '')})`, shape: (r) => !!r.rows[0]?.[0] }),
  get_columns: tableMethod(['columns'], columns),
  get_pk_constraint: tableMethod(['columns'], pkConstraint),
  get_foreign_keys: tableMethod(['fks', 'refpks'], foreignKeys),
  get_indexes: tableMethod(['indexes'], (p, a) => indexes(p, a) as unknown as Reflected),
  get_unique_constraints: tableMethod(['indexes'], uniqueConstraints),
  get_check_constraints: tableMethod([], checkConstraints),
  has_sequence: () => { throw new InspectorError('NotImplementedError', 'SQLite has no sequences'); },
  get_sequence_names: () => ({ sql: 'SELECT 1 WHERE 0', shape: () => [] }),
};
