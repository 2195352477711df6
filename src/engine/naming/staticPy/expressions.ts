/**
 * Evaluating Python expressions statically: names, literals, dicts (with `**` and `|`), attribute
 * access through modules, classes and their bases, subscripts, and path arithmetic (`Path / "x"`).
 * What Python would compute otherwise (f-strings, comprehensions, unknown calls) becomes `unknown`
 * with the reason. Calls are the subclass's part (calls.ts).
 */
import path from 'node:path';
import type { SyntaxNode } from '@lezer/common';
import { findModule } from '../pyModules';
import { stringLiteralValue } from '../../scripts/pyTokens';
import { ModuleLoader } from './imports';
import { Args, children, loc, Loc, ModuleCtx, text, unknown, Unknown, Value } from './values';

/** Expressions; calls are left to CallEvaluator (calls.ts). */
export abstract class ExpressionEvaluator extends ModuleLoader {
  protected abstract call(callee: Value, args: Args, ctx: ModuleCtx, n: SyntaxNode): Value;

  protected newMetadata(at: Loc): Value {
    return { t: 'metadata', m: { at } };
  }

  protected eval(n: SyntaxNode, ctx: ModuleCtx, scope = ctx.scope): Value {
    switch (n.name) {
      case 'VariableName': {
        const name = text(ctx, n);
        const v = scope.get(name) ?? ctx.scope.get(name);
        if (v) return v;
        if (name === '__file__') return { t: 'str', v: ctx.file };
        if (['dict', 'str', 'list', 'tuple'].includes(name)) return { t: 'lib', name: `builtins.${name}` };
        return unknown(`\`${name}\` is not defined in ${this.rel(ctx.file)}`, ctx, n);
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
      case 'FormatString': return unknown(`\`${text(ctx, n).slice(0, 60)}\` is an f-string`, ctx, n);
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
        const args = argList ? this.args(argList, ctx, scope) : { positional: [], keywords: new Map(), at: loc(ctx, n) };
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
        return unknown(`\`${text(ctx, n).slice(0, 60)}\` is computed by Python`, ctx, n);
      }
      default: return unknown(`\`${text(ctx, n).slice(0, 60)}\` is computed by Python`, ctx, n);
    }
  }

  private string(n: SyntaxNode, ctx: ModuleCtx): Value {
    const v = stringLiteralValue(text(ctx, n));
    if (v === undefined) return unknown('a bytes literal', ctx, n);
    return { t: 'str', v };
  }

  private dict(n: SyntaxNode, ctx: ModuleCtx, scope: Map<string, Value>): Value {
    const entries: Array<[Value, Value]> = [];
    const kids = children(n).filter((c) => !['{', '}', ','].includes(c.name));
    for (let i = 0; i < kids.length; i++) {
      if (kids[i].name === '**') {
        const spread = this.eval(kids[++i], ctx, scope);
        if (spread.t !== 'dict') return spread.t === 'unknown' ? spread : unknown(`\`**${text(ctx, kids[i])}\` is not a dict`, ctx, kids[i]);
        entries.push(...spread.entries);
      } else if (kids[i + 1]?.name === ':') {
        entries.push([this.eval(kids[i], ctx, scope), this.eval(kids[i + 2], ctx, scope)]);
        i += 2;
      } else {
        return unknown(`\`${text(ctx, n).slice(0, 60)}\` is a comprehension`, ctx, n);
      }
    }
    return { t: 'dict', entries, at: loc(ctx, n) };
  }

  protected args(argList: SyntaxNode, ctx: ModuleCtx, scope: Map<string, Value>): Args {
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
    return { positional, keywords, at: loc(ctx, argList) };
  }

  protected attr(obj: Value, name: string, ctx: ModuleCtx, n: SyntaxNode): Value {
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
        return unknown(`\`${name}\` is not defined in \`${obj.name}\`${obj.mod.file ? ` (${this.rel(obj.mod.file)})` : ''}`, ctx, n);
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
        return unknown(`\`${obj.name}\` has no attribute \`${name}\` that can be read statically`, ctx, n);
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
    return unknown('it comes from the running Flask application (`current_app`, as Flask-Migrate\'s env.py does) and cannot be followed without running the app', ctx, n);
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
    return unknown(`\`${text(ctx, n).slice(0, 60)}\` is computed by Python`, ctx, n);
  }
}
