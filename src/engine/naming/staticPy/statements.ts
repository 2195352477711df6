/**
 * Running a module's statements statically, as Python would at import time: imports (bound through
 * imports.ts), assignments (including `Base.metadata.naming_convention = {...}`), classes (their
 * bases, body attributes, `metadata=` keyword, `@as_declarative`, DeclarativeBase subclasses getting
 * their own MetaData), function definitions, and the body of `try:`. Other statements are skipped.
 */
import type { SyntaxNode } from '@lezer/common';
import { toConvention } from './conventionDict';
import { CallEvaluator } from './calls';
import { children, lastPart, loc, Loc, ModuleCtx, text, unknown, Unknown, Value } from './values';

const DECLARATIVE_BASES = new Set(['DeclarativeBase', 'DeclarativeBaseNoMeta']);

/** The complete reader: what a module binds, once its statements have run. */
export class StaticInterpreter extends CallEvaluator {
  protected exec(block: SyntaxNode, ctx: ModuleCtx, scope = ctx.scope): void {
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
      if (target?.name === 'VariableName' && kids.length >= 3) scope.set(text(ctx, target), unknown(`\`${text(ctx, target)}\` is changed by \`${text(ctx, n).slice(0, 60)}\``, ctx, n));
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
      const conv = toConvention(value, ctx, at);
      if ('why' in conv) obj.m.unknown = conv;
      else { obj.m.convention = conv.convention; obj.m.conventionAt = conv.at; obj.m.unknown = undefined; }
    }
  }

  private execClass(n: SyntaxNode, ctx: ModuleCtx, scope: Map<string, Value>, decorators: SyntaxNode[]): void {
    const nameNode = n.getChild('VariableName');
    if (!nameNode) return;
    const name = text(ctx, nameNode);
    const at = loc(ctx, n);
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
        cls.attrs.set('metadata', kw.get('metadata') ?? this.newMetadata(loc(ctx, d)));
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
    const at = loc(ctx, n);
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
}
