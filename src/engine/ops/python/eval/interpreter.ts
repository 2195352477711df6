/**
 * A safe evaluator for the Python that migration files contain: a subset, not a Python. It walks
 * the syntax tree (@lezer/python) of a revision file (and of project modules it imports), runs
 * module-level constants and functions, locals, if/elif/else, for/while with a step budget,
 * comprehensions, f-strings and string formatting, and records the `op.*` calls it meets. Nothing
 * is executed for real: no file, network or process access, no `eval`, no import outside the
 * project and the SQLAlchemy/Alembic names the engine models. What it does not evaluate raises
 * `Unsupported` (file:line, the construct, why); what Python itself would reject raises
 * `PythonError`.
 *
 * The step budget is in budget.ts; expressions and calls of functions defined in Python source in
 * expressions.ts.
 */
import type { SyntaxNode } from '@lezer/common';
import { Call, PyDict, Unsupported } from '../../values';
import { describeNode } from '../describeNode';
import { assignedNames, line, snippet, text } from './tree';
import { BreakSignal, BudgetExceeded, ContinueSignal, PythonError, ReturnSignal } from './errors';
import { pyStr } from './format';
import { binaryOp, iterate, dictKey, equals } from './operators';
import { attribute } from './attributes';
import { AppliedDecorator, Builtin, DecoratorRefusal, Opaque, PyFunction, RtObject, Scope, tuple, truthy, Unit, Value } from './runtime';
import type { World } from './world';
import { DEFAULT_BUDGET } from './budget';
import { ExpressionEvaluator, moduleExit } from './expressions';

export { DEFAULT_BUDGET };
const DECORATORS = new Set(['staticmethod', 'classmethod', 'property', 'overload', 'wraps', 'cached_property', 'abstractmethod']);
/** Steps a class definition costs (measured: 20-50 µs, where a step is about 1 µs). */
const CLASS_STEPS = 20;

export class Interpreter extends ExpressionEvaluator {
  constructor(world: World, budget = DEFAULT_BUDGET) {
    super(world, budget);
  }

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
        let tuple = false;
        let c = s.firstChild!.nextSibling!;
        for (; c.name !== 'in'; c = c.nextSibling!) if (c.name !== ',') targets.push(c); else tuple = true;
        const iterable = this.expr(c.nextSibling!, unit, scopes);
        const body = c.nextSibling!.nextSibling!;
        const elseBody = body.nextSibling?.name === 'else' ? body.nextSibling.nextSibling : null;
        let broke = false;
        for (const item of iterate(iterable, line(unit, s))) {
          this.bindTargets(targets, item, unit, scopes, s, tuple);
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
      case 'YieldStatement': {
        const parts: SyntaxNode[] = [];
        for (let c = s.firstChild!.nextSibling; c; c = c.nextSibling) if (c.name !== 'Comment') parts.push(c);
        if (parts[0]?.name === 'from') throw new Unsupported(line(unit, s), 'yield from', 'a generator is run by the embedded engine only as a @contextlib.contextmanager with one yield');
        this.world.yieldValue(s, unit, parts.length ? this.seq(parts, unit, scopes) : null, line(unit, s));
        return;
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
    for (const target of segments) this.bindTargets(target.filter((n) => n.name !== ','), value, unit, scopes, s, target.some((n) => n.name === ','));
  }

  /** A comma-separated run of expressions: one value, or a tuple. */
  private seq(parts: SyntaxNode[], unit: Unit, scopes: Scope[]): Value {
    const exprs = parts.filter((n) => n.name !== ',');
    if (exprs.length === 1 && !parts.some((n) => n.name === ',')) return this.expr(exprs[0], unit, scopes);
    return tuple(this.items(exprs, unit, scopes));
  }

  private define(s: SyntaxNode, unit: Unit, scopes: Scope[]): void {
    if (s.firstChild?.name === 'async') throw new Unsupported(line(unit, s), 'async def', 'it needs Python to run');
    const name = text(unit, s.getChild('VariableName')!);
    const params = this.params(s.getChild('ParamList'), unit, scopes);
    scopes[0].vars.set(name, new PyFunction(name, params, s.getChild('Body')!, false, scopes, unit, this.invoke));
  }

  /**
   * Decorators that only shape how a function is called (`@staticmethod`, `@classmethod`,
   * `@property`, `@typing.overload`, `@functools.wraps(...)`) are understood. The others are
   * evaluated top to bottom and applied bottom up, as Python does, when their value is one the
   * evaluator can call: a function of the migration or the project (a function called with the
   * function), `@event.listens_for(...)` (events.ts) or `@contextlib.contextmanager`
   * (contextManager.ts); anything else is refused.
   */
  private decorated(s: SyntaxNode, unit: Unit, scopes: Scope[]): void {
    const names: string[] = [];
    const applied: (AppliedDecorator | PyFunction)[] = [];
    const refused = (why = 'a decorator is Python code the engine does not evaluate') => new Unsupported(line(unit, s), snippet(unit, s), why);
    for (let d = s.firstChild; d && d.name === 'Decorator'; d = d.nextSibling) {
      const name = text(unit, d).replace(/^@\s*/, '').replace(/\(.*$/s, '').trim();
      names.push(name);
      if (DECORATORS.has(name.split('.').pop()!)) continue;
      let v: Value;
      try { v = this.decorator(d, unit, scopes); } catch (e) {
        if (e instanceof DecoratorRefusal || e instanceof BudgetExceeded) throw e;
        throw refused(e instanceof Unsupported ? `a decorator the engine cannot evaluate: ${e.construct}: ${e.why}` : undefined);
      }
      if (v instanceof Opaque) throw refused(`a decorator the engine cannot evaluate: ${v.what}: ${v.why}`);
      if (!(v instanceof AppliedDecorator || v instanceof PyFunction)) throw refused();
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
}

export { Builtin, RtObject, Call, equals };
