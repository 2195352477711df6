/**
 * Which SQLAlchemy's rules the project's SQL follows (1.4 and 2.0 render some DDL differently, e.g.
 * SQLite's `DEFAULT 0` vs `DEFAULT (0)`), read without Python from what the project declares:
 * `[tool.alembic-migrations] sqlalchemy = "1.4"`, else the version installed in its virtualenv, else
 * a lock file, a requirements pin, a pyproject.toml dependency; 2.0 when nothing says.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { CommandError } from '../errors';
import { projectFolders, virtualenvSitePackages } from './virtualenv';

export type SqlalchemyVersion = '1.4' | '2.0';
export const DEFAULT_SQLALCHEMY: SqlalchemyVersion = '2.0';

export interface SqlalchemyRules { version: SqlalchemyVersion; source: string }

/** "SQLAlchemy 2.0 rules (from poetry.lock: 2.0.30)", as a run logs it. */
export const describeSqlalchemy = (r: SqlalchemyRules) => `SQLAlchemy ${r.version} rules (${r.source})`;

/**
 * A version or specifier ("1.4.52", ">=1.3,<2", "^2.0", "~=1.4") to the rules of the release it
 * resolves to: a pin or a compatible range (`==`, `~=`, `^`, `~`, a bare version) names its major; an
 * upper bound below 2 means 1.x; lower bounds alone let the installer take the newest (2.x).
 * Undefined when it names no version.
 */
export function rulesOf(spec: string): SqlalchemyVersion | undefined {
  const clauses = spec.replace(/\s+/g, '').split(',').map((c) => /^(===?|~=|\^|~|<=?|>=?|!=)?v?(\d+)((?:\.(?:\d+|\*))*)/.exec(c)).filter((m) => m !== null);
  if (!clauses.length) return undefined;
  const major = (n: number) => (n >= 2 ? '2.0' : n === 1 ? '1.4' : undefined);
  const pinned = clauses.find(([, op]) => !op || op.startsWith('=') || op === '~=' || op === '^' || op === '~');
  if (pinned) return major(Number(pinned[2]));
  const below2 = clauses.some(([, op, n, rest]) => (op === '<' && (Number(n) < 2 || (Number(n) === 2 && /^(\.0)*$/.test(rest)))) || (op === '<=' && Number(n) < 2));
  return below2 ? '1.4' : '2.0';
}

type Finder = (dir: string) => { file: string; spec: string } | undefined;

const read = (file: string): string | undefined => { try { return fs.readFileSync(file, 'utf8'); } catch { return undefined; } };

const virtualenv: Finder = (dir) => {
  for (const sitePackages of virtualenvSitePackages(dir)) {
    const file = path.join(sitePackages, 'sqlalchemy', '__init__.py');
    const m = /^__version__\s*=\s*["']([^"']+)["']/m.exec(read(file) ?? '');
    if (m) return { file, spec: m[1] };
  }
  return undefined;
};

/** poetry.lock and uv.lock: `[[package]] name = "sqlalchemy" version = "2.0.30"`. */
const tomlLock = (name: string): Finder => (dir) => {
  const file = path.join(dir, name);
  const m = /^name\s*=\s*"sqlalchemy"\s*\r?\n\s*version\s*=\s*"([^"]+)"/im.exec(read(file) ?? '');
  return m ? { file, spec: m[1] } : undefined;
};

const pipfileLock: Finder = (dir) => {
  const file = path.join(dir, 'Pipfile.lock');
  const m = /"sqlalchemy"\s*:\s*\{[^}]*?"version"\s*:\s*"([^"]+)"/i.exec(read(file) ?? '');
  return m ? { file, spec: m[1] } : undefined;
};

/** `SQLAlchemy==1.4.52`, `sqlalchemy[asyncio]>=2.0` in a requirements file (requirements*.txt). */
const DEPENDENCY = /^\s*sqlalchemy(?:\[[^\]]*\])?\s*((?:[<>=!~^]=?=?\s*[\w.*]+\s*,?\s*)+)/im;

/** requirements.txt before requirements-dev.txt and the others. */
const byMainFirst = (a: string, b: string) => Number(b.toLowerCase() === 'requirements.txt') - Number(a.toLowerCase() === 'requirements.txt') || a.localeCompare(b);

const requirements: Finder = (dir) => {
  let names: string[];
  try { names = fs.readdirSync(dir).filter((n) => /^requirements.*\.txt$/i.test(n)).sort(byMainFirst); } catch { return undefined; }
  for (const n of names) {
    const file = path.join(dir, n);
    const m = DEPENDENCY.exec(read(file) ?? '');
    if (m) return { file, spec: m[1] };
  }
  return undefined;
};

/** PEP 621 `"sqlalchemy>=2"` strings and Poetry's `sqlalchemy = "^1.4"` in pyproject.toml. */
const pyprojectDependency: Finder = (dir) => {
  const file = path.join(dir, 'pyproject.toml');
  const text = read(file) ?? '';
  const m = /["']sqlalchemy(?:\[[^\]]*\])?\s*([<>=!~^][^"';]*)/i.exec(text)
    ?? /^\s*sqlalchemy\s*=\s*(?:\{[^}]*version\s*=\s*)?"([^"]+)"/im.exec(text);
  return m ? { file, spec: m[1] } : undefined;
};

/** The `sqlalchemy` setting of `[tool.alembic-migrations]`, from the first pyproject.toml having it. */
function setting(files: string[]): SqlalchemyRules | undefined {
  for (const file of files) {
    const text = read(file);
    if (text === undefined || !/alembic-migrations/.test(text)) continue;
    let data: Record<string, unknown>;
    try { data = parseToml(text) as Record<string, unknown>; } catch { continue; } // project.ts reports bad TOML
    const raw = ((data.tool as Record<string, unknown> | undefined)?.['alembic-migrations'] as Record<string, unknown> | undefined)?.sqlalchemy;
    if (raw === undefined) continue;
    const version = rulesOf(String(raw));
    if (!version) {
      throw new CommandError(`${file}: [tool.alembic-migrations] sqlalchemy = ${JSON.stringify(raw)} is not a SQLAlchemy version`, file,
        'Write sqlalchemy = "1.4" or sqlalchemy = "2.0" (the SQLAlchemy the project runs with).');
    }
    return { version, source: `from ${file} [tool.alembic-migrations]` };
  }
  return undefined;
}

/**
 * The rules for a project whose config is in `here`, run from `cwd`: the setting first, then each
 * kind of declaration in order of trust, each looked for in `here`, its parents up to `root`, then `cwd`.
 */
export function detectSqlalchemy(here: string, cwd: string, root: string): SqlalchemyRules {
  const all = projectFolders(here, cwd, root);
  const set = setting(all.map((d) => path.join(d, 'pyproject.toml')));
  if (set) return set;
  for (const find of [virtualenv, tomlLock('poetry.lock'), tomlLock('uv.lock'), pipfileLock, requirements, pyprojectDependency]) {
    for (const dir of all) {
      const hit = find(dir);
      const version = hit && rulesOf(hit.spec);
      if (hit && version) return { version, source: `from ${path.relative(cwd, hit.file) || hit.file}: ${hit.spec.trim()}` };
    }
  }
  return { version: DEFAULT_SQLALCHEMY, source: 'the default: the project declares no SQLAlchemy version' };
}
