/**
 * Following imports inside the workspace, never running them: sys.path (the project folder,
 * alembic.ini's prepend_sys_path, `sys.path.insert/append` seen on the way), the folders an
 * editable install would add, and relative imports. Each module found is read once and its
 * statements run by the static interpreter; packages outside the workspace are either known by name
 * (sqlalchemy, flask_sqlalchemy, ...) or reported as not followable.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { SyntaxNode } from '@lezer/common';
import { findModule, isInside, ModuleFile } from '../pyModules';
import { fileIfExists, Loc, ModuleCtx, newCtx, parse, Value } from './values';

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

/** Packages whose names we know (everything else outside the workspace cannot be followed). */
const LIBS = ['sqlalchemy', 'sqlmodel', 'flask_sqlalchemy', 'flask', 'os', 'sys', 'pathlib', 'alembic', 'typing'];

/**
 * The state of one lookup: sys.path, the modules read so far (each run once, as Python caches
 * them), and the sys.path entries dropped for leaving the workspace. The reader is one class chain
 * (ModuleLoader > ExpressionEvaluator > CallEvaluator > StaticInterpreter > targetMetadata's
 * Finder), one file a link, because importing, evaluating and running statements call each other.
 */
export abstract class ModuleLoader {
  protected readonly root: string;
  protected readonly projectRoot: string;
  protected readonly sysPath: string[];
  protected readonly modules = new Map<string, ModuleCtx>();
  private readonly maxModules: number;
  private readonly libSingletons = new Map<string, Value>();
  protected readonly dropped: string[] = [];
  private installed: string[] | undefined;

  constructor(protected readonly opts: FindConventionOptions) {
    this.root = path.resolve(opts.workspaceRoot);
    this.projectRoot = path.resolve(opts.projectRoot ?? this.root);
    this.sysPath = [...(opts.extraSysPath ?? []).map((p) => path.resolve(this.projectRoot, p)), this.projectRoot];
    this.maxModules = opts.maxModules ?? 400;
  }

  protected abstract exec(block: SyntaxNode, ctx: ModuleCtx, scope?: Map<string, Value>): void;

  /** `file` relative to the workspace root, for messages. */
  protected rel(file: string): string {
    return path.relative(this.root, file).split(path.sep).join('/') || '.';
  }

  /** The module `parts` (relative to `level` packages up when level > 0), evaluated, or why not. */
  protected importModule(parts: string[], level: number, ctx: ModuleCtx, at: Loc): Value {
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

  protected loadModule(file: string): ModuleCtx {
    const cached = this.modules.get(file);
    if (cached) return cached; // a cycle sees the partly run module, as in Python
    let src = '';
    const ctx = newCtx(file, '');
    if (this.modules.size >= this.maxModules) {
      ctx.scope.set('__budget__', { t: 'unknown', why: `more than ${this.maxModules} modules imported` });
      this.modules.set(file, ctx);
      return ctx;
    }
    try { src = fs.readFileSync(file, 'utf8'); } catch { /* an unreadable file defines nothing */ }
    const full = newCtx(file, src);
    full.dir = path.basename(file) === '__init__.py' ? path.dirname(file) : undefined;
    this.modules.set(file, full);
    this.exec(parse(full.src).topNode, full);
    full.loading = false;
    return full;
  }

  /** A name inside a known package; SQLModel's class is one object, as its metadata is shared. */
  protected lib(name: string): Value {
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

  protected addSysPath(p: string, front: boolean): void {
    const abs = path.resolve(this.projectRoot, p);
    if (!isInside(this.root, abs)) { this.dropped.push(abs); return; }
    if (front) this.sysPath.unshift(abs);
    else this.sysPath.push(abs);
  }
}
