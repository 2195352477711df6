/**
 * What a migration reads back from the database (`conn.execute(...).fetchall()`, `.scalar()`, a
 * loop over rows). Planning cannot know the rows: the first read stops the evaluation with
 * `NeedsDatabase`, and the function runs online instead, inside the run's transaction: the runner (commands/migrate.ts runOnline)
 * executes the statements recorded so far, keeps each `execute()`'s result, and evaluates the
 * function again from the start with those results, until it completes.
 */
import { PyDict, Unsupported } from '../../values';
import { PythonError } from './errors';
import { Builtin, RtObject, tuple, Value } from './runtime';

/** The k-th `execute()` of the function, as the database answered it. */
export interface DbResult { columns: string[]; rows: unknown[][]; rowCount: number }

export interface ReadResults { get(k: number): DbResult | undefined }

/** Raised at a read whose result is not known yet: the runner executes up to execute #k and evaluates again. */
export class NeedsDatabase extends Unsupported {
  /** `executeIndex` -1: nothing to read, the construct only exists online (`bind.commit()` in --sql mode). */
  constructor(line: number, construct: string, readonly executeIndex: number,
    why = 'it reads from the database while the migration runs (--sql cannot write it out; Alembic\'s offline mode cannot run it either)') {
    super(line, construct, why);
    this.name = 'NeedsDatabase';
  }
}

/** A value the database returned that has no plain Python equivalent here (a date, bytes...). */
class DbValue extends RtObject {
  readonly typeName = 'object';
  constructor(readonly what: string) { super(); }
  override describe(): string { return `a ${this.what} read from the database`; }
}

function toValue(v: unknown): Value {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : new DbValue('large integer');
  if (Array.isArray(v)) return v.map(toValue);
  if (v instanceof Date) return new DbValue('date/time');
  if (v instanceof Uint8Array) return new DbValue('binary value');
  if (typeof v === 'object') return new PyDict(new Map(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, toValue(x) as never])));
  return new DbValue(typeof v);
}

export class Row extends RtObject {
  readonly typeName = 'Row';
  constructor(readonly columns: string[], readonly values: Value[]) { super(); }
  override getAttr(name: string, line: number): Value {
    const i = this.columns.indexOf(name);
    if (i >= 0) return this.values[i];
    if (name === '_mapping') return this.mapping();
    if (name === '_asdict') return new Builtin('_asdict', () => this.mapping());
    if (name === '_fields') return tuple([...this.columns]);
    throw new PythonError(line, 'AttributeError', `Could not locate column in row for column '${name}'`);
  }
  item(key: Value, line: number): Value {
    if (typeof key === 'number') {
      const i = key < 0 ? this.values.length + key : key;
      if (i < 0 || i >= this.values.length) throw new PythonError(line, 'IndexError', 'tuple index out of range');
      return this.values[i];
    }
    if (typeof key === 'string') return this.getAttr(key, line);
    throw new PythonError(line, 'TypeError', 'row indices must be integers or column names');
  }
  mapping(): PyDict { return new PyDict(new Map(this.columns.map((c, i) => [c, this.values[i] as never]))); }
  override iter(): Iterable<Value> { return this.values; }
  override eq(other: Value): boolean { return other instanceof Row && other.values.length === this.values.length && other.values.every((v, i) => v === this.values[i]); }
}

/** `conn.execute(...)`'s result; reading it needs the database's answer. */
export class ResultProxy extends RtObject {
  readonly typeName = 'CursorResult';
  private cursor = 0;
  constructor(
    private readonly k: number, private readonly reads: ReadResults | undefined, private readonly what: string,
    /** Per column, what the column's SQLAlchemy type does to a value read back (its result processor). */
    private readonly processors: (((v: unknown, line: number) => unknown) | undefined)[] = [],
  ) { super(); }

  private result(line: number, construct: string): DbResult {
    const r = this.reads?.get(this.k);
    if (!r) throw new NeedsDatabase(line, construct, this.k);
    return r;
  }
  private rows(line: number, construct: string): Row[] {
    const r = this.result(line, construct);
    return r.rows.map((values) => new Row(r.columns, values.map((v, i) => toValue(this.processors[i] ? this.processors[i]!(v, line) : v))));
  }
  private rest(line: number, construct: string): Row[] {
    const all = this.rows(line, construct).slice(this.cursor);
    this.cursor += all.length;
    return all;
  }

  override getAttr(name: string, line: number): Value {
    const at = `${this.what}.${name}`;
    switch (name) {
      case 'fetchall': case 'all': return new Builtin(at, () => this.rest(line, at));
      case 'fetchone': return new Builtin(at, () => { const rows = this.rows(line, at); return rows[this.cursor++] ?? null; });
      case 'fetchmany': return new Builtin(at, ([n]: Value[]) => { const rows = this.rows(line, at).slice(this.cursor, this.cursor + Number(n ?? 1)); this.cursor += rows.length; return rows; });
      case 'first': return new Builtin(at, () => this.rows(line, at)[0] ?? null);
      case 'one': case 'one_or_none': return new Builtin(at, () => {
        const rows = this.rows(line, at);
        if (rows.length > 1) throw new PythonError(line, 'MultipleResultsFound', 'Multiple rows were found when exactly one was required');
        if (!rows.length && name === 'one') throw new PythonError(line, 'NoResultFound', 'No row was found when one was required');
        return rows[0] ?? null;
      });
      case 'scalar': return new Builtin(at, () => this.rows(line, at)[0]?.values[0] ?? null);
      case 'scalar_one': return new Builtin(at, () => {
        const rows = this.rows(line, at);
        if (rows.length !== 1) throw new PythonError(line, rows.length ? 'MultipleResultsFound' : 'NoResultFound', rows.length ? 'Multiple rows were found when exactly one was required' : 'No row was found when one was required');
        return rows[0].values[0];
      });
      case 'scalars': return new Builtin(at, ([i]: Value[]) => new Listing(this.rest(line, at).map((r) => r.values[Number(i ?? 0)]), at));
      case 'mappings': return new Builtin(at, () => new Listing(this.rest(line, at).map((r) => r.mapping()), at));
      case 'keys': return new Builtin(at, () => [...this.result(line, at).columns]);
      case 'rowcount': return this.result(line, at).rowCount;
      case 'returns_rows': return this.result(line, at).columns.length > 0;
      case 'close': return new Builtin(at, () => null);
    }
    throw new Unsupported(line, at, 'this part of a result is not evaluated');
  }
  override iter(line: number): Iterable<Value> { return this.rest(line, `for ... in ${this.what}`); }
}

/** `.scalars()` / `.mappings()`: a list of values with SQLAlchemy's accessors. */
class Listing extends RtObject {
  readonly typeName = 'ScalarResult';
  constructor(private readonly items: Value[], private readonly what: string) { super(); }
  override getAttr(name: string, line: number): Value {
    switch (name) {
      case 'all': case 'fetchall': return new Builtin(name, () => [...this.items]);
      case 'first': return new Builtin(name, () => this.items[0] ?? null);
      case 'one': return new Builtin(name, () => {
        if (this.items.length !== 1) throw new PythonError(line, this.items.length ? 'MultipleResultsFound' : 'NoResultFound', 'exactly one row was required');
        return this.items[0];
      });
    }
    throw new Unsupported(line, `${this.what}.${name}`, 'this part of a result is not evaluated');
  }
  override iter(): Iterable<Value> { return this.items; }
}
