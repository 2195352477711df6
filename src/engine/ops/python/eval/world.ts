/**
 * Everything a migration's code can reach while it is evaluated: the built-ins, the imports
 * (SQLAlchemy and Alembic as modelled, the project's own modules followed statically, nothing
 * else), `op` (whose calls are recorded, in order, as the operations the run will compile), the
 * connection and context of `op.get_bind()` / `op.get_context()`, and `with`/`raise` semantics.
 */
import type { SyntaxNode } from '@lezer/common';
import { Call, PyValue, TableRef, TextClause, Unsupported } from '../../values';
import type { BatchBlock, OpCall, OpStatement } from '../reader';
import { AttributeHost } from './attributes';
import { BatchContext, BatchProxy, OpMethod, OpProxy } from './opProxy';
import { makeBuiltins, RaisedError } from './builtins';
import { AutocommitBlock, BindProxy, ContextProxy, DialectProxy, EnvironmentProxy, EvalContext } from './context';
import { NeedsDatabase, ResultProxy, Row } from './results';
import { InspectorObj } from './inspector';
import { ModelObject, ormClassHooks, type OrmHost } from './orm';
import { makeSession, SessionObj } from './session';
import { PyClass, PyInstance, SuperProxy } from './classes';
import { Importer } from './imports';
import { ColumnObj, columnOperator, FuncClause, setEvaluationDialect, Statement } from './core';
import { PythonError, StopEvaluation } from './errors';
import { pyStr } from './format';
import { Interpreter } from './interpreter';
import { line as lineOf, snippet, text } from './tree';
import { OperatorHost } from './operators';
import { tryStatement } from './tryStatement';
import { enclosingDef, enterGenerator, GeneratorContext, YieldHook } from './contextManager';
import { CheckedStatement, data, SqlAlchemyHost } from './sqlalchemy';
import { DDL_ELEMENTS } from '../../ddl/ddlElements';
import { Builtin, Kwargs, Namespace, Opaque, RtObject, Scope, typeName, Unit, Value } from './runtime';

/** Keyword arguments that only matter to Python at run time: evaluated when possible, never required. */
const PYTHON_SIDE = new Set(['default', 'onupdate', 'info', 'doc']);
const FK_CALLS = new Set(['sa.ForeignKey', 'sa.ForeignKeyConstraint']);

export { StopEvaluation };

/** The migration's own `raise` inside a `try`: an error its handlers may catch. */
class RaisedInTry extends PythonError {}

export class World implements OperatorHost, AttributeHost {
  /** Where op calls go: the evaluated function's statements (a throwaway list at module level). */
  sink: OpStatement[] = [];
  readonly sa: SqlAlchemyHost;
  readonly interp: Interpreter;
  readonly ellipsis = null;
  private builtinsMap?: Map<string, Value>;
  readonly op: OpProxy;
  readonly bind: BindProxy;
  readonly context: ContextProxy;
  readonly environment: EnvironmentProxy;
  readonly imports: Importer;
  /** Files besides the revision that the evaluation read (project modules): a cached plan would miss their edits. */
  readonly dependsOn = new Set<string>();
  private inBatch = false;
  /** The running @contextmanager generator's `yield` (contextManager.ts). */
  yieldHook?: YieldHook;
  private inAutocommit = false;
  /** Op calls recorded, and the errors `except` handlers are handling (tryStatement.ts). */
  recorded = 0;
  /** The evaluated function runs (not the module's top level, whose ops go to a throwaway list). */
  inFunction = false;
  readonly handling: PythonError[] = [];
  private tryDepth = 0;
  private executes = 0;

  constructor(readonly ctx: EvalContext) {
    const { reads, readNow } = ctx;
    // A read not answered yet is answered now where the runner can (in the function, outside a batch
    // block, an autocommit block or a try, whose statements it does not run early); else the evaluation stops.
    if (readNow) this.ctx = { ...ctx, reads: { get: (k) => reads?.get(k) ?? (!this.inFunction || this.inBatch || this.inAutocommit || this.tryDepth ? undefined : readNow(this.sink, k)) } };
    setEvaluationDialect(ctx.dialect);
    this.interp = new Interpreter(this, ctx.budget);
    this.sa = new SqlAlchemyHost({
      dialect: ctx.dialect,
      execute: (sql, line) => this.record('execute', new Call('op.execute', [this.checked(sql)], new Map(), line), line),
      call: (fn, args, line) => this.callValue(fn, args, new Map(), line),
      inspect: (target, line) => this.inspect(target, line),
      session: (args, kwargs, line, what) => makeSession(this.ormHost(line), args, kwargs, line, what),
    });
    this.bind = new BindProxy(this.ctx, (stmt, params, line) => this.execute(stmt, params, line, 'conn.execute'), (line) => this.commit(line));
    this.context = new ContextProxy(this.ctx, this.bind);
    this.environment = new EnvironmentProxy(this.ctx, this.context, this.bind);
    this.op = new OpProxy(this);
    this.imports = new Importer(this);
  }

  // ---- recording ----

  /** Returns, for an `execute`, its index among the function's executes (how the runner keys results). */
  record(name: string, call: Call, line: number, into: OpStatement[] = this.sink): number {
    into.push({ kind: 'op', name, call, line } satisfies OpCall);
    this.recorded++;
    return name === 'execute' ? this.executes++ : -1;
  }

  /** A catalog-checked statement as this run writes it: the check runs online; `--sql` writes what Alembic does (no check). */
  private checked<T>(stmt: T): T | TextClause {
    return stmt instanceof CheckedStatement ? new TextClause(this.ctx.offline ? stmt.offlineSql : stmt.sql) : stmt;
  }

  /** `op.execute(x)` / `conn.execute(x, params)`: a statement, run where it is in the migration. */
  execute(stmt: Value, params: Value | undefined, line: number, what: string): Value {
    if (stmt instanceof Opaque) stmt.fail(line);
    const rows = params === undefined || params === null ? [undefined] : Array.isArray(params) ? params : [params];
    let k = -1;
    for (const p of rows) {
      let sql: PyValue;
      if (stmt instanceof Statement) {
        if (!this.ctx.dialect) throw new Unsupported(line, `${what}(${stmt.kind}())`, 'the SQL depends on the database, known only when the migration runs');
        if (p !== undefined) throw new Unsupported(line, `${what}(stmt, params)`, 'parameters given apart from a Core statement are not evaluated');
        sql = new TextClause(stmt.compile(this.ctx.dialect).replace(/:/g, '\\:'));
      } else if (stmt instanceof CheckedStatement) {
        sql = this.checked(stmt);
      } else if (stmt instanceof TextClause || typeof stmt === 'string') {
        const text0 = stmt instanceof TextClause ? stmt : new TextClause(stmt);
        sql = p === undefined ? (typeof stmt === 'string' ? stmt : text0) : this.sa.constructAttr(text0, 'bindparams', line) instanceof Builtin
          ? ((this.sa.constructAttr(text0, 'bindparams', line) as Builtin).call([], kwargsOf(p, line), line) as TextClause)
          : text0;
      } else if (stmt instanceof Call && DDL_ELEMENTS.includes(stmt.fn)) {
        if (p !== undefined) throw new Unsupported(line, `${what}(ddl, params)`, 'DDL takes no parameters');
        sql = stmt; // written by op.execute's compile, under the project's SQLAlchemy rules
      } else {
        throw new Unsupported(line, `${what}(${typeName(stmt)})`, 'expected an SQL string, sa.text(...), a Core statement or a DDL element (CreateSequence, CreateSchema...)');
      }
      k = this.record('execute', new Call('op.execute', [sql], new Map(), line), line);
    }
    return new ResultProxy(k, this.ctx.reads, what === 'op.execute' ? 'op.execute(...)' : 'conn.execute(...)', stmt instanceof Statement ? resultProcessors(stmt, this.ctx.dialect) : []);
  }

  /**
   * `bind.commit()`: the run's transaction is committed here and a new one begins, as an empty
   * autocommit block does (inside one, there is no transaction to commit).
   */
  private commit(line: number): void {
    if (this.inBatch) throw new Unsupported(line, 'bind.commit()', 'a commit inside a batch block');
    if (this.inAutocommit) return;
    this.record('autocommit_block', new Call('autocommit_block', ['begin'], new Map(), line), line);
    this.record('autocommit_block', new Call('autocommit_block', ['end'], new Map(), line), line);
  }

  /** `sa.inspect(bind)`: its methods read the schema, as `conn.execute(...)` reads rows. */
  inspect(target: Value, line: number): Value {
    if (!(target instanceof BindProxy)) {
      if (target instanceof Opaque) target.fail(line);
      throw new Unsupported(line, `sa.inspect(${typeName(target)})`, 'only the migration\'s connection (op.get_bind()) is inspected by the embedded engine');
    }
    return new InspectorObj({
      dialect: this.ctx.dialect,
      reads: this.ctx.reads,
      record: (sql, at) => this.record('execute', new Call('op.execute', [sql], new Map(), at), at),
    }, target);
  }

  /** What an ORM Session runs on: the migration's connection. */
  private ormHost(line: number): OrmHost {
    const dialect = this.ctx.dialect;
    if (!dialect) throw new Unsupported(line, 'sqlalchemy.orm.Session', 'the SQL depends on the database, known only when the migration runs');
    return {
      offline: this.ctx.offline, dialect, bind: this.bind,
      isBind: (v) => v === this.bind,
      execute: (stmt, at, what) => {
        // Alembic's offline mode has no connection a Session can use: like a read, it runs online only.
        if (this.ctx.offline) throw new NeedsDatabase(at, what, -1);
        return this.execute(stmt, undefined, at, what) as RtObject;
      },
    };
  }

  // ---- names ----

  builtin(name: string): Value | undefined {
    this.builtinsMap ??= makeBuiltins((fn, args, kwargs, line) => this.callValue(fn, args, kwargs, line), (items) => dedupe(items));
    return this.builtinsMap.get(name);
  }

  opaque(what: string, why: string): Opaque { return new Opaque(what, why); }

  makeSet(items: Value[]): Value[] { return dedupe(items); }

  importInto(stmtText: string, unit: Unit, scope: Scope, line: number): void { this.imports.importInto(stmtText, unit, scope, line); }

  // ---- classes ----

  makeClass(name: string, bases: Value[]): PyClass {
    for (const b of bases) {
      if (b instanceof Opaque) b.fail(0);
      if (!(b instanceof PyClass) && !(b instanceof Namespace) && !(b instanceof Builtin)) throw new Unsupported(0, `class ${name}(...)`, 'a base class the engine does not model');
    }
    return new PyClass(name, bases, () => new DialectProxy(this.ctx), ormClassHooks);
  }

  superOf(self: Value | undefined, cls: Value | undefined, line: number): Value {
    if (!(self instanceof PyInstance) || !(cls instanceof PyClass)) throw new Unsupported(line, 'super()', 'super() outside a method of a class');
    return new SuperProxy(self, cls);
  }

  setAttr(obj: Value, name: string, value: Value, line: number): void {
    if (obj instanceof PyInstance) { obj.setAttr(name, value); return; }
    if (obj instanceof PyClass) { obj.attrs.set(name, value); return; }
    if (obj instanceof ModelObject) { obj.set(name, value, line); return; }
    throw new Unsupported(line, `.${name} = ...`, `setting an attribute of ${typeName(obj)} is not evaluated`);
  }

  // ---- calls and operators ----

  pythonSideKeywords(callee: Value): (key: string) => boolean {
    const fk = callee instanceof Namespace && FK_CALLS.has(callee.name) || callee instanceof OpMethod && callee.name === 'create_foreign_key';
    return (k) => (PYTHON_SIDE.has(k) && !(fk && k === 'onupdate')) || k.startsWith('existing_');
  }

  callValue(callee: Value, args: Value[], kwargs: Kwargs, line: number, skipped?: Set<string>, what?: () => string): Value {
    if (callee instanceof RtObject) return callee.call(args, kwargs, line, skipped);
    if (callee instanceof Call || callee instanceof TextClause || callee instanceof TableRef) {
      throw new Unsupported(line, what?.() ?? typeName(callee), 'calling a SQLAlchemy construct is not evaluated');
    }
    throw new PythonError(line, 'TypeError', `'${typeName(callee)}' object is not callable`);
  }

  operator(op: string, l: Value, r: Value): Value | undefined {
    // `sa.Column('n', ...) > 0` in a CHECK: the column as an expression.
    const asColumn = (v: Value) => (v instanceof Call && v.fn === 'sa.Column' && typeof v.args[0] === 'string' ? new ColumnObj(v.args[0])
      : v instanceof Call && v.fn.startsWith('sa.func.') ? new FuncClause(v) : v);
    return columnOperator(op, asColumn(l), asColumn(r));
  }

  getItem(obj: RtObject, key: Value, line: number): Value {
    // Generic aliases in annotations and bases: `TypeDecorator[uuid.UUID]`, `Optional[str]`.
    if (obj instanceof Namespace || obj instanceof Opaque || obj instanceof PyClass) return obj;
    if (obj instanceof Row) return obj.item(key, line);
    if (typeof key === 'string') {
      const c = obj.getAttr('c', line);
      if (obj.typeName === 'ColumnCollection') return obj.getAttr(key, line);
      if (c instanceof RtObject) return c.getAttr(key, line);
    }
    throw new PythonError(line, 'TypeError', `'${obj.typeName}' object is not subscriptable`);
  }

  constructAttr(obj: Call | TextClause | TableRef, name: string, line: number): Value { return this.sa.constructAttr(obj, name, line); }

  // ---- statements with meaning ----

  withStatement(s: SyntaxNode, unit: Unit, scopes: Scope[], interp: Interpreter): void {
    const items: SyntaxNode[] = [];
    let asName: SyntaxNode | undefined;
    let body: SyntaxNode | undefined;
    for (let c = s.firstChild!.nextSibling; c; c = c.nextSibling) {
      if (c.name === 'Body') body = c;
      else if (c.name === 'as') { asName = c.nextSibling!; c = c.nextSibling!; }
      else if (c.name !== ',') items.push(c);
    }
    const at = lineOf(unit, s);
    const only = 'only `with op.batch_alter_table(...) as batch_op:`, `with op.get_context().autocommit_block():` and `with Session(...)` are evaluated';
    if (items.length !== 1 || !body) throw new Unsupported(at, snippet(unit, s), only);
    const ctx = interp.expr(items[0], unit, scopes);
    if (ctx instanceof AutocommitBlock) { this.autocommitBlock(body, unit, scopes, interp, at, asName); return; }
    if (ctx instanceof GeneratorContext) {
      if (asName && asName.name !== 'VariableName') throw new Unsupported(at, snippet(unit, s), 'only `as name` is bound from a contextmanager by the embedded engine');
      enterGenerator(ctx, at, this, (yielded) => {
        if (asName) scopes[0].vars.set(text(unit, asName), yielded);
        interp.block(body, unit, scopes);
      });
      return;
    }
    if (ctx instanceof SessionObj) {
      // `with Session(bind=...) as session:` closes it at the end (no commit; the run's transaction is untouched).
      if (asName) scopes[0].vars.set(text(unit, asName), ctx);
      interp.block(body, unit, scopes);
      (ctx.getAttr('close', at) as Builtin).call([], new Map(), at);
      return;
    }
    if (!(ctx instanceof BatchContext)) throw new Unsupported(at, snippet(unit, s), only);
    if (this.inBatch) throw new Unsupported(at, snippet(unit, s), 'a batch inside a batch');
    this.inBatch = true;
    const block: BatchBlock = { kind: 'batch', call: ctx.source, line: at, ops: [] };
    if (asName) scopes[0].vars.set(text(unit, asName), new BatchProxy(this, block.ops));
    // op.* calls inside the block run at once, before the batch itself (which runs at the block's end).
    const outer = this.sink;
    try { interp.block(body, unit, scopes); } finally { this.sink = outer; this.inBatch = false; }
    this.sink.push(block);
  }

  /**
   * The block's statements run outside the run's transaction: the runner commits before it and
   * begins again after it (runStep.ts); `--sql` writes COMMIT / BEGIN there on PostgreSQL, as Alembic.
   * Recorded only when the block ends normally: a read inside it stops the evaluation, and the
   * runner then runs what was recorded so far (the start included) before evaluating again.
   */
  private autocommitBlock(body: SyntaxNode, unit: Unit, scopes: Scope[], interp: Interpreter, at: number, asName: SyntaxNode | undefined): void {
    if (this.inBatch) throw new Unsupported(at, 'autocommit_block()', 'an autocommit block inside a batch block');
    if (this.inAutocommit) throw new Unsupported(at, 'autocommit_block()', 'an autocommit block inside another: Alembic would commit its transaction twice');
    if (asName) scopes[0].vars.set(text(unit, asName), null);
    this.record('autocommit_block', new Call('autocommit_block', ['begin'], new Map(), at), at);
    this.inAutocommit = true;
    try { interp.block(body, unit, scopes); } finally { this.inAutocommit = false; }
    this.record('autocommit_block', new Call('autocommit_block', ['end'], new Map(), at), at);
  }

  /** `yield value`: the with block of the running @contextmanager generator, when it is this function's. */
  yieldValue(n: SyntaxNode, unit: Unit, value: Value, at: number): Value {
    const hook = this.yieldHook;
    if (!hook || !hook.owns(enclosingDef(n), unit)) throw new Unsupported(at, 'yield', 'a generator is run by the embedded engine only as a @contextlib.contextmanager entered by a with statement');
    hook.onYield(value, at);
    return null; // what `x = yield` receives: the context manager sends nothing
  }

  raise(s: SyntaxNode, unit: Unit, scopes: Scope[], interp: Interpreter): void {
    const at = lineOf(unit, s);
    const e = s.firstChild!.nextSibling;
    if (!e || e.name === 'from') {
      if (this.handling.length) throw this.handling[this.handling.length - 1]; // re-raised inside `except`
      throw new Unsupported(at, 'raise', 'a bare raise re-raises an error the embedded engine does not see');
    }
    const v = interp.expr(e, unit, scopes);
    let kind = 'Exception';
    let detail = '';
    if (v instanceof RaisedError) { kind = v.kind; detail = v.message; }
    else if (v instanceof Builtin || v instanceof PyClass) kind = v.name;
    else if (v instanceof PyInstance) { kind = v.typeName; detail = v.args.length ? pyStr(v.args[0]) : ''; } // the file's own exception class
    else detail = pyStr(v);
    // Inside `try`, a handler may catch it (tryStatement.ts); what no handler catches fails the step below.
    if (this.tryDepth) throw new RaisedInTry(at, kind, detail);
    this.failStep(at, detail ? `${kind}: ${detail}` : kind);
  }

  /** The step fails with this message when it runs, as in Python; nothing after it runs. */
  private failStep(at: number, message: string): never {
    this.record('raise', new Call('raise', [message], new Map(), at), at);
    throw new StopEvaluation(at, message);
  }

  tryStatement(s: SyntaxNode, unit: Unit, scopes: Scope[], interp: Interpreter): void {
    this.tryDepth++;
    try { tryStatement(s, unit, scopes, interp, this); } catch (e) {
      if (this.tryDepth === 1 && e instanceof RaisedInTry) this.failStep(e.line, e.detail ? `${e.pyType}: ${e.detail}` : e.pyType);
      throw e;
    } finally { this.tryDepth--; }
  }
}

/**
 * What SQLAlchemy's types do to the values a SELECT of typed columns reads back, where the driver
 * does not already: SQLite's 0/1 for a Boolean, and its JSON text for a JSON column.
 */
function resultProcessors(stmt: Statement, dialect: string | undefined): (((v: unknown, line: number) => unknown) | undefined)[] {
  if (dialect !== 'sqlite') return [];
  return stmt.columns.map((c) => {
    const fn = c instanceof ColumnObj && c.type instanceof Call ? c.type.fn : '';
    if (fn === 'sa.Boolean' || fn === 'sa.BOOLEAN') return (v) => (typeof v === 'number' ? v !== 0 : v);
    if (fn === 'sa.JSON' || fn === 'sqlite.JSON') {
      return (v, line) => {
        if (typeof v !== 'string') return v;
        try { return JSON.parse(v); } catch { throw new PythonError(line, 'JSONDecodeError', `the JSON column ${(c as ColumnObj).name} holds text that is not JSON`); }
      };
    }
    return undefined;
  });
}

function kwargsOf(p: Value, line: number): Kwargs {
  const d = data(p, line, 'parameters');
  if (!(d && typeof d === 'object' && 'entries' in d)) throw new Unsupported(line, 'execute(..., parameters)', 'expected a dict of parameters');
  return new Map([...(d as { entries: Map<string | number, PyValue> }).entries].map(([k, v]) => [String(k), v]));
}

function dedupe(items: Value[]): Value[] {
  const out: Value[] = [];
  for (const x of items) if (!out.includes(x)) out.push(x);
  return out;
}

export function lineStarts(src: string): number[] {
  const out = [0];
  for (let i = 0; i < src.length; i++) if (src.charCodeAt(i) === 10) out.push(i + 1);
  return out;
}

