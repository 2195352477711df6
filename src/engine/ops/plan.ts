/**
 * Turns a migration's op calls into the SQL Alembic would run, per dialect, before anything runs:
 * a construct that cannot be compiled stops the plan (and so the run) with its line. Each op's
 * SQL comes from its declaration (`registry/`); batch blocks on a dialect that cannot ALTER in
 * place (SQLite) are planned here and given their statements at run time, from the live table.
 */
import { Dialect, NeedsRebuild, NotPossibleOnDialect } from '../dialects';
import { ConventionInput, CONVENTION_SETTING_HINT, OpNamer } from '../naming/opNames';
import { bind } from './args';
import { readColumn } from './ddl/schema';
import { BatchBlock, OpCall, OpStatement } from './python/reader';
import { bindOp, dialectOnly, opSpec, Out, TableTarget, tableSchemaParam } from './registry';
import type { CompileOptions } from './registry/types';
import { asString, Call, isCall, optString, PyDict, PyValue, Unsupported } from './values';
import { tableCopyFrom } from './copyFrom';
import { applyBatch, type TableKwargs } from './sqliteBatch';
import { readReflectOptions, type ReflectOptions } from './reflectOptions';

export interface Statement {
  sql: string;
  /** Parameter rows (bulk_insert): the statement runs once per row. */
  rows?: unknown[][];
  /** Which parameters are JSON (offline mode cannot render them as literals, as in SQLAlchemy). */
  json?: boolean[];
  /** Not SQL: the migration raises here (`raise RuntimeError("...")`); running it fails with this. */
  fail?: string;
  /** Not SQL: an `autocommit_block()` starts or ends here (runStep.ts, offline.ts). */
  autocommit?: 'begin' | 'end';
  /** Told to the user when it runs (registry/types.ts Out.note). */
  note?: string;
  /**
   * Run only the first time this key is met in the command: SQLAlchemy creates a named type the first
   * time a table needs it, and Alembic's DDL memo lasts the whole `upgrade` (runStep.ts, offline.ts).
   */
  once?: string;
  line: number;
}

/** A batch block whose statements depend on the table as it is when the run reaches it (SQLite). */
export interface RecreatePlan {
  kind: 'recreate'; table: string; schema?: string; ops: OpCall[]; line: number;
  /** `naming_convention=` / `reflect_args=`: how the live table is reflected. */
  reflect?: ReflectOptions;
  /** `table_kwargs=`: options of the new table (SQLite's `sqlite_autoincrement`). */
  tableKwargs?: TableKwargs;
  /** Told to the user when it runs: an op outside batch mode rebuilt as batch mode would (`rebuildOutsideBatch`). */
  note?: string;
}
/** A TypeScript/JavaScript migration: its function, called with knex on the run's transaction. */
export interface JsPlan { kind: 'js'; fn: (knex: unknown) => unknown; line: number }
/**
 * A Python migration that reads rows back: evaluated again at run time with the database's answers
 * (`reads[k]`: the k-th execute's result); returns the ops recorded, and the execute whose result
 * it needs next (undefined once it has run to its end).
 */
export interface OnlinePlan {
  kind: 'online'; line: number;
  evaluate: (reads: ReadonlyMap<number, import('./python/reader').DbResult>, readNow?: import('./python/reader').EvalContext['readNow']) => { ops: OpStatement[]; needs?: number };
  /** The naming convention its ops are planned with as the run goes. */
  convention?: ConventionInput;
  /** Its ops outside batch mode rebuild the table where the dialect needs it (PlanOpsOptions). */
  rebuildOutsideBatch?: boolean;
  /** What an evaluation worker needs to evaluate it (runner/onlineWorker.ts): a Python revision's text and context. */
  worker?: import('../runner/onlinePlanning').OnlineSource;
}
export type PlannedStep = { kind: 'sql'; statements: Statement[] } | RecreatePlan | JsPlan | OnlinePlan;

export { NotPossibleOnDialect };

export interface PlanOpsOptions {
  /**
   * The naming convention of env.py's target_metadata (a lookup function is called only when a
   * name needs it). Default: SQLAlchemy's (`ix_%(column_0_label)s`), what a MetaData without one has.
   */
  convention?: ConventionInput;
  /**
   * `--sql`: a column ALTER SQLite cannot run is written as Alembic's offline mode writes it (its
   * generic ALTER COLUMN); online it stays refused before the run (SQLite rejects it).
   */
  offline?: boolean;
  /**
   * `[tool.alembic-migrations] sqlite-outside-batch = "rebuild"`: an op the dialect cannot run in
   * place outside batch mode (Alembic raises there) is run as if it were alone in a
   * `batch_alter_table` block: the table is rebuilt. Online only (the rebuild reads the live table).
   */
  rebuildOutsideBatch?: boolean;
}

export function planOps(ops: OpStatement[], d: Dialect, o: PlanOpsOptions = {}): PlannedStep[] {
  const names = new OpNamer(o.convention, d.name);
  const co: CompileOptions = { offline: o.offline === true };
  const out: PlannedStep[] = [];
  // A named type is created once (Statement.once); the run drops repeats across calls and revisions too.
  const seen = new Set<string>();
  const firstTime = (x: Out): boolean => x.once === undefined || (!seen.has(x.once) && !!seen.add(x.once));
  for (const s of ops) {
    if (s.kind === 'batch') { out.push(...planBatch(s, d, names, co)); continue; }
    try {
      out.push({ kind: 'sql', statements: planOp(s, d, names, co).filter(firstTime).map((x) => statement(x, s.line)) });
    } catch (e) {
      if (!(e instanceof NeedsRebuild)) throw e;
      if (co.offline) throw o.rebuildOutsideBatch ? new NotPossibleOnDialect(e.line, e.construct, `${e.why} (sqlite-outside-batch = "rebuild" applies to online runs only: the rebuild reads the live table)`) : e;
      if (!o.rebuildOutsideBatch) throw new NeedsRebuild(e.line, e.construct, `${e.why}; or let the embedded engine rebuild it as it stands: sqlite-outside-batch = "rebuild" under [tool.alembic-migrations] in pyproject.toml`);
      out.push(...rebuilt(s, d, names, co));
    }
  }
  return out;
}

function statement(x: Out, line: number): Statement {
  return { ...x, line: x.line ?? line } as Statement;
}

/** Ops that build a throwaway Table in Alembic without naming anything: its empty primary key still meets the `pk` template. */
const BUILDS_TABLE = new Set(['add_column', 'drop_table', 'create_table_comment', 'drop_table_comment']);

/**
 * The call with its name parameter replaced by the name the naming convention gives (as `op.f()`,
 * final), so the op's SQL carries it; the call as it is for an op that names nothing.
 */
function named(s: OpCall, names: OpNamer, table?: TableTarget): Call {
  const c = s.call;
  const spec = opSpec(s.name);
  if (!spec?.naming) return c;
  const a = bindOp(spec, c, table);
  const n = spec.naming(a, table);
  const construct = `${table ? 'batch_op' : 'op'}.${s.name}(${n.request.name === undefined ? 'None' : JSON.stringify(n.request.name)}, ...)`;
  const result = names.name(n.request, c.line, construct);
  if (result === undefined && n.required) {
    const state = names.state;
    const unread = state.convention === undefined ? `; env.py's naming convention could not be read (${state.reason}): if your models define one, ${CONVENTION_SETTING_HINT}` : '';
    throw new Unsupported(c.line, construct, (n.required === 'index'
      ? 'the index has no name (the naming convention gives none): SQLAlchemy cannot compile it'
      : 'the constraint has no name (the naming convention gives none): Alembic cannot drop an unnamed constraint') + unread);
  }
  if (result === n.request.name && (n.request.conv || result === undefined)) return result === undefined ? withName(c, spec.params!, n.param, null, table) : c;
  return withName(c, spec.params!, n.param, result === undefined ? null : new Call('op.f', [result], new Map(), c.line), table);
}

function withName(c: Call, p: NonNullable<ReturnType<typeof opSpec>>['params'] & object, param: string, v: PyValue, table?: TableTarget): Call {
  const positional = p.positional.filter((x) => !(table && x === p.tableParam));
  const i = positional.indexOf(param);
  if (c.kwargs.has(param) || i < 0 || i >= c.args.length) return new Call(c.fn, c.args, new Map([...c.kwargs, [param, v]]), c.line, c.skipped);
  return new Call(c.fn, c.args.map((x, k) => (k === i ? v : x)), c.kwargs, c.line, c.skipped);
}

/** The value of an op's name parameter in a call. */
function nameParam(opName: string, c: Call, table?: TableTarget): PyValue | undefined {
  const spec = opSpec(opName)!;
  const a = bindOp(spec, c, table);
  return a[spec.naming!(a, table).param];
}

function planOp(s: OpCall, d: Dialect, names: OpNamer, co: CompileOptions, table?: TableTarget): Out[] {
  const c = s.call;
  // Not ops: what the reader keeps of `raise` (the step fails there) and `print` (nothing to run).
  if (s.name === 'raise') return [{ sql: '', fail: String(c.args[0] ?? 'the migration raised an exception') }];
  if (s.name === 'print') return [];
  if (s.name === 'autocommit_block') return [{ sql: '', autocommit: c.args[0] === 'end' ? 'end' : 'begin' }];
  const spec = opSpec(s.name);
  if (!spec) throw new Unsupported(c.line, `op.${s.name}()`, 'not an operation the embedded engine runs');
  const owner = dialectOnly(spec);
  if (owner && owner.name !== d.name) throw new NotPossibleOnDialect(c.line, `op.${s.name}()`, `an operation only ${owner.displayName} has`);
  if (BUILDS_TABLE.has(s.name) && spec.params?.tableParam !== undefined) {
    const a = bindOp(spec, c, table);
    names.checkTable(table?.name ?? asString(a[spec.params.tableParam], c.line, 'table name'), table?.schema ?? optString(a.schema, c.line, 'schema'), c.line, `op.${s.name}()`);
  }
  const call = named(s, names, table);
  return spec.compile(call, d, bindOp(spec, call, table), table, names, co);
}

/**
 * Alembic's batch mode: where the dialect can ALTER in place (PostgreSQL) the ops run as plain
 * ALTERs; where it cannot (SQLite), likewise when every op can run in place anyway (its
 * declaration says: add_column without an SQL-expression default, create/drop index), else the
 * table is rebuilt ("move and copy").
 */
function planBatch(b: BatchBlock, d: Dialect, names: OpNamer, co: CompileOptions): PlannedStep[] {
  const a = bind(b.call, 'op.batch_alter_table', ['table_name', 'schema', 'recreate', 'partial_reordering', 'copy_from', 'table_args', 'table_kwargs', 'reflect_args', 'reflect_kwargs', 'naming_convention']);
  const tname = asString(a.table_name, b.line, 'table name');
  const schema = optString(a.schema, b.line, 'schema');
  const recreate = a.recreate === undefined ? 'auto' : a.recreate;
  if (recreate !== 'auto' && recreate !== 'always' && recreate !== 'never') throw new Unsupported(b.line, 'recreate=...', "expected 'auto', 'always' or 'never'");
  // A database that can ALTER in place never needs the rebuild (Alembic's `requires_recreate_in_batch`).
  const alters = !d.cannotAlterInPlace;
  const inPlace = alters ? recreate !== 'always' : recreate === 'never' || (recreate === 'auto' && b.ops.every((op) => opSpec(op.name)?.batch?.inPlace?.(op.call) === true));
  if (alters && recreate === 'always') throw new Unsupported(b.line, "recreate='always'", `rebuilding a ${d.displayName} table is not supported by the embedded engine yet`);
  const target = { name: tname, schema };
  if (inPlace) return b.ops.map((op) => ({ kind: 'sql' as const, statements: planOp(op, d, names, co, target).map((x) => ({ ...x, line: x.line ?? op.line })) }));
  // Options of the rebuild only: Alembic does not look at them when the ops ALTER in place (above).
  for (const k of ['table_args', 'reflect_kwargs', 'partial_reordering'] as const) {
    if (a[k] !== undefined && a[k] !== null) throw new Unsupported(b.line, `op.batch_alter_table(..., ${k}=...)`, 'a batch option of the table rebuild the embedded engine does not apply yet');
  }
  const tableKwargs = readTableKwargs(a.table_kwargs, b.line);
  // Validate every op now, so the run stops before its first statement; names are decided now too
  // (Alembic names the op's constraint with target_metadata's convention before the batch sees it).
  const ops: OpCall[] = [];
  for (const op of b.ops) {
    const spec = opSpec(op.name);
    const batch = spec?.batch;
    if (!spec || !batch) throw new Unsupported(op.call.line, `batch_op.${op.name}()`, 'not supported in batch mode by the embedded engine');
    bindOp(spec, op.call, target); // refuses an argument the op does not take
    batch.check?.(op.call);
    if (op.name === 'add_column') checkBatchColumnNames(op.call, target, names);
    const call = named(op, names, target);
    if (/^create_/.test(op.name) && call !== op.call && nameParam(op.name, call, target) === null) {
      throw new Unsupported(op.call.line, `batch_op.${op.name}(None, ...)`, 'Alembic raises ValueError here: Constraint must have a name (the naming convention gives none)');
    }
    ops.push(call === op.call ? op : { ...op, call });
  }
  // copy_from=: the table is known now, so are the statements (no reflection: offline too).
  if (isCall(a.copy_from)) return [{ kind: 'sql', statements: applyBatch(d, tname, { ...tableCopyFrom(a.copy_from, d), ...tableKwargs }, ops) }];
  const reflect = readReflectOptions(a.naming_convention, a.reflect_args, b.line);
  return [{ kind: 'recreate', table: tname, schema, ops, line: b.line, ...(reflect.convention || reflect.columns ? { reflect } : {}), ...(tableKwargs && { tableKwargs }) }];
}

/**
 * An op outside batch mode planned as the same op alone in a batch block (the table rebuilt), told
 * in the run log; what batch mode refuses is refused in the op's own words.
 */
function rebuilt(s: OpCall, d: Dialect, names: OpNamer, co: CompileOptions): PlannedStep[] {
  const note = `op.${s.name}(): Alembic cannot run this on ${d.displayName} outside batch mode; the table is rebuilt as \`with op.batch_alter_table(...)\` would (sqlite-outside-batch = "rebuild")`;
  try {
    return planBatch(asBatchBlock(s), d, names, co).map((p) => (p.kind === 'recreate' ? { ...p, note } : p));
  } catch (e) {
    if (!(e instanceof Unsupported)) throw e;
    const why = `${e.why} (with sqlite-outside-batch = "rebuild" the op runs as in its own batch_alter_table block)`;
    // Alembic cannot run the op here at all: handing the run to it would not help.
    throw new NotPossibleOnDialect(e.line, e.construct.replace(/^batch_op\./, 'op.'), why);
  }
}

/**
 * `op.<name>(..., table, ...)` as `with op.batch_alter_table(table) as batch_op: batch_op.<name>(...)`:
 * the same call without its table (and the table's schema, which the block takes).
 */
function asBatchBlock(s: OpCall): BatchBlock {
  const c = s.call;
  const spec = opSpec(s.name)!;
  const p = spec.params!;
  const a = bindOp(spec, c);
  const table = asString(a[p.tableParam!], c.line, 'table name');
  const schemaParam = tableSchemaParam(spec);
  const schema = optString(a[schemaParam], c.line, schemaParam);
  const i = p.positional.indexOf(p.tableParam!);
  const args = i < c.args.length ? c.args.filter((_, k) => k !== i) : c.args;
  const kwargs = new Map([...c.kwargs].filter(([k]) => k !== p.tableParam && k !== schemaParam));
  const block = new Call('op.batch_alter_table', [table], new Map(schema === undefined ? [] : [['schema', schema]]), c.line);
  return { kind: 'batch', call: block, line: s.line, ops: [{ ...s, call: new Call(`batch_op.${s.name}`, args, kwargs, c.line, c.skipped) }] };
}

/** `table_kwargs={'sqlite_autoincrement': True}`: the one table option of a rebuild applied; any other is refused. */
function readTableKwargs(v: PyValue | undefined, line: number): TableKwargs | undefined {
  if (v === undefined || v === null) return undefined;
  if (!(v instanceof PyDict)) throw new Unsupported(line, 'op.batch_alter_table(..., table_kwargs=...)', 'expected a dict');
  for (const [k, x] of v.entries) {
    if (k !== 'sqlite_autoincrement' || typeof x !== 'boolean') throw new Unsupported(line, `op.batch_alter_table(..., table_kwargs={${JSON.stringify(k)}: ...})`, 'a table option of the rebuild the embedded engine does not apply yet (only sqlite_autoincrement)');
  }
  return v.entries.size ? { sqliteAutoincrement: v.entries.get('sqlite_autoincrement') === true } : undefined;
}

/**
 * A column added in a SQLite rebuild keeps the names it had before naming conventions were read
 * (its UNIQUE unnamed, its foreign keys as given, its index `ix_<table>_<column>`): refused when
 * the convention names them otherwise.
 */
function checkBatchColumnNames(c: Call, t: TableTarget, names: OpNamer): void {
  const col = readColumn(bind(c, 'batch_op.add_column', ['column'], ['insert_before', 'insert_after', 'inline_references', 'inline_primary_key', 'if_not_exists']).column!, c.line);
  const construct = `batch_op.add_column(sa.Column(${JSON.stringify(col.name)}, ...))`;
  const differs = (col.unique && !col.index && names.name({ kind: 'uq', table: t.name, schema: t.schema, columns: [col.name] }, c.line, construct) !== undefined)
    || col.foreignKeys.some((fk) => names.name({ kind: 'fk', table: t.name, schema: t.schema, columns: [col.name], name: fk.name, conv: fk.conv, referredTable: fk.refTable, referredSchema: fk.refSchema, referredColumns: fk.refColumns, referredTableKnown: fk.refTable === t.name && fk.refSchema === t.schema }, c.line, construct) !== fk.name)
    || (col.index && names.name({ kind: 'ix', table: t.name, schema: t.schema, columns: [col.name] }, c.line, construct) !== `ix_${t.name}_${col.name}`);
  if (differs) throw new Unsupported(c.line, construct, 'a constraint or index named by the naming convention, on a column added in a SQLite batch rebuild: not supported by the embedded engine yet');
}
