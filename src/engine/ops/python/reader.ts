/**
 * Reads a Python revision file's `upgrade()` / `downgrade()` into the op calls they make, by
 * evaluating them with the safe evaluator (eval/): constants, helper functions, loops, conditions
 * on the dialect, f-strings, SQLAlchemy constructs and project helpers are followed; anything else
 * becomes an `Unsupported` naming the line and the construct, so a run stops before it starts.
 */
import { Call, Unsupported } from '../values';
import { EvalContext } from './eval/context';
import { ReturnSignal } from './eval/errors';
import { Interpreter } from './eval/interpreter';
import { parseModule } from './eval/parse';
import { Opaque, PyFunction, Scope, Unit, Value } from './eval/runtime';
import { lineStarts, StopEvaluation, World } from './eval/world';
import { line as lineOf } from './eval/tree';
import { NeedsDatabase } from './eval/results';

export { NeedsDatabase };
export type { DbResult, ReadResults } from './eval/results';

export interface OpCall { kind: 'op'; name: string; call: Call; line: number }
export interface BatchBlock { kind: 'batch'; call: Call; line: number; ops: OpCall[] }
export type OpStatement = OpCall | BatchBlock;

/**
 * `unsupported` says why it cannot be compiled before the run; a `NeedsDatabase` there means it
 * reads rows back, and `ops` then holds what it does before that read.
 */
export interface ReadFunction {
  name: 'upgrade' | 'downgrade'; line: number; ops?: OpStatement[]; unsupported?: Unsupported;
  /** What else the result depends on (project modules' files, `alembic.ini`): a plan cached by the revision's text alone would be stale. */
  dependsOn?: string[];
}

export type { EvalContext };

/**
 * Both functions, each evaluated from a fresh module (as each runs in its own Alembic command).
 * `ctx` says what is known before the run (the dialect, `--sql`); without a dialect, code that
 * asks for it is refused.
 */
export function readMigrationFunctions(source: string, ctx: EvalContext = {}): ReadFunction[] {
  // Python 3.10's `with (... as x):` and a bare `yield`, which the parser mis-reads, are parsed in a form it reads.
  const { src, tree, errorAt } = parseModule(source.includes('\r') ? source.replace(/\r\n?/g, '\n') : source);
  const starts = lineStarts(src);
  const lineAt = (pos: number) => lineOf({ src, lineStarts: starts } as Unit, { from: pos });
  if (errorAt !== undefined) {
    const line = lineAt(errorAt);
    const err = new Unsupported(line, 'a syntax error', 'Python cannot load this file; fix it first');
    return [{ name: 'upgrade', line, unsupported: err }, { name: 'downgrade', line, unsupported: err }];
  }
  const out: ReadFunction[] = [];
  for (let n = tree.topNode.firstChild; n; n = n.nextSibling) {
    const def = n.name === 'DecoratedStatement' ? n.getChild('FunctionDefinition') : n.name === 'FunctionDefinition' ? n : null;
    const nameNode = def?.getChild('VariableName');
    const name = nameNode && src.slice(nameNode.from, nameNode.to);
    if (name !== 'upgrade' && name !== 'downgrade') continue;
    if (ctx.only && name !== ctx.only) continue; // a run needs one of them: the other is not evaluated
    const line = lineAt(def!.from);
    if (n.name === 'DecoratedStatement') { out.push({ name, line, unsupported: new Unsupported(line, 'a decorated function', 'the decorator is Python code') }); continue; }
    if (def!.firstChild?.name === 'async') { out.push({ name, line, unsupported: new Unsupported(line, 'async def', 'it needs Python to run') }); continue; }
    out.push(evaluateFunction(src, tree.topNode, starts, name, def!.from, line, ctx));
  }
  return out;
}

function evaluateFunction(src: string, top: import('@lezer/common').SyntaxNode, starts: number[], name: 'upgrade' | 'downgrade', defFrom: number, line: number, ctx: EvalContext): ReadFunction {
  const deps = new Set<string>();
  const world = new World({ ...ctx, onDependency: (d) => deps.add(d) });
  const result = evaluateIn(world, src, top, starts, name, defFrom, line, ctx);
  for (const f of world.dependsOn) deps.add(f);
  return deps.size ? { ...result, dependsOn: [...deps] } : result;
}

function evaluateIn(world: World, src: string, top: import('@lezer/common').SyntaxNode, starts: number[], name: 'upgrade' | 'downgrade', defFrom: number, line: number, ctx: EvalContext): ReadFunction {
  const unit = revisionUnit(src, starts, ctx);
  try {
    world.interp.runModule(unit, top);
    // The definition at this position (a later `def upgrade` replaces an earlier one, as in Python).
    const f = unit.scope.vars.get(name);
    if (!(f instanceof PyFunction) || f.body.parent?.from !== defFrom) {
      return { name, line, unsupported: new Unsupported(line, `${name}()`, 'replaced by a later definition') };
    }
    const required = f.params.filter((p) => p.default === undefined && (p.kind === 'plain' || p.kind === 'kwonly'));
    if (required.length) {
      return { name, line, unsupported: new Unsupported(line, `${name}(${f.params.map((p) => p.name).join(', ')})`, 'parameters come from env.py (-x / context options)') };
    }
    const ops = world.sink = [];
    world.inFunction = true; // reads are answered during the evaluation only here: `sink` holds the function's ops
    try { f.call([], new Map(), line); } catch (e) {
      // A read the database must answer first: what ran before it is kept, to run online.
      if (e instanceof NeedsDatabase) return { name, line, ops, unsupported: e };
      if (!(e instanceof StopEvaluation) && !(e instanceof ReturnSignal)) throw e;
    }
    return { name, line, ops };
  } catch (e) {
    if (e instanceof Unsupported) return { name, line, unsupported: e };
    // Nesting deeper than the JavaScript stack (thousands of brackets): Python refuses such files too.
    if (e instanceof RangeError) return { name, line, unsupported: new Unsupported(line, `${name}()`, 'the code is nested too deeply to be evaluated') };
    throw e;
  }
}

/** A revision's module scope: Alembic loads a revision as a module named after its file. */
function revisionUnit(src: string, starts: number[], ctx: EvalContext): Unit {
  const unit: Unit = { file: ctx.file ?? '<revision>', src, lineStarts: starts, scope: new Scope('module') };
  unit.scope.vars.set('__name__', (ctx.file ? ctx.file.split(/[\\/]/).pop()! : 'revision').replace(/\W/g, '_'));
  if (ctx.file) unit.scope.vars.set('__file__', ctx.file);
  return unit;
}

export { Interpreter };

/**
 * Module-level names of a revision, evaluated by the safe evaluator (its imports followed under
 * `ctx.importRoots`): for the header values that are not literals (neutron's
 * `branch_labels = (cli.CONTRACT_BRANCH,)`). Each name gives its value, or why it has none.
 */
export function readModuleValues(source: string, names: string[], ctx: EvalContext = {}): Map<string, { value: Value } | { why: string }> {
  const out = new Map<string, { value: Value } | { why: string }>();
  const { src, tree, errorAt } = parseModule(source.includes('\r') ? source.replace(/\r\n?/g, '\n') : source);
  if (errorAt !== undefined) {
    for (const n of names) out.set(n, { why: 'the file has a syntax error' });
    return out;
  }
  const world = new World({ ...ctx, offline: true });
  const unit = revisionUnit(src, lineStarts(src), ctx);
  try { world.interp.runModule(unit, tree.topNode); } catch (e) {
    const why = e instanceof Unsupported ? `line ${e.line}: ${e.construct}: ${e.why}` : e instanceof RangeError ? 'the code is nested too deeply' : undefined;
    if (why === undefined) throw e;
    for (const n of names) out.set(n, { why });
    return out;
  }
  for (const n of names) {
    const v = unit.scope.vars.get(n);
    if (v === undefined) out.set(n, { why: `${n} is not defined at module level` });
    else if (v instanceof Opaque) out.set(n, { why: `${v.what}: ${v.why}` });
    else out.set(n, { value: v });
  }
  return out;
}
