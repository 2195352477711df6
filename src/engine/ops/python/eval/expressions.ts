/**
 * The expressions of the evaluator (interpreter.ts has the statements): names, operators,
 * comprehensions, subscripts, calls, lambdas and calls of functions defined in Python source,
 * and binding values to assignment targets (shared by both).
 */
import type { SyntaxNode } from '@lezer/common';
import { Call, PyDict, Unsupported } from '../../values';
import { describeNode } from '../describeNode';
import { formattedString, numberLiteral, stringLiteral } from './literals';
import { children, inner, line, snippet, text } from './tree';
import { BreakSignal, BudgetExceeded, ContinueSignal, ModuleLoadError, PythonError, ReturnSignal, StopEvaluation } from './errors';
import { binaryOp, compare, containsOp, unaryOp, iterate, subscript, sliceOf, dictKey, setItem } from './operators';
import { attribute } from './attributes';
import { PYTHON_BUILTINS, UNSAFE_BUILTINS } from './builtins';
import { Builtin, Kwargs, Namespace, Param, PyFunction, pythonSideCallables, RtObject, Scope, tuple, truthy, typeName, Unit, Value } from './runtime';
import type { World } from './world';
import { Budgeted } from './budget';

const MAX_DEPTH = 60;

/** A module's top level ended by a `raise`, `return`, `break` or `continue` (errors.ts ModuleLoadError). */
export function moduleExit(e: unknown, at: number): ModuleLoadError | undefined {
  if (e instanceof ModuleLoadError) return e;
  if (e instanceof StopEvaluation) return new ModuleLoadError(e.line || at, 'raise', `loading the module raises ${e.message} (Python fails here too; fix the migration)`);
  const outside = e instanceof ReturnSignal ? "'return' outside function" : e instanceof BreakSignal ? "'break' outside loop" : e instanceof ContinueSignal ? "'continue' not properly in loop" : undefined;
  if (e instanceof BreakSignal || e instanceof ContinueSignal) at = e.line || at;
  return outside ? new ModuleLoadError(at, outside, 'a SyntaxError: Python cannot load this file; fix it first') : undefined;
}

export abstract class ExpressionEvaluator extends Budgeted {
  constructor(readonly world: World, budget?: number) {
    super(budget);
  }

  /** Runs a function's body (the statements are the interpreter's). */
  abstract block(body: SyntaxNode, unit: Unit, scopes: Scope[]): void;

  /** `tuple`: the targets were written with a comma (`x, = row` unpacks one item). */
  protected bindTargets(targets: SyntaxNode[], value: Value, unit: Unit, scopes: Scope[], at: SyntaxNode, tuple = targets.length > 1): void {
    if (!tuple && targets.length === 1) { this.bindTarget(targets[0], value, unit, scopes); return; }
    const items = [...iterate(value, line(unit, at))];
    if (items.length !== targets.length) {
      throw new PythonError(line(unit, at), 'ValueError', `${items.length < targets.length ? 'not enough' : 'too many'} values to unpack (expected ${targets.length}, got ${items.length})`);
    }
    targets.forEach((t, i) => this.bindTarget(t, items[i], unit, scopes));
  }

  protected bindTarget(t: SyntaxNode, value: Value, unit: Unit, scopes: Scope[]): void {
    switch (t.name) {
      case 'VariableName': this.scopeOf(text(unit, t), unit, scopes).vars.set(text(unit, t), value); return;
      case 'TupleExpression': case 'ArrayExpression': case 'ParenthesizedExpression':
        this.bindTargets(inner(t), value, unit, scopes, t); return;
      case 'MemberExpression':
        if (t.getChild('.')) {
          this.world.setAttr(this.expr(t.firstChild!, unit, scopes), text(unit, t.lastChild!), value, line(unit, t));
          return;
        }
        if (t.getChild('[')) {
          const obj = this.expr(t.firstChild!, unit, scopes);
          const key = this.expr(t.firstChild!.nextSibling!.nextSibling!, unit, scopes);
          setItem(obj, key, value, line(unit, t));
          return;
        }
    }
    throw new Unsupported(line(unit, t), snippet(unit, t), 'assigning to this is not evaluated');
  }

  /** Where an assignment to `name` goes: the local scope, unless `global` / `nonlocal` said otherwise. */
  protected scopeOf(name: string, unit: Unit, scopes: Scope[]): Scope {
    const d = scopes[0].declared?.get(name);
    if (d === 'global') return scopes[scopes.length - 1].kind === 'module' ? scopes[scopes.length - 1] : unit.scope;
    if (d === 'nonlocal') return scopes.slice(1).find((x) => x.kind === 'function' && x.vars.has(name)) ?? scopes[0];
    return scopes[0];
  }

  protected params(list: SyntaxNode | null, unit: Unit, scopes: Scope[]): Param[] {
    const out: Param[] = [];
    let kind: Param['kind'] = 'plain';
    for (let c = list?.firstChild; c; c = c.nextSibling) {
      if (c.name === '*') { kind = c.nextSibling?.name === 'VariableName' ? 'star' : 'kwonly'; if (kind === 'kwonly') continue; continue; }
      if (c.name === '**') { kind = 'kwstar'; continue; }
      if (c.name === 'VariableName') {
        const p: Param = { name: text(unit, c), kind };
        if (c.nextSibling?.name === 'TypeDef') c = c.nextSibling;
        if (c.nextSibling?.name === 'AssignOp') { c = c.nextSibling.nextSibling!; p.default = this.expr(c, unit, scopes); }
        out.push(p);
        if (kind === 'star') kind = 'kwonly';
      }
    }
    return out;
  }

  /** Calls a function defined in Python source. */
  readonly invoke = (f: PyFunction, args: Value[], kwargs: Kwargs, at: number): Value => {
    if (++this.depth > MAX_DEPTH) { this.depth--; throw new PythonError(at, 'RecursionError', `${f.name}() calls itself too deeply`); }
    try {
      const scope = new Scope('function');
      bindArguments(f, args, kwargs, scope, at);
      if (f.owner) { scope.vars.set('__class__', f.owner); scope.vars.set('__self__', args[0] ?? null); }
      const scopes = [scope, ...f.closure];
      if (f.isLambda) return this.expr(f.body, f.unit, scopes);
      try { this.block(f.body, f.unit, scopes); } catch (e) {
        if (e instanceof ReturnSignal) return e.value as Value;
        if (e instanceof BreakSignal || e instanceof ContinueSignal) throw moduleExit(e, at); // outside a loop: the file does not load
        throw e;
      }
      return null;
    } finally { this.depth--; }
  };

  // ---- expressions ----

  expr(n: SyntaxNode, unit: Unit, scopes: Scope[]): Value {
    this.tick(n, unit);
    const at = line(unit, n);
    switch (n.name) {
      case 'Number': return numberLiteral(unit, n);
      case 'String': return stringLiteral(n, unit);
      case 'ContinuedString': {
        let s = '';
        for (let c = n.firstChild; c; c = c.nextSibling) s += c.name === 'FormatString' ? formattedString(c, unit, (e) => this.expr(e, unit, scopes)) : stringLiteral(c, unit);
        return s;
      }
      case 'FormatString': return formattedString(n, unit, (e) => this.expr(e, unit, scopes));
      case 'Boolean': return text(unit, n) === 'True';
      case 'None': return null;
      case 'Ellipsis': return this.world.ellipsis;
      case 'VariableName': return this.lookup(text(unit, n), unit, scopes, at);
      case 'ParenthesizedExpression': {
        const parts = inner(n);
        if (parts.length === 1) return this.expr(parts[0], unit, scopes);
        throw new Unsupported(at, snippet(unit, n), 'this expression is not evaluated');
      }
      case 'TupleExpression': return tuple(this.items(inner(n), unit, scopes));
      case 'ArrayExpression': return this.items(inner(n), unit, scopes);
      case 'SetExpression': return this.world.makeSet(this.items(inner(n), unit, scopes));
      case 'DictionaryExpression': return this.dict(n, unit, scopes);
      case 'ArrayComprehensionExpression': case 'ComprehensionExpression': case 'SetComprehensionExpression': {
        const out: Value[] = [];
        this.comprehension(n, unit, scopes, (s) => out.push(this.expr(n.firstChild!.name === '[' || n.firstChild!.name === '{' || n.firstChild!.name === '(' ? n.firstChild!.nextSibling! : n.firstChild!, unit, s)));
        return n.name === 'SetComprehensionExpression' ? this.world.makeSet(out) : out;
      }
      case 'DictionaryComprehensionExpression': {
        const m = new Map<string | number, Value>();
        const k = n.firstChild!.nextSibling!;
        const v = k.nextSibling!.nextSibling!;
        this.comprehension(n, unit, scopes, (s) => { m.set(dictKey(this.expr(k, unit, s), at), this.expr(v, unit, s)); });
        return new PyDict(m as Map<string | number, never>);
      }
      case 'ConditionalExpression': {
        const [a, , cond, , b] = children(n);
        return truthy(this.expr(cond, unit, scopes)) ? this.expr(a, unit, scopes) : this.expr(b, unit, scopes);
      }
      case 'YieldExpression': {
        const v = n.firstChild!.nextSibling;
        if (v?.name === 'from') throw new Unsupported(line(unit, n), 'yield from', 'a generator is run by the embedded engine only as a @contextlib.contextmanager with one yield');
        return this.world.yieldValue(n, unit, v ? this.expr(v, unit, scopes) : null, line(unit, n));
      }
      case 'LambdaExpression': {
        const params = this.params(n.getChild('ParamList'), unit, scopes);
        return new PyFunction('<lambda>', params, n.lastChild!, true, scopes, unit, this.invoke);
      }
      case 'UnaryExpression': {
        const op = text(unit, n.firstChild!);
        if (op === 'not') return this.boolean(n, unit, scopes);
        return unaryOp(op, this.expr(n.lastChild!, unit, scopes), at, this.world);
      }
      case 'BinaryExpression': return this.binary(n, unit, scopes);
      case 'MemberExpression': {
        const obj = this.expr(n.firstChild!, unit, scopes);
        if (n.getChild('.')) return attribute(obj, text(unit, n.lastChild!), at, this.world);
        return this.subscript(n, obj, unit, scopes);
      }
      case 'CallExpression': return this.call(n, unit, scopes);
      default:
        throw new Unsupported(at, snippet(unit, n), describeNode(n.name));
    }
  }

  protected lookup(name: string, unit: Unit, scopes: Scope[], at: number): Value {
    for (const s of scopes) if (s.vars.has(name)) return s.vars.get(name)!;
    if (unit.scope.vars.has(name)) return unit.scope.vars.get(name)!;
    if (name === 'super') {
      const fn = scopes.find((s) => s.vars.has('__class__'));
      return new Builtin('super', () => this.world.superOf(fn?.vars.get('__self__'), fn?.vars.get('__class__'), at));
    }
    const b = this.world.builtin(name);
    if (b !== undefined) return b;
    if (PYTHON_BUILTINS.has(name)) {
      throw new Unsupported(at, `${name}()`, UNSAFE_BUILTINS.has(name) ? 'a Python built-in the embedded engine never runs (files, input, code given as text, attributes by name)'
        : 'a Python built-in the embedded engine does not evaluate: run this migration with alembic');
    }
    throw new PythonError(at, 'NameError', `name '${name}' is not defined`);
  }

  items(nodes: SyntaxNode[], unit: Unit, scopes: Scope[]): Value[] {
    const out: Value[] = [];
    for (let i = 0; i < nodes.length; i++) {
      const c = nodes[i];
      if (c.name === '*') { out.push(...iterate(this.expr(nodes[++i], unit, scopes), line(unit, c))); continue; }
      out.push(this.expr(c, unit, scopes));
    }
    return out;
  }

  protected dict(n: SyntaxNode, unit: Unit, scopes: Scope[]): PyDict {
    const m = new Map<string | number, Value>();
    const parts = inner(n).filter((c) => c.name !== ':');
    for (let i = 0; i < parts.length; i++) {
      if (parts[i].name === '**') {
        const other = this.expr(parts[++i], unit, scopes);
        if (!(other instanceof PyDict)) throw new PythonError(line(unit, parts[i]), 'TypeError', `'${typeName(other)}' object is not a mapping`);
        for (const [k, v] of other.entries) m.set(k, v);
        continue;
      }
      const k = this.expr(parts[i], unit, scopes);
      m.set(dictKey(k, line(unit, parts[i])), this.expr(parts[++i], unit, scopes));
    }
    return new PyDict(m as Map<string | number, never>);
  }

  /** `for x in xs if cond ...` clauses; `each` is called in the innermost scope. */
  protected comprehension(n: SyntaxNode, unit: Unit, scopes: Scope[], each: (s: Scope[]) => void): void {
    const clauses: { kind: 'for'; targets: SyntaxNode[]; tuple: boolean; iter: SyntaxNode } | { kind: 'if'; cond: SyntaxNode }[] = [];
    const list: ({ kind: 'for'; targets: SyntaxNode[]; tuple: boolean; iter: SyntaxNode } | { kind: 'if'; cond: SyntaxNode })[] = clauses as never;
    for (let c = n.firstChild; c; c = c.nextSibling) {
      if (c.name === 'for') {
        const targets: SyntaxNode[] = [];
        let tuple = false;
        let t = c.nextSibling!;
        for (; t.name !== 'in'; t = t.nextSibling!) if (t.name !== ',') targets.push(t); else tuple = true;
        list.push({ kind: 'for', targets, tuple, iter: t.nextSibling! });
        c = t.nextSibling!;
      } else if (c.name === 'if') {
        list.push({ kind: 'if', cond: c.nextSibling! });
        c = c.nextSibling!;
      }
    }
    const scope = new Scope('function');
    const inner = [scope, ...scopes];
    const run = (i: number): void => {
      if (i === list.length) { each(inner); return; }
      const cl = list[i];
      if (cl.kind === 'if') { if (truthy(this.expr(cl.cond, unit, inner))) run(i + 1); return; }
      // The first iterable is evaluated in the enclosing scope, as in Python.
      for (const item of iterate(this.expr(cl.iter, unit, i === 0 ? scopes : inner), line(unit, cl.iter))) {
        this.bindTargets(cl.targets, item, unit, inner, cl.iter, cl.tuple);
        run(i + 1);
      }
    };
    run(0);
  }

  protected binary(n: SyntaxNode, unit: Unit, scopes: Scope[]): Value {
    const left = n.firstChild!;
    const opNode = left.nextSibling!;
    const at = line(unit, n);
    const op = opNode.name === 'not' || opNode.name === 'is' ? `${text(unit, opNode)}${opNode.nextSibling!.name === 'not' || opNode.nextSibling!.name === 'in' ? ' ' + text(unit, opNode.nextSibling!) : ''}` : text(unit, opNode);
    if (op === 'and' || op === 'or') return this.boolean(n, unit, scopes);
    // Chained comparison `a < b < c`: the parser nests it to the left.
    if (opNode.name === 'CompareOp' && left.name === 'BinaryExpression' && left.firstChild!.nextSibling!.name === 'CompareOp') {
      const mid = left.lastChild!;
      if (!truthy(this.expr(left, unit, scopes))) return false;
      return compare(op, this.expr(mid, unit, scopes), this.expr(n.lastChild!, unit, scopes), at, this.world);
    }
    const l = this.expr(left, unit, scopes);
    const r = this.expr(n.lastChild!, unit, scopes);
    switch (op) {
      case 'in': return containsOp(r, l, at);
      case 'not in': return !containsOp(r, l, at);
      case 'is': return l === r || (l === null && r === null);
      case 'is not': return !(l === r || (l === null && r === null));
    }
    if (opNode.name === 'CompareOp') return compare(op, l, r, at, this.world);
    return binaryOp(op, l, r, at, false, this.world);
  }

  /**
   * `and` / `or` / `not` with Python's precedence (not > and > or). The parser gives `not` the
   * lowest precedence (`not a and b` comes as `not (a and b)`), so the chain is flattened in source
   * order and regrouped here; operands are evaluated lazily, as Python short-circuits.
   */
  protected boolean(n: SyntaxNode, unit: Unit, scopes: Scope[]): Value {
    const items: (SyntaxNode | 'and' | 'or' | 'not')[] = [];
    const flatten = (x: SyntaxNode): void => {
      if (x.name === 'UnaryExpression' && x.firstChild!.name === 'not') { items.push('not'); flatten(x.lastChild!); return; }
      const op = x.name === 'BinaryExpression' ? x.firstChild!.nextSibling! : null;
      if (op && (op.name === 'and' || op.name === 'or')) { flatten(x.firstChild!); items.push(op.name); flatten(x.lastChild!); return; }
      items.push(x);
    };
    flatten(n);
    let i = 0;
    const operand = (): () => Value => {
      if (items[i] === 'not') { i++; const inner = operand(); return () => !truthy(inner()); }
      const node = items[i++] as SyntaxNode;
      return () => this.expr(node, unit, scopes);
    };
    const conj = (): () => Value => {
      const parts = [operand()];
      while (items[i] === 'and') { i++; parts.push(operand()); }
      return () => { let v: Value = true; for (const p of parts) { v = p(); if (!truthy(v)) return v; } return v; };
    };
    const parts = [conj()];
    while (items[i] === 'or') { i++; parts.push(conj()); }
    let v: Value = false;
    for (const p of parts) { v = p(); if (truthy(v)) return v; }
    return v;
  }

  protected subscript(n: SyntaxNode, obj: Value, unit: Unit, scopes: Scope[]): Value {
    const parts = children(n).slice(1).filter((c) => c.name !== '[' && c.name !== ']');
    if (parts.some((c) => c.name === ':')) {
      const bounds: (Value | undefined)[] = [undefined, undefined, undefined];
      let k = 0;
      for (const p of parts) { if (p.name === ':') k++; else bounds[k] = this.expr(p, unit, scopes); }
      return sliceOf(obj, bounds, line(unit, n));
    }
    const key = parts.length === 1 ? this.expr(parts[0], unit, scopes) : tuple(this.items(parts.filter((p) => p.name !== ','), unit, scopes));
    return subscript(obj, key, line(unit, n), this.world);
  }

  protected call(n: SyntaxNode, unit: Unit, scopes: Scope[], callee: Value = this.expr(n.firstChild!, unit, scopes)): Value {
    const at = line(unit, n);
    const pythonSide = this.world.pythonSideKeywords(callee);
    const args: Value[] = [];
    const kwargs: Kwargs = new Map();
    const skipped = new Set<string>();
    let callables: Map<string, PyFunction | Builtin> | undefined;
    const list = n.getChild('ArgList');
    for (let a = list?.firstChild; a; a = a.nextSibling) {
      if (a.name === '(' || a.name === ')' || a.name === ',' || a.name === 'Comment') continue;
      if (a.name === 'VariableName' && a.nextSibling?.name === 'AssignOp') {
        const key = text(unit, a);
        a = a.nextSibling.nextSibling!;
        if (kwargs.has(key) || skipped.has(key)) throw new PythonError(at, 'SyntaxError', `keyword argument repeated: ${key}`);
        if (pythonSide(key)) {
          // Python-side only (`default=`...): evaluated when it can be, never needed for the DDL.
          try {
            const v = this.expr(a, unit, scopes);
            // A callable or an unknown object (`default=uuid.uuid4`) only Python would use.
            if (v instanceof RtObject && v.toData() === undefined && !(v instanceof Namespace)) {
              skipped.add(key);
              if (v instanceof PyFunction || v instanceof Builtin) (callables ??= new Map()).set(key, v);
            } else kwargs.set(key, v);
          } catch (e) { if (e instanceof BudgetExceeded || !(e instanceof Unsupported)) throw e; skipped.add(key); }
          continue;
        }
        kwargs.set(key, this.expr(a, unit, scopes));
        continue;
      }
      if (a.name === '*') { args.push(...iterate(this.expr(a = a.nextSibling!, unit, scopes), at)); continue; }
      if (a.name === '**') {
        const d = this.expr(a = a.nextSibling!, unit, scopes);
        if (!(d instanceof PyDict)) throw new PythonError(at, 'TypeError', `argument after ** must be a mapping, not ${typeName(d)}`);
        for (const [k, v] of d.entries) kwargs.set(String(k), v);
        continue;
      }
      if (a.nextSibling?.name === 'for') {
        // `f(x for x in xs)`: the generator, as a list.
        const out: Value[] = [];
        const element = a;
        this.comprehension(list!, unit, scopes, (s) => out.push(this.expr(element, unit, s)));
        args.push(out);
        break;
      }
      args.push(this.expr(a, unit, scopes));
    }
    const result = this.world.callValue(callee, args, kwargs, at, skipped, () => snippet(unit, n));
    if (callables && result instanceof Call) pythonSideCallables.set(result, callables);
    return result;
  }
}

function bindArguments(f: PyFunction, args: Value[], kwargs: Kwargs, scope: Scope, at: number): void {
  const positional = f.params.filter((p) => p.kind === 'plain');
  const star = f.params.find((p) => p.kind === 'star');
  const kwstar = f.params.find((p) => p.kind === 'kwstar');
  if (args.length > positional.length && !star) {
    throw new PythonError(at, 'TypeError', `${f.name}() takes ${positional.length} positional argument${positional.length === 1 ? '' : 's'} but ${args.length} ${args.length === 1 ? 'was' : 'were'} given`);
  }
  positional.forEach((p, i) => { if (i < args.length) scope.vars.set(p.name, args[i]); });
  if (star) scope.vars.set(star.name, tuple(args.slice(positional.length)));
  const extra = new Map<string | number, Value>();
  for (const [k, v] of kwargs) {
    const p = f.params.find((x) => x.name === k && (x.kind === 'plain' || x.kind === 'kwonly'));
    if (!p) {
      if (!kwstar) throw new PythonError(at, 'TypeError', `${f.name}() got an unexpected keyword argument '${k}'`);
      extra.set(k, v);
      continue;
    }
    if (scope.vars.has(k)) throw new PythonError(at, 'TypeError', `${f.name}() got multiple values for argument '${k}'`);
    scope.vars.set(k, v);
  }
  if (kwstar) scope.vars.set(kwstar.name, new PyDict(extra as Map<string | number, never>));
  for (const p of f.params) {
    if (p.kind === 'star' || p.kind === 'kwstar' || scope.vars.has(p.name)) continue;
    if (p.default === undefined) throw new PythonError(at, 'TypeError', `${f.name}() missing required argument: '${p.name}'`);
    scope.vars.set(p.name, p.default);
  }
}
