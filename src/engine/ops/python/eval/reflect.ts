/**
 * `sa.MetaData()` and reflected tables: `meta.reflect(bind, only=[...])`, `meta.tables['x']`,
 * `sa.Table('x', meta, autoload_with=bind)`. Reflection is the Inspector's (`inspector.ts`): every
 * table read is a catalog query recorded as a read of the migration, so the function runs online
 * and sees what its earlier statements did. A reflected table is a Core table (`core.ts`) whose
 * columns carry the types read back, usable in `insert/update/delete/select`, `op.bulk_insert`...
 */
import { Call, PyDict, PyValue, Unsupported } from '../../values';
import { ColumnObj, TableObj } from './core';
import { PythonError } from './errors';
import { Builtin, Kwargs, RtObject, typeName, Value } from './runtime';

export interface ReflectHost {
  /** `sa.inspect(bind)`: an Inspector whose methods are recorded reads. */
  inspect(target: Value, line: number): Value;
}

/** `sa.MetaData(schema=...)`: the tables defined on it or reflected into it, by key (`schema.name`). */
export class MetaDataObj extends RtObject {
  readonly typeName = 'MetaData';
  readonly tables = new Map<string, TableObj>();
  /** `naming_convention=` as given (read by migrations that format names with it); SQLAlchemy's default otherwise. */
  namingConvention?: PyDict;
  constructor(readonly source: Call, readonly schema: string | undefined, readonly host: ReflectHost) { super(); }

  key(name: string, schema: string | undefined): string { return schema ? `${schema}.${name}` : name; }

  override getAttr(name: string, line: number): Value {
    switch (name) {
      case 'tables': return new PyDict(new Map([...this.tables].map(([k, t]) => [k, t as unknown as PyValue])));
      case 'sorted_tables': throw new Unsupported(line, 'metadata.sorted_tables', 'the dependency order of tables is not computed by the embedded engine');
      case 'schema': return this.schema ?? null;
      case 'naming_convention': return this.namingConvention ?? new PyDict(new Map([['ix', 'ix_%(column_0_label)s']]));
      case 'reflect': return new Builtin('MetaData.reflect', (args: Value[], kwargs: Kwargs, at: number) => { this.reflect(args, kwargs, at); return null; });
      case 'clear': return new Builtin('MetaData.clear', () => { this.tables.clear(); return null; });
    }
    return super.getAttr(name, line);
  }

  /** `MetaData.reflect(bind, schema=None, views=False, only=None, extend_existing=False, autoload_replace=True, resolve_fks=True)`. */
  private reflect(args: Value[], kwargs: Kwargs, line: number): void {
    const arg = (i: number, k: string): Value | undefined => (args.length > i ? args[i] : kwargs.get(k));
    for (const k of kwargs.keys()) {
      if (!['bind', 'schema', 'views', 'only', 'extend_existing', 'autoload_replace', 'resolve_fks'].includes(k)) {
        throw new Unsupported(line, `metadata.reflect(..., ${k}=...)`, 'an argument the embedded engine does not apply');
      }
    }
    const insp = this.host.inspect(arg(0, 'bind') ?? null, line) as RtObject;
    const schema = optStr(arg(1, 'schema'), line, 'schema') ?? this.schema;
    const only = arg(3, 'only');
    const ask = (method: string, ...a: Value[]): Value => (insp.getAttr(method, line) as Builtin).call(a, new Map(), line);
    const available = [...(ask('get_table_names', schema ?? null) as string[])];
    if (arg(2, 'views') === true) available.push(...(ask('get_view_names', schema ?? null) as string[]));
    let load: string[];
    if (only === undefined || only === null) load = available;
    else if (Array.isArray(only)) {
      const wanted = only.map((x) => optStr(x, line, 'only=')!);
      const missing = wanted.filter((x) => !available.includes(x));
      if (missing.length) throw new PythonError(line, 'InvalidRequestError', `Could not reflect: requested table(s) not available in the database${schema ? ` schema '${schema}'` : ''}: (${missing.join(', ')})`);
      load = wanted;
    } else throw new Unsupported(line, 'metadata.reflect(only=...)', `only= as a ${typeName(only)} (a callable filter) is not evaluated`);
    const extend = arg(4, 'extend_existing') === true;
    const resolveFks = arg(6, 'resolve_fks') !== false;
    for (const name of load) {
      if (!extend && this.tables.has(this.key(name, schema))) continue;
      this.reflectTable(insp, name, schema, resolveFks, line);
    }
  }

  /** Reads one table's columns (and, with resolve_fks, the tables its foreign keys refer to). */
  reflectTable(insp: RtObject, name: string, schema: string | undefined, resolveFks: boolean, line: number): TableObj {
    const ask = (method: string, ...a: Value[]): Value => (insp.getAttr(method, line) as Builtin).call(a, new Map(), line);
    const cols = (ask('get_columns', name, schema ?? null) as PyDict[]).map((c) => {
      const cname = c.entries.get('name') as string;
      const t = c.entries.get('type') as Value;
      // A type the engine does not model stays off the column: fine for DML, refused where it must become DDL.
      const type = t instanceof Call ? t : undefined;
      return new ColumnObj(cname, type, new Call('sa.column', type ? [cname, type] : [cname], new Map(), line));
    });
    const source = new Call('sa.table', [name, ...cols.map((c) => c.source!)], new Map(schema ? [['schema', schema]] : []), line);
    const table = new TableObj(name, schema, cols, source);
    this.tables.set(this.key(name, schema), table);
    if (resolveFks) {
      for (const fk of ask('get_foreign_keys', name, schema ?? null) as PyDict[]) {
        const referred = fk.entries.get('referred_table') as string;
        const rs = (fk.entries.get('referred_schema') as string | null) ?? schema;
        if (!this.tables.has(this.key(referred, rs ?? undefined))) this.reflectTable(insp, referred, rs ?? undefined, true, line);
      }
    }
    return table;
  }
}

/** `sa.Table(name, metadata, *columns, autoload_with=bind, schema=...)` on a MetaData: registered there, as SQLAlchemy does. */
export function tableOnMetadata(meta: MetaDataObj, name: string, built: (schema: string | undefined) => TableObj, hasColumns: boolean, kwargs: Kwargs, line: number): TableObj {
  const schema = optStr(kwargs.get('schema'), line, 'schema') ?? meta.schema;
  const key = meta.key(name, schema);
  if (kwargs.get('autoload') === true && !kwargs.has('autoload_with')) {
    throw new Unsupported(line, `sa.Table('${name}', ..., autoload=True)`, 'autoload=True reflects through MetaData(bind=...), which SQLAlchemy 2.0 removed: use autoload_with=op.get_bind()');
  }
  const bind = kwargs.get('autoload_with');
  const existing = meta.tables.get(key);
  if (existing && (hasColumns || bind !== undefined) && kwargs.get('extend_existing') !== true) {
    if (!hasColumns) return existing;
    throw new PythonError(line, 'InvalidRequestError', `Table '${key}' is already defined for this MetaData instance.  Specify 'extend_existing=True' to redefine options and columns on an existing Table object.`);
  }
  if (existing && !hasColumns) return existing;
  if (bind !== undefined && bind !== null) {
    if (hasColumns) throw new Unsupported(line, `sa.Table('${name}', ..., autoload_with=...)`, 'columns given besides the reflected ones are not merged by the embedded engine');
    const insp = meta.host.inspect(bind, line) as RtObject;
    return meta.reflectTable(insp, name, schema, kwargs.get('resolve_fks') !== false, line);
  }
  const t = built(schema);
  meta.tables.set(key, t);
  return t;
}

function optStr(v: Value | undefined, line: number, what: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new Unsupported(line, what, 'expected a string');
  return v;
}
