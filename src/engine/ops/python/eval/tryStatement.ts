/**
 * `try` / `except` / `else` / `finally` with Python's semantics for the errors the evaluator knows
 * as Python errors (`KeyError`, `ImportError`, a `raise ValueError(...)` of the migration...): the
 * first matching handler runs, with `as e` bound. What is not known before the run is refused: a
 * handler that would catch the database's own errors (`except Exception`, `except
 * sa.exc.OperationalError`, a bare `except:`) around code that runs statements, since whether
 * they fail is known only when they run; and a construct the engine does not evaluate inside the
 * body (it cannot tell whether Python would raise there).
 */
import type { SyntaxNode } from '@lezer/common';
import { Unsupported } from '../../values';
import { PythonError } from './errors';
import { RaisedError } from './builtins';
import type { Interpreter } from './interpreter';
import { Builtin, isTuple, Namespace, Scope, Unit, Value } from './runtime';
import { PyClass } from './classes';
import { line as lineOf, snippet, text } from './tree';

/** Python's exception hierarchy, as far as the evaluator raises them. */
const PARENT: Record<string, string> = {
  KeyError: 'LookupError', IndexError: 'LookupError', ZeroDivisionError: 'ArithmeticError', OverflowError: 'ArithmeticError',
  ModuleNotFoundError: 'ImportError', RecursionError: 'RuntimeError', NotImplementedError: 'RuntimeError',
  NoResultFound: 'InvalidRequestError', MultipleResultsFound: 'InvalidRequestError', InvalidRequestError: 'SQLAlchemyError',
  Exception: 'BaseException',
};
/** Handlers that catch what the database raises when a statement fails. */
const CATCHES_DATABASE = new Set(['BaseException', 'Exception', 'SQLAlchemyError', 'DBAPIError', 'DatabaseError', 'OperationalError',
  'ProgrammingError', 'IntegrityError', 'InternalError', 'DataError', 'NotSupportedError', 'StatementError', 'Error', 'InterfaceError']);

function isA(kind: string, handler: string): boolean {
  for (let k: string | undefined = kind; k; k = PARENT[k] ?? (k === 'BaseException' ? undefined : 'Exception')) if (k === handler) return true;
  return false;
}

/** A handler's class names; undefined for a class the engine does not know (then it may catch anything). */
function handlerNames(v: Value): string[] | undefined {
  if (Array.isArray(v) && isTuple(v)) {
    const out: string[] = [];
    for (const x of v) { const n = handlerNames(x); if (!n) return undefined; out.push(...n); }
    return out;
  }
  if (v instanceof Builtin || v instanceof Namespace) return [v.name.split('.').pop()!];
  if (v instanceof PyClass) return [v.name];
  return undefined;
}

interface Handler { types?: SyntaxNode; as?: SyntaxNode; body: SyntaxNode }

export interface TryHost {
  /** Op calls recorded so far (any function, any batch): whether the body ran statements. */
  readonly recorded: number;
  /** The errors being handled (for a bare `raise` inside a handler). */
  readonly handling: PythonError[];
}

export function tryStatement(s: SyntaxNode, unit: Unit, scopes: Scope[], interp: Interpreter, host: TryHost): void {
  const at = lineOf(unit, s);
  let body: SyntaxNode | undefined;
  let elseBody: SyntaxNode | undefined;
  let finallyBody: SyntaxNode | undefined;
  const handlers: Handler[] = [];
  for (let c = s.firstChild; c; c = c.nextSibling) {
    if (c.name === 'try') body = c.nextSibling!;
    else if (c.name === 'else') elseBody = c.nextSibling!;
    else if (c.name === 'finally') finallyBody = c.nextSibling!;
    else if (c.name === 'except') {
      const h: Handler = { body: c.nextSibling! };
      let n = c.nextSibling!;
      if (n.name !== 'Body') { h.types = n; n = n.nextSibling!; }
      if (n.name === 'as') { h.as = n.nextSibling!; n = n.nextSibling!.nextSibling!; }
      h.body = n;
      handlers.push(h);
    }
  }
  if (!body) throw new Unsupported(at, snippet(unit, s), 'this try statement is not understood');
  const kinds = handlers.map((h) => (h.types ? handlerNames(interp.expr(h.types, unit, scopes)) : ['BaseException']));
  const before = host.recorded;
  // What Python would carry out of the statement after `finally`: an uncaught error, a return, a break...
  let outcome: unknown;
  const run = (node: SyntaxNode): PythonError | undefined => {
    try { interp.block(node, unit, scopes); } catch (e) {
      // Not a Python event (a construct not evaluated, a read to serve first): no handler, no finally.
      if (e instanceof Unsupported && !(e instanceof PythonError)) throw e;
      if (e instanceof PythonError) { interp.chargeError(e.line || at); return e; }
      outcome = e;
    }
    return undefined;
  };
  const caught = run(body);
  const ranStatements = host.recorded > before;
  kinds.forEach((k, i) => {
    if (ranStatements && (!k || k.some((n) => CATCHES_DATABASE.has(n)))) {
      const what = handlers[i].types ? text(unit, handlers[i].types!) : '';
      throw new Unsupported(at, `try: ... except${what ? ` ${what}` : ''}:`, 'whether the database raises here is known only when its statements run (the engine cannot decide which branch runs)');
    }
  });
  if (caught) {
    const i = kinds.findIndex((k) => k?.some((n) => isA(caught.pyType, n)));
    if (i < 0 && kinds.some((k) => !k)) throw new Unsupported(at, snippet(unit, s), 'a handler names an exception class the engine does not know');
    if (i < 0) outcome = caught;
    else {
      const h = handlers[i];
      if (h.as) scopes[0].vars.set(text(unit, h.as), new RaisedError(caught.pyType, caught.detail));
      host.handling.push(caught);
      try { outcome = run(h.body) ?? outcome; } finally { host.handling.pop(); }
    }
  } else if (outcome === undefined && elseBody) {
    outcome = run(elseBody);
  }
  if (finallyBody) interp.block(finallyBody, unit, scopes);
  if (outcome !== undefined) throw outcome;
}
