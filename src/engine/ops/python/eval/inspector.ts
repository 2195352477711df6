/**
 * `sa.inspect(bind)` / `Inspector.from_engine(bind)`: SQLAlchemy's Inspector, whose methods read
 * the live schema. Each method call is one catalog query (the dialect's, `dialects/<name>/
 * inspectorQueries.ts`), recorded as a read of the migration: like `conn.execute(...).fetchall()`,
 * the first one makes the function run online, in the run's transaction, so the answer reflects
 * what the migration's earlier statements did. Answers are cached per Inspector, as SQLAlchemy's
 * `info_cache` does (`clear_cache()` empties it).
 */
import { dialectFor } from '../../../dialects';
import { InspectorError, type InspectorArgs, type InspectorMethod, type Reflected, ReflectedType } from '../../../dialects/inspector';
import { Call, PyDict, PyValue, TextClause, Unsupported } from '../../values';
import type { DialectName } from './context';
import { PythonError } from './errors';
import { NeedsDatabase, type ReadResults } from './results';
import { Builtin, Kwargs, Opaque, RtObject, tuple, Value } from './runtime';

/** How each method takes its arguments: the table (or sequence, schema) name first, then `schema`. */
const SIGNATURES: Record<InspectorMethod, 'schema' | 'name' | 'none'> = {
  get_table_names: 'schema', get_view_names: 'schema', get_sequence_names: 'schema', get_enums: 'schema',
  has_table: 'name', get_columns: 'name', get_pk_constraint: 'name', get_foreign_keys: 'name', get_indexes: 'name',
  get_unique_constraints: 'name', get_check_constraints: 'name', has_sequence: 'name', has_schema: 'name',
  get_schema_names: 'none',
};

export interface InspectorHost {
  readonly dialect?: DialectName;
  readonly reads?: ReadResults;
  /** Records a catalog query as a read; returns its index among the function's executes. */
  record(sql: string, line: number): number;
}

export class InspectorObj extends RtObject {
  readonly typeName = 'Inspector';
  private cache = new Map<string, Value>();
  constructor(private readonly host: InspectorHost, private readonly bind: Value) { super(); }

  override getAttr(name: string, line: number): Value {
    if (name in SIGNATURES) {
      const method = name as InspectorMethod;
      return new Builtin(`Inspector.${name}`, (args: Value[], kwargs: Kwargs, at: number) => this.ask(method, args, kwargs, at));
    }
    switch (name) {
      case 'clear_cache': return new Builtin('Inspector.clear_cache', () => { this.cache.clear(); return null; });
      case 'bind': case 'engine': return this.bind;
    }
    throw new Unsupported(line, `inspector.${name}`, 'this part of SQLAlchemy\'s Inspector is not evaluated by the embedded engine');
  }

  private ask(method: InspectorMethod, args: Value[], kwargs: Kwargs, line: number): Value {
    const construct = `inspector.${method}(...)`;
    const a = argsOf(method, args, kwargs, line);
    const key = `${method}\u0000${a.name ?? ''}\u0000${a.schema ?? '\u0001'}`;
    const hit = this.cache.get(key);
    if (hit !== undefined) return hit;
    if (!this.host.dialect) throw new NeedsDatabase(line, construct, -1);
    const make = dialectFor(this.host.dialect).inspector[method];
    if (!make) throw new Unsupported(line, construct, `SQLAlchemy's Inspector has no ${method}() on ${this.host.dialect}`);
    let value: Value;
    try {
      const q = make(a);
      const k = this.host.record(q.sql, line);
      const r = this.host.reads?.get(k);
      if (!r) throw new NeedsDatabase(line, construct, k);
      value = toValue(q.shape(r), line);
    } catch (e) {
      if (e instanceof InspectorError) throw new PythonError(line, e.pythonType, e.message);
      throw e;
    }
    this.cache.set(key, value);
    return value;
  }
}

function argsOf(method: InspectorMethod, args: Value[], kwargs: Kwargs, line: number): InspectorArgs {
  const sig = SIGNATURES[method];
  const str = (v: Value | undefined, what: string): string | undefined => {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') throw new Unsupported(line, `inspector.${method}(${what}=...)`, 'expected a string');
    return v;
  };
  if (sig === 'none') return {};
  if (sig === 'schema') return { schema: str(args[0] ?? kwargs.get('schema'), 'schema') };
  const first = method === 'has_schema' ? 'schema_name' : method === 'has_sequence' ? 'sequence_name' : 'table_name';
  const name = str(args[0] ?? kwargs.get(first), first);
  if (name === undefined) throw new PythonError(line, 'TypeError', `${method}() missing 1 required positional argument: '${first}'`);
  return { name, schema: method === 'has_schema' ? undefined : str(args[1] ?? kwargs.get('schema'), 'schema') };
}

/** A reflected answer as Python values (lists, dicts in SQLAlchemy's key order, types as the evaluator's types). */
function toValue(r: Reflected, line: number): Value {
  if (r === null || typeof r === 'boolean' || typeof r === 'string') return r;
  if (typeof r === 'number') {
    return Number.isSafeInteger(r) || !Number.isInteger(r) ? r : new Opaque('a large integer read from the database', 'it is past the integers the embedded engine handles exactly');
  }
  if (Array.isArray(r)) return r.map((x) => toValue(x, line));
  if (r instanceof ReflectedType) return typeValue(r, line);
  return new PyDict(new Map(Object.entries(r).map(([k, v]) => [k, (k === 'column_sorting' ? sortingValue(v) : toValue(v, line)) as PyValue])));
}

function sortingValue(v: Reflected): Value {
  return new PyDict(new Map(Object.entries(v as Record<string, string[]>).map(([k, flags]) => [k, tuple([...flags]) as unknown as PyValue])));
}

function typeValue(t: ReflectedType, line: number): Value {
  if (t.fn === 'sa.text') return new TextClause(String(t.args[0]));
  // A type the engine does not model: fine to read around, refused when it must become SQL.
  if (!t.fn) return new Opaque(`the type ${t.text} read from the database`, 'the embedded engine does not model this type (SQLAlchemy reflects it as NullType)');
  const args = t.args.map((x) => (x instanceof ReflectedType ? typeValue(x, line) : x));
  if (args.some((x) => x instanceof RtObject)) return args.find((x) => x instanceof RtObject)!;
  return new Call(t.fn, args as PyValue[], new Map(Object.entries(t.kwargs)), line);
}
