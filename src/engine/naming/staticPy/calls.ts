/**
 * What calls give, statically: the library calls that make or carry a MetaData (`MetaData(...)`,
 * `declarative_base`, `registry`, Flask-SQLAlchemy's `SQLAlchemy(...)`), `dict(...)`, path helpers
 * (`pathlib`, `os.path`), `sys.path.insert/append` (which later imports then search), and
 * functions of the project that take no arguments (what their last `return` gives).
 */
import path from 'node:path';
import type { SyntaxNode } from '@lezer/common';
import { toConvention } from './conventionDict';
import { ExpressionEvaluator } from './expressions';
import { Args, children, lastPart, loc, MetaObj, ModuleCtx, text, unknown, Value } from './values';

/** Calls; statements are left to StaticInterpreter (statements.ts). */
export abstract class CallEvaluator extends ExpressionEvaluator {
  /** Nested calls of project functions, bounded against recursion. */
  private callDepth = 0;

  protected call(callee: Value, args: Args, ctx: ModuleCtx, n: SyntaxNode): Value {
    const at = loc(ctx, n);
    if (callee.t === 'unknown') return callee;
    if (callee.t === 'lib') {
      const last = lastPart(callee.name);
      const top = callee.name.split('.')[0];
      if ((top === 'sqlalchemy' || top === 'sqlmodel') && last === 'MetaData') {
        if (args.positional.length) return unknown('MetaData() is given positional arguments', ctx, n);
        const m: MetaObj = { at };
        const nc = args.keywords.get('naming_convention');
        if (nc && nc.t !== 'none') {
          const conv = toConvention(nc, ctx, n);
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
        if (base && base.t !== 'dict') return base.t === 'unknown' ? base : unknown('dict() of something that is not a dict', ctx, n);
        const entries: Array<[Value, Value]> = base?.t === 'dict' ? [...base.entries] : [];
        for (const [k, v] of args.keywords) {
          if (k.startsWith('**')) { if (v.t !== 'dict') return v.t === 'unknown' ? v : unknown(`\`${k}\` is not a dict`, ctx, n); entries.push(...v.entries); }
          else entries.push([{ t: 'str', v: k }, v]);
        }
        return { t: 'dict', entries, at };
      }
      if (callee.name === 'builtins.str') return args.positional[0]?.t === 'str' ? { t: 'str', v: args.positional[0].v } : args.positional[0] ?? { t: 'str', v: '' };
      if (callee.name === 'pathlib.Path' || callee.name === 'pathlib.PurePath') {
        const a = args.positional.map((v) => v.t === 'str' ? v.v : undefined);
        if (a.some((v) => v === undefined)) return args.positional.find((v) => v.t === 'unknown') ?? unknown('Path() of something computed by Python', ctx, n);
        return { t: 'str', v: path.join(...(a.length ? a as string[] : ['.'])), path: true };
      }
      if (callee.name === 'pathlib.Path.cwd' || callee.name === 'os.getcwd') return { t: 'str', v: this.projectRoot, path: callee.name.startsWith('pathlib') };
      if (callee.name.startsWith('os.path.')) return this.osPath(last, args, ctx, n);
      if (callee.name === 'sys.path.append' || callee.name === 'sys.path.insert') {
        const p = args.positional[callee.name.endsWith('insert') ? 1 : 0];
        if (p?.t === 'str') this.addSysPath(p.v, callee.name.endsWith('insert') && args.positional[0]?.t === 'num' && args.positional[0].v === 0);
        return { t: 'none' };
      }
      return unknown(`\`${callee.name}(...)\` is not followed`, ctx, n);
    }
    if (callee.t === 'method') return this.callMethod(callee.self, callee.name, args, ctx, n);
    if (callee.t === 'func') {
      // A function taking nothing: what its last `return` gives, seen from the module (Flask-Migrate's get_metadata()).
      const returns: SyntaxNode[] = [];
      const params = callee.node.getChild('ParamList');
      if (params && children(params).some((c) => c.name === 'VariableName')) {
        return unknown(`\`${callee.name}(...)\` is a function with parameters`, ctx, n);
      }
      callee.node.getChild('Body')?.cursor().iterate((c) => { if (c.name === 'ReturnStatement') returns.push(c.node); });
      const last = returns[returns.length - 1]?.lastChild;
      if (!last || last.name === 'return') return unknown(`\`${callee.name}()\` returns nothing that can be read`, ctx, n);
      if (this.callDepth >= 16) return unknown(`\`${callee.name}()\` calls functions too deeply to follow`, ctx, n);
      this.callDepth++;
      try { return this.eval(last, callee.ctx); } finally { this.callDepth--; }
    }
    return unknown(`\`${text(ctx, n).slice(0, 60)}\` is computed by Python`, ctx, n);
  }

  private callMethod(self: Value, name: string, args: Args, ctx: ModuleCtx, n: SyntaxNode): Value {
    if (self.t === 'str' && self.path && (name === 'resolve' || name === 'absolute')) return { t: 'str', v: path.resolve(this.projectRoot, self.v), path: true };
    if (self.t === 'str' && name === 'joinpath') {
      const parts = args.positional.map((v) => v.t === 'str' ? v.v : '');
      return { t: 'str', v: path.join(self.v, ...parts), path: true };
    }
    if (self.t === 'obj' && name === 'generate_base' && self.attrs.has('metadata')) {
      return { t: 'obj', kind: 'class', name: 'Base', attrs: new Map([['metadata', self.attrs.get('metadata')!]]), bases: [], at: loc(ctx, n) };
    }
    if (self.t === 'dict' && name === 'copy') return { t: 'dict', entries: [...self.entries], at: self.at };
    return unknown(`\`${text(ctx, n).slice(0, 60)}\` is computed by Python`, ctx, n);
  }

  private osPath(fn: string, args: Args, ctx: ModuleCtx, n: SyntaxNode): Value {
    const strs = args.positional.map((v) => v.t === 'str' ? v.v : undefined);
    if (strs.some((s) => s === undefined)) return args.positional.find((v) => v.t === 'unknown') ?? unknown(`os.path.${fn}() of something computed by Python`, ctx, n);
    const s = strs as string[];
    switch (fn) {
      case 'dirname': return { t: 'str', v: path.dirname(s[0]) };
      case 'abspath': case 'realpath': case 'normpath': return { t: 'str', v: path.resolve(this.projectRoot, s[0]) };
      case 'join': return { t: 'str', v: path.join(...s) };
      default: return unknown(`os.path.${fn}() is not followed`, ctx, n);
    }
  }
}
