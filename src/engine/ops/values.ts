/**
 * The values a migration body is made of, once read: Python literals, and calls to known
 * SQLAlchemy / Alembic names kept as data (`sa.Column('id', sa.Integer())`) for the DDL compiler.
 */

export type PyValue = null | boolean | number | string | PyValue[] | PyDict | Call | TextClause | TableRef;

export class PyDict {
  constructor(readonly entries: Map<string | number, PyValue>) {}
}

/** A call to a known name: `fn` is canonical (`sa.Column`, `pg.JSONB`, `op.f`). */
export class Call {
  constructor(
    readonly fn: string,
    readonly args: PyValue[],
    readonly kwargs: Map<string, PyValue>,
    readonly line: number,
    /** Keyword arguments we never evaluate (Python-side only, e.g. `default=`). */
    readonly skipped: ReadonlySet<string> = new Set(),
  ) {}

  kw(name: string): PyValue | undefined { return this.kwargs.get(name); }
  has(name: string): boolean { return this.kwargs.has(name) || this.skipped.has(name); }
}

/** A constraint a column's type attaches to the table the column joins (a project's event listener). */
export interface AttachedConstraint { constraint: Call; columns: string[]; where: string }

/** `sa.Column(...)` whose type's event listeners attach constraints to its table (eval/events.ts). */
export class ColumnCall extends Call {
  constructor(c: Call, readonly attached: readonly AttachedConstraint[]) { super(c.fn, c.args, c.kwargs, c.line, c.skipped); }
}

/** A project type with such listeners: ops that take a bare type refuse it where Alembic would add constraints. */
export class ListenedType extends Call {
  constructor(c: Call, readonly where: string) { super(c.fn, c.args, c.kwargs, c.line, c.skipped); }
}

/** `sa.text("...")` (and plain strings given to `op.execute`). */
export class TextClause {
  constructor(readonly sql: string) {}
}

/** SQL rendered from a SQLAlchemy expression (`sa.func.lower(col)`): unlike `text()`, it has no key (`postgresql_ops` does not apply). */
export class ExpressionText extends TextClause {}

/** What `op.create_table(...)` returns: a table `op.bulk_insert` can fill. */
export class TableRef {
  constructor(readonly call: Call) {}
}

/** A construct the engine cannot run, with where it is and what it is. */
export class Unsupported extends Error {
  constructor(public line: number, readonly construct: string, readonly why: string) {
    super(`line ${line}: ${construct}: ${why}`);
    this.name = 'Unsupported';
  }

  /** Raised where the line was not known (0): it takes the line of the statement that ran it. */
  at(line: number): this {
    if (this.line === 0) {
      this.line = line;
      this.message = `line ${line}: ${this.construct}: ${this.why}`;
    }
    return this;
  }
}

export const isCall = (v: PyValue | undefined, ...fns: string[]): v is Call =>
  v instanceof Call && (fns.length === 0 || fns.includes(v.fn));

export function asString(v: PyValue | undefined, line: number, what: string): string {
  if (typeof v === 'string') return v;
  if (isCall(v, 'op.f', 'sa.quoted_name', 'sa.conv') && typeof v.args[0] === 'string') return v.args[0];
  throw new Unsupported(line, what, 'expected a string literal');
}

export function asStringList(v: PyValue | undefined, line: number, what: string): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.map((x) => asString(x, line, what));
  throw new Unsupported(line, what, 'expected a list of names');
}

export function optString(v: PyValue | undefined, line: number, what: string): string | undefined {
  return v === undefined || v === null ? undefined : asString(v, line, what);
}
