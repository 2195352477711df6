/**
 * Finds the naming convention Alembic's ops would use, without running Python: reads env.py (with
 * @lezer/python), finds what `context.configure(target_metadata=...)` / `target_metadata = ...`
 * is, and follows imports statically inside the workspace to the `MetaData(naming_convention=X)`
 * (directly, through `declarative_base(metadata=...)`, a `DeclarativeBase` subclass, Flask-SQLAlchemy's
 * `SQLAlchemy(metadata=...)`, or `Base.metadata.naming_convention = X`).
 *
 * Alembic builds each op's throwaway MetaData with `target_metadata.naming_convention` when
 * target_metadata has one; otherwise (none, None, a list of MetaData) SQLAlchemy's default applies
 * (`{"ix": "ix_%(column_0_label)s"}`). When the chain cannot be followed the answer says exactly why.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { SyntaxNode, Tree } from '@lezer/common';
import { parse as parseToml } from 'smol-toml';
import { stringPrefixLength, unescape } from '../scripts/pyTokens';
import { CLASS_NAMES, DEFAULT_CONVENTION, NamingConvention } from './convention';
import { findModule, isInside, ModuleFile } from './pyModules';

export type ConventionLookup =
  | {
    convention: NamingConvention;
    /** `file:line` (relative to the workspace root) of the dict, or of what made the default apply. */
    source: string;
    file: string;
    line: number;
    /** SQLAlchemy's default convention applies (no naming_convention given, no target_metadata, a list...). */
    isDefault: boolean;
    /** Why the default applies, when it does. */
    note?: string;
  }
  | { convention: undefined; reason: string; file?: string; line?: number };

export interface FindConventionOptions {
  /** The env.py of the project's script_location. */
  envPy: string;
  /** Nothing outside this folder is read. */
  workspaceRoot: string;
  /** The folder Alembic runs in (its sys.path[0]); default: the workspace root. */
  projectRoot?: string;
  /** alembic.ini's `prepend_sys_path` entries, already resolved. */
  extraSysPath?: string[];
  /** Modules read at most (default 400). */
  maxModules?: number;
}

interface Loc { file: string; line: number }
interface MetaObj { convention?: NamingConvention; conventionAt?: Loc; at: Loc; unknown?: Unknown }
interface Unknown { t: 'unknown'; why: string; at?: Loc }
type Value =
  | { t: 'str'; v: string; path?: boolean }
  | { t: 'none' }
  | { t: 'num'; v: number }
  | { t: 'dict'; entries: Array<[Value, Value]>; at: Loc }
  | { t: 'list'; items: Value[] }
  | { t: 'metadata'; m: MetaObj }
  | { t: 'obj'; kind: 'class' | 'instance'; name: string; attrs: Map<string, Value>; bases: Value[]; at: Loc }
  | { t: 'module'; name: string; mod: ModuleFile }
  | { t: 'lib'; name: string }
  | { t: 'func'; name: string; node: SyntaxNode; ctx: ModuleCtx }
  | { t: 'method'; self: Value; name: string }
  | { t: 'parents'; p: string }
  | Unknown;

interface ModuleCtx { file: string; src: string; lineStarts: number[]; scope: Map<string, Value>; dir?: string; loading: boolean }
interface Args { positional: Value[]; keywords: Map<string, Value>; at: Loc }

/** Packages whose names we know (everything else outside the workspace cannot be followed). */
const LIBS = ['sqlalchemy', 'sqlmodel', 'flask_sqlalchemy', 'flask', 'os', 'sys', 'pathlib', 'alembic', 'typing'];
const DECLARATIVE_BASES = new Set(['DeclarativeBase', 'DeclarativeBaseNoMeta']);

let lezer: typeof import('@lezer/python') | undefined;
function parse(src: string): Tree {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  lezer ??= require('@lezer/python') as typeof import('@lezer/python');
  return lezer.parser.parse(src);
}

export function findNamingConvention(options: FindConventionOptions): ConventionLookup {
  return new Finder(options).find();
}

class Finder {
  private readonly root: string;
  private readonly projectRoot: string;
  private readonly sysPath: string[];
  private readonly modules = new Map<string, ModuleCtx>();
  private readonly maxModules: number;
  private readonly libSingletons = new Map<string, Value>();
  private readonly dropped: string[] = [];
  private callDepth = 0;
  private installed: string[] | undefined;

  constructor(private readonly opts: FindConventionOptions) {
    this.root = path.resolve(opts.workspaceRoot);
    this.projectRoot = path.resolve(opts.projectRoot ?? this.root);
    this.sysPath = [...(opts.extraSysPath ?? []).map((p) => path.resolve(this.projectRoot, p)), this.projectRoot];
    this.maxModules = opts.maxModules ?? 400;
  }

  find(): ConventionLookup {
    const envPy = path.resolve(this.opts.envPy);
    if (!isInside(this.root, envPy)) return { convention: undefined, reason: `${envPy} is outside the workspace ${this.root}` };
    let src: string;
    try { src = fs.readFileSync(envPy, 'utf8'); } catch (e) {
      return { convention: undefined, reason: `cannot read ${this.rel(envPy)}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, file: envPy };
    }
    const env = this.newCtx(envPy, src);
    const tree = parse(env.src);
    const syntaxError = firstError(tree);
    if (syntaxError !== undefined) {
      const line = lineOf(env, syntaxError);
      return { convention: undefined, reason: `${this.rel(envPy)}:${line} has a syntax error`, file: envPy, line };
    }
    this.modules.set(envPy, env);
    this.exec(tree.topNode, env);
    env.loading = false;

    // What Alembic receives is context.configure's target_metadata= argument.
    const configured: SyntaxNode[] = [];
    let configureCalls = 0;
    let configureSpread = false;
    tree.iterate({
      enter: (n) => {
        if (n.name !== 'CallExpression') return;
        const callee = n.node.firstChild;
        if (!callee || !/(^|\.)configure$/.test(text(env, callee))) return;
        configureCalls++;
        const { keywords, spread } = keywordArgs(n.node, env);
        if (spread) configureSpread = true;
        for (const kw of keywords) if (kw.name === 'target_metadata') configured.push(kw.value);
      },
    });
    let expr: SyntaxNode | undefined = configured[0];
    if (!expr) {
      const assigned = this.moduleAssignment(tree.topNode, env, 'target_metadata');
      if (assigned && (configureCalls === 0 || configureSpread)) expr = assigned;
      else if (!assigned && (configureCalls === 0 || configureSpread) && env.scope.has('target_metadata')) {
        // Bound otherwise than by `=` (`from app.models import metadata as target_metadata`).
        return this.conclude(env.scope.get('target_metadata')!, { file: envPy, line: 1 }, 'target_metadata');
      } else {
        const at = { file: envPy, line: 1 };
        return this.defaultFound(at, configureCalls > 0 ? 'env.py passes no target_metadata to context.configure()' : 'env.py sets no target_metadata');
      }
    }
    // `target_metadata=target_metadata`: show the module-level assignment it names.
    if (expr.name === 'VariableName') expr = this.moduleAssignment(tree.topNode, env, text(env, expr)) ?? expr;
    const at = { file: envPy, line: lineOf(env, expr.from) };
    const value = this.eval(expr, env);
    return this.conclude(value, at, text(env, expr));
  }

  private conclude(value: Value, at: Loc, exprText: string): ConventionLookup {
    const where = `target_metadata = ${exprText} (${this.rel(at.file)}:${at.line})`;
    switch (value.t) {
      case 'metadata': {
        const m = value.m;
        if (m.unknown) return this.notFound(`${where}: ${m.unknown.why}`, m.unknown.at ?? m.at);
        if (!m.convention) return this.defaultFound(m.at, `the MetaData at ${this.rel(m.at.file)}:${m.at.line} has no naming_convention`);
        const src = m.conventionAt ?? m.at;
        return { convention: m.convention, source: `${this.rel(src.file)}:${src.line}`, file: src.file, line: src.line, isDefault: false };
      }
      case 'none': return this.defaultFound(at, 'target_metadata is None');
      case 'list': return this.defaultFound(at, 'target_metadata is a list of MetaData, which Alembic does not take a naming_convention from');
      case 'unknown': return this.notFound(`${where}: ${value.why}`, value.at ?? at);
      default: return this.notFound(`${where} is ${describe(value)}, not a MetaData`, at);
    }
  }

  private defaultFound(at: Loc, note: string): ConventionLookup {
    return { convention: DEFAULT_CONVENTION, source: `${this.rel(at.file)}:${at.line}`, file: at.file, line: at.line, isDefault: true, note };
  }

  private notFound(reason: string, at?: Loc): ConventionLookup {
    const extra = this.dropped.length ? ` (sys.path entries outside the workspace ignored: ${this.dropped.join(', ')})` : '';
    return { convention: undefined, reason: reason + extra, file: at?.file, line: at?.line };
  }

  private rel(file: string): string {
    return path.relative(this.root, file).split(path.sep).join('/') || '.';
  }

  private newCtx(file: string, src: string): ModuleCtx {
    const s = src.includes('\r') ? src.replace(/\r\n?/g, '\n') : src;
    const lineStarts = [0];
    for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) === 10) lineStarts.push(i + 1);
    const base = path.basename(file) === '__init__.py' ? path.dirname(file) : undefined;
    return { file, src: s, lineStarts, scope: new Map(), dir: base, loading: true };
  }

  private moduleAssignment(top: SyntaxNode, ctx: ModuleCtx, name: string): SyntaxNode | undefined {
    let found: SyntaxNode | undefined;
    for (let n = top.firstChild; n; n = n.nextSibling) {
      if (n.name !== 'AssignStatement') continue;
      const kids = children(n).filter((k) => k.name !== 'TypeDef');
      if (kids.length < 3 || kids[kids.length - 2].name !== 'AssignOp') continue;
      if (kids.slice(0, -1).some((k) => k.name === 'VariableName' && text(ctx, k) === name)) found = kids[kids.length - 1];
    }
    return found;
  }

  // ---- statements ----

  private exec(block: SyntaxNode, ctx: ModuleCtx, scope = ctx.scope): void {
    for (let n = block.firstChild; n; n = n.nextSibling) {
      switch (n.name) {
        case 'ImportStatement': this.execImport(n, ctx, scope); break;
        case 'AssignStatement': this.execAssign(n, ctx, scope); break;
        case 'ExpressionStatement': if (n.firstChild?.name === 'CallExpression') this.eval(n.firstChild, ctx, scope); break;
        case 'ClassDefinition': this.execClass(n, ctx, scope, []); break;
        case 'DecoratedStatement': {
          const decorators = n.getChildren('Decorator');
          const def = n.lastChild;
          if (def?.name === 'ClassDefinition') this.execClass(def, ctx, scope, decorators);
          else if (def?.name === 'FunctionDefinition') this.execFunction(def, ctx, scope);
          break;
        }
        case 'FunctionDefinition': this.execFunction(n, ctx, scope); break;
        case 'TryStatement': { const body = n.getChild('Body'); if (body) this.exec(body, ctx, scope); break; }
      }
    }
  }

  private execFunction(n: SyntaxNode, ctx: ModuleCtx, scope: Map<string, Value>): void {
    const name = n.getChild('VariableName');
    if (name) scope.set(text(ctx, name), { t: 'func', name: text(ctx, name), node: n, ctx });
  }

  private execAssign(n: SyntaxNode, ctx: ModuleCtx, scope: Map<string, Value>): void {
    const kids = children(n).filter((k) => k.name !== 'TypeDef');
    if (kids.length < 3 || kids[kids.length - 2].name !== 'AssignOp' || text(ctx, kids[kids.length - 2]) !== '=') {
      // `x += ...`, `x: int`: not followed.
      const target = kids[0];
      if (target?.name === 'VariableName' && kids.length >= 3) scope.set(text(ctx, target), this.unknown(`\`${text(ctx, target)}\` is changed by \`${text(ctx, n).slice(0, 60)}\``, ctx, n));
      return;
    }
    const value = this.eval(kids[kids.length - 1], ctx, scope);
    for (const target of kids.slice(0, -1).filter((k) => k.name !== 'AssignOp')) {
      if (target.name === 'VariableName') scope.set(text(ctx, target), value);
      else if (target.name === 'MemberExpression' && target.getChild('PropertyName') && !target.getChild('[')) {
        const obj = this.eval(target.firstChild!, ctx, scope);
        this.setAttr(obj, text(ctx, target.getChild('PropertyName')!), value, ctx, target);
      }
    }
  }

  private setAttr(obj: Value, name: string, value: Value, ctx: ModuleCtx, at: SyntaxNode): void {
    if (obj.t === 'obj') obj.attrs.set(name, value);
    else if (obj.t === 'metadata' && name === 'naming_convention') {
      const conv = this.toConvention(value, ctx, at);
      if ('why' in conv) obj.m.unknown = conv;
      else { obj.m.convention = conv.convention; obj.m.conventionAt = conv.at; obj.m.unknown = undefined; }
    }
  }

  private execClass(n: SyntaxNode, ctx: ModuleCtx, scope: Map<string, Value>, decorators: SyntaxNode[]): void {
    const nameNode = n.getChild('VariableName');
    if (!nameNode) return;
    const name = text(ctx, nameNode);
    const at = this.loc(ctx, n);
    const argList = n.getChild('ArgList');
    const args = argList ? this.args(argList, ctx, scope) : { positional: [], keywords: new Map(), at };
    const cls: Value & { t: 'obj' } = { t: 'obj', kind: 'class', name, attrs: new Map(), bases: args.positional, at };
    const body = n.getChild('Body');
    if (body) {
      const classScope = new Map<string, Value>();
      // Class bodies see the module's names; what they assign becomes the class's attributes.
      const lookup = new Map([...scope, ...classScope]);
      for (let s = body.firstChild; s; s = s.nextSibling) {
        if (s.name === 'AssignStatement') {
          this.execAssign(s, ctx, lookup);
          const first = s.firstChild;
          if (first?.name === 'VariableName') cls.attrs.set(text(ctx, first), lookup.get(text(ctx, first))!);
        }
      }
    }
    if (args.keywords.has('metadata')) cls.attrs.set('metadata', args.keywords.get('metadata')!);
    for (const d of decorators) {
      const call = d.getChild('ArgList');
      const callee = this.eval(d.getChild('VariableName') ?? d.getChild('MemberExpression') ?? d, ctx, scope);
      if (callee.t === 'lib' && callee.name.endsWith('.as_declarative') && !cls.attrs.has('metadata')) {
        const kw = call ? this.args(call, ctx, scope).keywords : new Map<string, Value>();
        cls.attrs.set('metadata', kw.get('metadata') ?? this.newMetadata(this.loc(ctx, d)));
      }
    }
    // A direct DeclarativeBase subclass gets its own MetaData unless its body gives one.
    if (!cls.attrs.has('metadata') && cls.bases.some((b) => b.t === 'lib' && DECLARATIVE_BASES.has(lastPart(b.name)))) {
      const reg = cls.attrs.get('registry');
      cls.attrs.set('metadata', reg && reg.t === 'obj' ? this.attr(reg, 'metadata', ctx, n) : this.newMetadata(at));
    }
    scope.set(name, cls);
  }

  private execImport(n: SyntaxNode, ctx: ModuleCtx, scope: Map<string, Value>): void {
    const kids = children(n);
    const at = this.loc(ctx, n);
    if (kids[0]?.name === 'from') {
      let i = 1;
      let level = 0;
      const parts: string[] = [];
      for (; i < kids.length && kids[i].name !== 'import'; i++) {
        if (kids[i].name === '.' && !parts.length) level++;
        else if (kids[i].name === 'Ellipsis' && !parts.length) level += 3;
        else if (kids[i].name === 'VariableName') parts.push(text(ctx, kids[i]));
      }
      const modName = '.'.repeat(level) + parts.join('.');
      const mod = this.importModule(parts, level, ctx, at);
      const names = kids.slice(i + 1).filter((k) => k.name === 'VariableName' || k.name === '*' || k.name === 'as');
      if (kids.slice(i + 1).some((k) => text(ctx, k) === '*')) {
        if (mod.t === 'module' && mod.mod.file) for (const [k, v] of this.loadModule(mod.mod.file).scope) if (!k.startsWith('_')) scope.set(k, v);
        return;
      }
      for (let j = 0; j < names.length; j++) {
        if (names[j].name !== 'VariableName') continue;
        const name = text(ctx, names[j]);
        let local = name;
        if (names[j + 1]?.name === 'as') { local = text(ctx, names[j + 2]); j += 2; }
        scope.set(local, mod.t === 'unknown' ? this.unknownImport(name, modName, mod, at) : this.attr(mod, name, ctx, n));
      }
      return;
    }
    // import a.b.c [as m], d
    let parts: string[] = [];
    const flush = (alias?: string) => {
      if (!parts.length) return;
      const mod = this.importModule(parts, 0, ctx, at);
      if (alias) scope.set(alias, mod);
      else scope.set(parts[0], parts.length === 1 ? mod : this.importModule([parts[0]], 0, ctx, at));
      parts = [];
    };
    for (let j = 1; j < kids.length; j++) {
      const k = kids[j];
      if (k.name === 'VariableName') parts.push(text(ctx, k));
      else if (k.name === 'as') { flush(text(ctx, kids[j + 1])); j++; }
      else if (k.name === ',') flush();
    }
    flush();
  }

  private unknownImport(name: string, modName: string, mod: Unknown, at: Loc): Value {
    return { t: 'unknown', why: `\`${name}\` is imported from \`${modName}\`: ${mod.why}`, at: mod.at ?? at };
  }

  /** The module `parts` (relative to `level` packages up when level > 0), evaluated, or why not. */
  private importModule(parts: string[], level: number, ctx: ModuleCtx, at: Loc): Value {
    const dotted = '.'.repeat(level) + parts.join('.');
    if (level === 0 && LIBS.includes(parts[0])) return this.lib(parts.join('.'));
    if (level > 0) {
      let base = path.dirname(ctx.file);
      for (let i = 1; i < level; i++) base = path.dirname(base);
      if (!isInside(this.root, base)) return { t: 'unknown', why: `the relative import \`${dotted}\` leaves the workspace`, at };
      if (!parts.length) return { t: 'module', name: dotted, mod: { file: fileIfExists(path.join(base, '__init__.py')), dir: base } };
      const mod = this.walk(base, parts);
      return mod ? { t: 'module', name: dotted, mod } : { t: 'unknown', why: `no module \`${dotted}\` next to ${this.rel(ctx.file)}`, at };
    }
    for (const entry of [...this.sysPath, ...this.installRoots()]) {
      const mod = this.walk(entry, parts);
      if (mod) return { t: 'module', name: dotted, mod };
    }
    const searched = [...this.sysPath, ...this.installRoots()].map((p) => this.rel(p)).join(', ');
    return { t: 'unknown', why: `\`${dotted}\` is not a module of the workspace (searched: ${searched}), so it cannot be followed without running Python`, at };
  }

  /**
   * Where the project's own package would be installed from (`pip install -e .`): folders of the
   * workspace (two levels down at most) holding setup.py / setup.cfg / pyproject.toml, and their src/.
   */
  private installRoots(): string[] {
    if (this.installed) return this.installed;
    const out: string[] = [];
    const visit = (dir: string, depth: number) => {
      let entries: fs.Dirent[];
      try { entries = fs.readdirSync(dir, { withFileTypes: true }); } catch { return; }
      if (entries.some((e) => e.isFile() && ['setup.py', 'setup.cfg', 'pyproject.toml'].includes(e.name))) {
        out.push(dir);
        if (entries.some((e) => e.isDirectory() && e.name === 'src')) out.push(path.join(dir, 'src'));
      }
      if (depth < 2) for (const e of entries) if (e.isDirectory() && !e.name.startsWith('.') && e.name !== 'node_modules') visit(path.join(dir, e.name), depth + 1);
    };
    visit(this.root, 0);
    this.installed = out.filter((p) => !this.sysPath.includes(p));
    return this.installed;
  }

  /** Finds and evaluates each package on the way (as Python runs each __init__.py). */
  private walk(base: string, parts: string[]): ModuleFile | undefined {
    let mod: ModuleFile | undefined;
    let dir = base;
    for (const part of parts) {
      mod = findModule(this.root, dir, [part]);
      if (!mod) return undefined;
      if (mod.file) this.loadModule(mod.file);
      if (!mod.dir) return part === parts[parts.length - 1] ? mod : undefined;
      dir = mod.dir;
    }
    return mod;
  }

  private loadModule(file: string): ModuleCtx {
    const cached = this.modules.get(file);
    if (cached) return cached; // a cycle sees the partly run module, as in Python
    let src = '';
    const ctx = this.newCtx(file, '');
    if (this.modules.size >= this.maxModules) {
      ctx.scope.set('__budget__', { t: 'unknown', why: `more than ${this.maxModules} modules imported` });
      this.modules.set(file, ctx);
      return ctx;
    }
    try { src = fs.readFileSync(file, 'utf8'); } catch { /* an unreadable file defines nothing */ }
    const full = this.newCtx(file, src);
    full.dir = path.basename(file) === '__init__.py' ? path.dirname(file) : undefined;
    this.modules.set(file, full);
    this.exec(parse(full.src).topNode, full);
    full.loading = false;
    return full;
  }

  // ---- values ----

  private lib(name: string): Value {
    const single = this.libSingletons.get(name);
    if (single) return single;
    if (name === 'sqlmodel.SQLModel' || name === 'sqlmodel.main.SQLModel') {
      const cls: Value = { t: 'obj', kind: 'class', name: 'SQLModel', attrs: new Map(), bases: [], at: { file: 'sqlmodel', line: 0 } };
      (cls as { attrs: Map<string, Value> }).attrs.set('metadata', { t: 'metadata', m: { at: { file: this.opts.envPy, line: 1 } } });
      this.libSingletons.set(name, cls);
      return cls;
    }
    return { t: 'lib', name };
  }

  private newMetadata(at: Loc): Value {
    return { t: 'metadata', m: { at } };
  }

  private unknown(why: string, ctx: ModuleCtx, n: SyntaxNode): Unknown {
    return { t: 'unknown', why, at: this.loc(ctx, n) };
  }

  private loc(ctx: ModuleCtx, n: SyntaxNode): Loc {
    return { file: ctx.file, line: lineOf(ctx, n.from) };
  }

  private eval(n: SyntaxNode, ctx: ModuleCtx, scope = ctx.scope): Value {
    switch (n.name) {
      case 'VariableName': {
        const name = text(ctx, n);
        const v = scope.get(name) ?? ctx.scope.get(name);
        if (v) return v;
        if (name === '__file__') return { t: 'str', v: ctx.file };
        if (['dict', 'str', 'list', 'tuple'].includes(name)) return { t: 'lib', name: `builtins.${name}` };
        return this.unknown(`\`${name}\` is not defined in ${this.rel(ctx.file)}`, ctx, n);
      }
      case 'String': return this.string(n, ctx);
      case 'ContinuedString': {
        let s = '';
        for (const c of children(n)) {
          const v = this.eval(c, ctx, scope);
          if (v.t !== 'str') return v;
          s += v.v;
        }
        return { t: 'str', v: s };
      }
      case 'FormatString': return this.unknown(`\`${text(ctx, n).slice(0, 60)}\` is an f-string`, ctx, n);
      case 'None': return { t: 'none' };
      case 'Number': return { t: 'num', v: Number(text(ctx, n).replace(/_/g, '')) };
      case 'ParenthesizedExpression': return n.firstChild?.nextSibling ? this.eval(n.firstChild.nextSibling, ctx, scope) : { t: 'none' };
      case 'ArrayExpression': case 'TupleExpression':
        return { t: 'list', items: children(n).filter((c) => !['[', ']', '(', ')', ','].includes(c.name)).map((c) => this.eval(c, ctx, scope)) };
      case 'DictionaryExpression': return this.dict(n, ctx, scope);
      case 'MemberExpression': {
        const obj = this.eval(n.firstChild!, ctx, scope);
        if (n.getChild('[')) {
          const idx = this.eval(children(n)[2], ctx, scope);
          return this.subscript(obj, idx, ctx, n);
        }
        return this.attr(obj, text(ctx, n.getChild('PropertyName')!), ctx, n);
      }
      case 'CallExpression': {
        const calleeNode = n.firstChild!;
        const argList = n.getChild('ArgList');
        const args = argList ? this.args(argList, ctx, scope) : { positional: [], keywords: new Map(), at: this.loc(ctx, n) };
        return this.call(this.eval(calleeNode, ctx, scope), args, ctx, n);
      }
      case 'BinaryExpression': {
        const [a, op, b] = children(n);
        const l = this.eval(a, ctx, scope), r = this.eval(b, ctx, scope);
        const o = text(ctx, op);
        if (l.t === 'unknown') return l;
        if (r.t === 'unknown') return r;
        if (o === '/' && l.t === 'str' && l.path && r.t === 'str') return { t: 'str', v: path.join(l.v, r.v), path: true };
        if (o === '+' && l.t === 'str' && r.t === 'str') return { t: 'str', v: l.v + r.v };
        if (o === '|' && l.t === 'dict' && r.t === 'dict') return { t: 'dict', entries: [...l.entries, ...r.entries], at: r.at };
        return this.unknown(`\`${text(ctx, n).slice(0, 60)}\` is computed by Python`, ctx, n);
      }
      default: return this.unknown(`\`${text(ctx, n).slice(0, 60)}\` is computed by Python`, ctx, n);
    }
  }

  private string(n: SyntaxNode, ctx: ModuleCtx): Value {
    const raw = text(ctx, n);
    const p = stringPrefixLength(raw, 0);
    const prefix = raw.slice(0, p).toLowerCase();
    const body = raw.slice(p);
    const q = body.startsWith('"""') || body.startsWith("'''") ? 3 : 1;
    const inner = body.slice(q, body.length - q);
    if (prefix.includes('b')) return this.unknown('a bytes literal', ctx, n);
    return { t: 'str', v: prefix.includes('r') ? inner : unescape(inner, false) };
  }

  private dict(n: SyntaxNode, ctx: ModuleCtx, scope: Map<string, Value>): Value {
    const entries: Array<[Value, Value]> = [];
    const kids = children(n).filter((c) => !['{', '}', ','].includes(c.name));
    for (let i = 0; i < kids.length; i++) {
      if (kids[i].name === '**') {
        const spread = this.eval(kids[++i], ctx, scope);
        if (spread.t !== 'dict') return spread.t === 'unknown' ? spread : this.unknown(`\`**${text(ctx, kids[i])}\` is not a dict`, ctx, kids[i]);
        entries.push(...spread.entries);
      } else if (kids[i + 1]?.name === ':') {
        entries.push([this.eval(kids[i], ctx, scope), this.eval(kids[i + 2], ctx, scope)]);
        i += 2;
      } else {
        return this.unknown(`\`${text(ctx, n).slice(0, 60)}\` is a comprehension`, ctx, n);
      }
    }
    return { t: 'dict', entries, at: this.loc(ctx, n) };
  }

  private args(argList: SyntaxNode, ctx: ModuleCtx, scope: Map<string, Value>): Args {
    const positional: Value[] = [];
    const keywords = new Map<string, Value>();
    const kids = children(argList).filter((c) => !['(', ')', ','].includes(c.name));
    for (let i = 0; i < kids.length; i++) {
      if (kids[i + 1]?.name === 'AssignOp') {
        keywords.set(text(ctx, kids[i]), this.eval(kids[i + 2], ctx, scope));
        i += 2;
      } else if (kids[i].name === '**' || kids[i].name === '*') {
        keywords.set(`${kids[i].name}${text(ctx, kids[i + 1])}`, this.eval(kids[i + 1], ctx, scope));
        i++;
      } else {
        positional.push(this.eval(kids[i], ctx, scope));
      }
    }
    return { positional, keywords, at: this.loc(ctx, argList) };
  }

  private attr(obj: Value, name: string, ctx: ModuleCtx, n: SyntaxNode): Value {
    switch (obj.t) {
      case 'unknown': return obj;
      case 'lib': {
        if (obj.name === 'flask.current_app' || obj.name.startsWith('flask.current_app.')) return this.flask(ctx, n);
        return this.lib(`${obj.name}.${name}`);
      }
      case 'module': {
        if (obj.mod.file) {
          const m = this.loadModule(obj.mod.file);
          const v = m.scope.get(name);
          if (v) return v;
          if (m.scope.has('__budget__')) return m.scope.get('__budget__')!;
        }
        if (obj.mod.dir) {
          const sub = findModule(this.root, obj.mod.dir, [name]);
          if (sub) {
            if (sub.file) this.loadModule(sub.file);
            return { t: 'module', name: `${obj.name}.${name}`, mod: sub };
          }
        }
        return this.unknown(`\`${name}\` is not defined in \`${obj.name}\`${obj.mod.file ? ` (${this.rel(obj.mod.file)})` : ''}`, ctx, n);
      }
      case 'obj': {
        const seen = new Set<Value>();
        const lookup = (o: Value): Value | undefined => {
          if (o.t !== 'obj' || seen.has(o)) return undefined;
          seen.add(o);
          if (o.attrs.has(name)) return o.attrs.get(name);
          for (const b of o.bases) { const v = lookup(b); if (v) return v; }
          return undefined;
        };
        const v = lookup(obj);
        if (v) return v;
        const unknownBase = obj.bases.find((b) => b.t === 'unknown') as Unknown | undefined;
        if (unknownBase) return unknownBase;
        if (obj.bases.some((b) => b.t === 'lib')) return { t: 'method', self: obj, name };
        return this.unknown(`\`${obj.name}\` has no attribute \`${name}\` that can be read statically`, ctx, n);
      }
      case 'str':
        if (obj.path && name === 'parent') return { t: 'str', v: path.dirname(obj.v), path: true };
        if (obj.path && name === 'parents') return { t: 'parents', p: obj.v };
        return { t: 'method', self: obj, name };
      case 'metadata':
        return { t: 'method', self: obj, name };
      default:
        return { t: 'method', self: obj, name };
    }
  }

  private flask(ctx: ModuleCtx, n: SyntaxNode): Unknown {
    return this.unknown('it comes from the running Flask application (`current_app`, as Flask-Migrate\'s env.py does) and cannot be followed without running the app', ctx, n);
  }

  private subscript(obj: Value, idx: Value, ctx: ModuleCtx, n: SyntaxNode): Value {
    if (obj.t === 'unknown') return obj;
    if (obj.t === 'parents' && idx.t === 'num') {
      let p = path.dirname(obj.p);
      for (let i = 0; i < idx.v; i++) p = path.dirname(p);
      return { t: 'str', v: p, path: true };
    }
    if (obj.t === 'list' && idx.t === 'num' && obj.items[idx.v]) return obj.items[idx.v];
    if (obj.t === 'dict' && idx.t === 'str') {
      const hit = [...obj.entries].reverse().find(([k]) => k.t === 'str' && k.v === idx.v);
      if (hit) return hit[1];
    }
    return this.unknown(`\`${text(ctx, n).slice(0, 60)}\` is computed by Python`, ctx, n);
  }

  private call(callee: Value, args: Args, ctx: ModuleCtx, n: SyntaxNode): Value {
    const at = this.loc(ctx, n);
    if (callee.t === 'unknown') return callee;
    if (callee.t === 'lib') {
      const last = lastPart(callee.name);
      const top = callee.name.split('.')[0];
      if ((top === 'sqlalchemy' || top === 'sqlmodel') && last === 'MetaData') {
        if (args.positional.length) return this.unknown('MetaData() is given positional arguments', ctx, n);
        const m: MetaObj = { at };
        const nc = args.keywords.get('naming_convention');
        if (nc && nc.t !== 'none') {
          const conv = this.toConvention(nc, ctx, n);
          if ('why' in conv) m.unknown = conv;
          else { m.convention = conv.convention; m.conventionAt = conv.at; }
        }
        return { t: 'metadata', m };
      }
      if (top === 'sqlalchemy' && (last === 'declarative_base' || last === 'registry')) {
        const md = args.keywords.get('metadata') ?? this.newMetadata(at);
        const attrs = new Map<string, Value>([['metadata', md]]);
        return { t: 'obj', kind: 'instance', name: last, attrs, bases: [], at };
      }
      if (callee.name === 'flask_sqlalchemy.SQLAlchemy') {
        const modelClass = args.keywords.get('model_class');
        const md = args.keywords.get('metadata')
          ?? (modelClass ? this.attr(modelClass, 'metadata', ctx, n) : this.newMetadata(at));
        const model: Value = { t: 'obj', kind: 'class', name: 'Model', attrs: new Map([['metadata', md]]), bases: [], at };
        return { t: 'obj', kind: 'instance', name: 'SQLAlchemy', attrs: new Map([['metadata', md], ['Model', model]]), bases: [], at };
      }
      if (callee.name === 'builtins.dict') {
        const base = args.positional[0];
        if (base && base.t !== 'dict') return base.t === 'unknown' ? base : this.unknown('dict() of something that is not a dict', ctx, n);
        const entries: Array<[Value, Value]> = base?.t === 'dict' ? [...base.entries] : [];
        for (const [k, v] of args.keywords) {
          if (k.startsWith('**')) { if (v.t !== 'dict') return v.t === 'unknown' ? v : this.unknown(`\`${k}\` is not a dict`, ctx, n); entries.push(...v.entries); }
          else entries.push([{ t: 'str', v: k }, v]);
        }
        return { t: 'dict', entries, at };
      }
      if (callee.name === 'builtins.str') return args.positional[0]?.t === 'str' ? { t: 'str', v: args.positional[0].v } : args.positional[0] ?? { t: 'str', v: '' };
      if (callee.name === 'pathlib.Path' || callee.name === 'pathlib.PurePath') {
        const a = args.positional.map((v) => v.t === 'str' ? v.v : undefined);
        if (a.some((v) => v === undefined)) return args.positional.find((v) => v.t === 'unknown') ?? this.unknown('Path() of something computed by Python', ctx, n);
        return { t: 'str', v: path.join(...(a.length ? a as string[] : ['.'])), path: true };
      }
      if (callee.name === 'pathlib.Path.cwd' || callee.name === 'os.getcwd') return { t: 'str', v: this.projectRoot, path: callee.name.startsWith('pathlib') };
      if (callee.name.startsWith('os.path.')) return this.osPath(last, args, ctx, n);
      if (callee.name === 'sys.path.append' || callee.name === 'sys.path.insert') {
        const p = args.positional[callee.name.endsWith('insert') ? 1 : 0];
        if (p?.t === 'str') this.addSysPath(p.v, callee.name.endsWith('insert') && args.positional[0]?.t === 'num' && args.positional[0].v === 0);
        return { t: 'none' };
      }
      return this.unknown(`\`${callee.name}(...)\` is not followed`, ctx, n);
    }
    if (callee.t === 'method') return this.callMethod(callee.self, callee.name, args, ctx, n);
    if (callee.t === 'func') {
      // A function taking nothing: what its last `return` gives, seen from the module (Flask-Migrate's get_metadata()).
      const returns: SyntaxNode[] = [];
      const params = callee.node.getChild('ParamList');
      if (params && children(params).some((c) => c.name === 'VariableName')) {
        return this.unknown(`\`${callee.name}(...)\` is a function with parameters`, ctx, n);
      }
      callee.node.getChild('Body')?.cursor().iterate((c) => { if (c.name === 'ReturnStatement') returns.push(c.node); });
      const last = returns[returns.length - 1]?.lastChild;
      if (!last || last.name === 'return') return this.unknown(`\`${callee.name}()\` returns nothing that can be read`, ctx, n);
      if (this.callDepth >= 16) return this.unknown(`\`${callee.name}()\` calls functions too deeply to follow`, ctx, n);
      this.callDepth++;
      try { return this.eval(last, callee.ctx); } finally { this.callDepth--; }
    }
    return this.unknown(`\`${text(ctx, n).slice(0, 60)}\` is computed by Python`, ctx, n);
  }

  private callMethod(self: Value, name: string, args: Args, ctx: ModuleCtx, n: SyntaxNode): Value {
    if (self.t === 'str' && self.path && (name === 'resolve' || name === 'absolute')) return { t: 'str', v: path.resolve(this.projectRoot, self.v), path: true };
    if (self.t === 'str' && name === 'joinpath') {
      const parts = args.positional.map((v) => v.t === 'str' ? v.v : '');
      return { t: 'str', v: path.join(self.v, ...parts), path: true };
    }
    if (self.t === 'obj' && name === 'generate_base' && self.attrs.has('metadata')) {
      return { t: 'obj', kind: 'class', name: 'Base', attrs: new Map([['metadata', self.attrs.get('metadata')!]]), bases: [], at: this.loc(ctx, n) };
    }
    if (self.t === 'dict' && name === 'copy') return { t: 'dict', entries: [...self.entries], at: self.at };
    return this.unknown(`\`${text(ctx, n).slice(0, 60)}\` is computed by Python`, ctx, n);
  }

  private osPath(fn: string, args: Args, ctx: ModuleCtx, n: SyntaxNode): Value {
    const strs = args.positional.map((v) => v.t === 'str' ? v.v : undefined);
    if (strs.some((s) => s === undefined)) return args.positional.find((v) => v.t === 'unknown') ?? this.unknown(`os.path.${fn}() of something computed by Python`, ctx, n);
    const s = strs as string[];
    switch (fn) {
      case 'dirname': return { t: 'str', v: path.dirname(s[0]) };
      case 'abspath': case 'realpath': case 'normpath': return { t: 'str', v: path.resolve(this.projectRoot, s[0]) };
      case 'join': return { t: 'str', v: path.join(...s) };
      default: return this.unknown(`os.path.${fn}() is not followed`, ctx, n);
    }
  }

  private addSysPath(p: string, front: boolean): void {
    const abs = path.resolve(this.projectRoot, p);
    if (!isInside(this.root, abs)) { this.dropped.push(abs); return; }
    if (front) this.sysPath.unshift(abs);
    else this.sysPath.push(abs);
  }

  /** A naming_convention value as SQLAlchemy would hold it, or why it cannot be known. */
  private toConvention(value: Value, ctx: ModuleCtx, n: SyntaxNode): { convention: NamingConvention; at: Loc } | Unknown {
    if (value.t === 'unknown') return value;
    if (value.t !== 'dict') return this.unknown(`naming_convention is ${describe(value)}, not a dict`, ctx, n);
    const conv: NamingConvention = { keys: {}, classes: {}, callables: [] };
    for (const [k, v] of value.entries) {
      let template: string | null;
      if (v.t === 'str') template = v.v;
      else if (v.t === 'none') template = null;
      else if (v.t === 'func' && k.t === 'str') { conv.callables.push(k.v); continue; }
      else if (v.t === 'unknown') return { t: 'unknown', why: `the naming_convention entry ${k.t === 'str' ? `'${k.v}'` : ''} is unknown: ${v.why}`, at: v.at };
      else return { t: 'unknown', why: `the naming_convention entry ${k.t === 'str' ? `'${k.v}'` : ''} is ${describe(v)}, not a string`, at: value.at };
      if (k.t === 'str') conv.keys[k.v] = template;
      else if (k.t === 'lib' && k.name.startsWith('sqlalchemy') && CLASS_NAMES.has(lastPart(k.name))) conv.classes[lastPart(k.name)] = template;
      else if (k.t === 'unknown') return k;
      else return { t: 'unknown', why: `a naming_convention key is ${describe(k)}, neither a string nor a SQLAlchemy class`, at: value.at };
    }
    // MetaData(naming_convention={}) falls back to SQLAlchemy's default.
    if (value.entries.length === 0) return { convention: DEFAULT_CONVENTION, at: value.at };
    return { convention: conv, at: value.at };
  }
}

/**
 * `[tool.alembic-migrations] naming_convention = { ix = "...", uq = "..." }` in pyproject.toml: the
 * fallback when target_metadata cannot be followed. Undefined when the setting is absent.
 */
export function readConventionSetting(pyprojectText: string):
  { convention: NamingConvention; source: string } | { convention: undefined; reason: string } | undefined {
  let data: Record<string, unknown>;
  try {
    data = parseToml(pyprojectText) as Record<string, unknown>;
  } catch (e) {
    return { convention: undefined, reason: `pyproject.toml cannot be parsed: ${(e as Error).message.split('\n')[0]}` };
  }
  const section = (data.tool as Record<string, unknown> | undefined)?.['alembic-migrations'] as Record<string, unknown> | undefined;
  const raw = section?.naming_convention;
  if (raw === undefined) return undefined;
  const where = '[tool.alembic-migrations] naming_convention';
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { convention: undefined, reason: `${where} must be a table of strings` };
  const conv: NamingConvention = { keys: {}, classes: {}, callables: [] };
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof v !== 'string') return { convention: undefined, reason: `${where}.${k} must be a string` };
    if (CLASS_NAMES.has(k)) conv.classes[k] = v;
    else if (['ix', 'uq', 'ck', 'fk', 'pk'].includes(k)) conv.keys[k] = v;
    else return { convention: undefined, reason: `${where}.${k}: keys are ix, uq, ck, fk, pk or a SQLAlchemy class name (UniqueConstraint...)` };
  }
  if (Object.keys(conv.keys).length + Object.keys(conv.classes).length === 0) return { convention: DEFAULT_CONVENTION, source: where };
  return { convention: conv, source: where };
}

function describe(v: Value): string {
  switch (v.t) {
    case 'str': return `the string '${v.v.slice(0, 40)}'`;
    case 'num': return `the number ${v.v}`;
    case 'none': return 'None';
    case 'dict': return 'a dict';
    case 'list': return 'a list';
    case 'metadata': return 'a MetaData';
    case 'obj': return v.kind === 'class' ? `the class ${v.name}` : `a ${v.name} object`;
    case 'module': return `the module ${v.name}`;
    case 'lib': return `\`${v.name}\``;
    case 'func': return `the function ${v.name}`;
    default: return 'a value computed by Python';
  }
}

function lastPart(name: string): string {
  return name.slice(name.lastIndexOf('.') + 1);
}

function fileIfExists(p: string): string | undefined {
  try { return fs.statSync(p).isFile() ? p : undefined; } catch { return undefined; }
}

function children(n: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = n.firstChild; c; c = c.nextSibling) if (c.name !== 'Comment') out.push(c);
  return out;
}

function text(ctx: ModuleCtx, n: SyntaxNode): string {
  return ctx.src.slice(n.from, n.to);
}

function lineOf(ctx: ModuleCtx, pos: number): number {
  let lo = 0, hi = ctx.lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (ctx.lineStarts[mid] <= pos) lo = mid; else hi = mid - 1;
  }
  return lo + 1;
}

function firstError(tree: Tree): number | undefined {
  let at: number | undefined;
  tree.iterate({ enter: (n) => { if (at === undefined && n.type.isError) at = n.from; return at === undefined; } });
  return at;
}

function keywordArgs(call: SyntaxNode, ctx: ModuleCtx): { keywords: Array<{ name: string; value: SyntaxNode }>; spread: boolean } {
  const list = call.getChild('ArgList');
  const keywords: Array<{ name: string; value: SyntaxNode }> = [];
  if (!list) return { keywords, spread: false };
  const kids = children(list);
  for (let i = 0; i + 2 < kids.length; i++) {
    if (kids[i].name === 'VariableName' && kids[i + 1].name === 'AssignOp') keywords.push({ name: text(ctx, kids[i]), value: kids[i + 2] });
  }
  return { keywords, spread: kids.some((k) => k.name === '**') };
}
