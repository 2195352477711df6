/**
 * Project modules a revision imports (`from myapp.migration_helpers import add_audit_columns`),
 * followed statically: the file is found under the project's import roots (never outside them),
 * parsed, and its top level evaluated by the same safe evaluator. Parsed trees are kept per file
 * (by size and mtime) for the process, as Python keeps imported modules.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Tree } from '@lezer/common';
import { parseModule } from './parse';

const MAX_BYTES = 1_000_000;

export interface ModuleSource { file: string; src: string; tree: Tree; isPackage: boolean }

const trees = new Map<string, { key: string; source: ModuleSource }>();

/** The file of module `dotted` under one of `roots`, or undefined. Symlinks out of a root are refused. */
export function findModule(dotted: string, roots: string[]): string | undefined {
  const parts = dotted.split('.');
  if (parts.some((p) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(p))) return undefined;
  for (const root of roots) {
    const base = path.join(root, ...parts);
    for (const candidate of [base + '.py', path.join(base, '__init__.py')]) {
      if (inside(candidate, root)) return candidate;
    }
  }
  return undefined;
}

function inside(file: string, root: string): boolean {
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) return false;
    const real = fs.realpathSync(file);
    const realRoot = fs.realpathSync(root);
    return real.startsWith(realRoot + path.sep);
  } catch { return false; }
}

/** A package folder (for `from pkg import submodule`), under the roots. */
export function findPackageDir(dotted: string, roots: string[]): string | undefined {
  for (const root of roots) {
    const dir = path.join(root, ...dotted.split('.'));
    try {
      if (fs.statSync(dir).isDirectory() && fs.realpathSync(dir).startsWith(fs.realpathSync(root) + path.sep)) return dir;
    } catch { /* not there */ }
  }
  return undefined;
}

export function loadModule(file: string): ModuleSource | { error: string } {
  let st: fs.Stats;
  try { st = fs.statSync(file); } catch (e) { return { error: `cannot read ${file}: ${(e as NodeJS.ErrnoException).code}` }; }
  if (st.size > MAX_BYTES) return { error: `${path.basename(file)} is larger than ${MAX_BYTES / 1e6} MB` };
  const key = `${st.size}:${st.mtimeMs}`;
  const hit = trees.get(file);
  if (hit?.key === key) return hit.source;
  let src: string;
  try { src = fs.readFileSync(file, 'utf8'); } catch (e) { return { error: `cannot read ${file}: ${(e as NodeJS.ErrnoException).code}` }; }
  if (src.includes('\r')) src = src.replace(/\r\n?/g, '\n');
  const parsed = parseModule(src);
  const source = { file, src: parsed.src, tree: parsed.tree, isPackage: path.basename(file) === '__init__.py' };
  trees.set(file, { key, source });
  return source;
}

/** `from .x import y` inside module `file`: the absolute dotted name, given the module's own name. */
export function resolveRelative(spec: string, moduleName: string, isPackage: boolean): string | undefined {
  const dots = /^\.*/.exec(spec)![0].length;
  if (!dots) return spec;
  const pkg = moduleName.split('.');
  if (!isPackage) pkg.pop();
  for (let i = 1; i < dots; i++) pkg.pop();
  const rest = spec.slice(dots);
  const parts = [...pkg, ...(rest ? rest.split('.') : [])].filter(Boolean);
  return parts.length ? parts.join('.') : undefined;
}
