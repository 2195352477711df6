/**
 * `op` and `batch_op` as migrations see them: each operation the registry knows is recorded, with
 * its arguments as data, into the function's statements (or the batch block's); `op.f`,
 * `op.get_bind`, `op.get_context`, `op.execute` and `op.batch_alter_table` answer directly.
 */
import { Call, ExpressionText, PyValue, TableRef, TextClause, Unsupported } from '../../values';
import { withColumnDefaults } from './libraries/postgresqlEnum';
import { isBatchOp, opSpec } from '../../registry';
import type { OpStatement } from '../reader';
import { data } from './sqlalchemy';
import { FuncClause, TableObj } from './core';
import { MetaDataObj } from './reflect';
import { Builtin, Kwargs, RtObject, Value } from './runtime';
import type { World } from './world';

const WHY: Record<string, string> = {
  invoke: 'it runs a Python operation object', run_async: 'it runs Python code',
  implementation_for: 'it defines a custom operation', register_operation: 'it defines a custom operation',
};
/** `op`: each known operation is recorded with its arguments as data. */
export class OpProxy extends RtObject {
  readonly typeName = 'Operations';
  constructor(private readonly world: World) { super(); }
  override getAttr(name: string, line: number): Value {
    const w = this.world;
    switch (name) {
      case 'f': return new Builtin('op.f', ([n]: Value[], _k: Kwargs, at: number) => new Call('op.f', [data(n ?? null, at, 'op.f()')], new Map(), at));
      case 'get_bind': return new Builtin('op.get_bind', () => w.bind);
      case 'get_context': return new Builtin('op.get_context', () => w.context);
      case 'inline_literal': return new Builtin('op.inline_literal', ([v]: Value[]) => v ?? null);
      case 'execute': return new Builtin('op.execute', ([stmt]: Value[], kwargs: Kwargs, at: number) => { w.execute(stmt ?? kwargs.get('sqltext') ?? null, undefined, at, 'op.execute'); return null; });
      case 'batch_alter_table': return new OpMethod(w, name, w.sink);
    }
    if (name in WHY) throw new Unsupported(line, `op.${name}()`, WHY[name]);
    if (!opSpec(name)) throw new Unsupported(line, `op.${name}()`, 'not an operation the embedded engine runs');
    return new OpMethod(w, name, undefined);
  }
}

export class OpMethod extends RtObject {
  readonly typeName = 'method';
  constructor(private readonly world: World, readonly name: string, private readonly into: OpStatement[] | undefined, private readonly batch = false) { super(); }
  override call(args: Value[], kwargs: Kwargs, line: number, skipped?: Set<string>): Value {
    const prefix = this.batch ? 'batch' : 'op';
    const what = `an argument of ${prefix}.${this.name}()`;
    // A MetaData among create_table's columns (neutron's `op.create_table('t', sa.MetaData(), ...)`):
    // SQLAlchemy's Table passes over it, so the CREATE TABLE is the same without it.
    if (this.name === 'create_table' && !this.batch) args = args.filter((a, i) => i === 0 || !(a instanceof MetaDataObj));
    let plainArgs = args.map((a, i) => (i === 0 && !this.batch && a instanceof TableObj && (this.name === 'create_table' || this.name === 'drop_table') ? tableAsName(a, line) : data(a, line, what)));
    const plainKwargs = new Map<string, PyValue>();
    for (const [k, v] of kwargs) plainKwargs.set(k, this.name === 'batch_alter_table' && k === 'copy_from' ? copyFrom(v, line) : data(v, line, `${k}=`));
    if (this.name === 'create_index') {
      // A function as an index element (`sa.func.lower(sa.column('email'))`): an SQL expression, as SQLAlchemy renders it.
      const at = this.batch ? 1 : 2;
      const cols = plainKwargs.get('columns') ?? plainArgs[at];
      if (Array.isArray(cols)) {
        const exprs = cols.map((c) => (c instanceof Call && c.fn.startsWith('sa.func.') ? new ExpressionText((new FuncClause(c).toData() as TextClause).sql) : c));
        if (plainKwargs.has('columns')) plainKwargs.set('columns', exprs);
        else plainArgs = plainArgs.map((x, i) => (i === at ? exprs : x));
      }
    }
    let call = new Call(`${prefix}.${this.name}`, plainArgs, plainKwargs, line, skipped);
    if (this.name === 'sync_enum_values') {
      const w = this.world;
      call = withColumnDefaults(call, w.ctx.dialect, (sql) => ((w.execute(new TextClause(sql), undefined, line, 'conn.execute') as RtObject).getAttr('scalar', line) as Builtin).call([], new Map(), line));
    }
    if (this.name === 'batch_alter_table') return new BatchContext(call);
    this.world.record(this.name, call, line, this.into ?? this.world.sink);
    return this.name === 'create_table' ? new TableRef(call) : null;
  }
}

/**
 * A Table given where the table name goes (`op.create_table(t)`, `op.drop_table(t)`): Alembic takes
 * its str(), the name, and builds a new Table of that name (without the given one's columns).
 */
function tableAsName(t: TableObj, line: number): PyValue {
  if (t.schema !== undefined) throw new Unsupported(line, `a Table with schema= as the table name`, 'Alembic would take "schema.name" as the name of a table: not followed by the embedded engine');
  return t.name;
}

/** `copy_from=`: the Table as written, its columns, constraints and indexes (not the plain `sa.table()` DML sees). */
function copyFrom(v: Value, line: number): PyValue {
  if (v === null) return null;
  const def = v instanceof TableObj ? v.fullDefinition() : undefined;
  if (!def) throw new Unsupported(line, 'op.batch_alter_table(..., copy_from=...)', 'expected an sa.Table(name, sa.MetaData(), sa.Column(...), ...) written in the migration');
  return def;
}

export class BatchContext extends RtObject {
  readonly typeName = 'BatchOperations';
  constructor(readonly source: Call) { super(); }
}

/** `batch_op`: the batch operations, recorded into the block. */
export class BatchProxy extends RtObject {
  readonly typeName = 'BatchOperations';
  constructor(private readonly world: World, private readonly ops: OpStatement[]) { super(); }
  override getAttr(name: string, line: number): Value {
    if (name === 'f') return new Builtin('batch_op.f', ([n]: Value[], _k: Kwargs, at: number) => new Call('op.f', [data(n ?? null, at, 'op.f()')], new Map(), at));
    if (name === 'execute' || name === 'get_bind') return this.world.op.getAttr(name, line);
    if (!isBatchOp(name)) throw new Unsupported(line, `batch_op.${name}()`, 'not an operation the embedded engine runs in batch mode');
    return new OpMethod(this.world, name, this.ops, true);
  }
}

