/**
 * SQLAlchemy's Inspector on PostgreSQL (its postgresql/base.py reflection, 2.0): pg_catalog,
 * with a table found where SQLAlchemy looks for it (the given schema, else visible on the search
 * path), types rebuilt from format_type() as SQLAlchemy rebuilds them. One query per method,
 * answered as one JSON text.
 */
import {
  fkOptions, firstColumn, InspectorArgs, InspectorQueries, InspectorQuery, jsonCell, noSuchTable, Reflected, ReflectedType,
} from '../inspector';
import { sqlLiteral as lit } from '../naming';

const inSchema = (a: InspectorArgs, ns = 'n') => (a.schema !== undefined
  ? `${ns}.nspname = ${lit(a.schema)}`
  : `pg_catalog.pg_table_is_visible(c.oid) AND ${ns}.nspname <> 'pg_catalog'`);
const CLASS = 'pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace';

/** The table's oid and schema (views and foreign tables too, as SQLAlchemy's lookup), then the parts asked for. */
function tableQuery(a: InspectorArgs, items: string): string {
  return `WITH t AS (SELECT c.oid, n.nspname FROM ${CLASS} WHERE c.relname = ${lit(a.name ?? '')}
      AND c.relkind IN ('r', 'p', 'f', 'v', 'm') AND ${inSchema(a)} LIMIT 1)
    SELECT CAST(json_build_object('exists', EXISTS (SELECT 1 FROM t), 'schema', (SELECT nspname FROM t), 'items', ${items}) AS text)`;
}

const agg = (row: string, from: string, order: string) => `(SELECT coalesce(json_agg(${row} ORDER BY ${order}), '[]') FROM ${from})`;

const COLUMNS = agg(`json_build_object('name', a.attname, 'type', pg_catalog.format_type(a.atttypid, a.atttypmod), 'notnull', a.attnotnull,
    'default', pg_catalog.pg_get_expr(ad.adbin, ad.adrelid), 'generated', a.attgenerated, 'identity', a.attidentity,
    'comment', pg_catalog.col_description(a.attrelid, a.attnum),
    'seq', (SELECT json_build_object('start', s.seqstart, 'increment', s.seqincrement, 'minvalue', s.seqmin, 'maxvalue', s.seqmax,
      'cycle', s.seqcycle, 'cache', s.seqcache) FROM pg_catalog.pg_sequence s WHERE a.attidentity <> '' AND s.seqrelid = CAST(pg_catalog.pg_get_serial_sequence(pg_catalog.quote_ident(tn.nspname) || '.' || pg_catalog.quote_ident(tc.relname), a.attname) AS regclass)),
    'enum', CASE WHEN ty.typtype = 'e' THEN json_build_object('name', ty.typname, 'schema', tyn.nspname, 'visible', pg_catalog.pg_type_is_visible(ty.oid),
      'labels', (SELECT json_agg(e.enumlabel ORDER BY e.enumsortorder) FROM pg_catalog.pg_enum e WHERE e.enumtypid = ty.oid)) END)`,
`pg_catalog.pg_attribute a JOIN pg_catalog.pg_class tc ON tc.oid = a.attrelid JOIN pg_catalog.pg_namespace tn ON tn.oid = tc.relnamespace
    LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
    JOIN pg_catalog.pg_type at0 ON at0.oid = a.atttypid
    LEFT JOIN pg_catalog.pg_type ty ON ty.oid = CASE WHEN at0.typcategory = 'A' THEN at0.typelem ELSE at0.oid END
    LEFT JOIN pg_catalog.pg_namespace tyn ON tyn.oid = ty.typnamespace
    WHERE a.attrelid = (SELECT oid FROM t) AND a.attnum > 0 AND NOT a.attisdropped`, 'a.attnum');

/** Key column names of constraints of one type, in key order. */
const constraintCols = (key: string, rel: string) =>
  `(SELECT json_agg(at.attname ORDER BY ck.ord) FROM unnest(${key}) WITH ORDINALITY ck(num, ord) JOIN pg_catalog.pg_attribute at ON at.attrelid = ${rel} AND at.attnum = ck.num)`;

// A key's INCLUDE columns are its index's past the key columns; NULLS NOT DISTINCT exists from PostgreSQL 15 on.
const KEY_INDEX = `, 'include', (SELECT json_agg(at.attname ORDER BY x.ord) FROM pg_catalog.pg_index i, unnest(CAST(i.indkey AS int2[])) WITH ORDINALITY x(num, ord)
      JOIN pg_catalog.pg_attribute at ON at.attnum = x.num WHERE i.indexrelid = k.conindid AND at.attrelid = i.indrelid AND x.ord > i.indnkeyatts),
    'nullsNotDistinct', (SELECT coalesce(to_jsonb(i) ->> 'indnullsnotdistinct' = 'true', false) FROM pg_catalog.pg_index i WHERE i.indexrelid = k.conindid)`;

const constraints = (type: string, extra = '') => agg(`json_build_object('name', k.conname, 'columns', ${constraintCols('k.conkey', 'k.conrelid')},
    'comment', pg_catalog.obj_description(k.oid, 'pg_constraint'), 'def', pg_catalog.pg_get_constraintdef(k.oid, true)${extra})`,
`pg_catalog.pg_constraint k WHERE k.conrelid = (SELECT oid FROM t) AND k.contype = '${type}'`, 'k.conname');

const FOREIGN_KEYS = constraints('f', `, 'refColumns', ${constraintCols('k.confkey', 'k.confrelid')},
    'refTable', (SELECT rc.relname FROM pg_catalog.pg_class rc WHERE rc.oid = k.confrelid),
    'refSchema', (SELECT rn.nspname FROM pg_catalog.pg_class rc JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace WHERE rc.oid = k.confrelid),
    'refVisible', pg_catalog.pg_table_is_visible(k.confrelid), 'onUpdate', k.confupdtype, 'onDelete', k.confdeltype, 'match', k.confmatchtype,
    'deferrable', k.condeferrable, 'deferred', k.condeferred`);

// Index key columns by number (0: an expression); the primary key's index is left out, as SQLAlchemy does.
const INDEXES = agg(`json_build_object('name', ic.relname, 'unique', i.indisunique, 'nkeys', i.indnkeyatts,
    'elements', (SELECT json_agg(CASE WHEN k.num = 0 THEN pg_catalog.pg_get_indexdef(i.indexrelid, CAST(k.ord AS int), true) ELSE at.attname END ORDER BY k.ord)
      FROM unnest(CAST(i.indkey AS int2[])) WITH ORDINALITY k(num, ord) LEFT JOIN pg_catalog.pg_attribute at ON at.attrelid = i.indrelid AND at.attnum = k.num),
    'exprs', (SELECT json_agg(k.num = 0 ORDER BY k.ord) FROM unnest(CAST(i.indkey AS int2[])) WITH ORDINALITY k(num, ord)),
    'options', (SELECT json_agg(o ORDER BY ord) FROM unnest(CAST(i.indoption AS int2[])) WITH ORDINALITY x(o, ord)),
    'amname', am.amname, 'where', pg_catalog.pg_get_expr(i.indpred, i.indrelid), 'reloptions', ic.reloptions,
    'constraint', EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k WHERE k.conrelid = i.indrelid AND k.conindid = i.indexrelid AND k.contype IN ('p', 'u', 'x')))`,
`pg_catalog.pg_index i JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid JOIN pg_catalog.pg_am am ON am.oid = ic.relam
    WHERE i.indrelid = (SELECT oid FROM t) AND NOT i.indisprimary`, 'ic.relname');

interface Parts<T> { exists: boolean; schema: string | null; items: T[] }

function tableMethod<T>(items: string, shape: (items: T[], a: InspectorArgs, schema: string) => Reflected): (a: InspectorArgs) => InspectorQuery {
  return (a) => ({
    sql: tableQuery(a, items),
    shape: (r) => {
      const p = jsonCell<Parts<T>>(r);
      if (!p.exists) throw noSuchTable(a);
      return shape(p.items, a, p.schema ?? '');
    },
  });
}

const TYPES: Record<string, string> = {
  integer: 'sa.INTEGER', bigint: 'sa.BIGINT', smallint: 'sa.SMALLINT', 'character varying': 'sa.VARCHAR', character: 'sa.CHAR', '"char"': 'sa.String',
  name: 'sa.String', text: 'sa.TEXT', numeric: 'sa.NUMERIC', float: 'sa.FLOAT', real: 'sa.REAL', inet: 'pg.INET', cidr: 'pg.CIDR', citext: 'pg.CITEXT',
  uuid: 'pg.UUID', bit: 'pg.BIT', 'bit varying': 'pg.BIT', macaddr: 'pg.MACADDR', macaddr8: 'pg.MACADDR8', money: 'pg.MONEY', oid: 'pg.OID',
  regclass: 'pg.REGCLASS', 'double precision': 'pg.DOUBLE_PRECISION', timestamp: 'sa.TIMESTAMP', 'timestamp with time zone': 'sa.TIMESTAMP',
  'timestamp without time zone': 'sa.TIMESTAMP', 'time with time zone': 'sa.TIME', 'time without time zone': 'sa.TIME', date: 'sa.DATE',
  time: 'sa.TIME', bytea: 'pg.BYTEA', boolean: 'sa.BOOLEAN', interval: 'pg.INTERVAL', tsvector: 'pg.TSVECTOR', json: 'pg.JSON', jsonb: 'pg.JSONB',
  hstore: 'pg.HSTORE', int4range: 'pg.INT4RANGE', int8range: 'pg.INT8RANGE', numrange: 'pg.NUMRANGE', daterange: 'pg.DATERANGE',
  tsrange: 'pg.TSRANGE', tstzrange: 'pg.TSTZRANGE',
};

interface EnumInfo { name: string; schema: string; visible: boolean; labels: string[] | null }

/** The SQLAlchemy type for a format_type() text (SQLAlchemy's `_reflect_type`; domains are not modelled). */
export function postgresqlColumnType(formatted: string, enumInfo?: EnumInfo | null): ReflectedType {
  const argText = /\((.*)\)/.exec(formatted)?.[1];
  const args = argText ? argText.split(/\s*,\s*/) : [];
  const dims = (/((?:\[\])*)$/.exec(formatted)?.[1].length ?? 0) / 2;
  const base = formatted.replace(/\((.*)\)/, '').replace(/((?:\[\])*)$/, '');
  let fn: string | undefined = TYPES[base.toLowerCase()];
  let targs: (string | number)[] = [];
  const kw: Record<string, string | number | boolean> = {};
  if (base === 'numeric') { if (args.length === 2) targs = args.map(Number); }
  else if (base === 'double precision') targs = [53];
  else if (base === 'integer') targs = [];
  else if (base === 'timestamp with time zone' || base === 'time with time zone') { kw.timezone = true; if (args.length === 1) kw.precision = Number(args[0]); }
  else if (['timestamp without time zone', 'time without time zone', 'time'].includes(base)) { kw.timezone = false; if (args.length === 1) kw.precision = Number(args[0]); }
  else if (base === 'bit varying') { kw.varying = true; if (args.length === 1) targs = [Number(args[0])]; }
  else if (base === 'interval' || base.startsWith('interval ')) {
    fn = 'pg.INTERVAL';
    const fields = /^interval (.+)/.exec(base)?.[1];
    if (fields) kw.fields = fields;
    if (args.length === 1) kw.precision = Number(args[0]);
  } else if (enumInfo) {
    fn = 'pg.ENUM';
    targs = [...(enumInfo.labels ?? [])];
    kw.name = enumInfo.name;
    if (!enumInfo.visible) kw.schema = enumInfo.schema;
  } else if (args.length) targs = /^\d+$/.test(args[0]) ? [Number(args[0]), ...args.slice(1)] : args;
  if (!fn) return new ReflectedType(undefined, [], {}, formatted);
  const t = new ReflectedType(fn, targs, kw, formatted);
  return dims >= 1 ? new ReflectedType('pg.ARRAY', [t], {}, formatted) : t;
}

interface ColumnRow {
  name: string; type: string; notnull: boolean; default: string | null; generated: string; identity: string; comment: string | null;
  seq: { start: number; increment: number; minvalue: number; maxvalue: number; cycle: boolean; cache: number } | null; enum: EnumInfo | null;
}

function columns(rows: ColumnRow[], a: InspectorArgs): Reflected {
  return rows.map((r) => {
    const type = postgresqlColumnType(r.type, r.enum);
    let dflt = r.default;
    const computed = r.generated ? { sqltext: dflt, persisted: r.generated === 's' } : undefined;
    if (computed) dflt = null;
    let autoincrement = false;
    const m = dflt === null ? null : /(nextval\(')([^']+)('.*$)/.exec(dflt);
    if (m) {
      if (['sa.INTEGER', 'sa.BIGINT', 'sa.SMALLINT'].includes(type.fn ?? '')) autoincrement = true;
      if (!m[2].includes('.') && a.schema !== undefined) dflt = `${m[1]}"${a.schema}".${m[2]}${m[3]}`;
    }
    const identity = r.identity && r.seq
      ? { always: r.identity === 'a', start: r.seq.start, increment: r.seq.increment, minvalue: r.seq.minvalue, maxvalue: r.seq.maxvalue, cycle: r.seq.cycle, cache: r.seq.cache }
      : undefined;
    const col: { [k: string]: Reflected } = { name: r.name, type, nullable: !r.notnull, default: dflt, autoincrement: autoincrement || identity !== undefined, comment: r.comment };
    if (computed) col.computed = computed;
    if (identity) col.identity = identity;
    return col;
  });
}

interface ConstraintRow { name: string; columns: string[]; comment: string | null; def: string; include?: string[] | null; nullsNotDistinct?: boolean }
interface FkRow extends ConstraintRow {
  refColumns: string[]; refTable: string; refSchema: string; refVisible: boolean; onUpdate: string; onDelete: string; match: string; deferrable: boolean; deferred: boolean;
}

const ACTIONS: Record<string, string> = { a: 'NO ACTION', r: 'RESTRICT', c: 'CASCADE', n: 'SET NULL', d: 'SET DEFAULT' };

function foreignKeys(rows: FkRow[], a: InspectorArgs, schema: string): Reflected {
  return rows.map((r) => {
    // pg_get_constraintdef() names the referred schema only when it is not on the search path.
    const referredSchema = !r.refVisible ? r.refSchema : a.schema !== undefined && a.schema === schema ? a.schema : null;
    const options = fkOptions({
      onupdate: ACTIONS[r.onUpdate], ondelete: ACTIONS[r.onDelete],
      initially: r.deferred ? 'DEFERRED' : undefined, deferrable: r.deferrable ? true : undefined,
      match: r.match === 'f' ? 'FULL' : r.match === 'p' ? 'PARTIAL' : undefined,
    });
    return { name: r.name, constrained_columns: r.columns, referred_schema: referredSchema, referred_table: r.refTable, referred_columns: r.refColumns, options, comment: r.comment };
  });
}

interface IndexRow {
  name: string; unique: boolean; nkeys: number; elements: string[]; exprs: boolean[]; options: number[]; amname: string; where: string | null;
  reloptions: string[] | null; constraint: boolean;
}

function indexes(rows: IndexRow[]): Reflected {
  return rows.map((r) => {
    const keys = r.elements.slice(0, r.nkeys);
    const include = r.elements.slice(r.nkeys);
    const isExpr = r.exprs.slice(0, r.nkeys);
    const ix: { [k: string]: Reflected } = { name: r.name, unique: r.unique };
    if (isExpr.some(Boolean)) {
      ix.column_names = keys.map((k, i) => (isExpr[i] ? null : k));
      ix.expressions = keys;
    } else ix.column_names = keys;
    const sorting: { [k: string]: Reflected } = {};
    (r.options ?? []).slice(0, r.nkeys).forEach((flags, i) => {
      const s: string[] = [];
      if (flags & 1) { s.push('desc'); if (!(flags & 2)) s.push('nulls_last'); } else if (flags & 2) s.push('nulls_first');
      if (s.length) sorting[keys[i]] = s;
    });
    if (Object.keys(sorting).length) ix.column_sorting = sorting;
    if (r.constraint) ix.duplicates_constraint = r.name;
    const opts: { [k: string]: Reflected } = {};
    if (r.reloptions?.length) opts.postgresql_with = Object.fromEntries(r.reloptions.map((o) => [o.split('=', 1)[0], o.slice(o.indexOf('=') + 1)]));
    if (r.amname !== 'btree') opts.postgresql_using = r.amname;
    if (r.where) opts.postgresql_where = r.where;
    ix.include_columns = include;
    opts.postgresql_include = include;
    ix.dialect_options = opts;
    return ix;
  });
}

function checks(rows: ConstraintRow[]): Reflected {
  return rows.map((r) => {
    const m = /^CHECK *\((.+)\)( NO INHERIT)?( NOT VALID)?$/s.exec(r.def);
    const entry: { [k: string]: Reflected } = { name: r.name, sqltext: m ? stripOuterParens(m[1]) : '', comment: r.comment };
    const d: { [k: string]: Reflected } = {};
    if (m?.[3]) d.not_valid = true;
    if (m?.[2]) d.no_inherit = true;
    if (Object.keys(d).length) entry.dialect_options = d;
    return entry;
  });
}

/** `((a > 1))` is `a > 1`: outer parentheses that enclose the whole text, removed. */
function stripOuterParens(s: string): string {
  for (;;) {
    s = s.trim();
    if (!s.startsWith('(') || !s.endsWith(')')) return s;
    let depth = 0;
    for (let i = 0; i < s.length; i++) {
      if (s[i] === '(') depth++;
      else if (s[i] === ')' && --depth === 0 && i < s.length - 1) return s;
    }
    s = s.slice(1, -1);
  }
}

const relnames = (kinds: string, a: InspectorArgs) =>
  `SELECT c.relname FROM ${CLASS} WHERE c.relkind IN (${kinds}) AND c.relpersistence <> 't' AND ${inSchema(a)}`;

export const POSTGRESQL_INSPECTOR: InspectorQueries = {
  get_table_names: (a) => ({ sql: relnames("'r', 'p'", a), shape: firstColumn }),
  get_view_names: (a) => ({ sql: relnames("'v'", a), shape: firstColumn }),
  has_table: (a) => ({
    sql: `SELECT EXISTS (SELECT 1 FROM ${CLASS} WHERE c.relname = ${lit(a.name ?? '')} AND c.relkind IN ('r', 'p', 'f', 'v', 'm') AND ${inSchema(a)})`,
    shape: (r) => !!r.rows[0]?.[0],
  }),
  has_sequence: (a) => ({
    sql: `SELECT EXISTS (SELECT 1 FROM ${CLASS} WHERE c.relname = ${lit(a.name ?? '')} AND c.relkind = 'S' AND ${inSchema(a)})`,
    shape: (r) => !!r.rows[0]?.[0],
  }),
  get_sequence_names: (a) => ({ sql: relnames("'S'", a), shape: firstColumn }),
  get_schema_names: () => ({ sql: "SELECT nspname FROM pg_catalog.pg_namespace WHERE nspname NOT LIKE 'pg_%' ORDER BY nspname", shape: firstColumn }),
  has_schema: (a) => ({ sql: `SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = ${lit(a.name ?? '')})`, shape: (r) => !!r.rows[0]?.[0] }),
  get_enums: (a) => ({
    sql: `SELECT CAST(coalesce(json_agg(json_build_object('name', t.typname, 'schema', n.nspname, 'visible', pg_catalog.pg_type_is_visible(t.oid),
        'labels', coalesce((SELECT json_agg(e.enumlabel ORDER BY e.enumsortorder) FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid), '[]'))
        ORDER BY n.nspname, t.typname), '[]') AS text)
      FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace WHERE t.typtype = 'e' AND ${a.schema === '*' ? 'true'
      : a.schema !== undefined ? `n.nspname = ${lit(a.schema)}` : "pg_catalog.pg_type_is_visible(t.oid) AND n.nspname <> 'pg_catalog'"}`,
    shape: (r) => jsonCell<Reflected>(r),
  }),
  get_columns: tableMethod(COLUMNS, columns),
  get_pk_constraint: tableMethod<ConstraintRow>(constraints('p', KEY_INDEX), (rows): Reflected => (rows[0]
    ? { constrained_columns: rows[0].columns, name: rows[0].name, comment: rows[0].comment, dialect_options: { postgresql_include: rows[0].include ?? [] } }
    : { name: null, constrained_columns: [] })),
  get_foreign_keys: tableMethod(FOREIGN_KEYS, foreignKeys),
  get_indexes: tableMethod(INDEXES, indexes),
  get_unique_constraints: tableMethod<ConstraintRow>(constraints('u', KEY_INDEX), (rows) => rows.map((r) => ({
    column_names: r.columns, name: r.name, comment: r.comment, dialect_options: { postgresql_include: r.include ?? [], postgresql_nulls_not_distinct: !!r.nullsNotDistinct },
  }))),
  get_check_constraints: tableMethod(constraints('c'), checks),
};
