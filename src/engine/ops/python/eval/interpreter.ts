/**
 * A safe evaluator for the Python that migration files contain: a subset, not a Python. It walks
 * the syntax tree (@lezer/python) of a revision file (and of project modules it imports), runs
 * module-level constants and functions, locals, if/elif/else, for/while with a step budget,
 * comprehensions, f-strings and string formatting, and records the `op.*` calls it meets. Nothing
 * is executed for real: no file, network or process access, no `eval`, no import outside the
 * project and the SQLAlchemy/Alembic names the engine models. What it does not evaluate raises
 * `Unsupported` (file:line, the construct, why); what Python itself would reject raises
 * `PythonError`.
 */
import type { SyntaxNode } from '@lezer/common';
import { Call, PyDict, Unsupported } from '../../values';
import { describeNode } from '../describeNode';
import { formattedString, numberLiteral, stringLiteral } from './literals';
import { assignedNames, children, inner, line, snippet, text } from './tree';
import { BreakSignal, BudgetExceeded, ContinueSignal, ModuleLoadError, PythonError, ReturnSignal, StopEvaluation } from './errors';
import { pyStr } from './format';
import { binaryOp, compare, containsOp, unaryOp, iterate, subscript, sliceOf, dictKey, setItem, equals } from './operators';
import { attribute } from './attributes';
import { AppliedDecorator, Builtin, DecoratorRefusal, Kwargs, Namespace, Param, PyFunction, RtObject, Scope, tuple, truthy, typeName, Unit, Value, work } from './runtime';
import type { World } from './world';

/** Steps (expressions and statements evaluated) one evaluation may take before it is stopped. */
export const DEFAULT_BUDGET = 2_000_000;
const DECORATORS = new Set(['staticmethod', 'classmethod', 'property', 'overload', 'wraps', 'cached_property', 'abstractmethod']);
/** Decorators evaluated and applied: their value must be an AppliedDecorator (events.ts). */
const APPLIED = new Set(['listens_for']);
const MAX_DEPTH = 60;
/** Items an operator or a built-in may copy or compare for one step of the budget (runtime.ts `work`). */
const ITEMS_PER_STEP = 10;
/** Steps a class definition costs (measured: 20-50 µs, where a step is about 1 µs). */
const CLASS_STEPS = 20;
/** Steps an error raised and caught costs (a JavaScript Error and its stack: measured 30-40 µs, where a step is about 1 µs). */
const ERROR_STEPS = 50;

/** A module's top level ended by a `raise`, `return`, `break` or `continue` (errors.ts ModuleLoadError). */
function moduleExit(e: unknown, at: number): ModuleLoadError | undefined {
  if (e instanceof ModuleLoadError) return e;
  if (e instanceof StopEvaluation) return new ModuleLoadError(e.line || at, 'raise', `loading the module raises ${e.message} (Python fails here too; fix the migration)`);
  const outside = e instanceof ReturnSignal ? "'return' outside function" : e instanceof BreakSignal ? "'break' outside loop" : e instanceof ContinueSignal ? "'continue' not properly in loop" : undefined;
  if (e instanceof BreakSignal || e instanceof ContinueSignal) at = e.line || at;
  return outside ? new ModuleLoadError(at, outside, 'a SyntaxError: Python cannot load this file; fix it first') : undefined;
}

export class Interpreter {
  private steps = 0;
  private depth = 0;

  constructor(readonly world: World, private readonly budget = DEFAULT_BUDGET) {
    work.charge = (items, at) => {
      this.steps += Math.floor(items / ITEMS_PER_STEP);
      if (this.steps > this.budget) this.overBudget(at, `a value of ${items.toLocaleString('en')} items or characters`);
    };
  }

  // ---- statements ----

  /**
   * Runs a module's top level; a statement that cannot be evaluated binds its names to why.
   * Returns the first such statement's reason, if any.
   */
  runModule(unit: Unit, top: SyntaxNode): string | undefined {
    return this.runBody(top, unit, [unit.scope], true);
  }

  /** `topLevel`: a module's top level or a class body in it (where a `raise` stops the module loading). */
  private runBody(top: SyntaxNode, unit: Unit, scopes: Scope[], topLevel: boolean): string | undefined {
    let first: string | undefined;
    for (let s = top.firstChild; s; s = s.nextSibling) {
      try {
        this.stmt(s, unit, scopes);
      } catch (e) {
        if (e instanceof BudgetExceeded) throw e;
        const stop = topLevel ? moduleExit(e, line(unit, s)) : undefined;
        if (stop) throw stop;
        if (!(e instanceof Unsupported)) throw e;
        this.chargeError(e.line);
        first ??= `line ${e.line}: ${e.construct}`;
        for (const name of assignedNames(s, unit)) {
          scopes[0].vars.set(name, this.world.opaque(`${name} (${e.construct}: ${e.why})`, 'it is computed at module level by code the embedded engine does not evaluate'));
        }
      }
    }
    return first;
  }

  block(body: SyntaxNode, unit: Unit, scopes: Scope[]): void {
    for (let s = body.firstChild; s; s = s.nextSibling) this.stmt(s, unit, scopes);
  }

  private tick(n: SyntaxNode, unit: Unit): void {
    if (++this.steps > this.budget) this.overBudget(line(unit, n), snippet(unit, n));
  }

  /** An error raised and caught (an `except`, a module statement not evaluated): building it costs far more than a step. */
  chargeError(at: number): void {
    this.steps += ERROR_STEPS;
    if (this.steps > this.budget) this.overBudget(at, 'an error raised and caught');
  }

  private spend(steps: number, n: SyntaxNode, unit: Unit): void {
    this.steps += steps;
    if (this.steps > this.budget) this.overBudget(line(unit, n), snippet(unit, n));
  }

  private overBudget(at: number, construct: string): never {
    throw new BudgetExceeded(at, construct, `the code runs too long to be evaluated (more than ${this.budget.toLocaleString('en')} steps): a loop that does not end?`);
  }

  stmt(s: SyntaxNode, unit: Unit, scopes: Scope[]): void {
    // The body's ':' is no statement of its own (a message naming it would say nothing).
    if (s.name !== ':' && s.name !== 'Comment') this.tick(s, unit);
    try { this.statement(s, unit, scopes); } catch (e) {
      if (e instanceof Unsupported) e.at(line(unit, s));
      throw e;
    }
  }

  private statement(s: SyntaxNode, unit: Unit, scopes: Scope[]): void {
    switch (s.name) {
      case ':': case 'Comment': case 'PassStatement': case 'LineComment': return;
      case 'ExpressionStatement': this.expr(s.firstChild!, unit, scopes); return;
      case 'AssignStatement': this.assign(s, unit, scopes); return;
      case 'UpdateStatement': {
        const target = s.firstChild!;
        const op = text(unit, target.nextSibling!).slice(0, -1);
        const value = binaryOp(op, this.expr(target, unit, scopes), this.expr(s.lastChild!, unit, scopes), line(unit, s), true);
        this.bindTarget(target, value, unit, scopes);
        return;
      }
      case 'IfStatement': {
        let c = s.firstChild;
        while (c) {
          if (c.name === 'if' || c.name === 'elif') {
            const cond = c.nextSibling!;
            const body = cond.nextSibling!;
            if (truthy(this.expr(cond, unit, scopes))) { this.block(body, unit, scopes); return; }
            c = body.nextSibling;
          } else if (c.name === 'else') {
            this.block(c.nextSibling!, unit, scopes);
            return;
          } else c = c.nextSibling;
        }
        return;
      }
      case 'ForStatement': {
        const targets: SyntaxNode[] = [];
        let c = s.firstChild!.nextSibling!;
        for (; c.name !== 'in'; c = c.nextSibling!) if (c.name !== ',') targets.push(c);
        const iterable = this.expr(c.nextSibling!, unit, scopes);
        const body = c.nextSibling!.nextSibling!;
        const elseBody = body.nextSibling?.name === 'else' ? body.nextSibling.nextSibling : null;
        let broke = false;
        for (const item of iterate(iterable, line(unit, s))) {
          this.bindTargets(targets, item, unit, scopes, s);
          try { this.block(body, unit, scopes); } catch (e) {
            if (e instanceof BreakSignal) { broke = true; break; }
            if (e instanceof ContinueSignal) continue;
            throw e;
          }
        }
        if (!broke && elseBody) this.block(elseBody, unit, scopes);
        return;
      }
      case 'WhileStatement': {
        const cond = s.firstChild!.nextSibling!;
        const body = cond.nextSibling!;
        while (truthy(this.expr(cond, unit, scopes))) {
          this.tick(s, unit);
          try { this.block(body, unit, scopes); } catch (e) {
            if (e instanceof BreakSignal) break;
            if (e instanceof ContinueSignal) continue;
            throw e;
          }
        }
        return;
      }
      case 'BreakStatement': throw new BreakSignal(line(unit, s));
      case 'ContinueStatement': throw new ContinueSignal(line(unit, s));
      case 'ReturnStatement': {
        // `return a, b` returns a tuple (the parser gives its items as siblings).
        const parts: SyntaxNode[] = [];
        for (let c = s.firstChild!.nextSibling; c; c = c.nextSibling) if (c.name !== 'Comment') parts.push(c);
        throw new ReturnSignal(parts.length ? this.seq(parts, unit, scopes) : null);
      }
      case 'FunctionDefinition': this.define(s, unit, scopes); return;
      case 'ClassDefinition': this.defineClass(s, unit, scopes); return;
      case 'DecoratedStatement': this.decorated(s, unit, scopes); return;
      case 'ImportStatement': this.world.importInto(text(unit, s), unit, scopes[0], line(unit, s)); return;
      case 'WithStatement': this.world.withStatement(s, unit, scopes, this); return;
      case 'RaiseStatement': this.world.raise(s, unit, scopes, this); return;
      case 'TryStatement': this.world.tryStatement(s, unit, scopes, this); return;
      case 'ScopeStatement': {
        // `global x` / `nonlocal x` in a function: assignments to x go to the module / the enclosing function.
        const where = s.firstChild!.name === 'global' ? 'global' : 'nonlocal';
        if (scopes[0].kind !== 'function') return;
        for (let c = s.firstChild!.nextSibling; c; c = c.nextSibling) if (c.name === 'VariableName') (scopes[0].declared ??= new Map()).set(text(unit, c), where);
        return;
      }
      case 'AssertStatement': {
        const cond = s.firstChild!.nextSibling!;
        if (!truthy(this.expr(cond, unit, scopes))) {
          const msg = cond.nextSibling?.name === ',' ? pyStr(this.expr(cond.nextSibling.nextSibling!, unit, scopes)) : '';
          throw new PythonError(line(unit, s), 'AssertionError', msg || snippet(unit, s));
        }
        return;
      }
      case 'DeleteStatement': {
        for (let c = s.firstChild!.nextSibling; c; c = c.nextSibling) {
          if (c.name === 'VariableName') scopes[0].vars.delete(text(unit, c));
          else if (c.name === 'MemberExpression' && c.getChild('[')) {
            const obj = this.expr(c.firstChild!, unit, scopes);
            if (obj instanceof PyDict) obj.entries.delete(dictKey(this.expr(c.firstChild!.nextSibling!.nextSibling!, unit, scopes), line(unit, c)));
            else throw new Unsupported(line(unit, c), snippet(unit, s), 'deleting this is not evaluated');
          } else if (c.name !== ',') throw new Unsupported(line(unit, c), snippet(unit, s), 'deleting this is not evaluated');
        }
        return;
      }
      default:
        throw new Unsupported(line(unit, s), snippet(unit, s), describeNode(s.name));
    }
  }

  private assign(s: SyntaxNode, unit: Unit, scopes: Scope[]): void {
    // Segments separated by `=`: targets..., value. Each segment may be a tuple without parentheses.
    const segments: SyntaxNode[][] = [[]];
    for (let c = s.firstChild; c; c = c.nextSibling) {
      if (c.name === 'AssignOp') {
        if (text(unit, c) !== '=') throw new Unsupported(line(unit, c), snippet(unit, s), 'this assignment is not evaluated');
        segments.push([]);
      } else if (c.name !== 'TypeDef' && c.name !== 'Comment') segments[segments.length - 1].push(c);
    }
    if (segments.length < 2) return; // an annotation alone: `x: int`
    const valueParts = segments.pop()!;
    const value = this.seq(valueParts, unit, scopes);
    for (const target of segments) this.bindTargets(target.filter((n) => n.name !== ','), value, unit, scopes, s);
  }

  /** A comma-separated run of expressions: one value, or a tuple. */
  private seq(parts: SyntaxNode[], unit: Unit, scopes: Scope[]): Value {
    const exprs = parts.filter((n) => n.name !== ',');
    if (exprs.length === 1 && !parts.some((n) => n.name === ',')) return this.expr(exprs[0], unit, scopes);
    return tuple(this.items(exprs, unit, scopes));
  }

  private bindTargets(targets: SyntaxNode[], value: Value, unit: Unit, scopes: Scope[], at: SyntaxNode): void {
    if (targets.length === 1) { this.bindTarget(targets[0], value, unit, scopes); return; }
    const items = [...iterate(value, line(unit, at))];
    if (items.length !== targets.length) {
      throw new PythonError(line(unit, at), 'ValueError', `${items.length < targets.length ? 'not enough' : 'too many'} values to unpack (expected ${targets.length}, got ${items.length})`);
    }
    targets.forEach((t, i) => this.bindTarget(t, items[i], unit, scopes));
  }

  private bindTarget(t: SyntaxNode, value: Value, unit: Unit, scopes: Scope[]): void {
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
  private scopeOf(name: string, unit: Unit, scopes: Scope[]): Scope {
    const d = scopes[0].declared?.get(name);
    if (d === 'global') return scopes[scopes.length - 1].kind === 'module' ? scopes[scopes.length - 1] : unit.scope;
    if (d === 'nonlocal') return scopes.slice(1).find((x) => x.kind === 'function' && x.vars.has(name)) ?? scopes[0];
    return scopes[0];
  }

  private define(s: SyntaxNode, unit: Unit, scopes: Scope[]): void {
    if (s.firstChild?.name === 'async') throw new Unsupported(line(unit, s), 'async def', 'it needs Python to run');
    const name = text(unit, s.getChild('VariableName')!);
    const params = this.params(s.getChild('ParamList'), unit, scopes);
    scopes[0].vars.set(name, new PyFunction(name, params, s.getChild('Body')!, false, scopes, unit, this.invoke));
  }

  /**
   * Decorators that only shape how a function is called (`@staticmethod`, `@classmethod`,
   * `@property`, `@typing.overload`, `@functools.wraps(...)`) are understood; any other decorator is
   * code the engine does not run.
   */
  private decorated(s: SyntaxNode, unit: Unit, scopes: Scope[]): void {
    const names: string[] = [];
    // Others the evaluator applies (`@event.listens_for(...)`), evaluated top to bottom as Python does.
    const applied: AppliedDecorator[] = [];
    const refused = () => new Unsupported(line(unit, s), snippet(unit, s), 'a decorator is Python code the engine does not evaluate');
    for (let d = s.firstChild; d && d.name === 'Decorator'; d = d.nextSibling) {
      const name = text(unit, d).replace(/^@\s*/, '').replace(/\(.*$/s, '').trim();
      names.push(name);
      if (DECORATORS.has(name.split('.').pop()!)) continue;
      if (!APPLIED.has(name.split('.').pop()!)) throw refused();
      let v: Value;
      try { v = this.decorator(d, unit, scopes); } catch (e) {
        if (e instanceof DecoratorRefusal || e instanceof BudgetExceeded) throw e;
        throw refused();
      }
      if (!(v instanceof AppliedDecorator)) throw refused();
      applied.push(v);
    }
    const def = s.getChild('FunctionDefinition') ?? s.getChild('ClassDefinition');
    if (!def) throw refused();
    if (names.some((n) => n.endsWith('overload'))) return; // a typing stub: the real definition follows
    this.stmt(def, unit, scopes);
    const fname = text(unit, def.getChild('VariableName')!);
    if (applied.length) {
      let v: Value = scopes[0].vars.get(fname) ?? null;
      for (const dec of applied.reverse()) v = dec.call([v], new Map(), line(unit, s));
      scopes[0].vars.set(fname, v);
      return;
    }
    const f = scopes[0].vars.get(fname);
    if (f instanceof PyFunction) {
      if (names.includes('staticmethod')) f.kind = 'static';
      else if (names.includes('classmethod')) f.kind = 'class';
      else if (names.includes('property')) f.kind = 'property';
    }
  }

  /** A decorator's value: a dotted name, called when it has arguments (the grammar's form). */
  private decorator(d: SyntaxNode, unit: Unit, scopes: Scope[]): Value {
    const at = line(unit, d);
    let v: Value | undefined;
    for (let c = d.firstChild; c; c = c.nextSibling) {
      if (c.name === 'VariableName') v = v === undefined ? this.lookup(text(unit, c), unit, scopes, at) : attribute(v, text(unit, c), at, this.world);
      else if (c.name === 'ArgList') return this.call(d, unit, scopes, v ?? null);
      else if (c.name !== 'At' && c.name !== '.' && c.name !== 'Comment') throw new Unsupported(at, snippet(unit, d), 'a decorator is Python code the engine does not evaluate');
    }
    return v ?? null;
  }

  private defineClass(s: SyntaxNode, unit: Unit, scopes: Scope[]): void {
    const name = text(unit, s.getChild('VariableName')!);
    const bases: Value[] = [];
    for (let c = s.getChild('ArgList')?.firstChild; c; c = c.nextSibling) {
      if (c.name === '(' || c.name === ')' || c.name === ',') continue;
      if (c.name === 'VariableName' && c.nextSibling?.name === 'AssignOp') { c = c.nextSibling.nextSibling!; continue; } // metaclass=...
      bases.push(this.expr(c, unit, scopes));
    }
    // Making a class (a declarative model maps its columns) costs far more than a step.
    this.spend(CLASS_STEPS, s, unit);
    const cls = this.world.makeClass(name, bases);
    const body = new Scope('function');
    // As a module's top level: a member we cannot evaluate (a custom decorator...) fails only when used.
    this.runBody(s.getChild('Body')!, unit, [body, ...scopes], scopes.length === 1);
    for (const [k, v] of body.vars) {
      if (v instanceof PyFunction) v.owner = cls;
      cls.attrs.set(k, v);
    }
    scopes[0].vars.set(name, cls);
  }

  private params(list: SyntaxNode | null, unit: Unit, scopes: Scope[]): Param[] {
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

  private lookup(name: string, unit: Unit, scopes: Scope[], at: number): Value {
    for (const s of scopes) if (s.vars.has(name)) return s.vars.get(name)!;
    if (unit.scope.vars.has(name)) return unit.scope.vars.get(name)!;
    if (name === 'super') {
      const fn = scopes.find((s) => s.vars.has('__class__'));
      return new Builtin('super', () => this.world.superOf(fn?.vars.get('__self__'), fn?.vars.get('__class__'), at));
    }
    const b = this.world.builtin(name);
    if (b !== undefined) return b;
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

  private dict(n: SyntaxNode, unit: Unit, scopes: Scope[]): PyDict {
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
  private comprehension(n: SyntaxNode, unit: Unit, scopes: Scope[], each: (s: Scope[]) => void): void {
    const clauses: { kind: 'for'; targets: SyntaxNode[]; iter: SyntaxNode } | { kind: 'if'; cond: SyntaxNode }[] = [];
    const list: ({ kind: 'for'; targets: SyntaxNode[]; iter: SyntaxNode } | { kind: 'if'; cond: SyntaxNode })[] = clauses as never;
    for (let c = n.firstChild; c; c = c.nextSibling) {
      if (c.name === 'for') {
        const targets: SyntaxNode[] = [];
        let t = c.nextSibling!;
        for (; t.name !== 'in'; t = t.nextSibling!) if (t.name !== ',') targets.push(t);
        list.push({ kind: 'for', targets, iter: t.nextSibling! });
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
        this.bindTargets(cl.targets, item, unit, inner, cl.iter);
        run(i + 1);
      }
    };
    run(0);
  }

  private binary(n: SyntaxNode, unit: Unit, scopes: Scope[]): Value {
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
  private boolean(n: SyntaxNode, unit: Unit, scopes: Scope[]): Value {
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

  private subscript(n: SyntaxNode, obj: Value, unit: Unit, scopes: Scope[]): Value {
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

  private call(n: SyntaxNode, unit: Unit, scopes: Scope[], callee: Value = this.expr(n.firstChild!, unit, scopes)): Value {
    const at = line(unit, n);
    const pythonSide = this.world.pythonSideKeywords(callee);
    const args: Value[] = [];
    const kwargs: Kwargs = new Map();
    const skipped = new Set<string>();
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
            if (v instanceof RtObject && v.toData() === undefined && !(v instanceof Namespace)) skipped.add(key);
            else kwargs.set(key, v);
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
    return this.world.callValue(callee, args, kwargs, at, skipped, () => snippet(unit, n));
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

export { Builtin, RtObject, Call, equals };
