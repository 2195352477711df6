/**
 * PostgreSQL's schema as a SchemaSnapshot, from pg_catalog in one query for the whole database,
 * answered as one JSON text (the stairway takes four snapshots per revision: no query per table,
 * and no per-row decoding, which is what costs most on PGlite). Every schema but the
 * system ones; objects an extension owns (pg_depend deptype 'e') are left out. Text comes from the
 * server's own renderers (format_type, pg_get_expr, pg_get_indexdef, pg_get_viewdef), so the same
 * schema gives the same text. Works on PostgreSQL 11+ and PGlite (PG 18, whose NOT NULL
 * constraints in pg_constraint are left out: nullability is the column's).
 */
import { dropExcluded, qualify, sortTable, type IntrospectOptions, type Queryable } from '../../schema/introspection';
import { emptySnapshot, type ColumnSnapshot, type SchemaSnapshot, type TableSnapshot } from '../../schema/snapshot';

const USER_NS = "n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'";
const notExtension = (catalog: string, oid: string) =>
  `NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = '${catalog}'::regclass AND d.objid = ${oid} AND d.deptype = 'e')`;
const TABLE_FROM = 'pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace';
const agg = (row: string, from: string, order = '') => `(SELECT coalesce(json_agg(${row}${order}), '[]') FROM ${from})`;

// Each table's parts are read by its oid (index scans on the catalogs): joining the catalogs
// wholesale and filtering afterwards costs several times more, most on PGlite.
const COLUMNS = agg(`json_build_object('name', a.attname, 'num', a.attnum, 'type', pg_catalog.format_type(a.atttypid, a.atttypmod),
    'notnull', a.attnotnull, 'dflt', pg_catalog.pg_get_expr(ad.adbin, ad.adrelid), 'identity', a.attidentity, 'generated', a.attgenerated,
    'comment', pg_catalog.col_description(c.oid, a.attnum))`,
  `pg_catalog.pg_attribute a LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
    WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped`, ' ORDER BY a.attnum');

// Column numbers are named from the table's columns (conkey) or the referred table's (confkey).
const CONSTRAINTS = agg(`json_build_object('name', k.conname, 'type', k.contype, 'keys', k.conkey, 'refOid', k.confrelid, 'refKeys', k.confkey,
    'onDelete', k.confdeltype, 'onUpdate', k.confupdtype, 'deferrable', k.condeferrable, 'deferred', k.condeferred,
    'check', CASE WHEN k.contype = 'c' THEN pg_catalog.pg_get_expr(k.conbin, k.conrelid) END)`,
  `pg_catalog.pg_constraint k WHERE k.conrelid = c.oid AND k.contype IN ('p', 'u', 'f', 'c')`);

// Indexes behind a PRIMARY KEY or UNIQUE constraint are the constraint, reported as such. Key
// columns by number (0: an expression, whose text is asked for).
const INDEXES = agg(`json_build_object('name', ic.relname, 'unique', i.indisunique, 'keys', i.indkey::int2[],
    'exprs', ARRAY(SELECT CASE WHEN i.indkey[k - 1] = 0 THEN pg_catalog.pg_get_indexdef(i.indexrelid, k, true) END FROM generate_series(1, i.indnkeyatts) k ORDER BY k),
    'nkeys', i.indnkeyatts, 'pred', pg_catalog.pg_get_expr(i.indpred, i.indrelid, true), 'definition', pg_catalog.pg_get_indexdef(i.indexrelid))`,
  `pg_catalog.pg_index i JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid WHERE i.indrelid = c.oid
    AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k WHERE k.conrelid = c.oid AND k.conindid = i.indexrelid AND k.contype IN ('p', 'u'))`);

const TABLES = agg(`json_build_object('oid', c.oid, 'schema', n.nspname, 'name', c.relname, 'comment', pg_catalog.obj_description(c.oid, 'pg_class'),
    'columns', ${COLUMNS}, 'constraints', ${CONSTRAINTS}, 'indexes', ${INDEXES})`,
  `${TABLE_FROM} WHERE c.relkind IN ('r', 'p') AND ${USER_NS} AND ${notExtension('pg_catalog.pg_class', 'c.oid')}`);

const ENUMS = agg(`json_build_object('schema', n.nspname, 'name', t.typname,
    'labels', ARRAY(SELECT e.enumlabel FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder))`,
  `pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
    WHERE t.typtype = 'e' AND ${USER_NS} AND ${notExtension('pg_catalog.pg_type', 't.oid')}`);

// A SERIAL's sequence depends on its column ('a'), an identity's is internal to it ('i').
const SEQUENCES = agg("json_build_object('schema', n.nspname, 'name', c.relname, 'start', s.seqstart::text, 'increment', s.seqincrement::text)",
  `${TABLE_FROM} JOIN pg_catalog.pg_sequence s ON s.seqrelid = c.oid
    WHERE c.relkind = 'S' AND ${USER_NS} AND ${notExtension('pg_catalog.pg_class', 'c.oid')}
    AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.refobjsubid > 0 AND d.deptype IN ('a', 'i'))`);

// Materialized views are listed with the views (a definition either way).
const VIEWS = agg("json_build_object('schema', n.nspname, 'name', c.relname, 'definition', pg_catalog.pg_get_viewdef(c.oid, true))",
  `${TABLE_FROM} WHERE c.relkind IN ('v', 'm') AND ${USER_NS} AND ${notExtension('pg_catalog.pg_class', 'c.oid')}`);

// As text: not every driver parses json columns (and each would do it its own way).
const SNAPSHOT = `SELECT json_build_object('tables', ${TABLES}, 'enums', ${ENUMS}, 'sequences', ${SEQUENCES}, 'views', ${VIEWS},
  'current', current_schema())::text AS j`;

interface TableRow { oid: number; schema: string; name: string; comment: string | null; columns: ColumnRow[]; constraints: ConstraintRow[]; indexes: IndexRow[] }
interface ColumnRow { name: string; num: number; type: string; notnull: boolean; dflt: string | null; identity: string; generated: string; comment: string | null }
interface ConstraintRow { name: string; type: string; keys: number[] | null; refOid: number; refKeys: number[] | null; onDelete: string; onUpdate: string; deferrable: boolean; deferred: boolean; check: string | null }
interface IndexRow { name: string; unique: boolean; keys: number[]; exprs: (string | null)[]; nkeys: number; pred: string | null; definition: string }
interface NamedRow { schema: string; name: string }
interface Answer {
  tables: TableRow[];
  enums: (NamedRow & { labels: string[] })[];
  sequences: (NamedRow & { start: string; increment: string })[];
  views: (NamedRow & { definition: string })[];
  /** Where an unqualified name lands (null when no schema on the search path exists). */
  current: string | null;
}

const ACTIONS: Record<string, string> = { r: 'RESTRICT', c: 'CASCADE', n: 'SET NULL', d: 'SET DEFAULT' };
const q = (name: string, schema: string) => qualify(name, schema, 'public');

export async function introspectPostgres(db: Queryable, o: IntrospectOptions): Promise<SchemaSnapshot> {
  const [row] = await db.all<{ j: string }>(SNAPSHOT);
  const answer = JSON.parse(row.j) as Answer;
  const s = emptySnapshot('postgresql');
  const byOid = new Map(answer.tables.map((t) => [t.oid, t]));
  const names = (t: TableRow | undefined, keys: number[] | null) => (keys ?? []).map((k) => t?.columns.find((c) => c.num === k)?.name ?? String(k));
  for (const r of answer.tables) {
    const t: TableSnapshot = {
      name: r.name, ...(r.schema !== 'public' && { schema: r.schema }), ...(r.comment !== null && { comment: r.comment }),
      columns: r.columns.map(column), foreignKeys: [], uniques: [], checks: [], indexes: [],
    };
    s.tables[q(r.name, r.schema)] = t;
    for (const k of r.constraints) {
      const columns = names(r, k.keys);
      if (k.type === 'p') t.primaryKey = { name: k.name, columns };
      else if (k.type === 'u') t.uniques.push({ name: k.name, columns });
      else if (k.type === 'c') t.checks.push({ name: k.name, sql: k.check ?? '' });
      else {
        // The referred table is one of these (an extension's own table, left out, would read as its oid).
        const ref = byOid.get(k.refOid);
        const onDelete = ACTIONS[k.onDelete];
        const onUpdate = ACTIONS[k.onUpdate];
        t.foreignKeys.push({
          name: k.name, columns, referredTable: ref ? q(ref.name, ref.schema) : String(k.refOid), referredColumns: names(ref, k.refKeys),
          ...(onDelete && { onDelete }), ...(onUpdate && { onUpdate }),
          ...(k.deferrable && { deferrable: true }), ...(k.deferred && { initiallyDeferred: true }),
        });
      }
    }
    for (const i of r.indexes) {
      const columns = i.keys.slice(0, i.nkeys).map((k, n) => (k === 0 ? i.exprs[n] ?? '' : names(r, [k])[0]));
      t.indexes.push({ name: i.name, unique: i.unique, columns, ...(i.pred !== null && { where: i.pred }), definition: i.definition });
    }
    sortTable(t);
  }
  for (const e of answer.enums) s.enums[q(e.name, e.schema)] = e.labels;
  for (const x of answer.sequences) s.sequences[q(x.name, x.schema)] = { start: x.start, increment: x.increment };
  for (const v of answer.views) s.views[q(v.name, v.schema)] = v.definition;
  dropExcluded(s, o, 'public', answer.current ?? 'public');
  return s;
}

function column(r: ColumnRow): ColumnSnapshot {
  const c: ColumnSnapshot = { name: r.name, type: r.type, nullable: !r.notnull };
  if (r.generated) c.generated = r.dflt ?? '';
  else if (r.dflt !== null) c.default = r.dflt;
  if (r.identity) c.identity = r.identity === 'a' ? 'always' : 'by default';
  if (r.comment !== null) c.comment = r.comment;
  return c;
}
