/**
 * SQLite's schema as a SchemaSnapshot: four queries for the whole database (sqlite_master, and the
 * table-valued PRAGMAs table_xinfo, index_list + index_xinfo, foreign_key_list joined to it),
 * plus the CREATE statements for what the PRAGMAs leave out (names, CHECKs, WHERE, expressions).
 * Internal tables (sqlite_*) and the automatic indexes behind UNIQUE / PRIMARY KEY are left out:
 * those constraints are reported as such.
 */
import { dropExcluded, sortTable, type IntrospectOptions, type Queryable } from '../../schema/introspection';
import { emptySnapshot, type ColumnSnapshot, type SchemaSnapshot, type TableSnapshot } from '../../schema/snapshot';
import { parseCreateIndex, parseCreateTable, parseCreateView, type ParsedTable } from '../../schema/sqliteDdl';

interface MasterRow { type: string; name: string; sql: string | null }
interface ColumnRow { tbl: string; name: string; type: string; notnull: number; dflt: string | null; pk: number; hidden: number }
interface IndexRow { tbl: string; idx: string; unique: number; origin: string; cid: number; col: string | null; desc: number; coll: string | null }
interface ForeignKeyRow { tbl: string; id: number; table: string; from: string; to: string | null; onUpdate: string; onDelete: string }

const USER_TABLES = "m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'";
const MASTER = "SELECT json_group_array(json_object('type', type, 'name', name, 'sql', sql)) AS j FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\'";
const COLUMNS = "SELECT json_group_array(json_object('tbl', m.name, 'name', p.name, 'type', p.type, 'notnull', p.\"notnull\", 'dflt', p.dflt_value, 'pk', p.pk, 'hidden', p.hidden) ORDER BY m.name, p.cid) AS j " +
  `FROM sqlite_master m, pragma_table_xinfo(m.name) p WHERE ${USER_TABLES}`;
// Key columns only (index_xinfo also lists the rowid behind each entry).
const INDEXES = "SELECT json_group_array(json_object('tbl', m.name, 'idx', l.name, 'unique', l.\"unique\", 'origin', l.origin, 'cid', x.cid, 'col', x.name, 'desc', x.\"desc\", 'coll', NULLIF(x.coll, 'BINARY')) ORDER BY l.name, x.seqno) AS j " +
  `FROM sqlite_master m, pragma_index_list(m.name) l, pragma_index_xinfo(l.name) x WHERE ${USER_TABLES} AND x."key" = 1`;
const FOREIGN_KEYS = "SELECT json_group_array(json_object('tbl', m.name, 'id', f.id, 'table', f.\"table\", 'from', f.\"from\", 'to', f.\"to\", 'onUpdate', f.on_update, 'onDelete', f.on_delete) ORDER BY m.name, f.id, f.seq) AS j " +
  `FROM sqlite_master m, pragma_foreign_key_list(m.name) f WHERE ${USER_TABLES}`;

/**
 * One JSON text per query: sql.js converts every cell through WASM one by one, which costs more
 * than SQLite building the JSON (measured: about half the time for a 20-table schema).
 */
async function rows<T>(db: Queryable, sql: string): Promise<T[]> {
  const [r] = await db.all<{ j: string }>(sql);
  return JSON.parse(r?.j ?? '[]') as T[];
}

export async function introspectSqlite(db: Queryable, o: IntrospectOptions): Promise<SchemaSnapshot> {
  const master = await rows<MasterRow>(db, MASTER);
  const columns = await rows<ColumnRow>(db, COLUMNS);
  const indexes = await rows<IndexRow>(db, INDEXES);
  const fks = await rows<ForeignKeyRow>(db, FOREIGN_KEYS);

  const s = emptySnapshot('sqlite');
  const parsed = new Map<string, ParsedTable>();
  const indexSql = new Map<string, string>();
  for (const m of master) {
    if (m.type === 'table') {
      s.tables[m.name] = { name: m.name, columns: [], foreignKeys: [], uniques: [], checks: [], indexes: [] };
      parsed.set(m.name, parseCreateTable(m.sql ?? ''));
    } else if (m.type === 'view') s.views[m.name] = parseCreateView(m.sql ?? '');
    else if (m.type === 'index' && m.sql) indexSql.set(m.name, m.sql);
  }

  const pk = new Map<string, { col: string; pos: number }[]>();
  for (const r of columns) {
    const t = s.tables[r.tbl];
    if (!t) continue;
    const c: ColumnSnapshot = { name: r.name, type: r.type, nullable: !r.notnull };
    const generated = parsed.get(r.tbl)?.generated.get(r.name);
    if (r.hidden === 2 || r.hidden === 3) c.generated = generated ?? '';
    else if (r.dflt !== null) c.default = r.dflt;
    t.columns.push(c);
    if (r.pk > 0) group(pk, r.tbl).push({ col: r.name, pos: r.pk });
  }
  for (const [tbl, cols] of pk) {
    // Key columns read NOT NULL however declared: an INTEGER key cannot hold NULL, another one only
    // through a legacy quirk, and batch mode (SQLAlchemy) writes NOT NULL on every key column anyway.
    for (const c of s.tables[tbl].columns) if (cols.some((k) => k.col === c.name)) c.nullable = false;
    const name = parsed.get(tbl)?.primaryKeyName;
    s.tables[tbl].primaryKey = { ...(name !== undefined && { name }), columns: cols.sort((a, b) => a.pos - b.pos).map((c) => c.col) };
  }

  addIndexes(s.tables, parsed, indexes, indexSql);
  addForeignKeys(s.tables, parsed, fks);
  for (const [tbl, p] of parsed) for (const c of p.checks) s.tables[tbl].checks.push({ ...(c.name !== undefined && { name: c.name }), sql: c.sql });
  for (const t of Object.values(s.tables)) sortTable(t);
  dropExcluded(s, o, 'main', 'main');
  return s;
}

function group<T>(m: Map<string, T[]>, key: string): T[] {
  let xs = m.get(key);
  if (!xs) m.set(key, (xs = []));
  return xs;
}

const sameNames = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x.toLowerCase() === b[i].toLowerCase());

function addIndexes(tables: Record<string, TableSnapshot>, parsed: Map<string, ParsedTable>, rows: IndexRow[], indexSql: Map<string, string>): void {
  const byIndex = new Map<string, IndexRow[]>();
  for (const r of rows) group(byIndex, r.idx).push(r);
  for (const [idx, keys] of byIndex) {
    const { tbl, origin, unique } = keys[0];
    const t = tables[tbl];
    if (!t || origin === 'pk') continue;
    if (origin === 'u') {
      // The automatic index behind a UNIQUE constraint: the constraint's name is in the CREATE TABLE.
      const columns = keys.map((k) => k.col ?? '');
      const name = parsed.get(tbl)?.uniques.find((u) => sameNames(u.columns, columns))?.name;
      t.uniques.push({ ...(name !== undefined && { name }), columns });
      continue;
    }
    const p = parseCreateIndex(indexSql.get(idx) ?? '');
    const columns = keys.map((k, i) => {
      const base = k.cid === -2 ? (p.items[i] ?? '') : k.col ?? '';
      return base + (k.coll ? ` COLLATE ${k.coll.toUpperCase()}` : '') + (k.desc ? ' DESC' : '');
    });
    t.indexes.push({ name: idx, unique: !!unique, columns, ...(p.where !== undefined && { where: p.where }) });
  }
}

const action = (a: string): string | undefined => (a.toUpperCase() === 'NO ACTION' ? undefined : a.toUpperCase());

function addForeignKeys(tables: Record<string, TableSnapshot>, parsed: Map<string, ParsedTable>, rows: ForeignKeyRow[]): void {
  const byId = new Map<string, ForeignKeyRow[]>();
  for (const r of rows) group(byId, `${r.tbl}\u0000${r.id}`).push(r);
  for (const fk of byId.values()) {
    const { tbl, table: referred, onDelete: del, onUpdate: upd } = fk[0];
    const t = tables[tbl];
    if (!t) continue;
    const columns = fk.map((r) => r.from);
    // `REFERENCES users` without columns means the referred table's primary key.
    const refPk = tables[referred]?.primaryKey?.columns ?? [];
    const referredColumns = fk.map((r, i) => r.to ?? refPk[i] ?? '');
    const p = parsed.get(tbl)?.foreignKeys.find((f) => sameNames(f.columns, columns) && f.referredTable.toLowerCase() === referred.toLowerCase());
    const onDelete = action(del);
    const onUpdate = action(upd);
    t.foreignKeys.push({
      ...(p?.name !== undefined && { name: p.name }),
      columns, referredTable: referred, referredColumns,
      ...(onDelete && { onDelete }), ...(onUpdate && { onUpdate }),
      ...(p?.deferrable && { deferrable: true }), ...(p?.initiallyDeferred && { initiallyDeferred: true }),
    });
  }
}
