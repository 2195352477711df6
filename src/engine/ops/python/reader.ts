/**
 * Reads a Python revision file's `upgrade()` / `downgrade()` into op calls, with a real Python
 * parser (@lezer/python, loaded on first use). Only straight-line code made of literals and calls
 * to Alembic's `op` and SQLAlchemy's constructors is accepted; anything else (loops, conditions,
 * the user's own helpers, `op.get_bind()`...) becomes an `Unsupported` naming the line and the
 * construct, so a run can stop before its first statement.
 */
import type { SyntaxNode, Tree } from '@lezer/common';
import { stringPrefixLength, unescape } from '../../scripts/pyTokens';
import { Call, PyDict, PyValue, TableRef, TextClause, Unsupported } from '../values';
import { Canonical, normalize, readImport } from './names';
import { describeNode } from './describeNode';

export interface OpCall { kind: 'op'; name: string; call: Call; line: number }
export interface BatchBlock { kind: 'batch'; call: Call; line: number; ops: OpCall[] }
export type OpStatement = OpCall | BatchBlock;

export interface ReadFunction { name: 'upgrade' | 'downgrade'; line: number; ops?: OpStatement[]; unsupported?: Unsupported }

/** Op functions we can run; `batch_op` offers the same minus table creation. */
const OPS = new Set([
  'create_table', 'drop_table', 'rename_table', 'add_column', 'drop_column', 'alter_column',
  'create_index', 'drop_index', 'create_foreign_key', 'create_unique_constraint',
  'create_check_constraint', 'create_primary_key', 'drop_constraint', 'execute', 'bulk_insert',
  'create_table_comment', 'drop_table_comment',
]);
const BATCH_OPS = new Set([
  'add_column', 'drop_column', 'alter_column', 'create_index', 'drop_index', 'create_foreign_key',
  'create_unique_constraint', 'create_check_constraint', 'create_primary_key', 'drop_constraint',
]);
const WHY: Record<string, string> = {
  get_bind: 'it runs queries from Python', get_context: 'it reads the migration context from Python',
  invoke: 'it runs a Python operation object', run_async: 'it runs Python code',
  inline_literal: 'it renders a Python value', implementation_for: 'it defines a custom operation',
};
/** Keyword arguments that only matter to Python at run time, never to the DDL: not evaluated. */
const PYTHON_SIDE = new Set(['default', 'onupdate', 'info', 'doc']);

let lezer: typeof import('@lezer/python') | undefined;
function parse(src: string): Tree {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  lezer ??= require('@lezer/python') as typeof import('@lezer/python');
  return lezer.parser.parse(src);
}

type Binding = { ns: Canonical } | { value: PyValue } | { unknown: string };

export function readMigrationFunctions(source: string): ReadFunction[] {
  const src = source.includes('\r') ? source.replace(/\r\n?/g, '\n') : source;
  const r = new Reader(src);
  return r.read();
}

class Reader {
  private readonly lineStarts: number[] = [0];
  private readonly module = new Map<string, Binding>();

  constructor(private readonly src: string) {
    for (let i = 0; i < src.length; i++) if (src.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
  }

  read(): ReadFunction[] {
    const tree = parse(this.src);
    const out: ReadFunction[] = [];
    // The parser recovers from syntax errors; Python would not load the file at all.
    let errorAt: number | undefined;
    tree.iterate({ enter: (n) => { if (errorAt === undefined && n.type.isError) errorAt = n.from; return errorAt === undefined; } });
    if (errorAt !== undefined) {
      const line = this.line({ from: errorAt } as SyntaxNode);
      const err = new Unsupported(line, 'a syntax error', 'Python cannot load this file; fix it first');
      return [{ name: 'upgrade', line, unsupported: err }, { name: 'downgrade', line, unsupported: err }];
    }
    for (let n = tree.topNode.firstChild; n; n = n.nextSibling) {
      if (n.name === 'ImportStatement') {
        for (const b of readImport(this.text(n))) {
          this.module.set(b.local, b.target ? { ns: b.target } : { unknown: `${b.source} (imported)` });
        }
      } else if (n.name === 'AssignStatement') {
        const target = n.firstChild;
        if (target?.name !== 'VariableName' || target.nextSibling?.name === 'AssignOp' && this.countAssignOps(n) > 1) continue;
        const name = this.text(target);
        try {
          this.module.set(name, { value: this.expr(this.lastChild(n), new Map()) });
        } catch {
          this.module.set(name, { unknown: `${name} (computed at module level)` });
        }
      } else if (n.name === 'FunctionDefinition' || n.name === 'DecoratedStatement') {
        const def = n.name === 'DecoratedStatement' ? n.getChild('FunctionDefinition') : n;
        const nameNode = def?.getChild('VariableName');
        const fname = nameNode && this.text(nameNode);
        if (fname === 'upgrade' || fname === 'downgrade') out.push(this.readFunction(def!, fname));
        else if (fname) this.module.set(fname, { unknown: `${fname}() (a function of this file)` });
      }
    }
    return out;
  }

  private readFunction(def: SyntaxNode, name: 'upgrade' | 'downgrade'): ReadFunction {
    const line = this.line(def);
    if (def.parent?.name === 'DecoratedStatement') {
      return { name, line, unsupported: new Unsupported(line, 'a decorated function', 'the decorator is Python code') };
    }
    if (def.firstChild?.name === 'async') return { name, line, unsupported: new Unsupported(line, 'async def', 'it needs Python to run') };
    const params = def.getChild('ParamList');
    if (params && this.text(params).replace(/[\s()]/g, '') !== '') {
      return { name, line, unsupported: new Unsupported(line, `${name}${this.text(params)}`, 'parameters come from env.py (-x / context options)') };
    }
    try {
      const ops: OpStatement[] = [];
      this.body(def.getChild('Body')!, new Map(), ops);
      return { name, line, ops };
    } catch (e) {
      if (e instanceof Unsupported) return { name, line, unsupported: e };
      throw e;
    }
  }

  private body(body: SyntaxNode, locals: Map<string, Binding>, ops: OpStatement[], batchVar?: string, batchOps?: OpCall[]): void {
    for (let s = body.firstChild; s; s = s.nextSibling) {
      switch (s.name) {
        case ':': case 'Comment': case 'PassStatement': break;
        case 'ReturnStatement':
          if (this.text(s).replace(/\s+/g, ' ').trim() !== 'return' && this.text(s).trim() !== 'return None') {
            throw new Unsupported(this.line(s), this.snippet(s), 'a return value means nothing to Alembic');
          }
          if (s.nextSibling && !['Comment'].includes(s.nextSibling.name)) return;
          break;
        case 'RaiseStatement': {
          // `raise SomeError("message")`: the step fails with that message when it runs (as in Python).
          const e = s.getChild('CallExpression');
          const arg = e?.getChild('ArgList')?.getChild('String');
          const kind = e ? this.text(e.firstChild!) : this.text(s).replace(/^raise\s*/, '') || 'an exception';
          const message = arg ? `${kind}: ${this.string(arg)}` : kind;
          const call = new Call('raise', [message], new Map(), this.line(s));
          ops.push({ kind: 'op', name: 'raise', call, line: this.line(s) });
          return; // nothing after a raise runs
        }
        case 'ExpressionStatement': {
          const e = s.firstChild!;
          if (e.name === 'String' || e.name === 'ContinuedString' || e.name === 'Ellipsis') break; // docstring, `...`
          if (e.name !== 'CallExpression') throw new Unsupported(this.line(s), this.snippet(s), 'an expression whose value is not used');
          this.statementCall(e, locals, ops, batchVar, batchOps);
          break;
        }
        case 'AssignStatement': {
          const target = s.firstChild!;
          if (target.name !== 'VariableName' || this.countAssignOps(s) !== 1) {
            throw new Unsupported(this.line(s), this.snippet(s), 'only `name = value` assignments can be followed');
          }
          const valueNode = this.lastChild(s);
          if (valueNode.name === 'CallExpression' && this.calleeName(valueNode, locals) === 'op.create_table') {
            const call = this.statementCall(valueNode, locals, ops, batchVar, batchOps);
            locals.set(this.text(target), { value: new TableRef(call) });
          } else {
            locals.set(this.text(target), { value: this.expr(valueNode, locals) });
          }
          break;
        }
        case 'WithStatement': {
          if (batchVar) throw new Unsupported(this.line(s), this.snippet(s), 'a batch inside a batch');
          const call = s.getChild('CallExpression');
          const asName = s.getChild('as') ? s.getChild('VariableName') : null;
          if (!call || !asName || this.calleeName(call, locals) !== 'op.batch_alter_table') {
            throw new Unsupported(this.line(s), this.snippet(s), 'only `with op.batch_alter_table(...) as batch_op:` is understood');
          }
          const batchCall = this.callValue(call, 'op.batch_alter_table', locals);
          const block: BatchBlock = { kind: 'batch', call: batchCall, line: this.line(s), ops: [] };
          // op.* calls inside the block run at once, before the batch itself (which runs at the block's end).
          // `batch_op.f(...)` names like `op.f(...)`.
          const inner = new Map(locals).set(this.text(asName), { ns: 'op' });
          this.body(s.getChild('Body')!, inner, ops, this.text(asName), block.ops);
          ops.push(block);
          break;
        }
        default:
          throw new Unsupported(this.line(s), this.snippet(s), describeNode(s.name));
      }
    }
  }

  private statementCall(e: SyntaxNode, locals: Map<string, Binding>, ops: OpStatement[], batchVar?: string, batchOps?: OpCall[]): Call {
    const callee = e.firstChild!;
    if (batchVar && callee.name === 'MemberExpression' && callee.firstChild && this.text(callee.firstChild) === batchVar) {
      const method = this.text(callee.lastChild!);
      if (!BATCH_OPS.has(method)) throw new Unsupported(this.line(e), `${batchVar}.${method}()`, 'not an operation the embedded engine runs in batch mode');
      const call = this.callValue(e, `batch.${method}`, locals);
      batchOps!.push({ kind: 'op', name: method, call, line: this.line(e) });
      return call;
    }
    if (callee.name === 'VariableName' && this.text(callee) === 'print' && !locals.has('print') && !this.module.has('print')) {
      const call = this.callValue(e, 'print', locals); // output only: nothing to run
      ops.push({ kind: 'op', name: 'print', call, line: this.line(e) });
      return call;
    }
    const fn = this.calleeName(e, locals);
    if (!fn) this.dotted(e.firstChild!, locals); // throws, naming the unknown part (e.g. an imported helper)
    if (!fn?.startsWith('op.')) throw new Unsupported(this.line(e), this.snippet(e), fn ? `${fn}() is not an Alembic operation` : 'a call to Python code');
    const method = fn.slice(3);
    if (!OPS.has(method)) throw new Unsupported(this.line(e), `op.${method}()`, WHY[method] ?? 'not an operation the embedded engine runs');
    const call = this.callValue(e, fn, locals);
    ops.push({ kind: 'op', name: method, call, line: this.line(e) });
    return call;
  }

  /** The canonical name a call's callee resolves to (`op.create_table`), or undefined. */
  private calleeName(e: SyntaxNode, locals: Map<string, Binding>): string | undefined {
    try { return this.dotted(e.firstChild!, locals); } catch { return undefined; }
  }

  private dotted(n: SyntaxNode, locals: Map<string, Binding>): Canonical {
    if (n.name === 'VariableName') {
      const name = this.text(n);
      const b = locals.get(name) ?? this.module.get(name);
      if (b && 'ns' in b) return b.ns;
      if (b && 'unknown' in b) throw new Unsupported(this.line(n), b.unknown, 'the embedded engine does not run Python code from outside the migration');
      throw new Unsupported(this.line(n), name, b ? 'not a module or a known SQLAlchemy name' : 'a name that is neither imported nor defined here');
    }
    if (n.name === 'MemberExpression' && n.getChild('.')) {
      return normalize(`${this.dotted(n.firstChild!, locals)}.${this.text(n.lastChild!)}`);
    }
    throw new Unsupported(this.line(n), this.snippet(n), describeNode(n.name));
  }

  private callValue(e: SyntaxNode, fn: string, locals: Map<string, Binding>): Call {
    const args: PyValue[] = [];
    const kwargs = new Map<string, PyValue>();
    const skipped = new Set<string>();
    const list = e.getChild('ArgList');
    for (let a = list?.firstChild; a; a = a.nextSibling) {
      if (['(', ')', ','].includes(a.name) || a.name === 'Comment') continue;
      if (a.name === 'VariableName' && a.nextSibling?.name === 'AssignOp') {
        const key = this.text(a);
        const valueNode = a.nextSibling.nextSibling!;
        a = valueNode;
        if (PYTHON_SIDE.has(key) || (key.startsWith('existing_') && !this.evaluates(valueNode, locals))) { skipped.add(key); continue; }
        kwargs.set(key, this.expr(valueNode, locals));
        continue;
      }
      if (a.name === '*' || a.name === '**' || a.name === 'ArithOp' && /^\*\*?$/.test(this.text(a))) {
        throw new Unsupported(this.line(a), this.snippet(e), 'arguments unpacked with * or ** are computed by Python');
      }
      args.push(this.expr(a, locals));
    }
    return new Call(fn, args, kwargs, this.line(e), skipped);
  }

  private evaluates(n: SyntaxNode, locals: Map<string, Binding>): boolean {
    try { this.expr(n, locals); return true; } catch { return false; }
  }

  private expr(n: SyntaxNode, locals: Map<string, Binding>): PyValue {
    switch (n.name) {
      case 'String': return this.string(n);
      case 'ContinuedString': {
        let s = '';
        for (let c = n.firstChild; c; c = c.nextSibling) {
          if (c.name !== 'String') throw new Unsupported(this.line(n), this.snippet(n), 'an f-string is computed by Python');
          s += this.string(c);
        }
        return s;
      }
      case 'FormatString':
        if (n.getChild('FormatReplacement')) throw new Unsupported(this.line(n), this.snippet(n), 'an f-string is computed by Python');
        return this.string(n);
      case 'Number': return this.number(n);
      case 'Boolean': return this.text(n) === 'True';
      case 'None': return null;
      case 'UnaryExpression': {
        const v = this.expr(n.lastChild!, locals);
        const op = this.text(n.firstChild!);
        if (typeof v === 'number' && (op === '-' || op === '+')) return op === '-' ? -v : v;
        throw new Unsupported(this.line(n), this.snippet(n), 'an expression computed by Python');
      }
      case 'ParenthesizedExpression': return this.expr(this.inner(n)[0], locals);
      case 'ArrayExpression': case 'TupleExpression': return this.inner(n).map((c) => this.expr(c, locals));
      case 'DictionaryExpression': {
        const parts = this.inner(n).filter((c) => c.name !== ':');
        const m = new Map<string | number, PyValue>();
        for (let i = 0; i + 1 < parts.length; i += 2) {
          const k = this.expr(parts[i], locals);
          if (typeof k !== 'string' && typeof k !== 'number') throw new Unsupported(this.line(parts[i]), this.snippet(parts[i]), 'dictionary keys must be literals');
          m.set(k, this.expr(parts[i + 1], locals));
        }
        return new PyDict(m);
      }
      case 'BinaryExpression': {
        const l = this.expr(n.firstChild!, locals);
        const r = this.expr(n.lastChild!, locals);
        if (this.text(n.firstChild!.nextSibling!) === '+' && typeof l === 'string' && typeof r === 'string') return l + r;
        throw new Unsupported(this.line(n), this.snippet(n), 'an expression computed by Python');
      }
      case 'VariableName': {
        const name = this.text(n);
        const b = locals.get(name) ?? this.module.get(name);
        if (b && 'value' in b) return b.value;
        if (b && 'ns' in b) return new Call(b.ns, [], new Map(), this.line(n)); // a type given as a class: `sa.Integer`
        this.dotted(n, locals); // throws the right message
        throw new Unsupported(this.line(n), name, 'unknown name');
      }
      case 'MemberExpression': {
        if (!n.getChild('.')) throw new Unsupported(this.line(n), this.snippet(n), 'indexing is computed by Python');
        return new Call(this.dotted(n, locals), [], new Map(), this.line(n));
      }
      case 'CallExpression': {
        const fn = this.dotted(n.firstChild!, locals);
        if (fn.startsWith('op.') && fn !== 'op.f') {
          const m = fn.slice(3);
          throw new Unsupported(this.line(n), `op.${m}()`, WHY[m] ?? 'its result is used by Python code');
        }
        const call = this.callValue(n, fn, locals);
        if (fn === 'sa.text') {
          if (typeof call.args[0] !== 'string' || call.args.length > 1 || call.kwargs.size) throw new Unsupported(this.line(n), this.snippet(n), 'sa.text() takes one string literal here');
          return new TextClause(call.args[0]);
        }
        return call;
      }
      default:
        throw new Unsupported(this.line(n), this.snippet(n), describeNode(n.name));
    }
  }

  private string(n: SyntaxNode): string {
    const raw = this.text(n);
    const p = stringPrefixLength(raw, 0);
    const prefix = raw.slice(0, p).toLowerCase();
    const body = raw.slice(p);
    const q = body.startsWith('"""') || body.startsWith("'''") ? 3 : 1;
    const inner = body.slice(q, body.length - q);
    if (prefix.includes('b')) throw new Unsupported(this.line(n), raw.slice(0, 40), 'a bytes literal');
    return prefix.includes('r') ? inner : unescape(inner, false);
  }

  private number(n: SyntaxNode): number {
    const t = this.text(n).replace(/_/g, '');
    if (/[jJ]$/.test(t)) throw new Unsupported(this.line(n), t, 'a complex number');
    const v = /^0[xob]/i.test(t) ? Number(t) : /^[0-9]+$/.test(t) ? parseInt(t, 10) : parseFloat(t);
    if (!Number.isFinite(v) || (Number.isInteger(v) && !Number.isSafeInteger(v))) throw new Unsupported(this.line(n), t, 'a number too large to carry exactly');
    return v;
  }

  private inner(n: SyntaxNode): SyntaxNode[] {
    const out: SyntaxNode[] = [];
    for (let c = n.firstChild; c; c = c.nextSibling) {
      if (['(', ')', '[', ']', '{', '}', ',', 'Comment'].includes(c.name)) continue;
      if (c.name === 'for' || c.name === 'ComprehensionExpression') throw new Unsupported(this.line(n), this.snippet(n), 'a comprehension is computed by Python');
      out.push(c);
    }
    if (n.name.endsWith('ComprehensionExpression')) throw new Unsupported(this.line(n), this.snippet(n), 'a comprehension is computed by Python');
    return out;
  }

  private countAssignOps(n: SyntaxNode): number {
    let k = 0;
    for (let c = n.firstChild; c; c = c.nextSibling) {
      if (c.name === 'AssignOp') { if (this.text(c) !== '=') return 99; k++; }
      if (c.name === 'TypeDef') continue;
    }
    return k;
  }

  private lastChild(n: SyntaxNode): SyntaxNode {
    let c = n.lastChild!;
    while (c.name === 'Comment' && c.prevSibling) c = c.prevSibling;
    return c;
  }

  private text(n: SyntaxNode): string { return this.src.slice(n.from, n.to); }

  private snippet(n: SyntaxNode): string {
    const t = this.text(n).split('\n')[0].trim();
    return t.length > 60 ? t.slice(0, 57) + '...' : t;
  }

  private line(n: SyntaxNode): number {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= n.from) lo = mid; else hi = mid - 1;
    }
    return lo + 1;
  }
}
