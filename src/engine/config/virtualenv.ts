/**
 * The project's virtualenv, kept in its folder (`.venv` as uv and Poetry's in-project setting make
 * it, `venv` / `env` as `python -m venv` is usually told): its site-packages is where the packages a
 * migration imports (a library's constants, say) are installed. The engine reads them there, as it
 * reads the project's own modules, never running them.
 */
import fs from 'node:fs';
import path from 'node:path';

export const VIRTUALENV_NAMES = ['.venv', 'venv', 'env'];

/** The site-packages folders of the virtualenvs in `dir` (POSIX `lib/pythonX.Y/`, Windows `Lib/`). */
export function virtualenvSitePackages(dir: string): string[] {
  const out: string[] = [];
  for (const env of VIRTUALENV_NAMES) {
    const lib = path.join(dir, env, 'lib');
    let pythons: string[] = [];
    try { pythons = fs.readdirSync(lib).filter((p) => p.startsWith('python')).sort().reverse(); } catch { /* no POSIX layout */ }
    const candidates = [...pythons.map((py) => path.join(lib, py, 'site-packages')), path.join(dir, env, 'Lib', 'site-packages')];
    for (const c of candidates) if (isDir(c) && !out.includes(c)) out.push(c);
  }
  return out;
}

function isDir(p: string): boolean {
  try { return fs.statSync(p).isDirectory(); } catch { return false; }
}

/** `here`, its parents up to the project's `root`, then `cwd`: where a project keeps its virtualenv and lock files. */
export function projectFolders(here: string, cwd: string, root: string): string[] {
  const dirs: string[] = [];
  for (let d = path.resolve(here); ; d = path.dirname(d)) {
    dirs.push(d);
    const rel = path.relative(path.resolve(root), d);
    if (!rel || rel.startsWith('..') || path.isAbsolute(rel) || path.dirname(d) === d) break;
  }
  return [...new Set([...dirs, path.resolve(cwd)])];
}

/** The site-packages of the project's virtualenvs, nearest the config first. */
export function projectSitePackages(here: string, cwd: string, root: string): string[] {
  return [...new Set(projectFolders(here, cwd, root).flatMap(virtualenvSitePackages))];
}
