/**
 * Turns the value given as `MetaData(naming_convention=...)` (or assigned to
 * `metadata.naming_convention`) into the convention SQLAlchemy would hold: string keys (ix, uq, ...
 * or custom tokens), SQLAlchemy constraint classes as keys, callables; or why it cannot be known.
 */
import type { SyntaxNode } from '@lezer/common';
import { CLASS_NAMES, DEFAULT_CONVENTION, NamingConvention } from '../convention';
import { describe, lastPart, Loc, ModuleCtx, unknown, Unknown, Value } from './values';

/** A naming_convention value as SQLAlchemy would hold it, or why it cannot be known. */
export function toConvention(value: Value, ctx: ModuleCtx, n: SyntaxNode): { convention: NamingConvention; at: Loc } | Unknown {
  if (value.t === 'unknown') return value;
  if (value.t !== 'dict') return unknown(`naming_convention is ${describe(value)}, not a dict`, ctx, n);
  const conv: NamingConvention = { keys: {}, classes: {}, callables: [] };
  for (const [k, v] of value.entries) {
    let template: string | null;
    if (v.t === 'str') template = v.v;
    else if (v.t === 'none') template = null;
    else if (v.t === 'func' && k.t === 'str') { conv.callables.push(k.v); continue; }
    else if (v.t === 'unknown') return { t: 'unknown', why: `the naming_convention entry ${k.t === 'str' ? `'${k.v}'` : ''} is unknown: ${v.why}`, at: v.at };
    else return { t: 'unknown', why: `the naming_convention entry ${k.t === 'str' ? `'${k.v}'` : ''} is ${describe(v)}, not a string`, at: value.at };
    if (k.t === 'str') conv.keys[k.v] = template;
    else if (k.t === 'lib' && k.name.startsWith('sqlalchemy') && CLASS_NAMES.has(lastPart(k.name))) conv.classes[lastPart(k.name)] = template;
    else if (k.t === 'unknown') return k;
    else return { t: 'unknown', why: `a naming_convention key is ${describe(k)}, neither a string nor a SQLAlchemy class`, at: value.at };
  }
  // MetaData(naming_convention={}) falls back to SQLAlchemy's default.
  if (value.entries.length === 0) return { convention: DEFAULT_CONVENTION, at: value.at };
  return { convention: conv, at: value.at };
}
