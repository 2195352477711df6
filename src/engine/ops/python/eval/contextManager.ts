/**
 * `@contextlib.contextmanager` generators used in a `with` (neutron's `with
 * migration.remove_fks_from_table(table):`), run without suspending anything: the generator's body
 * runs, and where it reaches its one `yield` the `with` block runs in its place. An error of the
 * block comes out of that `yield`, so the generator's `try` / `finally` see it as Python's would,
 * and a handler that swallows it suppresses it, as the context manager does. A read the database
 * must answer first passes through untouched (no `finally`): the evaluation starts again once it
 * is answered.
 */
import type { SyntaxNode } from '@lezer/common';
import { Unsupported } from '../../values';
import { BreakSignal, ContinueSignal, PythonError, ReturnSignal } from './errors';
import { AppliedDecorator, Kwargs, Opaque, PyFunction, RtObject, Unit, Value } from './runtime';

/** `contextlib`: what migrations take from it. */
export class ContextlibModule extends RtObject {
  readonly typeName = 'module';
  override getAttr(name: string): Value {
    if (name === 'contextmanager') return CONTEXTMANAGER;
    return new Opaque(`contextlib.${name}`, 'only contextlib.contextmanager is evaluated by the embedded engine');
  }
}

export const CONTEXTMANAGER = new AppliedDecorator('contextlib.contextmanager', ([fn], _k, line) => {
  if (!(fn instanceof PyFunction)) throw new Unsupported(line, 'contextlib.contextmanager(...)', 'it is applied to a function of the migration or the project only');
  return new ContextManagerFactory(fn);
});

/** The decorated function: calling it gives the context manager. */
export class ContextManagerFactory extends RtObject {
  readonly typeName = 'function';
  constructor(readonly fn: PyFunction) { super(); }
  override call(args: Value[], kwargs: Kwargs): Value { return new GeneratorContext(this.fn, args, kwargs); }
  override getAttr(name: string, line: number): Value { return name === '__name__' ? this.fn.name : super.getAttr(name, line); }
  override describe(): string { return `${this.fn.name}()`; }
}

/** `f(...)` of a contextmanager function, before its `with` enters it. */
export class GeneratorContext extends RtObject {
  readonly typeName = '_GeneratorContextManager';
  entered = false;
  constructor(readonly fn: PyFunction, readonly args: Value[], readonly kwargs: Kwargs) { super(); }
}

/** Where a `yield` of the running generator hands over to its `with` block. */
export interface YieldHook {
  /** The generator's own `def` (its file and place): a `yield` elsewhere (a nested function) is not its. */
  owns(def: SyntaxNode | null, unit: Unit): boolean;
  onYield(value: Value, line: number): void;
}

/** Runs `ctx` around `block` (which binds the `as` target to what is yielded and runs the body). */
export function enterGenerator(ctx: GeneratorContext, line: number, hooks: { yieldHook?: YieldHook }, block: (yielded: Value) => void): void {
  if (ctx.entered) throw new Unsupported(line, 'with', 'a @contextmanager object entered a second time is not evaluated by the embedded engine');
  ctx.entered = true;
  let yields = 0;
  // A `return` / `break` / `continue` leaving the block lets the generator finish first (__exit__ without an error).
  let leaving: ReturnSignal | BreakSignal | ContinueSignal | undefined;
  const saved = hooks.yieldHook;
  const own = ctx.fn.body.parent;
  hooks.yieldHook = {
    // By place, not identity: the parser hands out a new node object for each walk of the tree.
    owns: (def, unit) => !!def && !!own && unit === ctx.fn.unit && def.from === own.from && def.to === own.to,
    onYield: (value, at) => {
      if (++yields > 1) throw new PythonError(at, 'RuntimeError', "generator didn't stop");
      // The block runs as the with statement's own code, outside the generator's hook.
      const inner = hooks.yieldHook;
      hooks.yieldHook = saved;
      try { block(value); } catch (e) {
        if (!(e instanceof ReturnSignal || e instanceof BreakSignal || e instanceof ContinueSignal)) throw e;
        leaving = e;
      } finally { hooks.yieldHook = inner; }
    },
  };
  try { ctx.fn.call(ctx.args, ctx.kwargs, line); } finally { hooks.yieldHook = saved; }
  if (!yields) throw new PythonError(line, 'RuntimeError', "generator didn't yield");
  if (leaving) throw leaving;
}

/** The FunctionDefinition a `yield` belongs to (a lambda or a class body stops the search). */
export function enclosingDef(n: SyntaxNode): SyntaxNode | null {
  for (let p = n.parent; p; p = p.parent) {
    if (p.name === 'FunctionDefinition') return p;
    if (p.name === 'LambdaExpression' || p.name === 'ClassDefinition') return null;
  }
  return null;
}
