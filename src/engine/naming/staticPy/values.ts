/**
 * What the static reader of env.py and the modules it imports makes of Python values (strings,
 * dicts, MetaData, classes, modules, known library names, or `unknown` with the reason), and the
 * syntax-tree helpers every part of it shares. Nothing here runs Python.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { SyntaxNode, Tree } from '@lezer/common';
import type { NamingConvention } from '../convention';
import type { ModuleFile } from '../pyModules';

export interface Loc { file: string; line: number }
export interface MetaObj { convention?: NamingConvention; conventionAt?: Loc; at: Loc; unknown?: Unknown }
export interface Unknown { t: 'unknown'; why: string; at?: Loc }
export type Value =
  | { t: 'str'; v: string; path?: boolean }
  | { t: 'none' }
  | { t: 'num'; v: number }
  | { t: 'dict'; entries: Array<[Value, Value]>; at: Loc }
  | { t: 'list'; items: Value[] }
  | { t: 'metadata'; m: MetaObj }
  | { t: 'obj'; kind: 'class' | 'instance'; name: string; attrs: Map<string, Value>; bases: Value[]; at: Loc }
  | { t: 'module'; name: string; mod: ModuleFile }
  | { t: 'lib'; name: string }
  | { t: 'func'; name: string; node: SyntaxNode; ctx: ModuleCtx }
  | { t: 'method'; self: Value; name: string }
  | { t: 'parents'; p: string }
  | Unknown;

export interface ModuleCtx { file: string; src: string; lineStarts: number[]; scope: Map<string, Value>; dir?: string; loading: boolean }
export interface Args { positional: Value[]; keywords: Map<string, Value>; at: Loc }

let lezer: typeof import('@lezer/python') | undefined;
export function parse(src: string): Tree {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  lezer ??= require('@lezer/python') as typeof import('@lezer/python');
  return lezer.parser.parse(src);
}

/** A module before it is read: its text with `\n` line ends, and an empty scope. */
export function newCtx(file: string, src: string): ModuleCtx {
  const s = src.includes('\r') ? src.replace(/\r\n?/g, '\n') : src;
  const lineStarts = [0];
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) === 10) lineStarts.push(i + 1);
  const base = path.basename(file) === '__init__.py' ? path.dirname(file) : undefined;
  return { file, src: s, lineStarts, scope: new Map(), dir: base, loading: true };
}

export function unknown(why: string, ctx: ModuleCtx, n: SyntaxNode): Unknown {
  return { t: 'unknown', why, at: loc(ctx, n) };
}

export function loc(ctx: ModuleCtx, n: SyntaxNode): Loc {
  return { file: ctx.file, line: lineOf(ctx, n.from) };
}

export function describe(v: Value): string {
  switch (v.t) {
    case 'str': return `the string '${v.v.slice(0, 40)}'`;
    case 'num': return `the number ${v.v}`;
    case 'none': return 'None';
    case 'dict': return 'a dict';
    case 'list': return 'a list';
    case 'metadata': return 'a MetaData';
    case 'obj': return v.kind === 'class' ? `the class ${v.name}` : `a ${v.name} object`;
    case 'module': return `the module ${v.name}`;
    case 'lib': return `\`${v.name}\``;
    case 'func': return `the function ${v.name}`;
    default: return 'a value computed by Python';
  }
}

export function lastPart(name: string): string {
  return name.slice(name.lastIndexOf('.') + 1);
}

export function fileIfExists(p: string): string | undefined {
  try { return fs.statSync(p).isFile() ? p : undefined; } catch { return undefined; }
}

export function children(n: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = n.firstChild; c; c = c.nextSibling) if (c.name !== 'Comment') out.push(c);
  return out;
}

export function text(ctx: ModuleCtx, n: SyntaxNode): string {
  return ctx.src.slice(n.from, n.to);
}

export function lineOf(ctx: ModuleCtx, pos: number): number {
  let lo = 0, hi = ctx.lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (ctx.lineStarts[mid] <= pos) lo = mid; else hi = mid - 1;
  }
  return lo + 1;
}
