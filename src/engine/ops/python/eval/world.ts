/**
 * Everything a migration's code can reach while it is evaluated: the built-ins, the imports
 * (SQLAlchemy and Alembic as modelled, the project's own modules followed statically, nothing
 * else), `op` (whose calls are recorded, in order, as the operations the run will compile), the
 * connection and context of `op.get_bind()` / `op.get_context()`, and `with`/`raise` semantics.
 */
import type { SyntaxNode } from '@lezer/common';
import { Call, PyValue, TableRef, TextClause, Unsupported } from '../../values';
import { canonicalModule, normalize } from '../names';
import type { BatchBlock, OpCall, OpStatement } from '../reader';
import { isBatchOp, opSpec } from '../../registry';
import { AttributeHost } from './attributes';
import { makeBuiltins, RaisedError } from './builtins';
import { BindProxy, ContextProxy, DialectProxy, EnvironmentProxy, EvalContext } from './context';
import { ResultProxy, Row } from './results';
import { PyClass, PyInstance, SuperProxy } from './classes';
import { LibraryModule, MODELLED_PACKAGES } from './libraries/library';
import { columnOperator, Statement } from './core';
import { PythonError } from './errors';
import { pyStr } from './format';
import { Interpreter, line as lineOf, snippet, text } from './interpreter';
import { findModule, findPackageDir, loadModule, resolveRelative } from './modules';
import { OperatorHost } from './operators';
import { CheckedStatement, data, SqlAlchemyHost } from './sqlalchemy';
import { Builtin, Kwargs, Namespace, Opaque, RtObject, Scope, typeName, Unit, Value } from './runtime';

const WHY: Record<string, string> = {
  invoke: 'it runs a Python operation object', run_async: 'it runs Python code',
  implementation_for: 'it defines a custom operation', register_operation: 'it defines a custom operation',
};
/** Keyword arguments that only matter to Python at run time: evaluated when possible, never required. */
const PYTHON_SIDE = new Set(['default', 'onupdate', 'info', 'doc']);
const FK_CALLS = new Set(['sa.ForeignKey', 'sa.ForeignKeyConstraint']);
const STDLIB = new Set(['os', 'sys', 'json', 're', 'datetime', 'uuid', 'enum', 'decimal', 'time', 'random', 'hashlib', 'pathlib', 'collections', 'itertools', 'functools', 'textwrap', 'contextlib', 'subprocess', 'importlib', 'string', 'copy', 'base64', 'secrets', 'warnings']);
const HARMLESS = new Set(['typing', 'typing_extensions', '__future__', 'collections.abc']);
const MAX_MODULES = 64;

/** Raised by `raise` inside the migration: the rest of the function does not run. */
export class StopEvaluation { }

export class World implements OperatorHost, AttributeHost {
  /** Where op calls go: the evaluated function's statements (a throwaway list at module level). */
  sink: OpStatement[] = [];
  readonly sa: SqlAlchemyHost;
  readonly interp: Interpreter;
  readonly ellipsis = null;
  private readonly builtins: Map<string, Value>;
  readonly op: OpProxy;
  readonly bind: BindProxy;
  readonly context: ContextProxy;
  readonly environment: EnvironmentProxy;
  private readonly modules = new Map<string, ModuleObj | Opaque>();
  private evaluatedModules = 0;
  /** Files besides the revision that the evaluation read (project modules): a cached plan would miss their edits. */
  readonly dependsOn = new Set<string>();
  private inBatch = false;
  private executes = 0;

  constructor(readonly ctx: EvalContext) {
    this.interp = new Interpreter(this, ctx.budget);
    this.sa = new SqlAlchemyHost({
      dialect: ctx.dialect,
      execute: (sql, line) => this.record('execute', new Call('op.execute', [sql], new Map(), line), line),
      call: (fn, args, line) => this.callValue(fn, args, new Map(), line),
    });
    this.builtins = makeBuiltins((fn, args, kwargs, line) => this.callValue(fn, args, kwargs, line), (items) => dedupe(items));
    this.bind = new BindProxy(ctx, (stmt, params, line) => this.execute(stmt, params, line, 'conn.execute'));
    this.context = new ContextProxy(ctx, this.bind);
    this.environment = new EnvironmentProxy(ctx, this.context, this.bind);
    this.op = new OpProxy(this);
  }

  // ---- recording ----

  /** Returns, for an `execute`, its index among the function's executes (how the runner keys results). */
  record(name: string, call: Call, line: number, into: OpStatement[] = this.sink): number {
    into.push({ kind: 'op', name, call, line } satisfies OpCall);
    return name === 'execute' ? this.executes++ : -1;
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
        sql = new TextClause(this.ctx.offline ? stmt.offlineSql : stmt.sql);
      } else if (stmt instanceof TextClause || typeof stmt === 'string') {
        const text0 = stmt instanceof TextClause ? stmt : new TextClause(stmt);
        sql = p === undefined ? (typeof stmt === 'string' ? stmt : text0) : this.sa.constructAttr(text0, 'bindparams', line) instanceof Builtin
          ? ((this.sa.constructAttr(text0, 'bindparams', line) as Builtin).call([], kwargsOf(p, line), line) as TextClause)
          : text0;
      } else {
        throw new Unsupported(line, `${what}(${typeName(stmt)})`, 'expected an SQL string, sa.text(...) or a Core statement');
      }
      k = this.record('execute', new Call('op.execute', [sql], new Map(), line), line);
    }
    return new ResultProxy(k, this.ctx.reads, what === 'op.execute' ? 'op.execute(...)' : 'conn.execute(...)');
  }

  // ---- names ----

  builtin(name: string): Value | undefined { return this.builtins.get(name); }

  opaque(what: string, why: string): Opaque { return new Opaque(what, why); }

  makeSet(items: Value[]): Value[] { return dedupe(items); }

  importInto(stmtText: string, unit: Unit, scope: Scope, line: number): void {
    const flat = stmtText.replace(/#[^\n]*/g, '').replace(/[()\\\n]/g, ' ').replace(/\s+/g, ' ').trim();
    const from = /^from (\S+) import (.+)$/.exec(flat);
    const here = moduleNameOf(unit);
    if (from) {
      const [, rawMod, names] = from;
      const mod = rawMod.startsWith('.') ? resolveRelative(rawMod, here.name, here.isPackage) : rawMod;
      for (const part of names.split(',').map((s) => s.trim()).filter(Boolean)) {
        const [name, alias] = part.split(/ as /).map((s) => s.trim());
        if (name === '*') { this.importStar(mod, rawMod, scope, line); continue; }
        scope.vars.set(alias ?? name, mod ? this.importName(mod, name, line) : new Opaque(`${rawMod}.${name}`, 'a relative import outside a package'));
      }
      return;
    }
    const imp = /^import (.+)$/.exec(flat);
    if (!imp) throw new Unsupported(line, stmtText.slice(0, 60), 'this import is not understood');
    for (const part of imp[1].split(',').map((s) => s.trim()).filter(Boolean)) {
      const [name, alias] = part.split(/ as /).map((s) => s.trim());
      if (alias) scope.vars.set(alias, this.importModule(name, line));
      else {
        // `import a.b.c` binds `a` (and loads a.b.c).
        const head = name.split('.')[0];
        this.importModule(name, line);
        scope.vars.set(head, this.importModule(head, line));
      }
    }
  }

  /** `from pkg.mod import *`: the module's public names (its `__all__` when it has one). */
  private importStar(mod: string | undefined, rawMod: string, scope: Scope, line: number): void {
    const m = mod ? this.importModule(mod, line) : undefined;
    if (!(m instanceof ModuleObj) || !m.file) throw new Unsupported(line, `from ${rawMod} import *`, 'a star import from outside the project is not followed by the embedded engine');
    this.evaluateModule(m);
    if (m.failure || !m.unit) throw new Unsupported(line, `from ${rawMod} import *`, m.failure ?? 'the module could not be read');
    const all = m.unit.scope.vars.get('__all__');
    const names: string[] = Array.isArray(all) ? all.filter((x) => typeof x === 'string') as string[] : [...m.unit.scope.vars.keys()].filter((k) => !k.startsWith('_'));
    for (const n of names) scope.vars.set(n, this.moduleAttr(m, n, line));
  }

  private importName(mod: string, name: string, line: number): Value {
    const canonical = canonicalModule(mod);
    if (canonical) {
      const full = canonicalModule(`${mod}.${name}`) ?? normalize(`${canonical}.${name}`);
      return full === 'op' ? this.op : new Namespace(full, this.sa);
    }
    if (mod === 'alembic') return name === 'op' ? this.op : name === 'context' ? this.environment : new Opaque(`alembic.${name} (imported)`, 'only alembic.op and alembic.context are available to migrations run by the embedded engine');
    const m = this.importModule(mod, line);
    if (m instanceof ModuleObj) return m.attr(name, line);
    if (m instanceof Opaque) return new Opaque(`${mod}.${name} (imported)`, m.why);
    return m instanceof RtObject ? m.getAttr(name, line) : m;
  }

  private importModule(dotted: string, line: number): Value {
    const canonical = canonicalModule(dotted);
    if (canonical) return canonical === 'op' ? this.op : new Namespace(canonical, this.sa);
    if (dotted === 'alembic') return new AlembicModule(this.op, this.environment);
    if (dotted === 'alembic.context') return this.environment;
    const head = dotted.split('.')[0];
    if (dotted === 'logging' || dotted.startsWith('logging.')) return new Logging();
    if (dotted === 'enum') return new Namespace('enum', this.sa);
    if (MODELLED_PACKAGES.has(head)) {
      let m: Value = new LibraryModule('', this.ctx.dialect);
      for (const part of dotted.split('.').slice(1)) m = (m as RtObject).getAttr(part, line);
      return m;
    }
    if (HARMLESS.has(dotted) || HARMLESS.has(head)) return new Opaque(`${dotted} (imported)`, 'only type annotations use it');
    const cached = this.modules.get(dotted);
    if (cached) return cached;
    const roots = this.ctx.importRoots ?? [];
    const file = findModule(dotted, roots);
    let out: ModuleObj | Opaque;
    // Project modules are evaluated when something is taken from them, not when a dotted path
    // passes through their package (its __init__ may import the whole application).
    if (file) out = new ModuleObj(dotted, file, this);
    else if (findPackageDir(dotted, roots)) out = new ModuleObj(dotted, undefined, this); // a namespace package
    else if (STDLIB.has(head)) out = new Opaque(`${dotted} (imported)`, `Python's ${head} module is not evaluated by the embedded engine`);
    else out = new Opaque(`${dotted} (imported)`, roots.length ? 'it is not a module of the project (the embedded engine does not run installed packages)' : 'the embedded engine does not run Python code from outside the migration', true);
    this.modules.set(dotted, out);
    void line;
    return out;
  }

  /** Runs a project module's top level once (on first use). */
  evaluateModule(m: ModuleObj): void {
    if (m.state !== 'new' || !m.file) return;
    m.state = 'running'; // before running it: imports may be circular
    if (++this.evaluatedModules > MAX_MODULES) {
      m.failure = `more than ${MAX_MODULES} project modules would have to be followed`;
      return;
    }
    this.dependsOn.add(m.file);
    const source = loadModule(m.file);
    if ('error' in source) { m.failure = source.error; return; }
    const unit: Unit & { moduleName: string; isPackage: boolean } = {
      file: m.file, src: source.src, lineStarts: lineStarts(source.src), scope: new Scope('module'), moduleName: m.name, isPackage: source.isPackage,
    };
    unit.scope.vars.set('__name__', m.name);
    unit.scope.vars.set('__file__', m.file);
    m.unit = unit;
    const saved = this.sink;
    this.sink = [];
    try { m.partial = this.interp.runModule(unit, source.tree.topNode); } finally { this.sink = saved; m.state = 'done'; }
  }

  moduleAttr(m: ModuleObj, name: string, line: number): Value {
    const sub = `${m.name}.${name}`;
    const roots = this.ctx.importRoots ?? [];
    if (!m.unit?.scope.vars.has(name) && (this.modules.get(sub) instanceof ModuleObj || findModule(sub, roots) || findPackageDir(sub, roots))) {
      return this.importModule(sub, line);
    }
    this.evaluateModule(m);
    if (m.failure) return new Opaque(`${sub} (imported)`, m.failure);
    if (m.unit?.scope.vars.has(name)) return m.unit.scope.vars.get(name)!;
    if (!m.file) return this.importModule(sub, line);
    // Its module had code we could not evaluate (a star import...): the name may come from there.
    if (m.partial) return new Opaque(`${sub} (imported)`, `${m.name} has code the embedded engine does not evaluate (${m.partial})`);
    throw new PythonError(line, 'ImportError', `cannot import name '${name}' from '${m.name}' (${m.file})`);
  }

  // ---- classes ----

  makeClass(name: string, bases: Value[]): PyClass {
    for (const b of bases) {
      if (b instanceof Opaque) b.fail(0);
      if (!(b instanceof PyClass) && !(b instanceof Namespace) && !(b instanceof Builtin)) throw new Unsupported(0, `class ${name}(...)`, 'a base class the engine does not model');
    }
    return new PyClass(name, bases, () => new DialectProxy(this.ctx));
  }

  superOf(self: Value | undefined, cls: Value | undefined, line: number): Value {
    if (!(self instanceof PyInstance) || !(cls instanceof PyClass)) throw new Unsupported(line, 'super()', 'super() outside a method of a class');
    return new SuperProxy(self, cls);
  }

  setAttr(obj: Value, name: string, value: Value, line: number): void {
    if (obj instanceof PyInstance) { obj.setAttr(name, value); return; }
    if (obj instanceof PyClass) { obj.attrs.set(name, value); return; }
    throw new Unsupported(line, `.${name} = ...`, `setting an attribute of ${typeName(obj)} is not evaluated`);
  }

  // ---- calls and operators ----

  pythonSideKeywords(callee: Value): (key: string) => boolean {
    const fk = callee instanceof Namespace && FK_CALLS.has(callee.name) || callee instanceof OpMethod && callee.name === 'create_foreign_key';
    return (k) => (PYTHON_SIDE.has(k) && !(fk && k === 'onupdate')) || k.startsWith('existing_');
  }

  callValue(callee: Value, args: Value[], kwargs: Kwargs, line: number, skipped?: Set<string>, what?: string): Value {
    if (callee instanceof RtObject) return callee.call(args, kwargs, line, skipped);
    if (callee instanceof Call || callee instanceof TextClause || callee instanceof TableRef) {
      throw new Unsupported(line, what ?? typeName(callee), 'calling a SQLAlchemy construct is not evaluated');
    }
    throw new PythonError(line, 'TypeError', `'${typeName(callee)}' object is not callable`);
  }

  operator(op: string, l: Value, r: Value): Value | undefined { return columnOperator(op, l, r); }

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
    if (items.length !== 1 || !body) throw new Unsupported(at, snippet(unit, s), 'only `with op.batch_alter_table(...) as batch_op:` is evaluated');
    const ctx = interp.expr(items[0], unit, scopes);
    if (!(ctx instanceof BatchContext)) throw new Unsupported(at, snippet(unit, s), 'only `with op.batch_alter_table(...) as batch_op:` is evaluated');
    if (this.inBatch) throw new Unsupported(at, snippet(unit, s), 'a batch inside a batch');
    this.inBatch = true;
    const block: BatchBlock = { kind: 'batch', call: ctx.source, line: at, ops: [] };
    if (asName) scopes[0].vars.set(text(unit, asName), new BatchProxy(this, block.ops));
    // op.* calls inside the block run at once, before the batch itself (which runs at the block's end).
    const outer = this.sink;
    try { interp.block(body, unit, scopes); } finally { this.sink = outer; this.inBatch = false; }
    this.sink.push(block);
  }

  raise(s: SyntaxNode, unit: Unit, scopes: Scope[], interp: Interpreter): void {
    const at = lineOf(unit, s);
    const e = s.firstChild!.nextSibling;
    if (!e || e.name === 'from') throw new Unsupported(at, 'raise', 'a bare raise re-raises an error the embedded engine does not see');
    const v = interp.expr(e, unit, scopes);
    const message = v instanceof RaisedError ? (v.message ? `${v.kind}: ${v.message}` : v.kind)
      : v instanceof Builtin ? v.name : pyStr(v);
    // The step fails with this message when it runs, as in Python; nothing after it runs.
    this.record('raise', new Call('raise', [message], new Map(), at), at);
    throw new StopEvaluation();
  }
}

/** `op`: each known operation is recorded with its arguments as data. */
class OpProxy extends RtObject {
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

class OpMethod extends RtObject {
  readonly typeName = 'method';
  constructor(private readonly world: World, readonly name: string, private readonly into: OpStatement[] | undefined, private readonly batch = false) { super(); }
  override call(args: Value[], kwargs: Kwargs, line: number, skipped?: Set<string>): Value {
    const prefix = this.batch ? 'batch' : 'op';
    const call = new Call(`${prefix}.${this.name}`, args.map((a) => data(a, line, `an argument of ${prefix}.${this.name}()`)),
      new Map([...kwargs].map(([k, v]) => [k, data(v, line, `${k}=`)])), line, skipped);
    if (this.name === 'batch_alter_table') return new BatchContext(call);
    this.world.record(this.name, call, line, this.into ?? this.world.sink);
    return this.name === 'create_table' ? new TableRef(call) : null;
  }
}

class BatchContext extends RtObject {
  readonly typeName = 'BatchOperations';
  constructor(readonly source: Call) { super(); }
}

/** `batch_op`: the batch operations, recorded into the block. */
class BatchProxy extends RtObject {
  readonly typeName = 'BatchOperations';
  constructor(private readonly world: World, private readonly ops: OpStatement[]) { super(); }
  override getAttr(name: string, line: number): Value {
    if (name === 'f') return new Builtin('batch_op.f', ([n]: Value[], _k: Kwargs, at: number) => new Call('op.f', [data(n ?? null, at, 'op.f()')], new Map(), at));
    if (name === 'execute' || name === 'get_bind') return this.world.op.getAttr(name, line);
    if (!isBatchOp(name)) throw new Unsupported(line, `batch_op.${name}()`, 'not an operation the embedded engine runs in batch mode');
    return new OpMethod(this.world, name, this.ops, true);
  }
}

/** A project module, evaluated on first use. */
export class ModuleObj extends RtObject {
  readonly typeName = 'module';
  state: 'new' | 'running' | 'done' = 'new';
  unit?: Unit & { moduleName: string; isPackage: boolean };
  /** Why it could not be evaluated at all. */
  failure?: string;
  /** The first statement of its top level that could not be evaluated, if any. */
  partial?: string;
  constructor(readonly name: string, readonly file: string | undefined, private readonly world: World) { super(); }
  override getAttr(name: string, line: number): Value { return this.attr(name, line); }
  attr(name: string, line: number): Value { return this.world.moduleAttr(this, name, line); }
  override describe(): string { return this.name; }
}

class AlembicModule extends RtObject {
  readonly typeName = 'module';
  constructor(private readonly op: OpProxy, private readonly environment: EnvironmentProxy) { super(); }
  override getAttr(name: string): Value {
    return name === 'op' ? this.op : name === 'context' ? this.environment : new Opaque(`alembic.${name}`, 'only alembic.op and alembic.context are available to migrations run by the embedded engine');
  }
}

/** `logging`: loggers whose output goes nowhere (it changes nothing in the database). */
class Logging extends RtObject {
  readonly typeName = 'module';
  override getAttr(name: string): Value {
    if (name === 'getLogger') return new Builtin('getLogger', () => this);
    return new Builtin(`logging.${name}`, () => null);
  }
}

function kwargsOf(p: Value, line: number): Kwargs {
  const d = data(p, line, 'parameters');
  if (!(d && typeof d === 'object' && 'entries' in d)) throw new Unsupported(line, 'execute(..., parameters)', 'expected a dict of parameters');
  return new Map([...(d as { entries: Map<string | number, PyValue> }).entries].map(([k, v]) => [String(k), v]));
}

function dedupe(items: Value[]): Value[] {
  const out: Value[] = [];
  for (const x of items) if (!out.some((y) => y === x || (typeof y !== 'object' && y === x))) out.push(x);
  return out;
}

export function lineStarts(src: string): number[] {
  const out = [0];
  for (let i = 0; i < src.length; i++) if (src.charCodeAt(i) === 10) out.push(i + 1);
  return out;
}

function moduleNameOf(unit: Unit): { name: string; isPackage: boolean } {
  const u = unit as Unit & { moduleName?: string; isPackage?: boolean };
  return { name: u.moduleName ?? '', isPackage: u.isPackage ?? false };
}
