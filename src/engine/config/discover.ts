/**
 * Finds the Alembic projects under a folder: every alembic.ini, and every pyproject.toml with a
 * `[tool.alembic]` table that has no alembic.ini beside it. Dependency and build folders are
 * skipped; the walk is bounded so a huge monorepo cannot stall the editor.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface FoundProject {
  /** The folder Alembic would be run from (the config file's folder). */
  root: string;
  iniPath?: string;
  tomlPath?: string;
}

const SKIP = new Set(['node_modules', '.git', '.hg', '.svn', '.venv', 'venv', 'env', '__pycache__', '.tox', '.nox',
  '.mypy_cache', '.pytest_cache', 'dist', 'build', 'site-packages', '.idea', '.vscode']);

export function findProjects(folder: string, maxDepth = 4): FoundProject[] {
  const found: FoundProject[] = [];
  const walk = (dir: string, depth: number) => {
    let entries: fs.Dirent[];
    try { entries = fs.readdirSync(dir, { withFileTypes: true }); } catch { return; }
    const names = new Set(entries.filter((e) => e.isFile()).map((e) => e.name));
    if (names.has('alembic.ini')) {
      found.push({ root: dir, iniPath: path.join(dir, 'alembic.ini'), tomlPath: names.has('pyproject.toml') ? path.join(dir, 'pyproject.toml') : undefined });
    } else if (names.has('pyproject.toml') && hasToolAlembic(path.join(dir, 'pyproject.toml'))) {
      found.push({ root: dir, tomlPath: path.join(dir, 'pyproject.toml') });
    }
    if (depth >= maxDepth) return;
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (e.isDirectory() && !SKIP.has(e.name) && !e.name.startsWith('.')) walk(path.join(dir, e.name), depth + 1);
    }
  };
  walk(folder, 0);
  return found;
}

function hasToolAlembic(file: string): boolean {
  try { return /^\s*\[tool\.alembic\]/m.test(fs.readFileSync(file, 'utf8')); } catch { return false; }
}
