/**
 * What a migration can know before it runs: the database's dialect and whether the run writes SQL
 * (`--sql`) instead of executing it. `op.get_bind()` and `op.get_context()` answer from here; a
 * question only the live database can answer (rows, the server version) is refused.
 */
import { Unsupported } from '../../values';
import { DbResult, NeedsDatabase, ReadResults } from './results';
import type { OpStatement } from '../reader';
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
  /**
   * Online, where the database answers at once (SQLite): runs the operations recorded so far up to
   * execute #k and returns its result, so that the evaluation goes on instead of starting again
   * with it; undefined where it cannot (the runner then does, as before).
   */
  readNow?: (ops: readonly OpStatement[], k: number) => DbResult | undefined;
  /** alembic.ini's main section, for `context.config.get_main_option()`. */
  mainOptions?: Record<string, string>;
  /** Told when the result depends on something besides the revision file (the ini's options). */
  onDependency?: (what: string) => void;
  /** Evaluate only this function (a run needs one of them). */
  only?: 'upgrade' | 'downgrade';
  /** Evaluation steps allowed (default: interpreter.DEFAULT_BUDGET). */
  budget?: number;
  /** The clock for `datetime.now()` and the like: read once for a revision, so evaluating it again sees the same time. */
  now?: Date;
  /** Where `uuid.uuid4()` draws from: kept for a revision's run, as `now` is. */
  seed?: string;
  /** The run's database URL as SQLAlchemy prints it (password as `***`), for `bind.engine.url`. */
  url?: UrlInfo;
}

export interface UrlInfo { drivername: string; text: string; database?: string; host?: string; port?: number; username?: string }

const DRIVERS: Record<DialectName, string> = { sqlite: 'pysqlite', postgresql: 'psycopg2' };

export class DialectProxy extends RtObject {
  readonly typeName = 'Dialect';
  /** `read`: a statement whose result the migration reads (`conn.execute`), when a connection is behind it. */
  constructor(private readonly ctx: EvalContext, private readonly read?: (sql: string, line: number) => Value) { super(); }
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
      case 'default_schema_name': {
        // SQLAlchemy asks the database when it connects; Alembic's offline mock connection never did (None).
        const d = this.known(line);
        if (this.ctx.offline) return null;
        if (d === 'sqlite') return 'main';
        if (!this.read) throw new Unsupported(line, 'dialect.default_schema_name', 'the database is asked only through the migration\'s connection');
        const result = this.read('SELECT current_schema()', line) as RtObject;
        return (result.getAttr('scalar', line) as Builtin).call([], new Map(), line);
      }
    }
    return super.getAttr(name, line);
  }
}

/** `op.get_bind()`: statements given to `execute()` run in the migration's transaction, in order. */
export class BindProxy extends RtObject {
  readonly typeName = 'Connection';
  /** `commit`: `bind.commit()`, the run's transaction committed there (world.ts records it). */
  /** `engine`: this is `bind.engine` (SQLAlchemy's Engine; Alembic's offline MockConnection is its own engine). */
  constructor(private readonly ctx: EvalContext, private readonly execute: (stmt: Value, params: Value | undefined, line: number) => Value,
    private readonly commit: (line: number) => void = () => undefined, private readonly engine = false) { super(); }
  override getAttr(name: string, line: number): Value {
    switch (name) {
      case 'dialect': return new DialectProxy(this.ctx, (sql, at) => this.execute(sql, undefined, at));
      case 'engine': return this.engine ? this : new BindProxy(this.ctx, this.execute, this.commit, true);
      case 'name':
        // Engine.name is its dialect's name; a Connection has none online (MockConnection has it offline).
        if (!this.engine && !this.ctx.offline) break;
        if (!this.ctx.dialect) throw new Unsupported(line, 'bind.engine.name', 'the database is known only when the migration runs');
        return this.ctx.dialect;
      case 'execute': case 'exec_driver_sql':
        return new Builtin(`Connection.${name}`, (args: Value[], kwargs: Kwargs, at: number) => this.execute(args[0] ?? null, args[1] ?? kwargs.get('parameters'), at));
      case 'commit': {
        if (this.ctx.offline) onlineOnly(line, 'bind.commit()', 'commit');
        return new Builtin('Connection.commit', (_a: Value[], _k: Kwargs, at: number) => { this.commit(at); return null; });
      }
      case 'url': {
        if (this.ctx.offline) onlineOnly(line, 'bind.url', 'url');
        if (!this.ctx.url) throw new Unsupported(line, 'bind.url', 'the database URL is known only when the migration runs');
        this.ctx.onDependency?.('the database URL');
        return new UrlObj(this.ctx.url, this.ctx.dialect);
      }
      case 'connect': case 'begin_nested': return refuseRead(line, `bind.${name}()`);
    }
    return refuseRead(line, `bind.${name}`);
  }
}

/** Alembic's `--sql` mode hands migrations a mock connection without it: the migration runs online only. */
function onlineOnly(line: number, what: string, attr: string): never {
  throw new NeedsDatabase(line, what, -1, `Alembic's offline mode has no connection (AttributeError: 'MockConnection' object has no attribute '${attr}'); it runs online, without --sql`);
}

/** `bind.engine.url`: SQLAlchemy's URL, its password never handed over (printed `***`, as SQLAlchemy prints it). */
class UrlObj extends RtObject {
  readonly typeName = 'URL';
  constructor(private readonly url: UrlInfo, private readonly dialect: DialectName | undefined) { super(); }
  override getAttr(name: string, line: number): Value {
    const u = this.url;
    switch (name) {
      case 'drivername': return u.drivername;
      case 'database': return u.database ?? null;
      case 'host': return u.host ?? null;
      case 'port': return u.port ?? null;
      case 'username': return u.username ?? null;
      case 'get_backend_name': return new Builtin('URL.get_backend_name', () => u.drivername.split('+')[0]);
      case 'get_driver_name': return new Builtin('URL.get_driver_name', () => u.drivername.split('+')[1] ?? (this.dialect ? DRIVERS[this.dialect] : null));
      case 'render_as_string': return new Builtin('URL.render_as_string', (_a: Value[], k: Kwargs, at: number) => {
        if (k.get('hide_password') === false) throw new Unsupported(at, 'url.render_as_string(hide_password=False)', 'the password is not handed to migrations by the embedded engine');
        return u.text;
      });
      case 'password': throw new Unsupported(line, 'url.password', 'the password is not handed to migrations by the embedded engine');
    }
    return super.getAttr(name, line);
  }
  override str(): string { return this.url.text; }
}

/** `op.get_context()`: the migration context, as far as it is known before the run. */
export class ContextProxy extends RtObject {
  readonly typeName = 'MigrationContext';
  constructor(private readonly ctx: EvalContext, private readonly bind: BindProxy) { super(); }
  override getAttr(name: string, line: number): Value {
    switch (name) {
      case 'dialect': return this.bind.getAttr('dialect', line);
      case 'bind': case 'connection': return this.bind;
      case 'as_sql': return this.ctx.offline === true;
      case 'config': return new ConfigProxy(this.ctx);
      case 'autocommit_block': return new Builtin('autocommit_block', () => new AutocommitBlock());
      case 'impl': return new ImplProxy(this.ctx, this.bind);
    }
    throw new Unsupported(line, `op.get_context().${name}`, 'this part of the migration context is not known to the embedded engine');
  }
}

/** `context.get_impl()` / `op.get_context().impl`: Alembic's dialect implementation, for its connection and dialect. */
export class ImplProxy extends RtObject {
  readonly typeName = 'DefaultImpl';
  constructor(private readonly ctx: EvalContext, private readonly bind: BindProxy) { super(); }
  override getAttr(name: string, line: number): Value {
    switch (name) {
      case 'bind': case 'connection': return this.bind;
      case 'dialect': return this.bind.getAttr('dialect', line);
      case 'as_sql': return this.ctx.offline === true;
    }
    throw new Unsupported(line, `context.get_impl().${name}`, 'this part of Alembic\'s implementation object is not known to the embedded engine');
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
      case 'get_impl': return new Builtin('context.get_impl', () => new ImplProxy(this.ctx, this.bind));
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
