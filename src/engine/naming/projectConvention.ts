/**
 * A project's naming convention, as the run uses it: env.py's target_metadata followed statically
 * (targetMetadata.ts), else `[tool.alembic-migrations] naming_convention` in pyproject.toml, else
 * the reason neither gave one (the planner then refuses every name that depends on it).
 */
import fs from 'node:fs';
import path from 'node:path';
import { ProjectConvention } from './opNames';
import { readConventionSetting } from './conventionSetting';
import { findNamingConvention } from './targetMetadata';

export interface ProjectConventionOptions {
  /** `<script_location>/env.py` */
  envPy: string;
  /** The config file's folder (`%(here)s`). */
  here: string;
  /** The folder Alembic runs in. */
  cwd: string;
  /** alembic.ini's prepend_sys_path entries and the other folders project modules are imported from. */
  importRoots: string[];
  /** pyproject.toml files to read the setting from, in order (default: here's, then cwd's). */
  pyprojects?: string[];
}

/**
 * The folder imports are followed in: the repository holding the config (the nearest folder with
 * `.git` above it), as models often live beside, not under, the alembic.ini (`backend/alembic.ini`
 * + `app/models.py`); without a repository, the working directory when it holds the config, else
 * the config's folder. Nothing above it is read.
 */
export function workspaceRootFor(here: string, cwd: string): string {
  for (let d = path.resolve(here); ; d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, '.git'))) return d;
    if (path.dirname(d) === d) break;
  }
  const rel = path.relative(path.resolve(cwd), path.resolve(here));
  return !rel.startsWith('..') && !path.isAbsolute(rel) ? path.resolve(cwd) : path.resolve(here);
}

export function lookupProjectConvention(o: ProjectConventionOptions): ProjectConvention {
  const workspaceRoot = workspaceRootFor(o.here, o.cwd);
  const found = findNamingConvention({ envPy: o.envPy, workspaceRoot, projectRoot: o.cwd, extraSysPath: o.importRoots });
  if (found.convention !== undefined) {
    return { convention: found.convention, source: `${found.source}${found.isDefault && found.note ? ` (${found.note})` : ''}`, isDefault: found.isDefault };
  }
  const why = `env.py's target_metadata could not be followed: ${found.reason}`;
  for (const file of [...new Set((o.pyprojects ?? [path.join(o.here, 'pyproject.toml'), path.join(o.cwd, 'pyproject.toml')]).map((f) => path.resolve(f)))]) {
    let text: string;
    try { text = fs.readFileSync(file, 'utf8'); } catch { continue; }
    const setting = readConventionSetting(text);
    if (setting === undefined) continue;
    const rel = path.relative(o.cwd, file) || file;
    if (setting.convention === undefined) return { convention: undefined, reason: `${why}; and ${rel}: ${setting.reason}` };
    return { convention: setting.convention, source: `${rel} ${setting.source} (${why})`, isDefault: false };
  }
  return { convention: undefined, reason: `${why}; and no pyproject.toml has [tool.alembic-migrations] naming_convention` };
}
