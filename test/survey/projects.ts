/**
 * Finding what to survey under a directory: its version folders (every `versions` directory holding
 * revision files, and each alembic.ini's `script_location`/`version_locations`), their revision files
 * (recursively, as with `recursive_version_locations`), and which dialects a folder is written for
 * (projects such as Prefect or AiiDA keep one folder per database).
 */
import fs from 'node:fs';
import path from 'node:path';
import { DialectName } from '../../src/engine/ops/ddl/dialect';
import { virtualenvSitePackages } from '../../src/engine/config/virtualenv';

export interface Revision { file: string; dialects: DialectName[] }
export interface Project { name: string; root: string; folders: string[]; revisions: Revision[]; pythonPaths: string[] }

const SKIP = new Set(['node_modules', '.git', 'tests', 'test', 'testing', 'site-packages', '.venv', 'venv', '__pycache__']);
const REVISION = /^revision\s*(?::[^=\n]*)?=/m;

function isRevisionFile(file: string): boolean {
  const base = path.basename(file);
  if (!base.endsWith('.py') || base.startsWith('__')) return false;
  try { return REVISION.test(fs.readFileSync(file, 'utf8')); } catch { return false; }
}

function revisionFiles(dir: string): string[] {
  const out: string[] = [];
  let entries: fs.Dirent[];
  try { entries = fs.readdirSync(dir, { withFileTypes: true }); } catch { return out; }
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory() && !SKIP.has(e.name)) out.push(...revisionFiles(p));
    else if (e.isFile() && isRevisionFile(p)) out.push(p);
  }
  return out;
}

/** `script_location` / `version_locations` of an alembic.ini (plain paths and `%(here)s`; not `package:path`). */
function iniFolders(ini: string): string[] {
  const here = path.dirname(ini);
  let section = '';
  const out: string[] = [];
  for (const raw of fs.readFileSync(ini, 'utf8').split(/\r?\n/)) {
    const line = raw.trim();
    const s = /^\[(.+)\]$/.exec(line);
    if (s) { section = s[1]; continue; }
    const kv = /^(script_location|version_locations)\s*[=:]\s*(.+)$/.exec(line);
    if (section !== 'alembic' || !kv) continue;
    for (const v of kv[1] === 'script_location' ? [kv[2]] : kv[2].split(/[\s,;]+/)) {
      if (!v || /^[\w.]+:/.test(v)) continue;
      const p = path.resolve(here, v.replace(/%\(here\)s/g, here));
      out.push(kv[1] === 'script_location' ? path.join(p, 'versions') : p);
    }
  }
  return out;
}

function walk(dir: string, visit: (dir: string, entries: fs.Dirent[]) => void): void {
  let entries: fs.Dirent[];
  try { entries = fs.readdirSync(dir, { withFileTypes: true }); } catch { return; }
  visit(dir, entries);
  for (const e of entries) if (e.isDirectory() && !SKIP.has(e.name) && !e.name.startsWith('.')) walk(path.join(dir, e.name), visit);
}

/** The version folders under `root` (or `root` itself when it holds revision files directly). */
export function findVersionFolders(root: string): string[] {
  const direct = fs.readdirSync(root).some((f) => isRevisionFile(path.join(root, f)));
  if (direct) return [root];
  const found = new Set<string>();
  walk(root, (dir, entries) => {
    for (const e of entries) {
      if (e.isFile() && e.name === 'alembic.ini') for (const f of iniFolders(path.join(dir, e.name))) found.add(f);
    }
    if (path.basename(dir) === 'versions') found.add(dir);
  });
  const withRevisions = [...found].filter((f) => fs.existsSync(f) && revisionFiles(f).length > 0).sort();
  // A folder inside another one is already read recursively.
  return withRevisions.filter((f) => !withRevisions.some((o) => o !== f && f.startsWith(o + path.sep)));
}

/** A folder named for one database (`.../sqlite/...`, `psql_dos`, `postgresql`) is surveyed on that one only. */
export function dialectsOf(file: string, root: string): DialectName[] {
  const segs = path.relative(root, path.dirname(file)).toLowerCase().split(path.sep);
  if (segs.some((s) => /^sqlite/.test(s))) return ['sqlite'];
  if (segs.some((s) => /^(postgres|psql|pg$)/.test(s))) return ['postgresql'];
  return ['postgresql', 'sqlite'];
}

/** Where the project's own Python packages may be imported from (the reference run puts them on sys.path). */
function pythonPaths(root: string, folders: string[]): string[] {
  const out = [root];
  if (fs.existsSync(path.join(root, 'src'))) out.push(path.join(root, 'src'));
  for (const f of folders) {
    // The parent of the outermost package that holds the version folder.
    let d = path.dirname(f);
    while (d.startsWith(root) && d !== root && fs.existsSync(path.join(d, '__init__.py'))) d = path.dirname(d);
    if (!out.includes(d)) out.push(d);
  }
  // Packages installed in the project's virtualenv (fetch-installed.sh lays out the surveyed ones).
  return [...out, ...virtualenvSitePackages(root)];
}

export function readProject(dir: string): Project {
  const root = path.resolve(dir);
  const folders = findVersionFolders(root);
  const revisions = folders.flatMap((f) => revisionFiles(f)).map((file) => ({ file, dialects: dialectsOf(file, root) }));
  return { name: path.basename(root).replace('+', '/'), root, folders, revisions, pythonPaths: pythonPaths(root, folders) };
}
