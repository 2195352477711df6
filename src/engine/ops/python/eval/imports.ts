/**
 * Imports in migration code: SQLAlchemy and Alembic as the engine models them, the modelled
 * third-party packages, `logging` (output only), and the project's own modules, found under the
 * import roots and evaluated lazily by the same evaluator (`modules.ts` finds and parses them).
 * Anything else binds a name that fails, saying why, only where a migration uses it.
 */
import { Unsupported } from '../../values';
import { canonicalModule, normalize } from '../names';
import { ModuleLoadError, PythonError } from './errors';
import { LibraryModule, MODELLED_PACKAGES } from './libraries/library';
import { CollectionsModule, DatetimeModule, evaluationClock, TimeModule } from './stdlib';
import { UuidModule } from './uuidModule';
import { JsonModule } from './jsonModule';
import { TextwrapModule } from './textwrapModule';
import { ContextlibModule } from './contextManager';
import { FlaskSqlalchemyModule } from './libraries/flaskSqlalchemy';
import { POSTGRESQL_ENUM, PostgresqlEnumModule } from './libraries/postgresqlEnum';
import { findModule, findPackageDir, loadModule, resolveRelative } from './modules';
import { Builtin, Namespace, Opaque, RtObject, Scope, Unit, Value } from './runtime';
import type { World } from './world';
import { lineStarts } from './world';
import type { OpProxy } from './opProxy';
import type { EnvironmentProxy } from './context';

const STDLIB = new Set(['os', 'sys', 'json', 're', 'datetime', 'uuid', 'enum', 'decimal', 'time', 'random', 'hashlib', 'pathlib', 'collections', 'itertools', 'functools', 'textwrap', 'contextlib', 'subprocess', 'importlib', 'string', 'copy', 'base64', 'secrets', 'warnings']);
const HARMLESS = new Set(['typing', 'typing_extensions', '__future__', 'collections.abc']);
const MAX_MODULES = 64;
/** Neither the project nor its virtualenv has its Python source (config/virtualenv.ts). */
const NOT_FOUND = 'it is not a module of the project nor a Python source of its virtualenv (.venv, venv or env in the project folder)';

/** One import statement, read: `from mod import a as b, c` or `import a.b as c, d`. */
type ImportForm = { from: string; names: { name: string; alias?: string }[] } | { modules: { name: string; alias?: string }[] } | undefined;

const readForms = new Map<string, ImportForm>();
/** Reads an import statement's text (memoized: the same few imports recur in every revision). */
function importForm(text: string): ImportForm {
  if (readForms.has(text)) return readForms.get(text);
  const flat = text.replace(/#[^\n]*/g, '').replace(/[()\\\n]/g, ' ').replace(/\s+/g, ' ').trim();
  const items = (list: string) => list.split(',').map((x) => x.trim()).filter(Boolean).map((x) => {
    const [name, alias] = x.split(/ as /).map((y) => y.trim());
    return alias === undefined ? { name } : { name, alias };
  });
  const from = /^from (\S+) import (.+)$/.exec(flat);
  const imp = from ? undefined : /^import (.+)$/.exec(flat);
  const form: ImportForm = from ? { from: from[1], names: items(from[2]) } : imp ? { modules: items(imp[1]) } : undefined;
  if (readForms.size < 10_000) readForms.set(text, form);
  return form;
}

export class Importer {
  private readonly modules = new Map<string, ModuleObj | Opaque>();
  private evaluatedModules = 0;
  private readonly stdlib: { datetime?: DatetimeModule; time?: TimeModule; uuid?: UuidModule; collections?: CollectionsModule; json?: JsonModule; textwrap?: TextwrapModule } = {};
  private clock?: () => number;

  constructor(private readonly w: World) {}

  importInto(stmtText: string, unit: Unit, scope: Scope, line: number): void {
    const form = importForm(stmtText);
    if (!form) throw new Unsupported(line, stmtText.slice(0, 60), 'this import is not understood');
    if ('from' in form) {
      const rawMod = form.from;
      const here = moduleNameOf(unit);
      const mod = rawMod.startsWith('.') ? resolveRelative(rawMod, here.name, here.isPackage) : rawMod;
      for (const { name, alias } of form.names) {
        if (name === '*') { this.importStar(mod, rawMod, scope, line); continue; }
        scope.vars.set(alias ?? name, mod ? this.importName(mod, name, line) : new Opaque(`${rawMod}.${name}`, 'a relative import outside a package'));
      }
      return;
    }
    for (const { name, alias } of form.modules) {
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
      return full === 'op' ? this.w.op : new Namespace(full, this.w.sa);
    }
    if (mod === 'alembic') return name === 'op' ? this.w.op : name === 'context' ? this.w.environment : new Opaque(`alembic.${name} (imported)`, 'only alembic.op and alembic.context are available to migrations run by the embedded engine');
    const m = this.importModule(mod, line);
    if (m instanceof ModuleObj) return m.attr(name, line);
    if (m instanceof Opaque) return new Opaque(`${mod}.${name} (imported)`, m.why);
    return m instanceof RtObject ? m.getAttr(name, line) : m;
  }

  private importModule(dotted: string, line: number): Value {
    const canonical = canonicalModule(dotted);
    if (canonical) return canonical === 'op' ? this.w.op : new Namespace(canonical, this.w.sa);
    if (dotted === 'alembic') return new AlembicModule(this.w.op, this.w.environment);
    if (dotted === 'alembic.context') return this.w.environment;
    const head = dotted.split('.')[0];
    if (dotted === 'logging' || dotted.startsWith('logging.')) return new Logging();
    if (dotted === 'enum') return new Namespace('enum', this.w.sa);
    if (dotted === 'datetime') return (this.stdlib.datetime ??= new DatetimeModule(this.w.ctx, (this.clock ??= evaluationClock(this.w.ctx))));
    if (dotted === 'time') return (this.stdlib.time ??= new TimeModule(this.w.ctx, (this.clock ??= evaluationClock(this.w.ctx))));
    if (dotted === 'uuid') return (this.stdlib.uuid ??= new UuidModule(this.w.ctx));
    if (dotted === 'json') return (this.stdlib.json ??= new JsonModule());
    if (dotted === 'textwrap') return (this.stdlib.textwrap ??= new TextwrapModule());
    if (dotted === 'contextlib') return new ContextlibModule();
    if (dotted === 'flask_sqlalchemy') return new FlaskSqlalchemyModule(this.w.sa);
    if (dotted === 'collections') return (this.stdlib.collections ??= new CollectionsModule((fn, args, at) => this.w.callValue(fn, args, new Map(), at), this.w.builtin('dict')!));
    if (MODELLED_PACKAGES.has(head)) {
      let m: Value = new LibraryModule('', this.w.ctx.dialect);
      for (const part of dotted.split('.').slice(1)) m = (m as RtObject).getAttr(part, line);
      return m;
    }
    if (head === POSTGRESQL_ENUM) {
      let m: Value = new PostgresqlEnumModule(head);
      for (const part of dotted.split('.').slice(1)) m = (m as RtObject).getAttr(part, line);
      return m;
    }
    if (HARMLESS.has(dotted) || HARMLESS.has(head)) return new Opaque(`${dotted} (imported)`, 'only type annotations use it');
    const cached = this.modules.get(dotted);
    if (cached) return cached;
    const roots = this.w.ctx.importRoots ?? [];
    const file = findModule(dotted, roots);
    let out: ModuleObj | Opaque;
    // Project modules are evaluated when something is taken from them, not when a dotted path
    // passes through their package (its __init__ may import the whole application).
    if (file) out = new ModuleObj(dotted, file, this);
    else if (findPackageDir(dotted, roots)) out = new ModuleObj(dotted, undefined, this); // a namespace package
    else if (STDLIB.has(head)) out = new Opaque(`${dotted} (imported)`, `Python's ${head} module is not evaluated by the embedded engine`);
    else out = new Opaque(`${dotted} (imported)`, roots.length ? NOT_FOUND : 'the embedded engine does not run Python code from outside the migration', true);
    this.modules.set(dotted, out);
    void line;
    return out;
  }

  /** Runs a project module's top level once (on first use). */
  evaluateModule(m: ModuleObj): void {
    if (m.state !== 'new' || !m.file) return;
    m.state = 'running'; // before running it: imports may be circular
    if (++this.evaluatedModules > MAX_MODULES) {
      m.failure = `more than ${MAX_MODULES} modules of the project and its virtualenv would have to be followed (the embedded engine reads that many at most)`;
      return;
    }
    this.w.dependsOn.add(m.file);
    const source = loadModule(m.file);
    if ('error' in source) { m.failure = source.error; return; }
    const unit: Unit & { moduleName: string; isPackage: boolean } = {
      file: m.file, src: source.src, lineStarts: lineStarts(source.src), scope: new Scope('module'), moduleName: m.name, isPackage: source.isPackage,
    };
    unit.scope.vars.set('__name__', m.name);
    unit.scope.vars.set('__file__', m.file);
    m.unit = unit;
    const saved = this.w.sink;
    this.w.sink = [];
    try { m.partial = this.w.interp.runModule(unit, source.tree.topNode); } catch (e) {
      // Python's import fails: the module's names are not there, and its line is in its own file.
      if (!(e instanceof ModuleLoadError)) throw e;
      m.failure = `${m.name} cannot be imported: line ${e.line} of its file: ${e.construct}: ${e.why}`;
    } finally { this.w.sink = saved; m.state = 'done'; }
  }

  moduleAttr(m: ModuleObj, name: string, line: number): Value {
    const sub = `${m.name}.${name}`;
    const roots = this.w.ctx.importRoots ?? [];
    if (!m.unit?.scope.vars.has(name) && (this.modules.get(sub) instanceof ModuleObj || findModule(sub, roots) || findPackageDir(sub, roots))) {
      // The submodule, unless the package's __init__ binds the name itself (`from .user_info import
      // user_info`: Python gives the function): then the package is run and its binding taken.
      if (!(m.file && bindsAtTopLevel(m.file, name))) return this.importModule(sub, line);
    }
    this.evaluateModule(m);
    if (m.failure) return new Opaque(`${sub} (imported)`, m.failure);
    if (m.unit?.scope.vars.has(name)) return m.unit.scope.vars.get(name)!;
    if (!m.file) return this.importModule(sub, line);
    // Its module had code we could not evaluate (a star import...): the name may come from there.
    if (m.partial) return new Opaque(`${sub} (imported)`, `${m.name} has code the embedded engine does not evaluate (${m.partial})`);
    throw new PythonError(line, 'ImportError', `cannot import name '${name}' from '${m.name}' (${m.file})`);
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
  constructor(readonly name: string, readonly file: string | undefined, private readonly imports: Importer) { super(); }
  override getAttr(name: string, line: number): Value { return this.attr(name, line); }
  attr(name: string, line: number): Value { return this.imports.moduleAttr(this, name, line); }
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

function moduleNameOf(unit: Unit): { name: string; isPackage: boolean } {
  const u = unit as Unit & { moduleName?: string; isPackage?: boolean };
  return { name: u.moduleName ?? '', isPackage: u.isPackage ?? false };
}

/** Whether a module's text binds `name` at its top level (an import, an assignment, a def or a class). */
function bindsAtTopLevel(file: string, name: string): boolean {
  const source = loadModule(file);
  if ('error' in source) return false;
  const n = name.replace(/[^\w]/g, '');
  return new RegExp(`^(?:from\\s+\\S+\\s+import\\s+[^\\n#]*\\b${n}\\b|import\\s+[^\\n#]*\\bas\\s+${n}\\b|${n}\\s*(?::[^=\\n]*)?=(?!=)|(?:async\\s+)?def\\s+${n}\\b|class\\s+${n}\\b)`, 'm').test(source.src);
}
