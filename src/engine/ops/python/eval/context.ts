/**
 * What a migration can know before it runs: the database's dialect and whether the run writes SQL
 * (`--sql`) instead of executing it. `op.get_bind()` and `op.get_context()` answer from here; a
 * question only the live database can answer (rows, the server version) is refused.
 */
import { Unsupported } from '../../values';
import type { ReadResults } from './results';
import { Builtin, Kwargs, RtObject, Value } from './runtime';

export type DialectName = 'sqlite' | 'postgresql';

export interface EvalContext {
  /** The database the migration runs on; undefined when it is not known (then asking for it is refused). */
  dialect?: DialectName;
  /** `--sql`: statements are written out, not run. */
  offline?: boolean;
  /** The revision file (imports resolve from the project around it). */
  file?: string;
  /** Folders project imports resolve from (alembic.ini's `prepend_sys_path`, the project folder). */
  importRoots?: string[];
  /** The database's answers to the function's reads so far (online runs only). */
  reads?: ReadResults;
  /** alembic.ini's main section, for `context.config.get_main_option()`. */
  mainOptions?: Record<string, string>;
  /** Told when the result depends on something besides the revision file (the ini's options). */
  onDependency?: (what: string) => void;
  /** Evaluate only this function (a run needs one of them). */
  only?: 'upgrade' | 'downgrade';
  /** Evaluation steps allowed (default: interpreter.DEFAULT_BUDGET). */
  budget?: number;
}

const DRIVERS: Record<DialectName, string> = { sqlite: 'pysqlite', postgresql: 'psycopg2' };

export class DialectProxy extends RtObject {
  readonly typeName = 'Dialect';
  constructor(private readonly ctx: EvalContext) { super(); }
  private known(line: number): DialectName {
    if (!this.ctx.dialect) throw new Unsupported(line, 'bind.dialect.name', 'the database is known only when the migration runs');
    return this.ctx.dialect;
  }
  override getAttr(name: string, line: number): Value {
    switch (name) {
      case 'name': return this.known(line);
      case 'driver': return DRIVERS[this.known(line)];
      case 'server_version_info': return refuseRead(line, 'bind.dialect.server_version_info');
      case 'type_descriptor': return new Builtin('dialect.type_descriptor', ([t]: Value[]) => t ?? null);
    }
    return super.getAttr(name, line);
  }
}

/** `op.get_bind()`: statements given to `execute()` run in the migration's transaction, in order. */
export class BindProxy extends RtObject {
  readonly typeName = 'Connection';
  constructor(private readonly ctx: EvalContext, private readonly execute: (stmt: Value, params: Value | undefined, line: number) => Value) { super(); }
  override getAttr(name: string, line: number): Value {
    switch (name) {
      case 'dialect': return new DialectProxy(this.ctx);
      case 'engine': return this;
      case 'execute': case 'exec_driver_sql':
        return new Builtin(`Connection.${name}`, (args: Value[], kwargs: Kwargs, at: number) => this.execute(args[0] ?? null, args[1] ?? kwargs.get('parameters'), at));
      case 'connect': case 'begin_nested': return refuseRead(line, `bind.${name}()`);
    }
    return refuseRead(line, `bind.${name}`);
  }
}

/** `op.get_context()`: the migration context, as far as it is known before the run. */
export class ContextProxy extends RtObject {
  readonly typeName = 'MigrationContext';
  constructor(private readonly ctx: EvalContext, private readonly bind: BindProxy) { super(); }
  override getAttr(name: string, line: number): Value {
    switch (name) {
      case 'dialect': return new DialectProxy(this.ctx);
      case 'bind': case 'connection': return this.bind;
      case 'as_sql': return this.ctx.offline === true;
      case 'config': return new ConfigProxy(this.ctx);
      case 'autocommit_block': return new Builtin('autocommit_block', () => new AutocommitBlock());
    }
    throw new Unsupported(line, `op.get_context().${name}`, 'this part of the migration context is not known to the embedded engine');
  }
}

/** `with op.get_context().autocommit_block():` (world.withStatement records where it starts and ends). */
export class AutocommitBlock extends RtObject {
  readonly typeName = 'autocommit_block';
}

/** `from alembic import context`: the environment's answers that are known before the run. */
export class EnvironmentProxy extends RtObject {
  readonly typeName = 'module';
  constructor(private readonly ctx: EvalContext, private readonly migration: ContextProxy, private readonly bind: BindProxy) { super(); }
  override getAttr(name: string, line: number): Value {
    switch (name) {
      case 'is_offline_mode': return new Builtin('context.is_offline_mode', () => this.ctx.offline === true);
      case 'get_context': return new Builtin('context.get_context', () => this.migration);
      case 'get_bind': return new Builtin('context.get_bind', () => this.bind);
      case 'config': return new ConfigProxy(this.ctx);
    }
    throw new Unsupported(line, `context.${name}`, 'this part of the migration environment (env.py, -x arguments) is not known to the embedded engine');
  }
}

/** `context.config`: alembic.ini as the run reads it. */
class ConfigProxy extends RtObject {
  readonly typeName = 'Config';
  constructor(private readonly ctx: EvalContext) { super(); }
  override getAttr(name: string, line: number): Value {
    const opts = this.ctx.mainOptions;
    if (name === 'get_main_option' && opts) {
      this.ctx.onDependency?.('alembic.ini');
      return new Builtin('config.get_main_option', ([key, dflt]: Value[]) => (typeof key === 'string' && key.toLowerCase() in opts ? opts[key.toLowerCase()] : dflt ?? null));
    }
    throw new Unsupported(line, `config.${name}`, opts ? 'this part of the Alembic configuration is not known to the embedded engine' : 'the Alembic configuration is not known here');
  }
}

export function refuseRead(line: number, what: string): never {
  throw new Unsupported(line, what, 'it reads from the database while the migration runs, which the embedded engine does not do yet');
}
