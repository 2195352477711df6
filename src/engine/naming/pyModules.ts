/**
 * Where a Python import leads inside the workspace, as Python's import system would find it on
 * `sys.path`: `a/b.py`, `a/b/__init__.py`, or a namespace folder. Nothing outside the workspace
 * root is ever read.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface ModuleFile {
  /** The `.py` file, or undefined for a namespace package (a folder without __init__.py). */
  file?: string;
  /** The folder submodules are looked up in (packages only). */
  dir?: string;
}

export function isInside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function realInside(root: string, p: string): boolean {
  try {
    return isInside(root, fs.realpathSync(p));
  } catch {
    return false;
  }
}

/** The module `parts` under `base` (a sys.path entry or a package folder), if it is there and inside `root`. */
export function findModule(root: string, base: string, parts: string[]): ModuleFile | undefined {
  const stem = path.join(base, ...parts);
  if (!isInside(root, stem)) return undefined;
  const init = path.join(stem, '__init__.py');
  if (isFile(init) && realInside(root, init)) return { file: init, dir: stem };
  if (isFile(stem + '.py') && realInside(root, stem + '.py')) return { file: stem + '.py' };
  if (isDir(stem) && realInside(root, stem)) return { dir: stem };
  return undefined;
}

function isFile(p: string): boolean {
  try { return fs.statSync(p).isFile(); } catch { return false; }
}
function isDir(p: string): boolean {
  try { return fs.statSync(p).isDirectory(); } catch { return false; }
}
