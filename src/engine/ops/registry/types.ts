/**
 * One declaration per op (Alembic's `ops.py` class + its `implementation_for` + `reverse()`): its
 * parameters, its SQL per dialect, what batch mode does with it, and its inverse for the quick fix.
 */
import type { Dialect } from '../../dialects';
import type { Bound } from '../args';
import type { NameRequest } from '../../naming/convention';
import type { OpNamer } from '../../naming/opNames';
import type { Call } from '../values';

/** How the plan is made: `offline` for `--sql` (the script Alembic's offline mode writes). */
export interface CompileOptions { offline?: boolean }

/** The table a batch block applies its ops to. */
export interface TableTarget { name: string; schema?: string }

/** A statement an op compiles to (the planner adds the op's line when it has none). */
export type Out = {
  sql: string; rows?: unknown[][]; json?: boolean[]; fail?: string; line?: number;
  /** Not SQL: `op.get_context().autocommit_block()` starts or ends here (the run commits, then runs outside a transaction). */
  autocommit?: 'begin' | 'end';
  /** Run the first time this key is met in the command only (a named type created once: plan.ts Statement.once). */
  once?: string;
  /** Told to the user when it runs: it works here, but not wherever Alembic runs (an older database version). */
  note?: string;
};

export interface Params {
  /** How error messages name the call, e.g. `op.drop_table` or `add_column`. */
  label: string;
  /** Positional parameters in Alembic's order, the table's included. */
  positional: string[];
  /** Keyword parameters, dialect options included (`postgresql_using`): any other keyword is refused. */
  keywords?: string[];
  /** Keywords only `batch_op.<name>` takes (`insert_before`). */
  batchKeywords?: string[];
  /** Keywords `batch_op.<name>` does not take (its Alembic signature has no such parameter: TypeError). */
  notInBatch?: string[];
  /** The table parameter, which a batch block fills in (`batch_op.<name>` omits it). */
  tableParam?: string;
}

/** An op call as written in the source (for the quick fix): each argument's text. */
export interface SourceCall {
  name: string; args: string[]; kwargs: Map<string, string>; strings: (string | undefined)[];
  /** Where the call ends in the text (after its closing parenthesis), and whether a comment is inside it. */
  end?: number; comments?: boolean;
}
export interface InverseHelpers {
  /** A string literal in the quotes the file uses. */
  quote(s: string): string;
  /** The name in `sa.Column('name', ...)` source text, when it is one plain string. */
  columnName(src: string): string | undefined;
}

/** A column, constraint and index of the table a SQLite batch block rebuilds, as reflected then changed. */
export interface BatchColumn {
  key: string; name: string; type: string; nullable: boolean; dflt?: string; pk: number; from?: string; cast?: boolean;
  /** Written after NOT NULL: a computed column's GENERATED clause, the column's own CHECKs. */
  extra?: string;
  /** `nullable=` was not given (a primary key constraint then makes the column NOT NULL, as SQLAlchemy does). */
  nullableUnset?: boolean;
  /** The CHECK its type brings (Boolean / Enum `create_constraint=True`), rendered with the column's current name. */
  typeCheck?: { name?: string; render(column: string): string };
}
export interface BatchConstraint {
  name?: string; kind: 'unique' | 'foreign' | 'check' | 'primary'; body: string; columns: string[];
  /** A foreign key's referred table and columns (for a naming convention's tokens). */
  ref?: { table: string; columns: string[] };
  /** The body for other column names (a column renamed in the batch: SQLAlchemy's constraint follows its Column). */
  render?(columns: string[]): string;
}
export interface BatchIndex {
  name: string; unique: boolean; columns: string[];
  /** A reflected partial index's predicate, as SQLAlchemy reads it from the CREATE INDEX text. */
  where?: string;
}

/** The table copy a batch "move and copy" changes, op by op (Alembic's ApplyBatchImpl). */
export interface RecreateTable {
  readonly table: string;
  readonly d: Dialect;
  cols: BatchColumn[];
  cons: BatchConstraint[];
  /** Reflected indexes, and those the batch adds. */
  indexes: BatchIndex[];
  newIndexes: BatchIndex[];
  pkConstraintName?: string;
  /** Alembic's column ordering bookkeeping: original keys, and (before, after) pairs. */
  existingOrdering: string[];
  addColOrdering: [string, string][];
  /** A column by its original key (a renamed column keeps it). */
  findByKey(key: string, line: number): BatchColumn;
  /** Adds a constraint, replacing one of the same name. */
  addNamed(k: BatchConstraint): void;
}

/** What the naming convention is asked for an op's name parameter (`param`). */
export interface OpNaming {
  param: string;
  request: NameRequest;
  /** What to do when no name results: `index` (SQLAlchemy cannot create or drop an unnamed index), `drop` (nor drop an unnamed constraint). */
  required?: 'index' | 'drop';
}

export interface BatchSpec {
  /** Runs in place even on a dialect that cannot ALTER (SQLite's `requires_recreate_in_batch` is false for it). */
  inPlace?(call: Call): boolean;
  /** Checks the call before a rebuild is planned, so the run stops before its first statement. */
  check?(call: Call): void;
  /** Applies the op to the table copy of a rebuild. */
  recreate(t: RecreateTable, call: Call): void;
}

export interface OpSpec {
  /** `op.<name>` */
  readonly name: string;
  /** Bound before `compile`; absent when the op reads its call itself (create_table). */
  readonly params?: Params;
  /**
   * The op names a constraint or index (its name parameter, and how Alembic builds the object the
   * naming convention sees): the planner puts the name the convention gives in its place before `compile`.
   */
  readonly naming?: (a: Bound, table?: TableTarget) => OpNaming;
  /** Offered as `batch_op.<name>`. */
  readonly batch?: BatchSpec;
  /** The Alembic extension package whose import registers the op (`op.sync_enum_values`); Alembic alone has no such op. */
  readonly extension?: string;
  /** The statements for the dialect; `table` is the batch block's table inside one. */
  compile(call: Call, d: Dialect, a: Bound, table: TableTarget | undefined, names: OpNamer, o?: CompileOptions): Out[];
  /** The call that undoes this one, written from its source, when it is certain. */
  inverse?(c: SourceCall, h: InverseHelpers): string | undefined;
}
