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

interface MasterRow { type: string; name: string; tbl_name: string; sql: string | null }
interface ColumnRow { tbl: string; name: string; type: string; notnull: number; dflt_value: string | null; pk: number; hidden: number }
interface IndexRow { tbl: string; idx: string; is_unique: number; origin: string; seqno: number; cid: number; col: string | null; is_desc: number; coll: string | null; is_key: number }
interface ForeignKeyRow { tbl: string; id: number; seq: number; table: string; from: string; to: string | null; on_update: string; on_delete: string }

const USER_TABLES = "m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'";

export async function introspectSqlite(db: Queryable, o: IntrospectOptions): Promise<SchemaSnapshot> {
  const master = await db.all<MasterRow>("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\'");
  const columns = await db.all<ColumnRow>(`SELECT m.name AS tbl, p.name, p.type, p."notnull", p.dflt_value, p.pk, p.hidden FROM sqlite_master m, pragma_table_xinfo(m.name) p WHERE ${USER_TABLES} ORDER BY m.name, p.cid`);
  const indexes = await db.all<IndexRow>('SELECT m.name AS tbl, l.name AS idx, l."unique" AS is_unique, l.origin, x.seqno, x.cid, x.name AS col, x."desc" AS is_desc, x.coll, x."key" AS is_key ' +
    `FROM sqlite_master m, pragma_index_list(m.name) l, pragma_index_xinfo(l.name) x WHERE ${USER_TABLES} ORDER BY m.name, l.name, x.seqno`);
  const fks = await db.all<ForeignKeyRow>(`SELECT m.name AS tbl, f.* FROM sqlite_master m, pragma_foreign_key_list(m.name) f WHERE ${USER_TABLES} ORDER BY m.name, f.id, f.seq`);

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
    else if (r.dflt_value !== null) c.default = r.dflt_value;
    t.columns.push(c);
    if (r.pk > 0) pk.set(r.tbl, [...(pk.get(r.tbl) ?? []), { col: r.name, pos: r.pk }]);
  }
  for (const [tbl, cols] of pk) {
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

const sameNames = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x.toLowerCase() === b[i].toLowerCase());

function addIndexes(tables: Record<string, TableSnapshot>, parsed: Map<string, ParsedTable>, rows: IndexRow[], indexSql: Map<string, string>): void {
  const byIndex = new Map<string, IndexRow[]>();
  for (const r of rows) if (r.is_key) byIndex.set(r.idx, [...(byIndex.get(r.idx) ?? []), r]);
  for (const [idx, keys] of byIndex) {
    const { tbl, origin, is_unique } = keys[0];
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
      return base + (k.coll && k.coll.toUpperCase() !== 'BINARY' ? ` COLLATE ${k.coll.toUpperCase()}` : '') + (k.is_desc ? ' DESC' : '');
    });
    t.indexes.push({ name: idx, unique: !!is_unique, columns, ...(p.where !== undefined && { where: p.where }) });
  }
}

const action = (a: string): string | undefined => (a.toUpperCase() === 'NO ACTION' ? undefined : a.toUpperCase());

function addForeignKeys(tables: Record<string, TableSnapshot>, parsed: Map<string, ParsedTable>, rows: ForeignKeyRow[]): void {
  const byId = new Map<string, ForeignKeyRow[]>();
  for (const r of rows) byId.set(`${r.tbl}\u0000${r.id}`, [...(byId.get(`${r.tbl}\u0000${r.id}`) ?? []), r]);
  for (const fk of byId.values()) {
    const { tbl, table: referred, on_delete, on_update } = fk[0];
    const t = tables[tbl];
    if (!t) continue;
    const columns = fk.map((r) => r.from);
    // `REFERENCES users` without columns means the referred table's primary key.
    const refPk = tables[referred]?.primaryKey?.columns ?? [];
    const referredColumns = fk.map((r, i) => r.to ?? refPk[i] ?? '');
    const p = parsed.get(tbl)?.foreignKeys.find((f) => sameNames(f.columns, columns) && f.referredTable.toLowerCase() === referred.toLowerCase());
    const onDelete = action(on_delete);
    const onUpdate = action(on_update);
    t.foreignKeys.push({
      ...(p?.name !== undefined && { name: p.name }),
      columns, referredTable: referred, referredColumns,
      ...(onDelete && { onDelete }), ...(onUpdate && { onUpdate }),
      ...(p?.deferrable && { deferrable: true }), ...(p?.initiallyDeferred && { initiallyDeferred: true }),
    });
  }
}
