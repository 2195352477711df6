/**
 * PostgreSQL's schema as a SchemaSnapshot, from pg_catalog in one query for the whole database,
 * answered as one JSON text (the stairway takes four snapshots per revision: no query per table,
 * and no per-row decoding, which is what costs most on PGlite). Every schema but the
 * system ones; objects an extension owns (pg_depend deptype 'e') are left out. Text comes from the
 * server's own renderers (format_type, pg_get_expr, pg_get_indexdef, pg_get_viewdef), so the same
 * schema gives the same text. Works on PostgreSQL 10+ and PGlite (PG 18, whose NOT NULL
 * constraints in pg_constraint are left out: nullability is the column's).
 */
import { dropExcluded, qualify, sortTable, type IntrospectOptions, type Queryable } from '../../schema/introspection';
import { emptySnapshot, type ColumnSnapshot, type SchemaSnapshot, type TableSnapshot } from '../../schema/snapshot';

const USER_NS = "n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'";
const notExtension = (catalog: string, oid: string) =>
  `NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = '${catalog}'::regclass AND d.objid = ${oid} AND d.deptype = 'e')`;
const USER_TABLES = `c.relkind IN ('r', 'p') AND ${USER_NS} AND ${notExtension('pg_catalog.pg_class', 'c.oid')}`;
const TABLE_FROM = 'pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace';
/** The names of `attnums` (an int2[]) of relation `rel`, in order. */
const attNames = (attnums: string, rel: string) =>
  `ARRAY(SELECT a.attname FROM unnest(${attnums}) WITH ORDINALITY u(num, ord) JOIN pg_catalog.pg_attribute a ON a.attrelid = ${rel} AND a.attnum = u.num ORDER BY u.ord)::text[]`;

const COLUMNS = `SELECT n.nspname AS schema, c.relname AS tbl, td.description AS table_comment, a.attname AS name,
  a.attnum AS num, pg_catalog.format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS notnull, pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) AS dflt,
  a.attidentity::text AS identity, a.attgenerated::text AS generated, cd.description AS comment
FROM ${TABLE_FROM}
LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = c.oid AND ad.adnum = a.attnum
LEFT JOIN pg_catalog.pg_description td ON td.objoid = c.oid AND td.classoid = 'pg_catalog.pg_class'::regclass AND td.objsubid = 0
LEFT JOIN pg_catalog.pg_description cd ON cd.objoid = c.oid AND cd.classoid = 'pg_catalog.pg_class'::regclass AND cd.objsubid = a.attnum
WHERE ${USER_TABLES}`;

const CONSTRAINTS = `SELECT n.nspname AS schema, c.relname AS tbl, k.conname AS name, k.contype::text AS type, ${attNames('k.conkey', 'k.conrelid')} AS columns,
  rn.nspname AS ref_schema, rc.relname AS ref_table, ${attNames('k.confkey', 'k.confrelid')} AS ref_columns,
  k.confdeltype::text AS on_delete, k.confupdtype::text AS on_update, k.condeferrable AS deferrable, k.condeferred AS deferred,
  CASE WHEN k.contype = 'c' THEN pg_catalog.pg_get_expr(k.conbin, k.conrelid) END AS check_sql
FROM pg_catalog.pg_constraint k JOIN ${TABLE_FROM} ON c.oid = k.conrelid
LEFT JOIN pg_catalog.pg_class rc ON rc.oid = k.confrelid LEFT JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace
WHERE k.contype IN ('p', 'u', 'f', 'c') AND ${USER_TABLES}`;

// Indexes behind a PRIMARY KEY or UNIQUE constraint are the constraint, reported as such.
const INDEXES = `SELECT n.nspname AS schema, c.relname AS tbl, ic.relname AS name, i.indisunique AS is_unique,
  ARRAY(SELECT pg_catalog.pg_get_indexdef(i.indexrelid, k, true) FROM generate_series(1, i.indnkeyatts) k ORDER BY k)::text[] AS columns,
  pg_catalog.pg_get_expr(i.indpred, i.indrelid, true) AS pred, pg_catalog.pg_get_indexdef(i.indexrelid) AS definition
FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid JOIN ${TABLE_FROM} ON c.oid = i.indrelid
WHERE ${USER_TABLES} AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid AND k.contype IN ('p', 'u'))`;

const ENUMS = `SELECT n.nspname AS schema, t.typname AS name, ARRAY(SELECT e.enumlabel FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder)::text[] AS labels
FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
WHERE t.typtype = 'e' AND ${USER_NS} AND ${notExtension('pg_catalog.pg_type', 't.oid')}`;

// A SERIAL's sequence depends on its column ('a'), an identity's is internal to it ('i').
const SEQUENCES = `SELECT n.nspname AS schema, c.relname AS name, s.seqstart::text AS start, s.seqincrement::text AS increment
FROM ${TABLE_FROM} JOIN pg_catalog.pg_sequence s ON s.seqrelid = c.oid
WHERE c.relkind = 'S' AND ${USER_NS} AND ${notExtension('pg_catalog.pg_class', 'c.oid')}
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.refobjsubid > 0 AND d.deptype IN ('a', 'i'))`;

// Materialized views are listed with the views (a definition either way).
const VIEWS = `SELECT n.nspname AS schema, c.relname AS name, pg_catalog.pg_get_viewdef(c.oid, true) AS definition
FROM ${TABLE_FROM} WHERE c.relkind IN ('v', 'm') AND ${USER_NS} AND ${notExtension('pg_catalog.pg_class', 'c.oid')}`;

const part = (name: string, sql: string, order = '') => `'${name}', (SELECT coalesce(json_agg(x${order}), '[]') FROM (${sql}) x)`;
// As text: not every driver parses json columns (and each would do it its own way).
const SNAPSHOT = `SELECT json_build_object(${[
  part('columns', COLUMNS, ' ORDER BY x.schema, x.tbl, x.num'), part('constraints', CONSTRAINTS), part('indexes', INDEXES),
  part('enums', ENUMS), part('sequences', SEQUENCES), part('views', VIEWS), "'current', current_schema()",
].join(', ')})::text AS j`;

interface ColumnRow { schema: string; tbl: string; table_comment: string | null; name: string | null; type: string; notnull: boolean; dflt: string | null; identity: string; generated: string; comment: string | null }
interface ConstraintRow { schema: string; tbl: string; name: string; type: string; columns: string[]; ref_schema: string | null; ref_table: string | null; ref_columns: string[]; on_delete: string; on_update: string; deferrable: boolean; deferred: boolean; check_sql: string | null }
interface IndexRow { schema: string; tbl: string; name: string; is_unique: boolean; columns: string[]; pred: string | null; definition: string }
interface NamedRow { schema: string; name: string }

const ACTIONS: Record<string, string> = { r: 'RESTRICT', c: 'CASCADE', n: 'SET NULL', d: 'SET DEFAULT' };
const q = (name: string, schema: string) => qualify(name, schema, 'public');

export async function introspectPostgres(db: Queryable, o: IntrospectOptions): Promise<SchemaSnapshot> {
  const [row] = await db.all<{ j: string }>(SNAPSHOT);
  const { columns, constraints, indexes, enums, sequences, views, current } = JSON.parse(row.j) as {
    columns: ColumnRow[]; constraints: ConstraintRow[]; indexes: IndexRow[];
    enums: (NamedRow & { labels: string[] })[]; sequences: (NamedRow & { start: string; increment: string })[]; views: (NamedRow & { definition: string })[];
    /** Where an unqualified name lands (null when no schema on the search path exists). */
    current: string | null;
  };
  const s = emptySnapshot('postgresql');
  const table = (schema: string, name: string, comment?: string | null): TableSnapshot => {
    const key = q(name, schema);
    s.tables[key] ??= {
      name, ...(schema !== 'public' && { schema }), ...(comment != null && { comment }),
      columns: [], foreignKeys: [], uniques: [], checks: [], indexes: [],
    };
    return s.tables[key];
  };
  for (const r of columns) {
    const t = table(r.schema, r.tbl, r.table_comment);
    if (r.name === null) continue; // a table without columns
    const c: ColumnSnapshot = { name: r.name, type: r.type, nullable: !r.notnull };
    if (r.generated) c.generated = r.dflt ?? '';
    else if (r.dflt !== null) c.default = r.dflt;
    if (r.identity) c.identity = r.identity === 'a' ? 'always' : 'by default';
    if (r.comment !== null) c.comment = r.comment;
    t.columns.push(c);
  }
  for (const k of constraints) {
    const t = s.tables[q(k.tbl, k.schema)];
    if (!t) continue;
    if (k.type === 'p') t.primaryKey = { name: k.name, columns: k.columns };
    else if (k.type === 'u') t.uniques.push({ name: k.name, columns: k.columns });
    else if (k.type === 'c') t.checks.push({ name: k.name, sql: k.check_sql ?? '' });
    else {
      const onDelete = ACTIONS[k.on_delete];
      const onUpdate = ACTIONS[k.on_update];
      t.foreignKeys.push({
        name: k.name, columns: k.columns, referredTable: q(k.ref_table ?? '', k.ref_schema ?? 'public'), referredColumns: k.ref_columns,
        ...(onDelete && { onDelete }), ...(onUpdate && { onUpdate }),
        ...(k.deferrable && { deferrable: true }), ...(k.deferred && { initiallyDeferred: true }),
      });
    }
  }
  for (const i of indexes) {
    s.tables[q(i.tbl, i.schema)]?.indexes.push({
      name: i.name, unique: i.is_unique, columns: i.columns, ...(i.pred !== null && { where: i.pred }), definition: i.definition,
    });
  }
  for (const e of enums) s.enums[q(e.name, e.schema)] = e.labels;
  for (const x of sequences) s.sequences[q(x.name, x.schema)] = { start: x.start, increment: x.increment };
  for (const v of views) s.views[q(v.name, v.schema)] = v.definition;
  for (const t of Object.values(s.tables)) sortTable(t);
  dropExcluded(s, o, 'public', current ?? 'public');
  return s;
}
