/**
 * Turns a migration's op calls into the SQL Alembic would run, per dialect, before anything runs:
 * a construct that cannot be compiled stops the plan (and so the run) with its line. Each op's
 * SQL comes from its declaration (`registry/`); batch blocks on a dialect that cannot ALTER in
 * place (SQLite) are planned here and given their statements at run time, from the live table.
 */
import { Dialect, NotPossibleOnDialect } from '../dialects';
import { bind } from './args';
import { BatchBlock, OpCall, OpStatement } from './python/reader';
import { bindOp, dialectOnly, opSpec, Out, TableTarget } from './registry';
import { asString, Call, optString, Unsupported } from './values';

export interface Statement {
  sql: string;
  /** Parameter rows (bulk_insert): the statement runs once per row. */
  rows?: unknown[][];
  /** Which parameters are JSON (offline mode cannot render them as literals, as in SQLAlchemy). */
  json?: boolean[];
  /** Not SQL: the migration raises here (`raise RuntimeError("...")`); running it fails with this. */
  fail?: string;
  line: number;
}

/** A batch block whose statements depend on the table as it is when the run reaches it (SQLite). */
export interface RecreatePlan { kind: 'recreate'; table: string; schema?: string; ops: OpCall[]; line: number }
/** A TypeScript/JavaScript migration: its function, called with knex on the run's transaction. */
export interface JsPlan { kind: 'js'; fn: (knex: unknown) => unknown; line: number }
export type PlannedStep = { kind: 'sql'; statements: Statement[] } | RecreatePlan | JsPlan;

export { NotPossibleOnDialect };

export function planOps(ops: OpStatement[], d: Dialect): PlannedStep[] {
  const out: PlannedStep[] = [];
  // SQLAlchemy creates a named ENUM type the first time a table needs it (its DDL runner's memo).
  const seen = new Set<string>();
  const firstTime = (x: Out): boolean => {
    if (x.once === undefined) return true;
    if (seen.has(x.once)) return false;
    seen.add(x.once);
    return true;
  };
  for (const s of ops) {
    if (s.kind === 'batch') out.push(...planBatch(s, d));
    else out.push({ kind: 'sql', statements: planOp(s, d).filter(firstTime).map((x) => statement(x, s.line)) });
  }
  return out;
}

function statement(x: Out, line: number): Statement {
  const y: Out = { ...x, line: x.line ?? line };
  delete y.once;
  return y as Statement;
}

/** `None` where Alembic needs a name: it comes from the naming convention of env.py's target_metadata. */
function needsConvention(c: Call, what: string): never {
  throw new Unsupported(c.line, `${what}(None, ...)`, "an unnamed index or constraint: its name comes from the naming convention of env.py's target_metadata, which the embedded engine does not read");
}

function planOp(s: OpCall, d: Dialect, table?: TableTarget): Out[] {
  const c = s.call;
  // Not ops: what the reader keeps of `raise` (the step fails there) and `print` (nothing to run).
  if (s.name === 'raise') return [{ sql: '', fail: String(c.args[0] ?? 'the migration raised an exception') }];
  if (s.name === 'print') return [];
  const spec = opSpec(s.name);
  if (!spec) throw new Unsupported(c.line, `op.${s.name}()`, 'not an operation the embedded engine runs');
  const owner = dialectOnly(spec);
  if (owner && owner !== d) throw new NotPossibleOnDialect(c.line, `op.${s.name}()`, `an operation only ${owner.displayName} has`);
  if (spec.namedByConvention && (c.args[0] === null || c.kw(spec.params!.positional[0]) === null)) needsConvention(c, s.name);
  return spec.compile(c, d, bindOp(spec, c, table), table);
}

/**
 * Alembic's batch mode: where the dialect can ALTER in place (PostgreSQL) the ops run as plain
 * ALTERs; where it cannot (SQLite), likewise when every op can run in place anyway (its
 * declaration says: add_column without an SQL-expression default, create/drop index), else the
 * table is rebuilt ("move and copy").
 */
function planBatch(b: BatchBlock, d: Dialect): PlannedStep[] {
  const a = bind(b.call, 'op.batch_alter_table', ['table_name', 'schema', 'recreate', 'partial_reordering', 'copy_from', 'table_args', 'table_kwargs', 'reflect_args', 'reflect_kwargs', 'naming_convention']);
  const tname = asString(a.table_name, b.line, 'table name');
  const schema = optString(a.schema, b.line, 'schema');
  for (const k of ['copy_from', 'table_args', 'table_kwargs', 'reflect_args', 'reflect_kwargs', 'naming_convention', 'partial_reordering'] as const) {
    if (a[k] !== undefined && a[k] !== null) throw new Unsupported(b.line, `op.batch_alter_table(..., ${k}=...)`, 'a batch option the embedded engine does not apply yet');
  }
  const recreate = a.recreate === undefined ? 'auto' : a.recreate;
  if (recreate !== 'auto' && recreate !== 'always' && recreate !== 'never') throw new Unsupported(b.line, 'recreate=...', "expected 'auto', 'always' or 'never'");
  // A database that can ALTER in place never needs the rebuild (Alembic's `requires_recreate_in_batch`).
  const alters = !d.cannotAlterInPlace;
  const inPlace = alters ? recreate !== 'always' : recreate === 'never' || (recreate === 'auto' && b.ops.every((op) => opSpec(op.name)?.batch?.inPlace?.(op.call) === true));
  if (alters && recreate === 'always') throw new Unsupported(b.line, "recreate='always'", `rebuilding a ${d.displayName} table is not supported by the embedded engine yet`);
  if (inPlace) return b.ops.map((op) => ({ kind: 'sql' as const, statements: planOp(op, d, { name: tname, schema }).map((x) => ({ ...x, line: x.line ?? op.line })) }));
  // Validate every op now, so the run stops before its first statement.
  for (const op of b.ops) {
    const spec = opSpec(op.name);
    if (!spec?.batch) throw new Unsupported(op.call.line, `batch_op.${op.name}()`, 'not supported in batch mode by the embedded engine');
    bindOp(spec, op.call, { name: tname, schema }); // refuses an argument the op does not take
    spec.batch.check?.(op.call);
  }
  return [{ kind: 'recreate', table: tname, schema, ops: b.ops, line: b.line }];
}
